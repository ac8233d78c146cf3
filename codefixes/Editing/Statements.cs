using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace LeakAnalyzers.Editing;

/// <summary>Small syntax edits the fixes share: statements inserted before another one, and <c>var</c> declarations (names come from <see cref="Naming"/>).</summary>
internal static class Statements
{
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
