using System.Collections.Immutable;
using LeakAnalyzers.Helpers;
using LeakAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Xunit;

namespace LeakAnalyzers.Tests.Model;

/// <summary>
/// The response model (<see cref="Responses"/>) asked directly, on small bodies, with the shared index and path
/// reasoning it builds on (<see cref="BodyIndex"/>, <see cref="DisposalPaths"/>): a failure here points at the model,
/// not at LEAK004's reporting.
/// </summary>
public sealed class ResponsesTests
{
    // ---------------------------------------------------------------- producers

    [Theory]
    [InlineData("await _client.GetAsync(url)", "Await", "GetAsync")]
    [InlineData("await _client.GetAsync(url).ConfigureAwait(false)", "Await", "GetAsync")]
    [InlineData("_client.GetAsync(url).GetAwaiter().GetResult()", "Call", "GetAsync")]
    [InlineData("_client.Send(new HttpRequestMessage(HttpMethod.Get, url))", "Call", "Send")]
    [InlineData("new HttpResponseMessage(HttpStatusCode.OK)", "Creation", "new HttpResponseMessage")]
    [InlineData("_client.GetAsync(url).Result", "Result", "GetAsync")]
    [InlineData("await _client.PostAsJsonAsync(url, 1)", "Await", "PostAsJsonAsync")]
    public async Task ProducedBy_RecognisesOwnedResponsesByType(string expression, string kind, string source)
    {
        var (responses, body) = await BodyAsync($$"""
                public async Task RunAsync(string url)
                {
                    var produced = {{expression}};
                }
            """);
        var initializer = Initializer(body, "produced");

        var producer = Assert.Single(body.Descendants(), o => responses.ProducedBy(o) is not null);
        var produced = responses.ProducedBy(producer)!.Value;
        Assert.Equal(Enum.Parse<ResponseProducerKind>(kind), produced.Kind);
        Assert.Equal(source, produced.Source);
        Assert.Same(initializer, produced.Operation.WalkUpConversions());
    }

    [Theory]
    [InlineData("await _client.GetStringAsync(url)")]                         // returns no response
    [InlineData("await pending")]                                              // a parameter's task: someone else's
    [InlineData("System.Linq.Enumerable.First(_responses)")]                   // a type parameter: someone else's
    [InlineData("Interlocked.Exchange(ref _last, null)")]
    [InlineData("_last.EnsureSuccessStatusCode()")]                            // returns this
    [InlineData("_last")]
    public async Task ProducedBy_IgnoresResponsesSomeoneElseOwns(string expression)
    {
        var (responses, body) = await BodyAsync($$"""
                public async Task RunAsync(string url, Task<HttpResponseMessage> pending)
                {
                    var value = {{expression}};
                }
            """);

        Assert.DoesNotContain(body.Descendants(), o => responses.ProducedBy(o) is not null);
    }

    [Fact]
    public async Task ProducedBy_FollowsATaskKeptInALocal()
    {
        var (responses, body) = await BodyAsync("""
                public async Task RunAsync(string url)
                {
                    var pending = _client.GetAsync(url);
                    var response = await pending;
                }
            """);

        var producer = Assert.Single(body.Descendants(), o => responses.ProducedBy(o) is not null);
        Assert.Equal(ResponseProducerKind.Await, responses.ProducedBy(producer)!.Value.Kind);
        Assert.Equal("pending", responses.ProducedBy(producer)!.Value.Source);
    }

    // ---------------------------------------------------------------- uses

    [Theory]
    [InlineData("Console.WriteLine(response.StatusCode);", "Read")]
    [InlineData("Console.WriteLine(response == null);", "Read")]
    [InlineData("Describe(response);", "Read")]
    [InlineData("response.Dispose();", "Disposed")]
    [InlineData("response?.Dispose();", "Disposed")]
    [InlineData("using (response) { }", "Disposed")]
    [InlineData("response.EnsureSuccessStatusCode().Dispose();", "Disposed")]
    [InlineData("_last = response;", "Settled")]
    [InlineData("_responses.Add(response);", "Settled")]
    [InlineData("Keep(response);", "Settled")]
    [InlineData("Release(response);", "Settled")]
    [InlineData("_ = new Holder(response);", "Settled")]
    [InlineData("Record(ref response);", "Settled")]
    [InlineData("_stream = response.Content.ReadAsStream();", "ContentEscapes")]
    [InlineData("var stream = response.Content.ReadAsStream();", "ContentEscapes")]
    [InlineData("using var stream = response.Content.ReadAsStream();", "Read")]
    [InlineData("var copy = response;", "Local")]
    [InlineData("response.EnsureSuccessStatusCode();", "Dropped")]
    public async Task UseOf_ClassifiesWhatAUseDoesToOwnership(string statement, string kind)
    {
        var (responses, body) = await BodyAsync($$"""
                public void Run(HttpResponseMessage response)
                {
                    {{statement}}
                }

                private Stream _stream;
                private static void Describe(HttpResponseMessage message) => Console.WriteLine(message.StatusCode);
                private static void Release(HttpResponseMessage message) => message.Dispose();
                private void Keep(HttpResponseMessage message) => _last = message;
                private static void Record(ref HttpResponseMessage message) { }
                private sealed class Holder(HttpResponseMessage response) { public HttpResponseMessage Response { get; } = response; }
            """);
        var use = Assert.Single(body.Descendants().OfType<IParameterReferenceOperation>(), p => p.Parameter.Name == "response");

        var judged = responses.UseOf(use, ImmutableArray<string>.Empty, default);

        Assert.Equal(Enum.Parse<ResponseUseKind>(kind), judged.Kind);
        Assert.Equal(judged.Kind is ResponseUseKind.Disposed or ResponseUseKind.ContentEscapes, judged.Site is StatementSyntax);   // where it is disposed or its content leaves
        Assert.Equal(judged.Kind == ResponseUseKind.Local ? "copy" : null, judged.Local?.Name);
    }

    [Fact]
    public async Task UseOf_ValueIsTheOutermostCarrier()
    {
        var (responses, body) = await BodyAsync("""
                public void Run(HttpResponseMessage response, HttpResponseMessage other, bool first)
                {
                    var chosen = (first ? response : other).EnsureSuccessStatusCode();
                }
            """);
        var use = body.Descendants().OfType<IParameterReferenceOperation>().First(p => p.Parameter.Name == "response");

        var judged = responses.UseOf(use, ImmutableArray<string>.Empty, default);

        Assert.Equal(ResponseUseKind.Local, judged.Kind);
        Assert.Equal("(first ? response : other).EnsureSuccessStatusCode()", judged.Value.Syntax.ToString());
    }

    [Fact]
    public async Task UseOf_ConfiguredTransferSettles()
    {
        var (responses, body) = await BodyAsync("""
                public void Run(HttpResponseMessage response, Cache cache)
                {
                    cache.Keep(response);
                }

                public sealed class Cache
                {
                    public void Keep(HttpResponseMessage response) { }
                }
            """);
        var use = Assert.Single(body.Descendants().OfType<IParameterReferenceOperation>(), p => p.Parameter.Name == "response");

        Assert.Equal(ResponseUseKind.Read, responses.UseOf(use, ImmutableArray<string>.Empty, default).Kind);
        Assert.Equal(ResponseUseKind.Settled, responses.UseOf(use, ImmutableArray.Create("OrdersClient.Cache.Keep"), default).Kind);
    }

    [Theory]
    [InlineData("Console.WriteLine(message.StatusCode + \" \" + message.ReasonPhrase);", true)]
    [InlineData("Console.WriteLine($\"{message}\"); if (message is null) return;", true)]
    [InlineData("message.Dispose();", false)]
    [InlineData("message?.Dispose();", false)]
    [InlineData("Console.WriteLine(message);", false)]                                  // passed on
    [InlineData("Log(message); this.Log(message, 1);", true)]                            // to helpers of the type that only read it
    [InlineData("Log(message); Keep(message);", false)]                                  // to one that stores it
    [InlineData("Deeper(message);", false)]                                              // more hops than followed
    public async Task OnlyReads_ReadsTheCalleesSyntax(string body, bool onlyReads)
    {
        var compilation = await CompileAsync(Sources.TypedClient($$"""
                private void Helper(HttpResponseMessage message)
                {
                    {{body}}
                }

                private static void Log(HttpResponseMessage m) => Trace(m);
                private void Log(HttpResponseMessage m, int level) => Console.WriteLine(m.StatusCode + " " + level);
                private static void Trace(HttpResponseMessage t) => Console.WriteLine(t.ReasonPhrase);
                private void Keep(HttpResponseMessage k) => Log(_last = k);
                private static void Deeper(HttpResponseMessage d) => Log(d, 0, 0);
                private static void Log(HttpResponseMessage m, int a, int b) => Log(m);
            """));
        var helper = (IMethodSymbol)compilation.GetTypeByMetadataName("OrdersClient")!.GetMembers("Helper").Single();

        Assert.Equal(onlyReads, Responses.OnlyReads(helper, helper.Parameters[0], default));
    }

    [Fact]
    public async Task OnlyReads_NoForMethodsWhoseBodyMayBeReplaced()
    {
        var compilation = await CompileAsync(Sources.TypedClient("""
                protected virtual void Helper(HttpResponseMessage message) => Console.WriteLine(message.StatusCode);
            """));
        var helper = (IMethodSymbol)compilation.GetTypeByMetadataName("OrdersClient")!.GetMembers("Helper").Single();

        Assert.False(Responses.OnlyReads(helper, helper.Parameters[0], default));
    }

    // ---------------------------------------------------------------- verdicts

    [Theory]
    [InlineData("await _client.PostAsync(url, null);", "Discarded")]
    [InlineData("_ = await _client.PostAsync(url, null);", "Discarded")]
    [InlineData("Console.WriteLine((await _client.GetAsync(url)).StatusCode);", "NeverDisposed")]
    [InlineData("var response = await _client.GetAsync(url); Console.WriteLine(response.StatusCode);", "NeverDisposed")]
    [InlineData("var response = await _client.GetAsync(url); if (response.IsSuccessStatusCode) return; response.Dispose();", "NotOnEveryPath")]
    [InlineData("HttpResponseMessage response = null; foreach (var u in urls) response = await _client.GetAsync(u); Console.WriteLine(response);", "OverwrittenInLoop")]
    [InlineData("var response = await _client.GetAsync(url); response.Dispose();", null)]
    [InlineData("using var response = await _client.GetAsync(url);", null)]
    [InlineData("var response = await _client.GetAsync(url); try { Console.WriteLine(response); } finally { response.Dispose(); }", null)]
    [InlineData("var response = await _client.GetAsync(url); _responses.Add(response);", null)]
    [InlineData("var response = await _client.GetAsync(url); Action dispose = () => response.Dispose();", null)]
    public async Task Judge_GivesTheVerdict(string statements, string? verdict)
    {
        var (responses, body) = await BodyAsync($$"""
                public async Task RunAsync(string url, string[] urls)
                {
                    {{statements}}
                }
            """);
        var producer = Assert.Single(body.Descendants(), o => responses.ProducedBy(o) is not null);

        Assert.Equal(verdict, responses.Judge(producer, ImmutableArray<string>.Empty, default)?.Verdict.ToString());
    }

    [Fact]
    public async Task Judge_HandsOverTheLocalItsDisposalsAndWrites()
    {
        var (responses, body) = await BodyAsync("""
                public async Task RunAsync(string url)
                {
                    var response = await _client.GetAsync(url);
                    if (response.StatusCode == HttpStatusCode.NotFound)
                    {
                        response.Dispose();
                        return;
                    }

                    if (!response.IsSuccessStatusCode)
                        return;
                    Console.WriteLine(response.StatusCode);
                    response?.Dispose();
                    response = null;
                }
            """);
        var producer = Assert.Single(body.Descendants(), o => responses.ProducedBy(o) is not null);

        var leak = responses.Judge(producer, ImmutableArray<string>.Empty, default)!.Value;

        Assert.Equal(ResponseVerdict.NotOnEveryPath, leak.Verdict);
        Assert.Equal("response", leak.Local?.Name);
        Assert.Same(producer, leak.Value);
        Assert.Equal(new[] { "response.Dispose();", "response?.Dispose();" }, leak.Disposals.Select(d => d.ToString()));
        Assert.True(leak.Reassigned);
    }

    // ---------------------------------------------------------------- the shared index and paths it builds on

    [Fact]
    public async Task BodyIndex_IndexesReferencesReadsAndJumps()
    {
        var (_, body) = await BodyAsync("""
                public async Task RunAsync(string[] urls)
                {
                    HttpResponseMessage response = null;
                    foreach (var url in urls)
                    {
                        response = await _client.GetAsync(url);
                        if (response.IsSuccessStatusCode)
                            break;
                        Action log = () => Console.WriteLine(url);
                    }

                    Console.WriteLine(response);
                    return;
                }
            """);
        var index = BodyIndex.Of(body);
        var response = Local(body, "response");
        var url = Local(body, "url");

        Assert.Same(index, BodyIndex.Of(body));
        Assert.Equal(3, index.ReferencesTo(response).Count);
        Assert.Equal(2, index.ReadsOf(response, default)!.Count);
        Assert.Null(index.ReadsOf(url, default));                       // a lambda reads it
        Assert.Equal(new[] { "break;", "return;" }, index.Jumps.Select(j => j.ToString()));
    }

    [Theory]
    [InlineData("Console.WriteLine(response); response.Dispose();", null)]
    [InlineData("Console.WriteLine(response);", "Never")]
    [InlineData("if (response.IsSuccessStatusCode) response.Dispose();", "NotOnEveryPath")]
    [InlineData("if (response.IsSuccessStatusCode) return; response.Dispose();", "NotOnEveryPath")]
    [InlineData("if (response.IsSuccessStatusCode) { response.Dispose(); return; } response.Dispose();", null)]
    [InlineData("try { if (response.IsSuccessStatusCode) return; } finally { response.Dispose(); }", null)]
    [InlineData("if (!response.IsSuccessStatusCode) throw new InvalidOperationException(); response.Dispose();", null)]
    public async Task DisposalPaths_JudgeNormalPaths(string statements, string? expected)
    {
        var (_, body) = await BodyAsync($$"""
                public async Task RunAsync(string url)
                {
                    var response = await _client.GetAsync(url);
                    {{statements}}
                }
            """);
        var producer = Initializer(body, "response");
        var sites = body.Descendants().OfType<IInvocationOperation>()
            .Where(i => i.TargetMethod.Name == "Dispose")
            .Select(i => (SyntaxNode)i.Syntax.FirstAncestorOrSelf<StatementSyntax>()!)
            .ToList();

        Assert.Equal(expected, DisposalPaths.Judge(producer.Syntax, sites, body.Syntax, BodyIndex.Of(body).Jumps)?.ToString());
    }

    // ---------------------------------------------------------------- helpers

    private static async Task<Compilation> CompileAsync(string source)
    {
        var compilation = await AllAnalyzers.CompileAsync([("/0/Test0.cs", source)]);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return compilation;
    }

    /// <summary>The model and the body of the first method of <see cref="Sources.TypedClient"/> with <paramref name="members"/>.</summary>
    private static async Task<(Responses Responses, IOperation Body)> BodyAsync(string members)
    {
        var compilation = await CompileAsync(Sources.TypedClient(members));
        var tree = compilation.SyntaxTrees.Single();
        var method = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().First();
        var body = compilation.GetSemanticModel(tree).GetOperation(method)!;
        return (Domain.Get(compilation).Responses!, body);
    }

    private static IOperation Initializer(IOperation body, string local) =>
        body.Descendants().OfType<IVariableDeclaratorOperation>().Single(d => d.Symbol.Name == local).Initializer!.Value.WalkDownConversions();

    private static ILocalSymbol Local(IOperation body, string name) =>
        body.Descendants().OfType<IVariableDeclaratorOperation>().Single(d => d.Symbol.Name == name).Symbol;
}
