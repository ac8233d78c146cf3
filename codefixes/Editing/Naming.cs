using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Editing;

/// <summary>
/// Names for what fixes introduce (locals, fields, parameters): never one the code around already uses. The one naming
/// helper every fixer uses; <see cref="Fresh"/> is the one rule (<c>stem</c>, <c>stem2</c>, <c>stem3</c>…).
/// </summary>
internal static class Naming
{
    /// <summary>
    /// Every name declared in the member around <paramref name="at"/> (locals, parameters, pattern, foreach and catch
    /// variables, local functions): a new local may not reuse one even in another scope (CS0136).
    /// </summary>
    public static HashSet<string> DeclaredAround(SyntaxNode at, CancellationToken cancellationToken)
    {
        // Top-level statements share one scope: the whole file, not the single global statement.
        var scope = (SyntaxNode?)at.FirstAncestorOrSelf<MemberDeclarationSyntax>(m => m is not GlobalStatementSyntax) ?? at.SyntaxTree.GetRoot(cancellationToken);
        return new HashSet<string>(scope.DescendantNodes().Select(n => n switch
        {
            VariableDeclaratorSyntax v => v.Identifier.ValueText,
            ParameterSyntax p => p.Identifier.ValueText,
            SingleVariableDesignationSyntax d => d.Identifier.ValueText,
            ForEachStatementSyntax f => f.Identifier.ValueText,
            CatchDeclarationSyntax c => c.Identifier.ValueText,
            LocalFunctionStatementSyntax l => l.Identifier.ValueText,
            _ => null,
        }).OfType<string>(), StringComparer.Ordinal);
    }

    /// <summary>
    /// A local's name: <paramref name="stem"/>, or <c>stem2</c>, <c>stem3</c>…, the first not in
    /// <paramref name="declared"/> (<see cref="DeclaredAround"/>) and not bound at <paramref name="at"/>. The name is
    /// added to <paramref name="declared"/>, so the next call picks another.
    /// </summary>
    public static string Unique(string stem, SyntaxNode at, SemanticModel model, HashSet<string> declared)
    {
        var name = Fresh(stem, candidate => declared.Contains(candidate) || !model.LookupSymbols(at.SpanStart, name: candidate).IsEmpty);
        declared.Add(name);
        return name;
    }

    /// <summary>
    /// A member's or constructor parameter's name in <paramref name="type"/>: <paramref name="stem"/>, or <c>stem2</c>…,
    /// the first that names none of the type's own members and none of <paramref name="alsoTaken"/> (the parameters
    /// already in the list it joins).
    /// </summary>
    public static string Member(string stem, INamedTypeSymbol type, IEnumerable<string> alsoTaken)
    {
        var taken = new HashSet<string>(type.GetMembers().Select(m => m.Name).Concat(alsoTaken), StringComparer.Ordinal);
        return Fresh(stem, taken.Contains);
    }

    /// <summary>
    /// The stem of the names a fix derives from a member's: <c>Cache</c> for <c>Cache</c>, <c>_cache</c>,
    /// <c>s_cache</c>, <c>t_user</c>, <c>m_items</c> (the field prefixes dropped, the first letter upper-case, ready to
    /// follow a word: <c>previousCache</c>, <c>CacheCapacity</c>); <paramref name="fallback"/> when nothing is left.
    /// </summary>
    public static string Stem(string memberName, string fallback)
    {
        var name = memberName;
        if (name.Length > 2 && name[1] == '_' && name[0] is 's' or 'm' or 't')
            name = name.Substring(2);
        name = name.TrimStart('_');
        return name.Length == 0 ? fallback : char.ToUpperInvariant(name[0]) + name.Substring(1);
    }

    /// <summary><paramref name="stem"/>, or <c>stem2</c>, <c>stem3</c>…: the first candidate <paramref name="isTaken"/> refuses.</summary>
    public static string Fresh(string stem, Func<string, bool> isTaken)
    {
        for (var i = 1; ; i++)
        {
            var candidate = i == 1 ? stem : stem + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!isTaken(candidate))
                return candidate;
        }
    }
}
