using LeakAnalyzers.Rules;
using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.UndisposedHttpResponseMessageAnalyzer>;

namespace LeakAnalyzers.Tests.Rules;

public sealed partial class UndisposedHttpResponseMessageTests
{
    [Fact]
    public async Task Option_OwnershipTransferMethods()
    {
        var source = Sources.TypedClient("""
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
