using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Xunit;

namespace LeakAnalyzers.Tests.Robustness;

/// <summary>The same compilation, analyzed twice at the same time, yields the same diagnostics (no shared mutable state).</summary>
public sealed class DeterminismTests
{
    [Fact]
    public async Task ConcurrentAnalyses_ReportIdenticalDiagnostics()
    {
        var sources = Corpus.SampleSources().Concat(Corpus.Pathological()).Concat(Corpus.TestSources().Take(120))
            .Select((s, i) => ($"/corpus/{i}-{Path.GetFileName(s.Name)}", s.Text));
        var compilation = await AllAnalyzers.CompileAsync(sources);

        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => AllAnalyzers.AnalyzeAsync(compilation))));
        var again = await AllAnalyzers.AnalyzeAsync(compilation.Clone());

        var first = Render(runs[0]);
        Assert.Contains(first, line => line.Contains(": LEAK", StringComparison.Ordinal));
        foreach (var run in runs.Skip(1).Append(again))
        {
            var other = Render(run);
            Assert.True(first.SequenceEqual(other), "runs differ:\nonly in the first:\n" + string.Join("\n", first.Except(other))
                + "\nonly in another:\n" + string.Join("\n", other.Except(first)));
        }
    }

    private static ImmutableArray<string> Render(ImmutableArray<Diagnostic> diagnostics) => diagnostics
        .Where(d => d.Id.StartsWith("LEAK", StringComparison.Ordinal) || d.Id == "AD0001")
        .Select(d => $"{d.Location.GetLineSpan()}: {d.Id} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)} [{string.Join(";", d.AdditionalLocations.Select(l => l.GetLineSpan().ToString()))}]")
        .Order(StringComparer.Ordinal)
        .ToImmutableArray();
}
