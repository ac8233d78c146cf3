using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Editing;

/// <summary>Names for the locals fixes introduce: never one the enclosing member already declares or that binds where it goes (the one naming helper every fixer uses).</summary>
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
    /// <paramref name="stem"/>, or <c>stem2</c>, <c>stem3</c>…: the first name not in <paramref name="declared"/> and not
    /// bound at <paramref name="at"/>. The name is added to <paramref name="declared"/>, so the next call picks another.
    /// </summary>
    public static string Unique(string stem, SyntaxNode at, SemanticModel model, HashSet<string> declared)
    {
        for (var i = 1; ; i++)
        {
            var candidate = i == 1 ? stem : stem + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!declared.Contains(candidate) && model.LookupSymbols(at.SpanStart, name: candidate).IsEmpty)
            {
                declared.Add(candidate);
                return candidate;
            }
        }
    }
}
