using LeakAnalyzers.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.UndisposedHttpResponseMessageAnalyzer>;

namespace LeakAnalyzers.Tests.Rules;

/// <summary>LEAK004 tests, in four parts: what the rule reports (this file), what it must not report (<c>.Valid.cs</c>), the fix (<c>.Fixes.cs</c>) and the options (<c>.Options.cs</c>).</summary>
public sealed partial class UndisposedHttpResponseMessageTests
{
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
    [InlineData("await _client.GetAsync(url, {|CS0103:completion|})")]                              // calls that do not fully bind:
    [InlineData("await _client.GetAsync(url, {|CS0103:completion|}).ConfigureAwait(false)")]        // every candidate makes a response
    [InlineData("await _client.SendAsync(new HttpRequestMessage(HttpMethod.Post, {|CS0103:endpoint|}))")]
    [InlineData("_client.Send(new HttpRequestMessage(HttpMethod.Get, url), {|CS0103:completion|})")]
    public async Task Reports_DiscardedResult(string producer)
    {
        await Analyze.DiagnosticsAsync(Sources.TypedClient($$"""
                public async Task NotifyAsync(string url)
                {
                    [|{{producer}}|];
                }
            """));
    }

    [Fact]
    public async Task Reports_DiscardAssignment()
    {
        await Analyze.DiagnosticsAsync(Sources.TypedClient("""
                public async Task NotifyAsync(string url)
                {
                    _ = {|#0:await _client.PostAsync(url, null)|};
                    _ = {|#1:_client.GetAsync(url).Result|};
                    _ = {|#2:_client.GetAsync(url, {|CS0103:completion|}).Result|};    // does not fully bind: every candidate makes a response
                }
            """),
            Analyze.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("PostAsync", "discarded without being disposed"),
            Analyze.Diagnostic().WithLocation(1).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("GetAsync", "discarded without being disposed"),
            Analyze.Diagnostic().WithLocation(2).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("GetAsync", "discarded without being disposed"));
    }

    [Fact]
    public async Task Reports_DroppedTaskOfAResponse()
    {
        await Analyze.DiagnosticsAsync(Sources.TypedClient("""
                public void Notify(string url, string orderId)
                {
                    _ = {|#0:_client.PostAsJsonAsync(url, new { orderId })|};            // fire and forget: nobody disposes the response
                    _ = {|#1:_invoker.SendAsync(new HttpRequestMessage(HttpMethod.Delete, url + "/" + orderId), CancellationToken.None)|};
                    {|#2:SendAuditAsync(url)|};
                    _ = {|#3:_client.PostAsync(url, {|CS0103:content|})|};              // does not fully bind: every candidate makes a response
                }

                private Task<HttpResponseMessage> SendAuditAsync(string url) => _client.PostAsync(url + "/audit", null);
            """),
            Analyze.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("PostAsJsonAsync", "discarded without being disposed"),
            Analyze.Diagnostic().WithLocation(1).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("SendAsync", "discarded without being disposed"),
            Analyze.Diagnostic().WithLocation(2).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("SendAuditAsync", "discarded without being disposed"),
            Analyze.Diagnostic().WithLocation(3).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("PostAsync", "discarded without being disposed"));
    }

    [Fact]
    public async Task Reports_FailurePathDropsAResponseWhoseStreamEscapesOnSuccess()
    {
        await Analyze.DiagnosticsAsync(Sources.TypedClient("""
                public async Task<Stream> DownloadAsync(string url, CancellationToken ct)
                {
                    var response = {|#0:await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct)|};
                    if (!response.IsSuccessStatusCode)
                        return null;                                                       // the error response is dropped
                    return await response.Content.ReadAsStreamAsync(ct);
                }

                public async Task<StreamReader> OpenAsync(string url)
                {
                    var response = {|#1:await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead)|};
                    if (response.StatusCode == HttpStatusCode.NotFound)
                        return null;
                    return new StreamReader(await response.Content.ReadAsStreamAsync());
                }
            """),
            Analyze.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("GetAsync", "not disposed on every path"),
            Analyze.Diagnostic().WithLocation(1).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("GetAsync", "not disposed on every path"));
    }

    [Fact]
    public async Task Reports_ResponseOverwrittenByTheNextRequest()
    {
        await Analyze.DiagnosticsAsync(Sources.TypedClient("""
                public async Task<string> ReadWithFallbackAsync(string primary, string fallback)
                {
                    var response = {|#0:await _client.GetAsync(primary)|};
                    Console.WriteLine(response.StatusCode);
                    response = await _client.GetAsync(fallback);                          // the first response is lost
                    var text = await response.Content.ReadAsStringAsync();
                    response.Dispose();
                    return text;
                }

                public async Task<bool> ProbeAsync(string url)
                {
                    HttpResponseMessage response = {|#1:await _client.GetAsync(url)|};
                    if (!response.IsSuccessStatusCode)
                    {
                        response = await _client.GetAsync(url + "?retry=1");
                    }

                    using (response)
                        return response.IsSuccessStatusCode;
                }
            """),
            Analyze.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("GetAsync", UndisposedHttpResponseMessageAnalyzer.Overwritten),
            Analyze.Diagnostic().WithLocation(1).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("GetAsync", UndisposedHttpResponseMessageAnalyzer.Overwritten));
    }

    [Fact]
    public async Task Reports_ResponseReadInAContinuation()
    {
        await Analyze.DiagnosticsAsync(Sources.TypedClient("""
                public Task<string> StatusAsync(string url) =>
                    _client.GetAsync(url).ContinueWith(t => {|#0:t.Result|}.StatusCode.ToString());

                public Task<bool> PingAsync(string url)
                {
                    return _client.GetAsync(url).ContinueWith(t =>
                    {
                        if (t.IsFaulted)
                            return false;
                        Console.WriteLine({|#1:t.Result|}.ReasonPhrase);
                        return t.Result.IsSuccessStatusCode;
                    });
                }
            """),
            Analyze.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("GetAsync", "never disposed"),
            Analyze.Diagnostic().WithLocation(1).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("GetAsync", "never disposed"));
    }

    [Fact]
    public async Task Reports_LocalNeverDisposed()
    {
        await Analyze.DiagnosticsAsync(Sources.TypedClient("""
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
        await Analyze.DiagnosticsAsync(Sources.TypedClient("""
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
        await Analyze.DiagnosticsAsync(Sources.TypedClient("""
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
        await Analyze.DiagnosticsAsync(Sources.TypedClient($$"""
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
        await Analyze.DiagnosticsAsync(Sources.TypedClient("""
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
        await Analyze.DiagnosticsAsync(Sources.TypedClient("""
                public async Task<string> ReadAsync(string url) =>
                    await ([|await _client.GetAsync(url)|]).Content.ReadAsStringAsync();

                public string Read(string url) => [|_client.GetAsync(url).Result|].Content.ReadAsStringAsync().Result;

                public async Task<bool> PingAsync(string url) => ([|await _client.GetAsync(url)|]).IsSuccessStatusCode;
            """));
    }

    [Fact]
    public async Task Reports_ProjectWrapperResultDiscarded()
    {
        await Analyze.DiagnosticsAsync(Sources.TypedClient("""
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
        await Analyze.DiagnosticsAsync(Sources.TypedClient("""
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
        await Analyze.DiagnosticsAsync(Sources.TypedClient("""
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
    public async Task Reports_PassedThroughHelpersThatOnlyReadIt()
    {
        await Analyze.DiagnosticsAsync(Sources.TypedClient("""
                public async Task<bool> PingAsync(string url)
                {
                    var response = [|await _client.GetAsync(url)|];
                    LogResponse(response, url);
                    return response.IsSuccessStatusCode;
                }

                private void LogResponse(HttpResponseMessage response, string url)
                {
                    if (!response.IsSuccessStatusCode)
                        this.LogFailure(response);
                    Console.WriteLine(url + " " + response.StatusCode);
                }

                private void LogFailure(HttpResponseMessage failed) => Console.WriteLine(failed.ReasonPhrase);
            """));
    }

    [Fact]
    public async Task Reports_EnsureSuccessStatusCodeAliasNotDisposed()
    {
        await Analyze.DiagnosticsAsync(Sources.TypedClient("""
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
        await Analyze.DiagnosticsAsync(Sources.TypedClient("""
                public async Task<int> CountAsync(string url)
                {
                    var response = [|await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead)|];
                    using var stream = await response.Content.ReadAsStreamAsync();
                    return stream.ReadByte();
                }
            """));
    }

    [Fact]
    public async Task Reports_HandsTheDecisionToTheFixer()
    {
        var compilation = await AllAnalyzers.CompileAsync([("/0/Test0.cs", Sources.TypedClient("""
                public async Task<string> ReadAsync(string url)
                {
                    _ = await _client.PostAsync(url, null);
                    var response = await _client.GetAsync(url);
                    if (response.StatusCode == HttpStatusCode.NotFound)
                    {
                        response.Dispose();
                        return null;
                    }

                    if (!response.IsSuccessStatusCode)
                        return null;
                    var text = await response.Content.ReadAsStringAsync();
                    response?.Dispose();
                    return text;
                }
            """))]);

        var diagnostics = (await AllAnalyzers.AnalyzeAsync(compilation, [new UndisposedHttpResponseMessageAnalyzer()]))
            .Where(d => d.Id == Descriptors.UndisposedHttpResponseMessage.Id)
            .OrderBy(d => d.Location.SourceSpan.Start)
            .ToList();

        Assert.Equal(2, diagnostics.Count);
        var discarded = diagnostics[0];
        Assert.Equal("Discarded", discarded.Properties[UndisposedHttpResponseMessageAnalyzer.Properties.Verdict]);
        Assert.Equal("false", discarded.Properties[UndisposedHttpResponseMessageAnalyzer.Properties.Reassigned]);
        Assert.Equal(new[] { "await _client.PostAsync(url, null)" }, discarded.AdditionalLocations.Select(Text));

        var local = diagnostics[1];
        Assert.Equal("NotOnEveryPath", local.Properties[UndisposedHttpResponseMessageAnalyzer.Properties.Verdict]);
        Assert.Equal(
            new[] { "await _client.GetAsync(url)", "response = await _client.GetAsync(url)", "response.Dispose();", "response?.Dispose();" },
            local.AdditionalLocations.Select(Text));

        static string Text(Location location) => location.SourceTree!.GetText().ToString(location.SourceSpan);
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

    // ---------------------------------------------------------------- generic wrappers and delegates

    [Fact]
    public async Task Reports_ResponseFromAGenericTimeoutWrapper()
    {
        // A storage backend's list call through the project's own timeout helper: T is inferred from the lambda, so
        // the helper hands back the response SendAsync made, and nobody disposes it.
        await Analyze.DiagnosticsAsync(Sources.TypedClient("""
                public async Task<string> ListAsync(string url, CancellationToken token)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, url);
                    var response = {|#0:await WithTimeout(TimeSpan.FromSeconds(30), token, ct => _client.SendAsync(request, ct))|};
                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadAsStringAsync(token);
                }

                private static async Task<T> WithTimeout<T>(TimeSpan timeout, CancellationToken token, Func<CancellationToken, Task<T>> func)
                {
                    using var cts = CancellationTokenSource.CreateLinkedTokenSource(token);
                    cts.CancelAfter(timeout);
                    return await func(cts.Token);
                }
            """), Analyze.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("WithTimeout", "never disposed"));
    }

    [Fact]
    public async Task Reports_ResponseFromAnInvokedDelegate()
    {
        // The delegate's constructed type says each call makes a response: the caller owns it.
        await Analyze.DiagnosticsAsync(Sources.TypedClient("""
                public async Task<string> ReadAsync(Func<HttpClient, Task<HttpResponseMessage>> send)
                {
                    var response = {|#0:await send(_client)|};
                    return await response.Content.ReadAsStringAsync();
                }
            """), Analyze.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("send", "never disposed"));
    }

    [Fact]
    public async Task Reports_ResponseOnlyReadByCallsThatDoNotFullyBind()
    {
        // Log's candidates only read the response; the content read with an unknown token yields a string, not a stream.
        await Analyze.DiagnosticsAsync(Sources.TypedClient("""
                public async Task<string> ReadAsync(string url)
                {
                    HttpResponseMessage response = {|#0:await _client.GetAsync(url, {|CS0103:completion|})|};
                    Log(response, {|CS0103:level|});
                    return await response.Content.ReadAsStringAsync({|CS0103:token|});
                }

                public async Task<int> CountAsync(string url)
                {
                    var response = {|#1:await _client.GetAsync(url)|};
                    {|CS0103:Audit|}.Write(await response.Content.ReadAsStringAsync(), response.StatusCode);
                    return (int)response.StatusCode;
                }

                private static void Log(HttpResponseMessage response, int level) => Console.WriteLine($"{level}: {response.StatusCode}");
                private static void Log(HttpResponseMessage response, string level) => Console.WriteLine($"{level}: {response.StatusCode}");
            """),
            Analyze.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("GetAsync", "never disposed"),
            Analyze.Diagnostic().WithLocation(1).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("GetAsync", "never disposed"));
    }

    [Fact]
    public async Task Reports_UntypedResponseOfACallThatDoesNotFullyBind()
    {
        // `var` takes no type from the await of an unbound call, so no member access on the local binds: each is read by
        // name on the response type (a status, the content copied or read as text).
        await Analyze.DiagnosticsAsync(Sources.TypedClient("""
                public async Task<Stream> DownloadAsync(string url, CancellationToken ct)
                {
                    var response = {|#0:await _client.GetAsync(url, {|CS0103:completion|})|};
                    if (response.IsSuccessStatusCode)
                    {
                        var buffer = new MemoryStream();
                        await response.Content.CopyToAsync(buffer, ct);
                        buffer.Seek(0, SeekOrigin.Begin);
                        return buffer;
                    }

                    throw new FileNotFoundException("Cannot download " + url);
                }

                public async Task<string> ReadAsync(string url)
                {
                    var response = {|#1:await _client.GetAsync(url, {|CS0103:completion|})|};
                    response.EnsureSuccessStatusCode();
                    Console.WriteLine(response?.StatusCode);
                    return await response.Content.ReadAsStringAsync();
                }
            """),
            Analyze.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("GetAsync", "never disposed"),
            Analyze.Diagnostic().WithLocation(1).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("GetAsync", "never disposed"));
    }
}

