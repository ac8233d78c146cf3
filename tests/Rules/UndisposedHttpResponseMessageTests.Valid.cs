using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.UndisposedHttpResponseMessageAnalyzer>;

namespace LeakAnalyzers.Tests.Rules;

public sealed partial class UndisposedHttpResponseMessageTests
{
    [Fact]
    public async Task Valid_ContinuationThatDisposesOrHandsOnTheResponse()
    {
        await Analyze.NoDiagnosticsAsync(Sources.TypedClient("""
                public Task<string> StatusAsync(string url) =>
                    _client.GetAsync(url).ContinueWith(t =>
                    {
                        using var response = t.Result;
                        return response.StatusCode.ToString();
                    });

                public Task<HttpResponseMessage> LoggedAsync(string url) =>
                    _client.GetAsync(url).ContinueWith(t =>
                    {
                        Console.WriteLine(t.Result.StatusCode);
                        return t.Result;                                                  // the caller owns it
                    });

                public Task CloseAsync(string url) => _client.GetAsync(url).ContinueWith(t => t.Result.Dispose());

                public Task<int> LengthAsync(string url) =>
                    _client.GetStringAsync(url).ContinueWith(t => t.Result.Length);       // a string, no response
            """));
    }

    [Fact]
    public async Task Valid_ResponseDisposedBeforeTheLocalTakesTheNextOne()
    {
        await Analyze.NoDiagnosticsAsync(Sources.TypedClient("""
                public async Task<string> ReadWithFallbackAsync(string primary, string fallback, bool preferFallback)
                {
                    var response = await _client.GetAsync(primary);
                    if (!response.IsSuccessStatusCode)
                    {
                        response.Dispose();
                        response = await _client.GetAsync(fallback);
                    }

                    using (response)
                        return await response.Content.ReadAsStringAsync();
                }

                public async Task<int> StatusAsync(string url, bool head)
                {
                    HttpResponseMessage response;
                    if (head)
                        response = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
                    else
                        response = await _client.GetAsync(url);
                    using (response)
                        return (int)response.StatusCode;
                }

                public async Task<string> KeepFirstAsync(string url)
                {
                    var response = await _client.GetAsync(url);
                    _last = response;
                    response = await _client.GetAsync(url + "/next");
                    using (response)
                        return await response.Content.ReadAsStringAsync();
                }
            """));
    }

    [Fact]
    public async Task Valid_PassedThroughAHelperToOneThatKeepsOrDisposesIt()
    {
        await Analyze.NoDiagnosticsAsync(Sources.TypedClient("""
                public async Task PingAsync(string url)
                {
                    var response = await _client.GetAsync(url);
                    LogResponse(response);
                }

                public async Task CheckAsync(string url)
                {
                    var response = await _client.GetAsync(url);
                    Inspect(response);
                }

                private void LogResponse(HttpResponseMessage response) => Remember(response);
                private void Remember(HttpResponseMessage last) => _last = last;

                private static void Inspect(HttpResponseMessage response)
                {
                    Console.WriteLine(response.StatusCode);
                    Close(response);
                }

                private static void Close(HttpResponseMessage message) => message.Dispose();
            """));
    }

    [Fact]
    public async Task Valid_StreamEscapesOnSuccessAndTheFailurePathDisposes()
    {
        await Analyze.NoDiagnosticsAsync(Sources.TypedClient("""
                public async Task<Stream> DownloadAsync(string url, CancellationToken ct)
                {
                    var response = await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
                    if (!response.IsSuccessStatusCode)
                    {
                        response.Dispose();
                        return null;
                    }

                    return await response.Content.ReadAsStreamAsync(ct);
                }

                public async Task<Stream> TryDownloadAsync(string url)
                {
                    var response = await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
                    if (response.IsSuccessStatusCode)
                        return await response.Content.ReadAsStreamAsync();
                    response.Dispose();
                    return Stream.Null;
                }

                public async Task<string> FirstLineAsync(string url)
                {
                    var response = await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
                    response.EnsureSuccessStatusCode();
                    using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());   // the reader ends the stream
                    return await reader.ReadLineAsync();
                }

                public async Task<Stream> OpenAsync(string url)
                {
                    var response = await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
                    var stream = await response.Content.ReadAsStreamAsync();
                    if (stream.CanSeek)
                        return stream;
                    return new BufferedStream(stream);
                }
            """));
    }

    [Fact]
    public async Task Valid_DroppedTasksThatOwnNoResponse()
    {
        await Analyze.NoDiagnosticsAsync(Sources.TypedClient("""
                private Task<HttpResponseMessage> _pending;

                public void Warm(string url)
                {
                    _ = _client.GetStringAsync(url);                                      // no response: the string task owns nothing
                    _ = _pending;                                                         // someone else's task
                    _ = _client.GetAsync(url).ContinueWith(t => t.Result.Dispose());      // the continuation disposes it
                    _ = PingAsync(url);
                    _ = Task.Run(async () => { using var r = await _client.GetAsync(url); });
                }

                private async Task PingAsync(string url)
                {
                    using var response = await _client.GetAsync(url);
                }
            """));
    }

    [Fact]
    public async Task DoesNotReport_UsingDeclarationsAndStatements()
    {
        await Analyze.NoDiagnosticsAsync(Sources.TypedClient("""
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
        await Analyze.NoDiagnosticsAsync(Sources.TypedClient("""
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
        await Analyze.NoDiagnosticsAsync(Sources.TypedClient("""
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
        await Analyze.NoDiagnosticsAsync(Sources.TypedClient("""
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
        await Analyze.NoDiagnosticsAsync(Sources.TypedClient("""
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
        await Analyze.NoDiagnosticsAsync(Sources.TypedClient("""
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
        await Analyze.NoDiagnosticsAsync(Sources.TypedClient("""
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
        await Analyze.NoDiagnosticsAsync(Sources.TypedClient("""
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
        await Analyze.NoDiagnosticsAsync(Sources.TypedClient("""
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
        await Analyze.NoDiagnosticsAsync(Sources.TypedClient("""
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
        await Analyze.NoDiagnosticsAsync(Sources.TypedClient("""
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

    // ---------------------------------------------------------------- generic wrappers and using statements

    [Fact]
    public async Task DoesNotReport_UsingStatementOverAnAssignment()
    {
        // using (response = await …): the using statement disposes what the assignment stores.
        await Analyze.NoDiagnosticsAsync(Sources.TypedClient("""
                public async Task<byte[]> ReadAsync(string url)
                {
                    HttpResponseMessage response;
                    using (response = await _client.GetAsync(url))
                    {
                        return await response.Content.ReadAsByteArrayAsync();
                    }
                }
            """));
    }

    [Fact]
    public async Task DoesNotReport_GenericWrapperResultDisposedOrNotFromAProducer()
    {
        await Analyze.NoDiagnosticsAsync(Sources.TypedClient("""
                public async Task<string> ReadAsync(string url, CancellationToken token)
                {
                    using var response = await WithTimeout(token, ct => _client.GetAsync(url, ct));
                    return await response.Content.ReadAsStringAsync(token);
                }

                public async Task<string> CachedAsync(string url, CancellationToken token)
                {
                    // T comes from a fallback value too, or the helper may hand back what it stored: not the caller's.
                    var last = OrDefault(() => _client.GetAsync(url, token).Result, _last);
                    var cached = await Cached(ct => _client.GetAsync(url, ct), token);
                    return last.ReasonPhrase + cached.ReasonPhrase;
                }

                private static async Task<T> WithTimeout<T>(CancellationToken token, Func<CancellationToken, Task<T>> func) => await func(token);

                private static T OrDefault<T>(Func<T> func, T fallback) => func() ?? fallback;

                private object _stored;

                private async Task<T> Cached<T>(Func<CancellationToken, Task<T>> func, CancellationToken token)
                {
                    if (_stored is T stored)
                        return stored;
                    var value = await func(token);
                    _stored = value;
                    return value;
                }
            """));
    }

    [Fact]
    public async Task Valid_CallThatDoesNotFullyBindWhoseResponseIsOwned()
    {
        await Analyze.NoDiagnosticsAsync(Sources.TypedClient("""
                public async Task<string> ReadAsync(string url)
                {
                    using HttpResponseMessage response = await _client.GetAsync(url, {|CS0103:completion|});
                    return await response.Content.ReadAsStringAsync();
                }

                public async Task<bool> ProbeAsync(string url)
                {
                    using var response = await _client.SendAsync(BuildRequest(url, {|CS0103:tenant|}));
                    return response.IsSuccessStatusCode;
                }

                public async Task<int> StatusAsync(string url)
                {
                    HttpResponseMessage response = await _client.GetAsync(url, {|CS0103:completion|});
                    try
                    {
                        return (int)response.StatusCode;
                    }
                    finally
                    {
                        response.Dispose();
                    }
                }

                public async Task PingAsync(string url)
                {
                    var response = await _client.GetAsync(url, {|CS0103:completion|});
                    if (!response.IsSuccessStatusCode)
                        Console.WriteLine(response.ReasonPhrase);
                    response.Dispose();                                                    // read by name: Dispose
                }

                public async Task CloseAsync(string url)
                {
                    var response = await _client.GetAsync(url, {|CS0103:completion|});
                    Console.WriteLine(response.StatusCode);
                    response?.Dispose();
                }

                public async Task<Stream> OpenAsync(string url)
                {
                    var response = await _client.GetAsync(url, {|CS0103:completion|});
                    return await response.Content.ReadAsStreamAsync();                     // the stream keeps the response
                }

                public async Task<HttpResponseMessage> CheckedAsync(string url)
                {
                    var response = await _client.GetAsync(url, {|CS0103:completion|});
                    return response.EnsureSuccessStatusCode();                             // the same response, returned
                }

                public async Task<T> ReadAsync<T>(string url)
                {
                    var response = await _client.GetAsync(url, {|CS0103:completion|});
                    return await response.ReadAsAsync<T>();                                 // nothing known about it
                }

                public Task<HttpResponseMessage> ForwardAsync(string url) => _client.GetAsync(url, {|CS0103:completion|});

                public async Task<HttpResponseMessage> FetchAsync(string url) => await _client.SendAsync(BuildRequest(url, {|CS0103:tenant|}));

                public async Task<Stream> DownloadAsync(string url)
                {
                    var response = await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
                    return await response.Content.ReadAsStreamAsync({|CS0103:token|});    // the stream keeps the response
                }

                private static HttpRequestMessage BuildRequest(string url, string tenant) => new(HttpMethod.Post, url + "?tenant=" + tenant);
            """));
    }

    [Fact]
    public async Task Valid_ResponsePassedToACallThatDoesNotFullyBindAndMayTakeIt()
    {
        await Analyze.NoDiagnosticsAsync(Sources.TypedClient("""
                public async Task TrackAsync(string url)
                {
                    var response = await _client.GetAsync(url);
                    {|CS0103:Track|}(response);                                          // nothing known about it
                }

                public async Task KeepAsync(string url)
                {
                    var response = await _client.GetAsync(url);
                    Keep(response, {|CS0103:ttl|});                                      // one candidate keeps it
                }

                public async Task WrapAsync(string url)
                {
                    var response = await _client.GetAsync(url);
                    _ = new {|CS0246:ResponseLease|}(response);
                }

                public async Task SettleAsync(string url)
                {
                    var response = await _client.GetAsync(url);
                    {|CS0103:Settle|}(ref response);
                }

                public void Fetch(string url)
                {
                    Fetch(url, {|CS0103:mode|});                                         // a response or a string: cannot tell
                }

                private void Keep(HttpResponseMessage response, TimeSpan ttl) => _last = response;
                private void Keep(HttpResponseMessage response, int seconds) => Console.WriteLine(response.StatusCode);
                private HttpResponseMessage Fetch(string url, int mode) => new(HttpStatusCode.OK);
                private string Fetch(string url, string mode) => url + mode;
            """));
    }

    [Fact]
    public async Task Valid_CallThatDoesNotFullyBindMayReachAnotherMethod()
    {
        // SendAsync with four arguments is no HttpClient method (an extension from a package the compilation cannot see);
        // GetAsync(url, options) may be the extension below, which returns a string: neither is judged a response.
        await Analyze.NoDiagnosticsAsync(Sources.TypedClient("""
                public async Task PublishAsync(HttpRequestMessage request, string json, CancellationToken ct)
                {
                    await _client.SendAsync({|CS0103:flowContext|}, request, json, ct);
                }

                public async Task WarmAsync(string url)
                {
                    await _client.GetAsync(url, {|CS0103:jsonOptions|});
                }
            """) + """

            public static class JsonHttp
            {
                public static Task<string> GetAsync(this HttpClient client, string url, System.Text.Json.JsonSerializerOptions options) =>
                    client.GetStringAsync(url);
            }
            """);
    }
}

