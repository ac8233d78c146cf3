using System.Collections.Immutable;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LeakAnalyzers.Tests;

/// <summary>
/// The cases the fix sweep runs over: while <see cref="CollectAsync"/> runs a rule's test methods, every
/// <c>Verify.DiagnosticsAsync</c> call records its sources and analyzers here instead of running, so that the catalog
/// test <c>FixSweepTests</c> can apply every fix offered for every diagnostic of those sources and check that it compiles.
/// </summary>
internal static class FixSweep
{
    private static readonly AsyncLocal<List<Case>?> Collected = new();

    public sealed record Case(string Test, ImmutableArray<DiagnosticAnalyzer> Analyzers, string[] Sources, TestSettings Settings);

    public static bool IsCollecting => Collected.Value is not null;

    /// <summary>Records a case when collecting; false (run the test normally) otherwise.</summary>
    public static bool Collect(ImmutableArray<DiagnosticAnalyzer> analyzers, string[] sources, TestSettings settings)
    {
        if (Collected.Value is not { } cases)
            return false;
        cases.Add(new Case(CurrentTest.Value ?? "?", analyzers, sources, settings));
        return true;
    }

    private static readonly AsyncLocal<string?> CurrentTest = new();

    /// <summary>
    /// Runs every test method of <paramref name="testClass"/> (each <c>[InlineData]</c> row of a theory) in collecting
    /// mode and returns the cases its <c>DiagnosticsAsync</c> calls would check. Fix tests (<c>Fixes_*</c>,
    /// <c>NoFix_*</c>) are skipped: they check exact outputs themselves.
    /// </summary>
    public static async Task<List<Case>> CollectAsync(Type testClass)
    {
        var cases = new List<Case>();
        foreach (var method in testClass.GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
                     .Where(m => m.GetCustomAttributes(typeof(Xunit.FactAttribute), inherit: true).Length > 0)
                     .Where(m => !m.Name.StartsWith("Fixes_", StringComparison.Ordinal) && !m.Name.StartsWith("NoFix_", StringComparison.Ordinal))
                     .OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            var rows = method.GetCustomAttributes(typeof(Xunit.Sdk.DataAttribute), inherit: true)
                .Cast<Xunit.Sdk.DataAttribute>()
                .SelectMany(a => a.GetData(method))
                .DefaultIfEmpty(Array.Empty<object?>())
                .ToList();
            foreach (var row in rows)
            {
                Collected.Value = cases;
                CurrentTest.Value = testClass.Name + "." + method.Name;
                try
                {
                    var instance = Activator.CreateInstance(testClass);
                    var parameters = method.GetParameters();
                    var arguments = parameters.Select((p, i) => i < row.Length ? row[i] : p.DefaultValue).ToArray();
                    if (method.Invoke(instance, arguments) is Task task)
                        await task;
                }
                finally
                {
                    Collected.Value = null;
                    CurrentTest.Value = null;
                }
            }
        }

        return cases;
    }
}
