namespace LeakAnalyzers.Helpers;

internal static class SymbolExtensions
{
    public static bool IsOrInheritsFrom(this ITypeSymbol? type, INamedTypeSymbol? baseType)
    {
        if (baseType is null)
            return false;
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, baseType))
                return true;
        }

        return false;
    }

    public static bool Implements(this ITypeSymbol? type, INamedTypeSymbol? @interface)
    {
        if (type is null || @interface is null)
            return false;
        if (SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, @interface))
            return true;
        foreach (var candidate in type.AllInterfaces)
        {
            if (SymbolEqualityComparer.Default.Equals(candidate.OriginalDefinition, @interface))
                return true;
        }

        return false;
    }

    /// <summary>True for <c>Task&lt;T&gt;</c> or <c>ValueTask&lt;T&gt;</c> whose result is <paramref name="result"/> (or derives from it).</summary>
    public static bool IsTaskOf(this ITypeSymbol? type, INamedTypeSymbol? taskOfT, INamedTypeSymbol? valueTaskOfT, INamedTypeSymbol result) =>
        type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named
        && (SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, taskOfT)
            || SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, valueTaskOfT))
        && named.TypeArguments[0].IsOrInheritsFrom(result);
}
