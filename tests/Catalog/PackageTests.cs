using Xunit;

namespace LeakAnalyzers.Tests.Catalog;

/// <summary>The LeakAnalyzersMode presets shipped in the package cover every rule (CI checks them on a consuming build).</summary>
public sealed class PackageTests
{
    [Theory]
    [InlineData("strict", "error")]
    [InlineData("suggestions", "suggestion")]
    [InlineData("none", "none")]
    public void ModePreset_SetsEveryRule(string mode, string severity)
    {
        var path = Path.Combine(CatalogTests.FindRepositoryRoot(), "package", "config", $"LeakAnalyzers.{mode}.globalconfig");
        var lines = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Contains("is_global = true", lines);
        var ids = AllAnalyzers.Descriptors.Select(d => d.Id).Distinct().Order(StringComparer.Ordinal).ToList();
        var expected = ids.Select(id => $"dotnet_diagnostic.{id}.severity = {severity}").ToList();
        Assert.Equal(expected, lines.Where(l => l.StartsWith("dotnet_diagnostic.", StringComparison.Ordinal)).ToList());
    }

    [Fact]
    public void ModeSwitch_IsDocumented()
    {
        var readme = File.ReadAllText(Path.Combine(CatalogTests.FindRepositoryRoot(), "README.md"));
        Assert.Contains("<LeakAnalyzersMode>Strict</LeakAnalyzersMode>", readme, StringComparison.Ordinal);
        Assert.Contains("ErrorLog=", readme, StringComparison.Ordinal);
    }
}
