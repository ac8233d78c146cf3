using Xunit;
using Xunit.Abstractions;

namespace LeakAnalyzers.Tests.Catalog;

/// <summary>
/// Every fix offered for every diagnostic of every reporting test case (each <c>Verify.DiagnosticsAsync</c> call of a
/// rule's test class), applied on its own, must produce code that compiles, raises no new compiler warning, and carries
/// fewer diagnostics of that ID (<see cref="FixChecks"/>). This covers the cases that have no exact expected output.
/// </summary>
public sealed class FixSweepTests(ITestOutputHelper output)
{
    /// <summary>
    /// Rule test classes without <c>Verify.DiagnosticsAsync</c> cases: they pin which of LEAK001's (LEAK007's) two
    /// analyzers reports what through <c>CompilationWithAnalyzers</c>; the same cases are reported, and their fixes
    /// swept, in <c>UnboundedStaticCollectionTests</c> (<c>SubscriptionNeverRemovedTests</c>).
    /// </summary>
    private static readonly string[] WithoutReportingCases = ["UnboundedStaticCollectionCompilationEndTests", "SubscriptionNeverRemovedCompilationEndTests"];

    public static TheoryData<string> RuleTestClasses()
    {
        var data = new TheoryData<string>();
        foreach (var type in typeof(FixSweepTests).Assembly.GetTypes()
                     .Where(t => t.Namespace == "LeakAnalyzers.Tests.Rules" && t.IsClass && !t.IsNested && t.Name.EndsWith("Tests", StringComparison.Ordinal) && !WithoutReportingCases.Contains(t.Name))
                     .OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            data.Add(type.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RuleTestClasses))]
    public async Task EveryFixOfEveryReportedCaseCompiles(string testClass)
    {
        var type = typeof(FixSweepTests).Assembly.GetType("LeakAnalyzers.Tests.Rules." + testClass)!;
        var cases = await FixSweep.CollectAsync(type);
        Assert.NotEmpty(cases);
        output.WriteLine($"{cases.Count} reporting cases of {testClass}");
        foreach (var @case in cases)
            await FixChecks.EveryFixCompilesAsync(@case.Analyzers, @case.Sources, @case.Settings, @case.Test);
    }
}
