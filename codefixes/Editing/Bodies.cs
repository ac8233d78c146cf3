using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace LeakAnalyzers.Editing;

/// <summary>
/// Expression bodies that become block bodies, when a fix must put a statement before the body's expression
/// (<c>M() =&gt; expr;</c> → <c>M() { …; return expr; }</c>): methods, constructors, operators, local functions,
/// accessors, properties and indexers (a getter), lambdas and anonymous methods.
/// </summary>
internal static class Bodies
{
    /// <summary>The expression of <paramref name="function"/>'s expression body; null when it has a block body or is not a function.</summary>
    public static ExpressionSyntax? ExpressionOf(SyntaxNode function) => function switch
    {
        AnonymousFunctionExpressionSyntax lambda => lambda.ExpressionBody,
        BaseMethodDeclarationSyntax method => method.ExpressionBody?.Expression,
        LocalFunctionStatementSyntax local => local.ExpressionBody?.Expression,
        AccessorDeclarationSyntax accessor => accessor.ExpressionBody?.Expression,
        PropertyDeclarationSyntax property => property.ExpressionBody?.Expression,
        IndexerDeclarationSyntax indexer => indexer.ExpressionBody?.Expression,
        _ => null,
    };

    /// <summary>
    /// <paramref name="function"/> with <paramref name="block"/> in place of its expression body (a property or indexer
    /// gets a getter with it). The block takes over the trailing trivia of the semicolon (of the expression, for a
    /// lambda), so the line break after the function stays where it was. <paramref name="function"/> unchanged when it
    /// has no expression body.
    /// </summary>
    public static SyntaxNode WithBlockBody(SyntaxNode function, BlockSyntax block) => function switch
    {
        AnonymousFunctionExpressionSyntax { ExpressionBody: { } expression } lambda =>
            lambda.WithExpressionBody(null).WithBlock(block.WithTrailingTrivia(expression.GetTrailingTrivia())),
        BaseMethodDeclarationSyntax { ExpressionBody: not null } method =>
            method.WithExpressionBody(null).WithSemicolonToken(default).WithBody(block.WithTrailingTrivia(method.SemicolonToken.TrailingTrivia)),
        LocalFunctionStatementSyntax { ExpressionBody: not null } local =>
            local.WithExpressionBody(null).WithSemicolonToken(default).WithBody(block.WithTrailingTrivia(local.SemicolonToken.TrailingTrivia)),
        AccessorDeclarationSyntax { ExpressionBody: not null } accessor =>
            accessor.WithExpressionBody(null).WithSemicolonToken(default).WithBody(block.WithTrailingTrivia(accessor.SemicolonToken.TrailingTrivia)),
        PropertyDeclarationSyntax { ExpressionBody: not null } property =>
            property.WithExpressionBody(null).WithSemicolonToken(default).WithAccessorList(Getter(block).WithTrailingTrivia(property.SemicolonToken.TrailingTrivia)),
        IndexerDeclarationSyntax { ExpressionBody: not null } indexer =>
            indexer.WithExpressionBody(null).WithSemicolonToken(default).WithAccessorList(Getter(block).WithTrailingTrivia(indexer.SemicolonToken.TrailingTrivia)),
        _ => function,
    };

    private static AccessorListSyntax Getter(BlockSyntax block) =>
        AccessorList(SingletonList(AccessorDeclaration(SyntaxKind.GetAccessorDeclaration, block))).WithAdditionalAnnotations(Formatter.Annotation);
}
