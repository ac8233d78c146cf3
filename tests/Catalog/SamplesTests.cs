using Xunit;

namespace LeakAnalyzers.Tests.Catalog;

/// <summary>Idiomatic, correct ASP.NET Core code (tests/Samples) must compile and draw no diagnostic from any rule.</summary>
public sealed class SamplesTests
{
    [Fact]
    public async Task CleanSamples_HaveNoDiagnostics()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "Samples");
        var files = Directory.GetFiles(directory, "*.cs", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        var compilation = await AllAnalyzers.CompileAsync(files.Select(f => (f, File.ReadAllText(f))));
        var diagnostics = await AllAnalyzers.AnalyzeAsync(compilation);
        var relevant = diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error || d.Id.StartsWith("LEAK", StringComparison.Ordinal) || d.Id == "AD0001");
        Assert.Empty(relevant.Select(d => d.ToString()));
    }
}
