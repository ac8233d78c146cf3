namespace LeakAnalyzers.Helpers;

/// <summary>Names of symbols built from their containers, for options and messages (never <c>ToDisplayString</c>, which depends on display settings).</summary>
internal static class SymbolNames
{
    /// <summary><c>Namespace.Outer.Type</c>: the form users write in options, without type arguments or arity.</summary>
    public static string QualifiedName(ISymbol symbol)
    {
        var parts = new Stack<string>();
        for (ISymbol? current = symbol; current is not null; current = current.ContainingSymbol)
        {
            if (current is INamespaceSymbol { IsGlobalNamespace: true } || current is IModuleSymbol or IAssemblySymbol)
                break;
            parts.Push(current.Name);
        }

        return string.Join(".", parts);
    }

    /// <summary>True when <paramref name="symbol"/> is declared in namespace <paramref name="name"/> (<c>System.Threading.Tasks</c>), not in a nested one.</summary>
    public static bool IsInNamespace(ISymbol symbol, string name) =>
        symbol.ContainingNamespace is { } ns && QualifiedName(ns) == name;

    /// <summary>True when <paramref name="symbol"/>'s namespace is <paramref name="prefix"/> or one nested in it.</summary>
    public static bool IsUnderNamespace(ISymbol symbol, string prefix)
    {
        for (var ns = symbol.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
        {
            if (QualifiedName(ns) == prefix)
                return true;
        }

        return false;
    }

    /// <summary>
    /// The symbol as a diagnostic message shows it (<c>IRepository&lt;Order&gt;</c>): for the reader only, never compared.
    /// </summary>
#pragma warning disable RS0030 // Display text for messages is what ToDisplayString is for; no decision reads it.
    public static string ForMessage(ISymbol symbol) => symbol.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
#pragma warning restore RS0030
}
