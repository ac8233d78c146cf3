using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace LeakAnalyzers.Helpers;

/// <summary>Small syntax edits the fixes share: fresh local names, and statements inserted before another one.</summary>
internal static class Statements
{
    /// <summary>
    /// <paramref name="baseName"/>, or baseName2, baseName3… when the name is declared anywhere in the enclosing member
    /// (where it could clash, even inside a lambda), visible at <paramref name="position"/>, or in <paramref name="taken"/>.
    /// </summary>
    public static string UniqueName(SyntaxNode position, string baseName, SemanticModel model, CancellationToken cancellationToken, ICollection<string>? taken = null)
    {
        var scope = (SyntaxNode?)position.FirstAncestorOrSelf<MemberDeclarationSyntax>(m => m is not GlobalStatementSyntax)
            ?? position.SyntaxTree.GetRoot(cancellationToken);
        var declared = new HashSet<string>(scope.DescendantNodes().Select(n => n switch
        {
            VariableDeclaratorSyntax v => v.Identifier.ValueText,
            ParameterSyntax p => p.Identifier.ValueText,
            SingleVariableDesignationSyntax d => d.Identifier.ValueText,
            ForEachStatementSyntax f => f.Identifier.ValueText,
            CatchDeclarationSyntax c => c.Identifier.ValueText,
            LocalFunctionStatementSyntax l => l.Identifier.ValueText,
            _ => null,
        }).OfType<string>(), StringComparer.Ordinal);
        for (var i = 1; ; i++)
        {
            var candidate = i == 1 ? baseName : baseName + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!declared.Contains(candidate) && taken?.Contains(candidate) != true
                && model.LookupSymbols(position.SpanStart, name: candidate).IsEmpty)
            {
                return candidate;
            }
        }
    }

    /// <summary>
    /// Inserts <paramref name="inserted"/> just before <paramref name="statement"/> (a statement in a block, or top-level
    /// code). The first inserted statement takes the statement's comments; the statement keeps its indentation.
    /// </summary>
    public static SyntaxNode InsertBefore(SyntaxNode root, StatementSyntax statement, IReadOnlyList<StatementSyntax> inserted)
    {
        var leading = statement.GetLeadingTrivia();
        var indentation = TriviaList(leading.Reverse().TakeWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).Reverse());
        var newLine = statement.GetTrailingTrivia().LastOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
        var endOfLine = newLine.IsKind(SyntaxKind.EndOfLineTrivia) ? newLine : ElasticLineFeed;
        var placed = inserted
            .Select((s, i) => s.WithLeadingTrivia(i == 0 ? leading : indentation).WithTrailingTrivia(endOfLine))
            .Append(statement.WithLeadingTrivia(indentation))
            .ToList();
        return statement.Parent is GlobalStatementSyntax global
            ? root.ReplaceNode(global, placed.Select(s => (SyntaxNode)global.WithStatement(s)))
            : root.ReplaceNode(statement, placed);
    }

    /// <summary>True when a statement can be put before <paramref name="statement"/>: it sits in a block or in top-level code.</summary>
    public static bool CanInsertBefore(StatementSyntax statement) =>
        statement.Parent is BlockSyntax or GlobalStatementSyntax;

    /// <summary><c>var name = value;</c>, spaced by hand so that the user's expression is not reformatted.</summary>
    public static LocalDeclarationStatementSyntax VarDeclaration(string name, ExpressionSyntax value) =>
        LocalDeclarationStatement(default, default, default, VariableDeclaration(IdentifierName(Identifier(TriviaList(), "var", TriviaList(Space))),
            SingletonSeparatedList(VariableDeclarator(Identifier(TriviaList(), name, TriviaList(Space)))
                .WithInitializer(EqualsValueClause(Token(TriviaList(), SyntaxKind.EqualsToken, TriviaList(Space)), value.WithoutTrivia())))),
            Token(TriviaList(), SyntaxKind.SemicolonToken, TriviaList()));
}
