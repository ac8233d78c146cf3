using LeakAnalyzers.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.UndisposedHttpResponseMessageAnalyzer>;
using VerifyCS = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.UndisposedHttpResponseMessageAnalyzer, LeakAnalyzers.Rules.UndisposedHttpResponseMessageFixer>;

namespace LeakAnalyzers.Tests.Rules;

public sealed class UndisposedHttpResponseMessageTests
{
    /// <summary>A typed client around the statement(s) under test.</summary>
    private static string Client(string members) => $$"""
        using System;
        using System.Collections.Generic;
        using System.IO;
        using System.Net;
        using System.Net.Http;
        using System.Net.Http.Json;
        using System.Threading;
        using System.Threading.Tasks;

        public class OrdersClient
        {
            private readonly HttpClient _client;
            private readonly HttpMessageInvoker _invoker;
            private HttpResponseMessage _last;
            private readonly List<HttpResponseMessage> _responses = new();

            public OrdersClient(HttpClient client, HttpMessageInvoker invoker)
            {
                _client = client;
                _invoker = invoker;
            }

        {{members}}
        }
        """;

    // ---------------------------------------------------------------- reports

    [Theory]
    [InlineData("await _client.PostAsync(url, null)")]
    [InlineData("await _client.GetAsync(url)")]
    [InlineData("await _client.PutAsync(url, null)")]
    [InlineData("await _client.PatchAsync(url, null)")]
    [InlineData("await _client.DeleteAsync(url)")]
    [InlineData("await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url))")]
    [InlineData("await _invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, url), CancellationToken.None)")]
    [InlineData("await _client.PostAsJsonAsync(url, new { Id = 1 })")]
    [InlineData("await _client.PutAsJsonAsync(url, new { Id = 1 })")]
    [InlineData("await _client.GetAsync(url).ConfigureAwait(false)")]
    [InlineData("_client.GetAsync(url).GetAwaiter().GetResult()")]
    [InlineData("_client.Send(new HttpRequestMessage(HttpMethod.Get, url))")]
    [InlineData("new HttpResponseMessage(HttpStatusCode.OK)")]
    public async Task Reports_DiscardedResult(string producer)
    {
        await Analyze.DiagnosticsAsync(Client($$"""
                public async Task NotifyAsync(string url)
                {
                    [|{{producer}}|];
                }
            """));
    }

    [Fact]
    public async Task Reports_DiscardAssignment()
    {
        await Analyze.DiagnosticsAsync(Client("""
                public async Task NotifyAsync(string url)
                {
                    _ = {|#0:await _client.PostAsync(url, null)|};
                    _ = {|#1:_client.GetAsync(url).Result|};
                }
            """),
            Analyze.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("PostAsync", "discarded without being disposed"),
            Analyze.Diagnostic().WithLocation(1).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("GetAsync", "discarded without being disposed"));
    }

    [Fact]
    public async Task Reports_LocalNeverDisposed()
    {
        await Analyze.DiagnosticsAsync(Client("""
                public async Task<string> ReadAsync(string url)
                {
                    var response = {|#0:await _client.GetAsync(url)|};
                    return await response.Content.ReadAsStringAsync();
                }
            """), Analyze.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("GetAsync", "never disposed"));
    }

    [Fact]
    public async Task Reports_DisposedOnlyInTheFailureBranch()
    {
        await Analyze.DiagnosticsAsync(Client("""
                public async Task<string> ReadAsync(string url)
                {
                    var response = {|#0:await _client.GetAsync(url)|};
                    if (!response.IsSuccessStatusCode)
                    {
                        response.Dispose();
                        return null;
                    }

                    return await response.Content.ReadAsStringAsync();
                }
            """), Analyze.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("GetAsync", "not disposed on every path"));
    }

    [Fact]
    public async Task Reports_DisposedAfterAnEarlyReturn()
    {
        await Analyze.DiagnosticsAsync(Client("""
                public async Task<string> ReadAsync(string url)
                {
                    var response = {|#0:await _client.GetAsync(url)|};
                    if (!response.IsSuccessStatusCode)
                        return null;
                    var text = await response.Content.ReadAsStringAsync();
                    response.Dispose();
                    return text;
                }
            """), Analyze.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("GetAsync", "not disposed on every path"));
    }

    [Theory]
    [InlineData("break")]
    [InlineData("continue")]
    public async Task Reports_LoopLeftBeforeTheDispose(string jump)
    {
        await Analyze.DiagnosticsAsync(Client($$"""
                public async Task PollAsync(string[] urls)
                {
                    foreach (var url in urls)
                    {
                        var response = [|await _client.GetAsync(url)|];
                        if (response.StatusCode == HttpStatusCode.NotModified)
                            {{jump}};
                        Console.WriteLine(response.StatusCode);
                        response.Dispose();
                    }
                }
            """));
    }

    [Fact]
    public async Task Reports_LoopLeftByBreakToAReturnBeforeTheDispose()
    {
        await Analyze.DiagnosticsAsync(Client("""
                public async Task<string> GetWithBackoffAsync(string url)
                {
                    HttpResponseMessage response;
                    while (true)
                    {
                        response = [|await _client.GetAsync(url)|];
                        if (response.StatusCode != HttpStatusCode.TooManyRequests)
                            break;
                        response.Dispose();
                    }

                    if (response.StatusCode == HttpStatusCode.NotFound)
                        return null;
                    using (response)
                        return await response.Content.ReadAsStringAsync();
                }
            """));
    }

    [Fact]
    public async Task Reports_ResponseOverwrittenByTheNextIteration()
    {
        // The incident pattern of retry handlers: every failed attempt is dropped when the next one is assigned.
        await Analyze.DiagnosticsAsync("""
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;

            public sealed class RetryHandler : DelegatingHandler
            {
                protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
                {
                    HttpResponseMessage response = null;
                    for (var attempt = 0; attempt < 3; attempt++)
                    {
                        response = {|#0:await base.SendAsync(request, cancellationToken)|};
                        if (response.IsSuccessStatusCode)
                            return response;
                        await Task.Delay(100 * attempt, cancellationToken);
                    }

                    return response;
                }
            }

            public sealed class Poller(HttpClient client)
            {
                public async Task<string> LastAsync(string[] urls)
                {
                    HttpResponseMessage last = null;
                    foreach (var url in urls)
                        last = {|#1:await client.GetAsync(url)|};
                    using (last)
                        return await last.Content.ReadAsStringAsync();
                }
            }
            """,
            Analyze.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("SendAsync", UndisposedHttpResponseMessageAnalyzer.OverwrittenInLoop),
            Analyze.Diagnostic().WithLocation(1).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("GetAsync", UndisposedHttpResponseMessageAnalyzer.OverwrittenInLoop));
    }

    [Fact]
    public async Task Reports_ResponseUsedInsideAnExpression()
    {
        await Analyze.DiagnosticsAsync(Client("""
                public async Task<string> ReadAsync(string url) =>
                    await ([|await _client.GetAsync(url)|]).Content.ReadAsStringAsync();

                public string Read(string url) => [|_client.GetAsync(url).Result|].Content.ReadAsStringAsync().Result;

                public async Task<bool> PingAsync(string url) => ([|await _client.GetAsync(url)|]).IsSuccessStatusCode;
            """));
    }

    [Fact]
    public async Task Reports_ProjectWrapperResultDiscarded()
    {
        await Analyze.DiagnosticsAsync(Client("""
                private Task<HttpResponseMessage> SendCoreAsync(string url) => _client.GetAsync(url);
                private ValueTask<HttpResponseMessage> SendValueAsync(string url) => new(_client.GetAsync(url));
                private HttpResponseMessage SendSync(string url) => _client.Send(new HttpRequestMessage(HttpMethod.Get, url));

                public async Task TouchAsync(string url)
                {
                    [|await SendCoreAsync(url)|];
                    [|await SendValueAsync(url)|];
                    [|SendSync(url)|];
                }
            """));
    }

    [Fact]
    public async Task Reports_TaskKeptInALocalThenAwaited()
    {
        await Analyze.DiagnosticsAsync(Client("""
                public async Task<int> StatusAsync(string url)
                {
                    var pending = _client.GetAsync(url);
                    Console.WriteLine("sent");
                    var response = [|await pending|];
                    return (int)response.StatusCode;
                }
            """));
    }

    [Fact]
    public async Task Reports_PassedToAMethodThatOnlyReadsIt()
    {
        await Analyze.DiagnosticsAsync(Client("""
                public async Task LogAsync(string url)
                {
                    var response = [|await _client.GetAsync(url)|];
                    Console.WriteLine(response);
                    Describe(response);
                }

                public async Task LogDirectAsync(string url) => Describe([|await _client.GetAsync(url)|]);

                private static void Describe(HttpResponseMessage message)
                {
                    Console.WriteLine(message.StatusCode + " " + message.ReasonPhrase);
                }
            """));
    }

    [Fact]
    public async Task Reports_EnsureSuccessStatusCodeAliasNotDisposed()
    {
        await Analyze.DiagnosticsAsync(Client("""
                public async Task CheckAsync(string url)
                {
                    ([|await _client.GetAsync(url)|]).EnsureSuccessStatusCode();
                    var ok = ([|await _client.GetAsync(url)|]).EnsureSuccessStatusCode();
                    Console.WriteLine(ok.StatusCode);
                }
            """));
    }

    [Fact]
    public async Task Reports_ContentReadButStreamDisposedLocally()
    {
        await Analyze.DiagnosticsAsync(Client("""
                public async Task<int> CountAsync(string url)
                {
                    var response = [|await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead)|];
                    using var stream = await response.Content.ReadAsStreamAsync();
                    return stream.ReadByte();
                }
            """));
    }

    [Fact]
    public async Task Reports_InTopLevelStatements()
    {
        await Analyze.DiagnosticsAsync("""
            using System;
            using System.Net.Http;

            var client = new HttpClient();
            var response = [|await client.GetAsync("https://example.org")|];
            Console.WriteLine(response.StatusCode);
            """, new TestSettings { OutputKind = OutputKind.ConsoleApplication });
    }

    [Fact]
    public async Task Reports_InControllersAndMinimalApis()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Net.Http;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Http;
            using Microsoft.AspNetCore.Mvc;

            [ApiController]
            public sealed class HooksController : ControllerBase
            {
                private readonly IHttpClientFactory _factory;
                public HooksController(IHttpClientFactory factory) => _factory = factory;

                [HttpPost("hooks")]
                public async Task<IActionResult> Forward()
                {
                    [|await _factory.CreateClient().PostAsync("https://hooks.example", null)|];
                    return Accepted();
                }
            }

            public static class Endpoints
            {
                public static void Map(WebApplication app)
                {
                    app.MapPost("/ping", async (IHttpClientFactory factory) =>
                    {
                        var response = [|await factory.CreateClient().GetAsync("https://example.org")|];
                        return Results.StatusCode((int)response.StatusCode);
                    });
                }
            }
            """);
    }

    // ---------------------------------------------------------------- does not report

    [Fact]
    public async Task DoesNotReport_UsingDeclarationsAndStatements()
    {
        await Analyze.NoDiagnosticsAsync(Client("""
                public async Task<string> ReadAsync(string url)
                {
                    using var response = await _client.GetAsync(url);
                    using (var other = await _client.GetAsync(url))
                    {
                        Console.WriteLine(other.StatusCode);
                    }

                    using (await _client.PostAsync(url, null))
                    {
                    }

                    using var checkedResponse = (await _client.GetAsync(url)).EnsureSuccessStatusCode();
                    return await response.Content.ReadAsStringAsync();
                }
            """));
    }

    [Fact]
    public async Task DoesNotReport_DisposedInFinally()
    {
        await Analyze.NoDiagnosticsAsync(Client("""
                public async Task ReadAsync(string url)
                {
                    HttpResponseMessage response = null;
                    try
                    {
                        response = await _client.GetAsync(url);
                        if (!response.IsSuccessStatusCode)
                            return;
                        Console.WriteLine(await response.Content.ReadAsStringAsync());
                    }
                    finally
                    {
                        response?.Dispose();
                    }
                }

                public async Task ReadTwoAsync(string url)
                {
                    var response = await _client.GetAsync(url);
                    try
                    {
                        Console.WriteLine(response.StatusCode);
                    }
                    finally
                    {
                        response.Dispose();
                    }
                }
            """));
    }

    [Fact]
    public async Task DoesNotReport_StraightLineDispose()
    {
        await Analyze.NoDiagnosticsAsync(Client("""
                public async Task<int> StatusAsync(string url)
                {
                    var response = await _client.GetAsync(url);
                    if (response.StatusCode == HttpStatusCode.NotFound)
                    {
                        response.Dispose();
                        return 404;
                    }

                    if (!response.IsSuccessStatusCode)
                        throw new InvalidOperationException("upstream failed"); // exception paths are out of scope
                    var status = (int)response.StatusCode;
                    response.Dispose();
                    return status;
                }

                public async Task LoopAsync(string[] urls)
                {
                    foreach (var url in urls)
                    {
                        var response = await _client.GetAsync(url);
                        if (response.StatusCode == HttpStatusCode.NotModified)
                        {
                            response.Dispose();
                            continue;
                        }

                        Console.WriteLine(response.StatusCode);
                        response.Dispose();
                    }
                }

                public async Task TryAsync(string url)
                {
                    var response = await _client.GetAsync(url);
                    try
                    {
                        Console.WriteLine(response.StatusCode);
                        response.Dispose();
                    }
                    catch (HttpRequestException)
                    {
                        Console.WriteLine("failed");
                    }
                }
            """));
    }

    [Fact]
    public async Task DoesNotReport_ReturnedToTheCaller()
    {
        await Analyze.NoDiagnosticsAsync(Client("""
                public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => _client.SendAsync(request);

                public async Task<HttpResponseMessage> GetAsync(string url) => await _client.GetAsync(url);

                public async Task<HttpResponseMessage> CheckedAsync(string url)
                {
                    var response = await _client.GetAsync(url);
                    if (response.StatusCode == HttpStatusCode.Unauthorized)
                        Console.WriteLine("unauthorized");
                    return response;
                }

                public HttpResponseMessage Fallback() => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);

                public Task<HttpResponseMessage> Cached() => Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotModified));

                public async IAsyncEnumerable<HttpResponseMessage> AllAsync(string[] urls)
                {
                    foreach (var url in urls)
                        yield return await _client.GetAsync(url);
                }
            """));
    }

    [Fact]
    public async Task DoesNotReport_StoredCollectedOrWrapped()
    {
        await Analyze.NoDiagnosticsAsync(Client("""
                public HttpResponseMessage Last { get; private set; }

                public async Task KeepAsync(string url, Dictionary<string, HttpResponseMessage> byUrl, HttpResponseMessage[] slots, TaskCompletionSource<HttpResponseMessage> completion)
                {
                    _last = await _client.GetAsync(url);
                    Last = await _client.GetAsync(url);
                    _responses.Add(await _client.GetAsync(url));
                    byUrl[url] = await _client.GetAsync(url);
                    slots[0] = await _client.GetAsync(url);
                    var wrapper = new ResponseHolder(await _client.GetAsync(url));
                    var list = new List<HttpResponseMessage> { await _client.GetAsync(url) };
                    var array = new[] { await _client.GetAsync(url) };
                    completion.SetResult(await _client.GetAsync(url));
                    var holder = new ResponseHolder(null) { Response = await _client.GetAsync(url) };
                    Interlocked.Exchange(ref _last, await _client.GetAsync(url));
                    var local = await _client.GetAsync(url);
                    _responses.Add(local);
                }

                public sealed class ResponseHolder
                {
                    public ResponseHolder(HttpResponseMessage response) => Response = response;
                    public HttpResponseMessage Response { get; set; }
                }
            """));
    }

    [Fact]
    public async Task DoesNotReport_ResponsesSomeoneElseOwns()
    {
        await Analyze.NoDiagnosticsAsync(Client("""
                public async Task InspectAsync(Task<HttpResponseMessage> pending, Dictionary<string, HttpResponseMessage> byUrl)
                {
                    var first = System.Linq.Enumerable.First(_responses);
                    var cached = byUrl.GetValueOrDefault("a");
                    var previous = Interlocked.Exchange(ref _last, null);
                    var handed = await pending;
                    Console.WriteLine(first.StatusCode + " " + cached?.StatusCode + " " + previous?.StatusCode + " " + handed.StatusCode);
                }
            """));
    }

    [Fact]
    public async Task DoesNotReport_DelegatingHandlerReturningTheResponse()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;

            public sealed class CorrelationHandler : DelegatingHandler
            {
                protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
                {
                    request.Headers.Add("X-Correlation-Id", "1");
                    var response = await base.SendAsync(request, cancellationToken);
                    response.Headers.Add("X-Handled", "1");
                    return response;
                }
            }

            public sealed class PassThroughHandler : DelegatingHandler
            {
                protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
                    base.SendAsync(request, cancellationToken);
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_RegisteredForDisposeAtTheEndOfTheRequest()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Net.Http;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Mvc;

            public sealed class ProxyController : ControllerBase
            {
                private readonly HttpClient _client;
                public ProxyController(HttpClient client) => _client = client;

                [HttpGet("proxy")]
                public async Task<IActionResult> Get(string url)
                {
                    var response = await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
                    Response.RegisterForDispose(response);
                    return new StatusCodeResult((int)response.StatusCode);
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_ContentStreamLeavesTheMethod()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.IO;
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Mvc;

            public sealed class FilesController : ControllerBase
            {
                private readonly HttpClient _client;
                private Stream _current;
                public FilesController(HttpClient client) => _client = client;

                public async Task<Stream> OpenAsync(string url, CancellationToken cancellationToken)
                {
                    var response = await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                    return await response.Content.ReadAsStreamAsync(cancellationToken);
                }

                public async Task<Stream> OpenDirectAsync(string url) =>
                    await (await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead)).Content.ReadAsStreamAsync();

                public Task<Stream> OpenTaskAsync(string url) => _client.GetAsync(url).Result.Content.ReadAsStreamAsync();

                public async Task KeepAsync(string url)
                {
                    var response = await _client.GetAsync(url);
                    _current = await response.Content.ReadAsStreamAsync();
                }

                public async Task<StreamReader> ReaderAsync(string url)
                {
                    var response = await _client.GetAsync(url);
                    var stream = await response.Content.ReadAsStreamAsync();
                    return new StreamReader(stream);
                }

                [HttpGet("download")]
                public async Task<IActionResult> Download(string url)
                {
                    var response = await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
                    return File(await response.Content.ReadAsStreamAsync(), "application/octet-stream");
                }

                public async Task<HttpContent> ContentAsync(string url) => (await _client.GetAsync(url)).Content;
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_CallsThatReturnNoResponse()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Net.Http;
            using System.Net.Http.Json;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;
            using Microsoft.AspNetCore.SignalR;

            public sealed record Order(int Id);

            public sealed class ChatHub : Hub
            {
                public Task Broadcast(string message) => Clients.All.SendAsync("message", message);
            }

            public sealed class Notifier
            {
                private readonly HttpClient _client;
                private readonly IHubContext<ChatHub> _hub;
                public Notifier(HttpClient client, IHubContext<ChatHub> hub) { _client = client; _hub = hub; }

                public async Task RunAsync(HttpResponse response)
                {
                    var text = await _client.GetStringAsync("https://example.org");
                    var order = await _client.GetFromJsonAsync<Order>("https://example.org/orders/1");
                    var bytes = await _client.GetByteArrayAsync("https://example.org/logo.png");
                    await _hub.Clients.All.SendAsync("order", order);
                    await response.WriteAsJsonAsync(order);
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_DisposedThroughAnAliasOrUsingStatement()
    {
        await Analyze.NoDiagnosticsAsync(Client("""
                public async Task AliasAsync(string url)
                {
                    var response = await _client.GetAsync(url);
                    using var owned = response;
                    Console.WriteLine(owned.StatusCode);
                }

                public async Task UsingStatementAsync(string url)
                {
                    var response = await _client.GetAsync(url);
                    using (response)
                    {
                        Console.WriteLine(response.StatusCode);
                    }
                }

                public async Task CheckedAliasAsync(string url)
                {
                    var response = await _client.GetAsync(url);
                    using var ok = response.EnsureSuccessStatusCode();
                }

                public async Task DisposeRightAwayAsync(string url) => (await _client.DeleteAsync(url)).Dispose();
            """));
    }

    [Fact]
    public async Task DoesNotReport_WhereTheAnalysisCannotFollow()
    {
        await Analyze.NoDiagnosticsAsync(Client("""
                public async Task LambdaAsync(string url)
                {
                    var response = await _client.GetAsync(url);
                    Action cleanup = () => response.Dispose();
                    cleanup();
                }

                public async Task CopyAsync(string url)
                {
                    var response = await _client.GetAsync(url);
                    var copy = response;
                    copy.Dispose();
                }

                public async Task<(HttpResponseMessage, int)> TupleAsync(string url) => (await _client.GetAsync(url), 1);

                public async Task HandedToOwnMethodAsync(string url)
                {
                    var response = await _client.GetAsync(url);
                    Release(response);
                    Keep(await _client.GetAsync(url));
                }

                private static void Release(HttpResponseMessage message) => message.Dispose();

                private void Keep(HttpResponseMessage message) => _last = message;

                public async Task VirtualAsync(string url) => Sink(await _client.GetAsync(url));

                protected virtual void Sink(HttpResponseMessage message) => message.Dispose();
            """));
    }

    [Fact]
    public async Task DoesNotReport_MockSetups()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Net;
            using System.Net.Http;
            using System.Threading.Tasks;

            public sealed class Setup<T>
            {
                public void ReturnsAsync(T value) { }
                public void Returns(Task<T> value) { }
            }

            public sealed class HandlerTests
            {
                public void Arrange(Setup<HttpResponseMessage> setup)
                {
                    setup.ReturnsAsync(new HttpResponseMessage(HttpStatusCode.OK));
                    setup.Returns(Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound)));
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_SameNamedTypeOfAnotherNamespace()
    {
        await Analyze.NoDiagnosticsAsync("""
            public sealed class HttpResponseMessage { }

            public static class Factory
            {
                public static HttpResponseMessage Create() => new HttpResponseMessage();
                public static void Use() => Create();
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_ReturnInACatchAroundTheProducer()
    {
        // The catch runs when the call threw (no response) or on an exception path; the using owns it afterwards.
        await Analyze.NoDiagnosticsAsync(Client("""
                public async Task<string> TryReadAsync(string url)
                {
                    HttpResponseMessage response;
                    try
                    {
                        response = await _client.GetAsync(url);
                    }
                    catch (HttpRequestException)
                    {
                        return null;
                    }

                    using (response)
                    {
                        return await response.Content.ReadAsStringAsync();
                    }
                }
            """));
    }

    [Fact]
    public async Task DoesNotReport_LoopLeftByBreakToALaterDispose()
    {
        // A client-side retry: the throttled answers are disposed in the loop, the last one after it.
        await Analyze.NoDiagnosticsAsync(Client("""
                public async Task<string> GetWithBackoffAsync(string url, CancellationToken cancellationToken)
                {
                    HttpResponseMessage response;
                    var attempt = 0;
                    while (true)
                    {
                        response = await _client.GetAsync(url, cancellationToken);
                        if (response.StatusCode != HttpStatusCode.TooManyRequests || ++attempt == 3)
                            break;
                        response.Dispose();
                        await Task.Delay(1000 * attempt, cancellationToken);
                    }

                    using (response)
                        return await response.Content.ReadAsStringAsync(cancellationToken);
                }
            """));
    }

    [Fact]
    public async Task DoesNotReport_LoopThatDisposesBeforeOverwritingOrRunsOnce()
    {
        await Analyze.NoDiagnosticsAsync(Client("""
                public async Task<HttpResponseMessage> RetryAsync(string url)
                {
                    HttpResponseMessage response = null;
                    for (var attempt = 0; attempt < 3; attempt++)
                    {
                        response?.Dispose();
                        response = await _client.GetAsync(url);
                        if (response.IsSuccessStatusCode)
                            break;
                    }

                    return response;
                }

                public async Task<HttpResponseMessage> FirstAsync(string[] urls)
                {
                    HttpResponseMessage response = null;
                    foreach (var url in urls)
                    {
                        response = await _client.GetAsync(url);
                        break;
                    }

                    return response;
                }

                public async Task CollectAsync(string[] urls)
                {
                    HttpResponseMessage response;
                    foreach (var url in urls)
                    {
                        response = await _client.GetAsync(url);
                        _responses.Add(response);
                    }
                }
            """));
    }

    // ---------------------------------------------------------------- fixes

    [Fact]
    public async Task Fixes_DeclarationBecomesUsingAndRedundantDisposeGoes()
    {
        await VerifyCS.FixAsync(Client("""
                public async Task<string> ReadAsync(string url)
                {
                    // Ask the upstream.
                    var response = [|await _client.GetAsync(url)|]; // the order
                    if (!response.IsSuccessStatusCode)
                        return null;
                    var text = await response.Content.ReadAsStringAsync();
                    response.Dispose();
                    return text;
                }
            """), Client("""
                public async Task<string> ReadAsync(string url)
                {
                    // Ask the upstream.
                    using var response = await _client.GetAsync(url); // the order
                    if (!response.IsSuccessStatusCode)
                        return null;
                    var text = await response.Content.ReadAsStringAsync();
                    return text;
                }
            """));
    }

    [Fact]
    public async Task Fixes_ExplicitTypeAndBranchDisposeStays()
    {
        await VerifyCS.FixAsync(Client("""
                public async Task<string> ReadAsync(string url)
                {
                    HttpResponseMessage response = [|await _client.GetAsync(url)|];
                    if (!response.IsSuccessStatusCode)
                    {
                        response.Dispose();
                        return null;
                    }

                    return await response.Content.ReadAsStringAsync();
                }
            """), Client("""
                public async Task<string> ReadAsync(string url)
                {
                    using HttpResponseMessage response = await _client.GetAsync(url);
                    if (!response.IsSuccessStatusCode)
                    {
                        response.Dispose();
                        return null;
                    }

                    return await response.Content.ReadAsStringAsync();
                }
            """));
    }

    [Fact]
    public async Task Fixes_DiscardedResultGetsAUsingLocal()
    {
        await VerifyCS.FixAsync(Client("""
                public async Task NotifyAsync(string url, string response)
                {
                    Console.WriteLine(response);
                    /* fire the hook */ [|await _client.PostAsync(url, null)|]; // best effort
                    _ = [|await _client.PostAsync(url + "/audit", null)|];
                }
            """), Client("""
                public async Task NotifyAsync(string url, string response)
                {
                    Console.WriteLine(response);
                    /* fire the hook */ using var response2 = await _client.PostAsync(url, null); // best effort
                    using var response3 = await _client.PostAsync(url + "/audit", null);
                }
            """));
    }

    [Fact]
    public async Task Fixes_ResponseLiftedOutOfAnExpression()
    {
        await VerifyCS.FixAsync(Client("""
                public async Task<string> ReadAsync(string url)
                {
                    // Read it all.
                    var text = await ([|await _client.GetAsync(url)|]).Content.ReadAsStringAsync();
                    return text.Trim();
                }

                public string ReadBlocking(string url)
                {
                    return [|_client.GetAsync(url).Result|].Content.ReadAsStringAsync().Result;
                }
            """), Client("""
                public async Task<string> ReadAsync(string url)
                {
                    // Read it all.
                    using var response = await _client.GetAsync(url);
                    var text = await response.Content.ReadAsStringAsync();
                    return text.Trim();
                }

                public string ReadBlocking(string url)
                {
                    using var response = _client.GetAsync(url).Result;
                    return response.Content.ReadAsStringAsync().Result;
                }
            """));
    }

    [Fact]
    public async Task Fixes_ExpressionBodiedMembersBecomeBlocks()
    {
        await VerifyCS.FixAsync(Client("""
                public async Task<string> ReadAsync(string url) =>
                    await ([|await _client.GetAsync(url)|]).Content.ReadAsStringAsync();

                public async Task PingAsync(string url) => Console.WriteLine(([|await _client.GetAsync(url)|]).StatusCode);
            """), Client("""
                public async Task<string> ReadAsync(string url)
                {
                    using var response = await _client.GetAsync(url);
                    return await response.Content.ReadAsStringAsync();
                }

                public async Task PingAsync(string url)
                {
                    using var response = await _client.GetAsync(url);
                    Console.WriteLine(response.StatusCode);
                }
            """));
    }

    [Fact]
    public async Task Fixes_LambdaBodyInAMinimalApi()
    {
        await VerifyCS.FixAsync("""
            using System.Net.Http;
            using Microsoft.AspNetCore.Builder;

            public static class Endpoints
            {
                public static void Map(WebApplication app)
                {
                    app.MapGet("/status", async (IHttpClientFactory factory) => (int)([|await factory.CreateClient().GetAsync("https://example.org")|]).StatusCode);
                }
            }
            """, """
            using System.Net.Http;
            using Microsoft.AspNetCore.Builder;

            public static class Endpoints
            {
                public static void Map(WebApplication app)
                {
                    app.MapGet("/status", async (IHttpClientFactory factory) =>
                    {
                        using var response = await factory.CreateClient().GetAsync("https://example.org");
                        return (int)response.StatusCode;
                    });
                }
            }
            """);
    }

    [Fact]
    public async Task Fixes_TopLevelStatements()
    {
        await VerifyCS.FixAsync("""
            using System;
            using System.Net.Http;

            var client = new HttpClient();
            var response = [|await client.GetAsync("https://example.org")|];
            Console.WriteLine(response.StatusCode);
            """, """
            using System;
            using System.Net.Http;

            var client = new HttpClient();
            using var response = await client.GetAsync("https://example.org");
            Console.WriteLine(response.StatusCode);
            """, new TestSettings { OutputKind = OutputKind.ConsoleApplication });
    }

    [Fact]
    public async Task Fixes_FixAllInADocumentPicksDistinctNames()
    {
        await VerifyCS.FixAsync(Client("""
                public async Task SyncAsync(string url)
                {
                    [|await _client.PostAsync(url + "/a", null)|];
                    [|await _client.PostAsync(url + "/b", null)|];
                    var status = ([|await _client.GetAsync(url)|]).StatusCode;
                    var other = [|await _client.GetAsync(url + "/other")|];
                    Console.WriteLine(status + " " + other.StatusCode);
                }

                public async Task AgainAsync(string url) => [|await _client.DeleteAsync(url)|];
            """), Client("""
                public async Task SyncAsync(string url)
                {
                    using var response = await _client.PostAsync(url + "/a", null);
                    using var response2 = await _client.PostAsync(url + "/b", null);
                    using var response3 = await _client.GetAsync(url);
                    var status = response3.StatusCode;
                    using var other = await _client.GetAsync(url + "/other");
                    Console.WriteLine(status + " " + other.StatusCode);
                }

                public async Task AgainAsync(string url)
                {
                    using var response = await _client.DeleteAsync(url);
                }
            """));
    }

    [Fact]
    public async Task Fixes_CSharp73UsesUsingStatements()
    {
        var settings = new TestSettings { LanguageVersion = LanguageVersion.CSharp7_3 };
        await VerifyCS.FixAsync(Client("""
                public async Task<string> ReadAsync(string url)
                {
                    Console.WriteLine(url);
                    var response = [|await _client.GetAsync(url)|];
                    if (!response.IsSuccessStatusCode)
                        return null;
                    var text = await response.Content.ReadAsStringAsync();
                    response.Dispose();
                    return text;
                }

                public async Task NotifyAsync(string url)
                {
                    [|await _client.PostAsync(url, null)|];
                    Console.WriteLine("sent");
                }

                public async Task<int> LengthAsync(string url)
                {
                    var text = await ([|await _client.GetAsync(url)|]).Content.ReadAsStringAsync();
                    return text.Length;
                }
            """).Replace("new()", "new List<HttpResponseMessage>()"), Client("""
                public async Task<string> ReadAsync(string url)
                {
                    Console.WriteLine(url);
                    using (var response = await _client.GetAsync(url))
                    {
                        if (!response.IsSuccessStatusCode)
                            return null;
                        var text = await response.Content.ReadAsStringAsync();
                        return text;
                    }
                }

                public async Task NotifyAsync(string url)
                {
                    using (var response = await _client.PostAsync(url, null))
                    {
                        Console.WriteLine("sent");
                    }
                }

                public async Task<int> LengthAsync(string url)
                {
                    using (var response = await _client.GetAsync(url))
                    {
                        var text = await response.Content.ReadAsStringAsync();
                        return text.Length;
                    }
                }
            """).Replace("new()", "new List<HttpResponseMessage>()"), settings);
    }

    [Fact]
    public async Task NoFix_LocalAssignedAgain()
    {
        await VerifyCS.NoFixAsync(Client("""
                public async Task RetryAsync(string url)
                {
                    var response = [|await _client.GetAsync(url)|];
                    Console.WriteLine(response.StatusCode);
                    response = [|await _client.GetAsync(url)|];
                    Console.WriteLine(response.StatusCode);
                }
            """));
    }

    [Fact]
    public async Task NoFix_ConditionallyProducedOrAfterOtherWork()
    {
        await VerifyCS.NoFixAsync(Client("""
                public async Task<bool> ProbeAsync(string url, bool probe)
                {
                    var ok = probe && ([|await _client.GetAsync(url)|]).IsSuccessStatusCode;
                    Console.WriteLine(Describe(url) + ([|await _client.GetAsync(url)|]).StatusCode);
                    while (([|await _client.GetAsync(url)|]).StatusCode == HttpStatusCode.Accepted)
                        await Task.Delay(100);
                    return ok;
                }

                private static string Describe(string url) => url.ToUpperInvariant();
            """));
    }

    [Fact]
    public async Task NoFix_TaskStillReadsTheResponseAfterTheStatement()
    {
        await VerifyCS.NoFixAsync(Client("""
                public Task<string> ReadLaterAsync(string url) => [|_client.GetAsync(url).Result|].Content.ReadAsStringAsync();
            """));
    }

    [Fact]
    public async Task NoFix_DirectlyInASwitchSection()
    {
        await VerifyCS.NoFixAsync(Client("""
                public async Task RouteAsync(string url, int kind)
                {
                    switch (kind)
                    {
                        case 1:
                            var response = [|await _client.GetAsync(url)|];
                            Console.WriteLine(response.StatusCode);
                            break;
                    }
                }
            """));
    }

    // ---------------------------------------------------------------- options

    [Fact]
    public async Task Option_OwnershipTransferMethods()
    {
        var source = Client("""
                public async Task TrackAsync(string url, ResponseCache cache)
                {
                    cache.Keep(await _client.GetAsync(url));
                }

                public sealed class ResponseCache
                {
                    public void Keep(HttpResponseMessage response) { }
                }
            """);
        await Analyze.DiagnosticsAsync(source.Replace("cache.Keep(await _client.GetAsync(url))", "cache.Keep([|await _client.GetAsync(url)|])"));
        await Analyze.NoDiagnosticsAsync(source, new TestSettings
        {
            Options = [(UndisposedHttpResponseMessageAnalyzer.OwnershipTransferMethodsOption, "Other.Type.Method, OrdersClient.ResponseCache.Keep")],
        });
    }
}
