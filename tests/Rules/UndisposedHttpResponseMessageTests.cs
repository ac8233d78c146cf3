using LeakAnalyzers.Rules;
using Xunit;
using VerifyCS = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.UndisposedHttpResponseMessageAnalyzer, LeakAnalyzers.Rules.UndisposedHttpResponseMessageFixer>;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.UndisposedHttpResponseMessageAnalyzer>;

namespace LeakAnalyzers.Tests.Rules;

public sealed class UndisposedHttpResponseMessageTests
{
    [Fact]
    public async Task Reports_DiscardedAwaitedPost()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Net.Http;
            using System.Threading.Tasks;

            public class Notifier
            {
                private readonly HttpClient _client;
                public Notifier(HttpClient client) => _client = client;

                public async Task NotifyAsync(string url, HttpContent body)
                {
                    [|await _client.PostAsync(url, body)|];
                }
            }
            """);
    }
}
