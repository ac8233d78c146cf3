using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LeakAnalyzers.Bench;

/// <summary>A set of analyzers measured together, and the diagnostic IDs it is measured for.</summary>
internal sealed record AnalyzerSet(string Name, ImmutableArray<DiagnosticAnalyzer> Analyzers, ImmutableArray<string> Ids, string Version);

/// <summary>
/// The peers that cover LEAK004's ground, loaded from their NuGet packages (paths baked in by the csproj) the way the
/// compiler loads analyzer references: IDisposableAnalyzers' IDISP001/IDISP004 and NetAnalyzers' CA2000.
/// </summary>
internal static class Peers
{
    public static AnalyzerSet IDisposableAnalyzers() =>
        Load("IDisposableAnalyzers", "IDisposableAnalyzers", "IDISP001", "IDISP004");

    public static AnalyzerSet NetAnalyzersCA2000() =>
        Load("Microsoft.CodeAnalysis.NetAnalyzers", "NetAnalyzers", "CA2000");

    private static AnalyzerSet Load(string package, string shortName, params string[] ids)
    {
        var path = typeof(Peers).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "Peer:" + package).Value!;
        if (!File.Exists(path))
            throw new FileNotFoundException($"{package}: no analyzer assembly at {path} (restore the bench project)", path);

        var reference = new AnalyzerFileReference(path, Loader.Instance);
        var failures = new List<string>();
        reference.AnalyzerLoadFailed += (_, e) => failures.Add($"{e.TypeName}: {e.Message}");
        var analyzers = reference.GetAnalyzers(LanguageNames.CSharp)
            .Where(a => a.SupportedDiagnostics.Any(d => ids.Contains(d.Id, StringComparer.Ordinal)))
            .OrderBy(a => a.GetType().Name, StringComparer.Ordinal)
            .ToImmutableArray();
        if (analyzers.IsEmpty)
            throw new InvalidOperationException($"{package}: no analyzer supports {string.Join("/", ids)}; load failures: {string.Join("; ", failures)}");

        var version = AssemblyName.GetAssemblyName(path).Version;
        var informational = analyzers[0].GetType().Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var shown = (informational ?? version?.ToString() ?? "?").Split('+')[0];
        return new AnalyzerSet($"{string.Join("+", ids)} ({shortName} {shown.Split('-')[0]})", analyzers, ids.ToImmutableArray(), shown);
    }

    /// <summary>Loads analyzer assemblies into the default context: Roslyn and its dependencies unify with the bench's own.</summary>
    private sealed class Loader : IAnalyzerAssemblyLoader
    {
        public static readonly Loader Instance = new();

        public void AddDependencyLocation(string fullPath)
        {
        }

        public Assembly LoadFromPath(string fullPath) => Assembly.LoadFrom(fullPath);
    }
}
