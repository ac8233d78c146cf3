using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace LeakAnalyzers.Tests.Model;

/// <summary>The operations of a compilation's member bodies, as an analyzer's operation actions see them.</summary>
internal static class MemberOperations
{
    /// <summary>
    /// Every operation of every method, constructor, accessor and property expression body and of every field
    /// and property initializer, with the symbol that owns it (what <c>OperationAnalysisContext.ContainingSymbol</c> reports: the
    /// member, also for code in its lambdas and local functions; the field or property for its initializer).
    /// </summary>
    public static IEnumerable<(IOperation Operation, ISymbol Containing)> All(Compilation compilation)
    {
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                var owner = node switch
                {
                    BaseMethodDeclarationSyntax or AccessorDeclarationSyntax => node,
                    ArrowExpressionClauseSyntax { Parent: PropertyDeclarationSyntax } => node,
                    VariableDeclaratorSyntax { Parent.Parent: FieldDeclarationSyntax, Initializer: { } } declarator => declarator.Initializer,
                    PropertyDeclarationSyntax { Initializer: { } } property => property.Initializer,
                    GlobalStatementSyntax => node,
                    _ => null,
                };
                if (owner is null || model.GetOperation(owner is GlobalStatementSyntax global ? global.Statement : owner) is not { } body)
                    continue;
                var containing = node switch
                {
                    ArrowExpressionClauseSyntax arrow => ((IPropertySymbol)model.GetDeclaredSymbol(arrow.Parent!)!).GetMethod!,
                    GlobalStatementSyntax => model.GetEnclosingSymbol(node.SpanStart)!,
                    _ => model.GetDeclaredSymbol(node)!,
                };
                foreach (var operation in body.DescendantsAndSelf())
                    yield return (operation, containing);
            }
        }
    }
}
