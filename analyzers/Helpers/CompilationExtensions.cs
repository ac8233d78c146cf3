namespace LeakAnalyzers.Helpers;

internal static class CompilationExtensions
{
    /// <summary>
    /// Like <see cref="Compilation.GetTypeByMetadataName"/>, but survives a type defined in more than one
    /// reference: prefers the compilation's own definition, then the only accessible one.
    /// </summary>
#pragma warning disable RS0030 // The lookup KnownTypes is built on: the only caller of the compilation's by-name lookups.
    public static INamedTypeSymbol? GetBestTypeByMetadataName(this Compilation compilation, string metadataName)
    {
        if (compilation.GetTypeByMetadataName(metadataName) is { } unique)
            return unique;

        INamedTypeSymbol? best = null;
        foreach (var candidate in compilation.GetTypesByMetadataName(metadataName))
        {
            if (SymbolEqualityComparer.Default.Equals(candidate.ContainingAssembly, compilation.Assembly))
                return candidate;
            if (!compilation.IsSymbolAccessibleWithin(candidate, compilation.Assembly))
                continue;
            if (best is not null)
                return null;                         // ambiguous: better silent than wrong
            best = candidate;
        }

        return best;
    }
#pragma warning restore RS0030
}
