using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace LeakAnalyzers.Editing;

/// <summary>Statements the fixes add: <c>var</c> declarations (names come from <see cref="Naming"/>) put before another statement.</summary>
internal static class Statements
{
    /// <summary>
    /// Records, in <paramref name="editor"/>, <paramref name="inserted"/> just before <paramref name="statement"/> (a
    /// statement in a block, or top-level code: <see cref="CanInsertBefore"/>), indented by the formatter. The comments
    /// above the statement move above the first inserted one, so that they still open the group they introduced. Each
    /// inserted statement ends with the file's line break (the statement's own, else the first in the file): elastic
    /// trivia there would let the formatter treat top-level statements as members and put a blank line between them.
    /// </summary>
    public static void InsertBefore(SyntaxEditor editor, StatementSyntax statement, IReadOnlyList<StatementSyntax> inserted)
    {
        if (inserted.Count == 0)
            return;
        var lineBreak = statement.GetTrailingTrivia().Concat(statement.SyntaxTree.GetRoot().DescendantTrivia())
            .FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) is { RawKind: (int)SyntaxKind.EndOfLineTrivia } fileLineBreak
            ? fileLineBreak
            : ElasticLineFeed;
        var placed = inserted
            .Select((s, i) => (i == 0 ? s.WithLeadingTrivia(statement.GetLeadingTrivia()) : s).WithTrailingTrivia(lineBreak).WithAdditionalAnnotations(Formatter.Annotation))
            .ToList();
        editor.ReplaceNode(statement, static (current, _) => current.WithoutLeadingTrivia());
        if (statement.Parent is GlobalStatementSyntax { Parent: CompilationUnitSyntax unit } global)
        {
            // Inserted as statements of the unit, not through the generator's member insertion, which spaces members apart.
            editor.TrackNode(global);
            editor.ReplaceNode(unit, (current, _) =>
            {
                var members = ((CompilationUnitSyntax)current).Members;
                var index = members.IndexOf((MemberDeclarationSyntax)current.GetCurrentNode(global)!);
                return ((CompilationUnitSyntax)current).WithMembers(members.InsertRange(index, placed.Select(GlobalStatement)));
            });
        }
        else
        {
            editor.InsertBefore(statement, placed);
        }
    }

    /// <summary><c>var name = value;</c>, for <see cref="InsertBefore(SyntaxEditor, StatementSyntax, IReadOnlyList{StatementSyntax})"/>.</summary>
    public static LocalDeclarationStatementSyntax Var(SyntaxGenerator generator, string name, ExpressionSyntax value) =>
        (LocalDeclarationStatementSyntax)generator.LocalDeclarationStatement(name, value.WithoutTrivia());

    /// <summary>True when a statement can be put before <paramref name="statement"/>: it sits in a block or in top-level code.</summary>
    public static bool CanInsertBefore(StatementSyntax statement) =>
        statement.Parent is BlockSyntax or GlobalStatementSyntax;

    /// <summary>
    /// Inserts <paramref name="inserted"/> just before <paramref name="statement"/> (a statement in a block, or top-level
    /// code), copying the statement's indentation by hand. Prefer
    /// <see cref="InsertBefore(SyntaxEditor, StatementSyntax, IReadOnlyList{StatementSyntax})"/>, which lets the formatter
    /// lay the statements out; this one stays while the LEAK004 fixer uses it.
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

    /// <summary>
    /// <c>var name = value;</c>, spaced by hand so that the user's expression is not reformatted. Prefer
    /// <see cref="Var"/> with the formatter; this one stays while the LEAK004 fixer uses it.
    /// </summary>
    public static LocalDeclarationStatementSyntax VarDeclaration(string name, ExpressionSyntax value) =>
        LocalDeclarationStatement(default, default, default, VariableDeclaration(IdentifierName(Identifier(TriviaList(), "var", TriviaList(Space))),
            SingletonSeparatedList(VariableDeclarator(Identifier(TriviaList(), name, TriviaList(Space)))
                .WithInitializer(EqualsValueClause(Token(TriviaList(), SyntaxKind.EqualsToken, TriviaList(Space)), value.WithoutTrivia())))),
            Token(TriviaList(), SyntaxKind.SemicolonToken, TriviaList()));
}
