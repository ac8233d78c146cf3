using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using VerifyCS = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.UndisposedHttpResponseMessageAnalyzer, LeakAnalyzers.Rules.UndisposedHttpResponseMessageFixer>;

namespace LeakAnalyzers.Tests.Rules;

public sealed partial class UndisposedHttpResponseMessageTests
{
    [Fact]
    public async Task Fixes_DeclarationBecomesUsingAndRedundantDisposeGoes()
    {
        await VerifyCS.FixAsync(Sources.TypedClient("""
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
            """), Sources.TypedClient("""
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
        await VerifyCS.FixAsync(Sources.TypedClient("""
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
            """), Sources.TypedClient("""
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
        await VerifyCS.FixAsync(Sources.TypedClient("""
                public async Task NotifyAsync(string url, string response)
                {
                    Console.WriteLine(response);
                    /* fire the hook */ [|await _client.PostAsync(url, null)|]; // best effort
                    _ = [|await _client.PostAsync(url + "/audit", null)|];
                }
            """), Sources.TypedClient("""
                public async Task NotifyAsync(string url, string response)
                {
                    Console.WriteLine(response);
                    /* fire the hook */
                    using var response2 = await _client.PostAsync(url, null); // best effort
                    using var response3 = await _client.PostAsync(url + "/audit", null);
                }
            """));
    }

    [Fact]
    public async Task Fixes_ResponseLiftedOutOfAnExpression()
    {
        await VerifyCS.FixAsync(Sources.TypedClient("""
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
            """), Sources.TypedClient("""
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
        await VerifyCS.FixAsync(Sources.TypedClient("""
                public async Task<string> ReadAsync(string url) =>
                    await ([|await _client.GetAsync(url)|]).Content.ReadAsStringAsync();

                public async Task PingAsync(string url) => Console.WriteLine(([|await _client.GetAsync(url)|]).StatusCode);
            """), Sources.TypedClient("""
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
        await VerifyCS.FixAsync(Sources.TypedClient("""
                public async Task SyncAsync(string url)
                {
                    [|await _client.PostAsync(url + "/a", null)|];
                    [|await _client.PostAsync(url + "/b", null)|];
                    var status = ([|await _client.GetAsync(url)|]).StatusCode;
                    var other = [|await _client.GetAsync(url + "/other")|];
                    Console.WriteLine(status + " " + other.StatusCode);
                }

                public async Task AgainAsync(string url) => [|await _client.DeleteAsync(url)|];
            """), Sources.TypedClient("""
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
        await VerifyCS.FixAsync(Sources.TypedClient("""
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
            """).Replace("new()", "new List<HttpResponseMessage>()"), Sources.TypedClient("""
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
    public async Task Fixes_ConditionalDisposeAndTopLevelLift()
    {
        await VerifyCS.FixAsync("""
            using System;
            using System.Net.Http;

            var client = new HttpClient();
            var response = [|await client.GetAsync("https://example.org")|];
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
                return;
            Console.WriteLine(response.StatusCode);
            response?.Dispose();
            // Then the health check.
            Console.WriteLine(([|await client.GetAsync("https://example.org/health")|]).StatusCode);
            """, """
            using System;
            using System.Net.Http;

            var client = new HttpClient();
            using var response = await client.GetAsync("https://example.org");
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
                return;
            Console.WriteLine(response.StatusCode);
            // Then the health check.
            using var response2 = await client.GetAsync("https://example.org/health");

            Console.WriteLine(response2.StatusCode);
            """, new TestSettings { OutputKind = OutputKind.ConsoleApplication });
    }

    [Fact]
    public async Task Fixes_CSharp73ExpressionBodiesAndDiscards()
    {
        var settings = new TestSettings { LanguageVersion = LanguageVersion.CSharp7_3 };
        await VerifyCS.FixAsync(Sources.TypedClient("""
                public async Task<int> StatusAsync(string url) => (int)([|await _client.GetAsync(url)|]).StatusCode;

                public async Task PingAsync(string url) => [|await _client.DeleteAsync(url)|];

                public async Task NotifyAsync(string url)
                {
                    // Best effort.
                    _ = [|await _client.PostAsync(url, null)|];
                }
            """).Replace("new()", "new List<HttpResponseMessage>()"), Sources.TypedClient("""
                public async Task<int> StatusAsync(string url)
                {
                    using (var response = await _client.GetAsync(url))
                    {
                        return (int)response.StatusCode;
                    }
                }

                public async Task PingAsync(string url)
                {
                    using (var response = await _client.DeleteAsync(url))
                    {
                    }
                }

                public async Task NotifyAsync(string url)
                {
                    // Best effort.
                    using (var response = await _client.PostAsync(url, null))
                    {
                    }
                }
            """).Replace("new()", "new List<HttpResponseMessage>()"), settings);
    }

    [Fact]
    public async Task Fixes_ResponsePassedToAMethodThatOnlyReadsIt()
    {
        await VerifyCS.FixAsync(Sources.TypedClient("""
                public async Task LogAsync(string url)
                {
                    Describe([|await _client.GetAsync(url)|]);
                    Console.WriteLine(url);
                }

                private static void Describe(HttpResponseMessage message) => Console.WriteLine(message.StatusCode);
            """), Sources.TypedClient("""
                public async Task LogAsync(string url)
                {
                    using var response = await _client.GetAsync(url);
                    Describe(response);
                    Console.WriteLine(url);
                }

                private static void Describe(HttpResponseMessage message) => Console.WriteLine(message.StatusCode);
            """));
    }

    [Fact]
    public async Task Fixes_DeclarationOfAChoiceBetweenResponses()
    {
        // The fix follows the response to where the analyzer says it lands, through `?:` and switch-expression arms.
        await VerifyCS.FixAsync(Sources.TypedClient("""
                public async Task<int> StatusAsync(string url, int kind)
                {
                    var response = kind switch
                    {
                        1 => [|await _client.GetAsync(url)|],
                        _ => [|await _client.PostAsync(url, null)|],
                    };
                    return (int)response.StatusCode;
                }
            """), Sources.TypedClient("""
                public async Task<int> StatusAsync(string url, int kind)
                {
                    using var response = kind switch
                    {
                        1 => await _client.GetAsync(url),
                        _ => await _client.PostAsync(url, null),
                    };
                    return (int)response.StatusCode;
                }
            """));
    }

    [Fact]
    public async Task NoFix_LocalAssignedAgain()
    {
        await VerifyCS.NoFixAsync(Sources.TypedClient("""
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
        await VerifyCS.NoFixAsync(Sources.TypedClient("""
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
        await VerifyCS.NoFixAsync(Sources.TypedClient("""
                public Task<string> ReadLaterAsync(string url) => [|_client.GetAsync(url).Result|].Content.ReadAsStringAsync();
            """));
    }

    [Fact]
    public async Task NoFix_DirectlyInASwitchSection()
    {
        await VerifyCS.NoFixAsync(Sources.TypedClient("""
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

    [Fact]
    public async Task Fixes_ResponseFromAGenericWrapper()
    {
        await VerifyCS.FixAsync(Sources.TypedClient("""
                public async Task<string> ReadAsync(string url, CancellationToken token)
                {
                    var response = [|await WithTimeout(token, ct => _client.GetAsync(url, ct))|];
                    return await response.Content.ReadAsStringAsync(token);
                }

                private static async Task<T> WithTimeout<T>(CancellationToken token, Func<CancellationToken, Task<T>> func) => await func(token);
            """), Sources.TypedClient("""
                public async Task<string> ReadAsync(string url, CancellationToken token)
                {
                    using var response = await WithTimeout(token, ct => _client.GetAsync(url, ct));
                    return await response.Content.ReadAsStringAsync(token);
                }

                private static async Task<T> WithTimeout<T>(CancellationToken token, Func<CancellationToken, Task<T>> func) => await func(token);
            """));
    }

    [Fact]
    public async Task NoFix_DroppedTaskOfAResponse()
    {
        // A using over the discarded task would dispose the task, not the response it completes with.
        await VerifyCS.NoFixAsync(Sources.TypedClient("""
                public void Notify(string url)
                {
                    _ = [|_client.PostAsync(url, null)|];
                }
            """));
    }

    [Fact]
    public async Task NoFix_ResponseWhoseStreamEscapesOnSuccess()
    {
        // A using local would dispose the response under the stream the caller reads.
        await VerifyCS.NoFixAsync(Sources.TypedClient("""
                public async Task<Stream> DownloadAsync(string url)
                {
                    var response = [|await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead)|];
                    if (!response.IsSuccessStatusCode)
                        return null;
                    return await response.Content.ReadAsStreamAsync();
                }
            """));
    }

    [Fact]
    public async Task NoFix_ResponseOverwrittenByTheNextRequest()
    {
        // A using local cannot take the next response: dispose the first one before the next request by hand.
        await VerifyCS.NoFixAsync(Sources.TypedClient("""
                public async Task<int> StatusAsync(string primary, string fallback)
                {
                    var response = [|await _client.GetAsync(primary)|];
                    response = await _client.GetAsync(fallback);
                    using (response)
                        return (int)response.StatusCode;
                }
            """));
    }

    [Fact]
    public async Task NoFix_ResponseReadInAContinuation()
    {
        // The continuation would have to become a block with a using local: dispose it there by hand. The report sits in
        // the continuation, outside the call it is judged from, so the testing library sees it as non-local.
        await VerifyCS.NoFixAsync(Sources.TypedClient("""
                public Task<string> StatusAsync(string url) =>
                    _client.GetAsync(url).ContinueWith(t => [|t.Result|].StatusCode.ToString());
            """), new TestSettings { FixCompilationEndDiagnostics = true });
    }

    [Fact]
    public async Task Fixes_DeclaredResponseInCodeThatDoesNotFullyBind()
    {
        // The local's declared type binds: the using declaration is right whatever overload the call binds to.
        await VerifyCS.FixAsync(Sources.TypedClient("""
                public async Task<string> ReadAsync(string url)
                {
                    HttpResponseMessage response = [|await _client.GetAsync(url, {|CS0103:completion|})|];
                    return await response.Content.ReadAsStringAsync();
                }
            """), Sources.TypedClient("""
                public async Task<string> ReadAsync(string url)
                {
                    using HttpResponseMessage response = await _client.GetAsync(url, {|CS0103:completion|});
                    return await response.Content.ReadAsStringAsync();
                }
            """));
    }

    [Theory]
    [InlineData("[|await _client.GetAsync(url, {|CS0103:completion|})|];")]
    [InlineData("var status = [|_client.GetAsync(url, {|CS0103:completion|}).Result|].StatusCode;")]
    [InlineData("var response = [|await _client.GetAsync(url, {|CS0103:completion|})|];")]
    public async Task NoFix_CodeThatDoesNotFullyBind(string statement)
    {
        // No type for a using local to be checked against: the rewrite cannot be shown to compile.
        await VerifyCS.NoFixAsync(Sources.TypedClient($$"""
                public async Task NotifyAsync(string url)
                {
                    {{statement}}
                }
            """));
    }

    [Fact]
    public async Task NoFix_ResponseOverwrittenInALoop()
    {
        // A using local cannot take the next attempt's response: the analyzer says so, the fixer offers nothing.
        await VerifyCS.NoFixAsync(Sources.TypedClient("""
                public async Task<string> PollAsync(string url)
                {
                    HttpResponseMessage response = null;
                    for (var attempt = 0; attempt < 3; attempt++)
                    {
                        response = [|await _client.GetAsync(url)|];
                        if (response.IsSuccessStatusCode)
                            break;
                    }

                    return response?.ReasonPhrase;
                }
            """));
    }
}

