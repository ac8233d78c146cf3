using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using static LeakAnalyzers.Rules.UnboundedStaticCollectionAnalyzer;

namespace LeakAnalyzers.Rules;

/// <summary>"Bound the collection: clear it when it reaches capacity".</summary>
public sealed partial class UnboundedStaticCollectionFixer
{
    private sealed partial class FieldFix
    {
        /// <summary>
        /// A capacity constant after the field, and <c>if (Cache.Count &gt;= CacheCapacity) Cache.Clear();</c> before each
        /// growth site the analyzer counted. Null when one of them is no longer a growth of the field or cannot be guarded
        /// (the fix would not bound the field).
        /// </summary>
        private async Task<Func<CancellationToken, Task<Solution>>?> PlanBoundAsync(Target target, CancellationToken cancellationToken)
        {
            var guards = new List<(DocumentId Document, SemanticModel Model, ExpressionSyntax Receiver, GuardAnchor Anchor)>();
            foreach (var documentId in target.SiteDocuments)
            {
                if (_solution.GetDocument(documentId) is not { } document
                    || await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not { } root
                    || await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false) is not { } model)
                {
                    return null;
                }

                foreach (var site in root.GetAnnotatedNodes(target.Growth))
                {
                    if (model.GetOperation(site, cancellationToken) is not { } growth
                        || Collections.ReceiverOf(growth) is not IFieldReferenceOperation { Syntax: ExpressionSyntax receiver } reference
                        || !SymbolEqualityComparer.Default.Equals(reference.Field.OriginalDefinition, _field.OriginalDefinition)
                        || GuardAnchor.Find(model, growth, _types, cancellationToken) is not { } anchor)
                    {
                        return null;
                    }

                    guards.Add((documentId, model, receiver, anchor));
                }
            }

            if (guards.Count == 0)
                return null;

            var capacity = UniqueMemberName(Stem + "Capacity");
            var limit = Options.GetInt(_declarator.SyntaxTree, CacheSizeLimitOption, DefaultCacheSizeLimit);
            var accessibility = SiblingAccessibility(guards.Select(g => IsInContainingType(g.Model, g.Receiver)));
            return async cancellationToken =>
            {
                var editor = new SolutionEditor(_solution);
                var declarationEditor = await editor.GetDocumentEditorAsync(_document.Id, cancellationToken).ConfigureAwait(false);
                var generator = declarationEditor.Generator;
                declarationEditor.InsertAfter(Declaration, generator.FieldDeclaration(capacity, generator.TypeExpression(SpecialType.System_Int32),
                    accessibility, DeclarationModifiers.Const, Number(limit)).WithAdditionalAnnotations(Formatter.Annotation));

                foreach (var group in guards.GroupBy(g => g.Document))
                {
                    var documentEditor = await editor.GetDocumentEditorAsync(group.Key, cancellationToken).ConfigureAwait(false);
                    foreach (var anchorGroup in group.GroupBy(g => g.Anchor.Node).OrderBy(g => g.Key.Span.Length))
                    {
                        var (_, model, receiver, anchor) = anchorGroup.First();
                        var collection = receiver.WithoutTrivia();
                        var guard = SyntaxFactory.IfStatement(
                            (ExpressionSyntax)generator.GreaterThanOrEqualExpression(generator.MemberAccessExpression(collection, "Count"), Sibling(generator, model, receiver, capacity)),
                            (StatementSyntax)generator.ExpressionStatement(generator.InvocationExpression(generator.MemberAccessExpression(collection, "Clear"))));
                        anchor.Apply(documentEditor, guard.WithAdditionalAnnotations(Formatter.Annotation));
                    }
                }

                return editor.GetChangedSolution();
            };
        }
    }

    /// <summary>Where the bound fix puts its check: before a statement, or first in a block that replaces an embedded statement or an expression body.</summary>
    private sealed class GuardAnchor
    {
        private readonly AnchorKind _kind;
        private readonly bool _returnsValue;

        private GuardAnchor(AnchorKind kind, SyntaxNode node, bool returnsValue = false)
        {
            _kind = kind;
            Node = node;
            _returnsValue = returnsValue;
        }

        private enum AnchorKind
        {
            Statement,        // a statement in a block, a switch section or top-level code: the check goes before it
            Embedded,         // `if (x) Cache.Add(y);`: Node is the statement the if/else/loop/using/lock runs
            ExpressionBody,   // `void M() => Cache.Add(y);` or `x => Cache.Add(x)`: Node gets a block body
        }

        /// <summary>The node the edit replaces or inserts before.</summary>
        public SyntaxNode Node { get; }

        public static GuardAnchor? Find(SemanticModel model, IOperation growth, KnownTypes types, CancellationToken cancellationToken)
        {
            if (growth is IMethodReferenceOperation)
                return null;                              // a method group runs many times
            for (var node = growth.Syntax; node.Parent is { } parent; node = parent)
            {
                switch (parent)
                {
                    case StatementSyntax statement:
                        if (statement is WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax && EmbeddedOf(statement) != node)
                            return null;                  // a loop condition runs again and again
                        return statement.Parent switch
                        {
                            BlockSyntax or SwitchSectionSyntax or GlobalStatementSyntax => new GuardAnchor(AnchorKind.Statement, statement),
                            { } container when EmbeddedOf(container) == statement => new GuardAnchor(AnchorKind.Embedded, statement),
                            _ => null,                    // a labeled statement
                        };
                    case ArrowExpressionClauseSyntax arrow when arrow.Parent is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AccessorDeclarationSyntax:
                        return model.GetDeclaredSymbol(arrow.Parent, cancellationToken) is IMethodSymbol method
                            ? new GuardAnchor(AnchorKind.ExpressionBody, arrow.Parent, ReturnsValue(method, types))
                            : null;
                    case LambdaExpressionSyntax lambda when lambda.ExpressionBody == node:
                        return model.GetSymbolInfo(lambda, cancellationToken).Symbol is IMethodSymbol function
                            ? new GuardAnchor(AnchorKind.ExpressionBody, lambda, ReturnsValue(function, types))
                            : null;
                    case MemberDeclarationSyntax or ArrowExpressionClauseSyntax:
                        return null;                      // a field initializer, a property's expression body
                }
            }

            return null;
        }

        /// <summary>The statement an if/else/loop/using/lock/fixed runs, or null.</summary>
        private static StatementSyntax? EmbeddedOf(SyntaxNode container) => container switch
        {
            IfStatementSyntax ifStatement => ifStatement.Statement,
            ElseClauseSyntax elseClause => elseClause.Statement,
            WhileStatementSyntax whileStatement => whileStatement.Statement,
            DoStatementSyntax doStatement => doStatement.Statement,
            ForStatementSyntax forStatement => forStatement.Statement,
            CommonForEachStatementSyntax forEach => forEach.Statement,
            UsingStatementSyntax usingStatement => usingStatement.Statement,
            LockStatementSyntax lockStatement => lockStatement.Statement,
            FixedStatementSyntax fixedStatement => fixedStatement.Statement,
            _ => null,
        };

        /// <summary>An expression body becomes <c>return expr;</c> unless the member returns nothing (<c>void</c>, or an <c>async</c> <c>Task</c>/<c>ValueTask</c>).</summary>
        private static bool ReturnsValue(IMethodSymbol method, KnownTypes types) =>
            !method.ReturnsVoid
            && !(method.IsAsync && types.Threading is { } threading
                && (SymbolEqualityComparer.Default.Equals(method.ReturnType, threading.Task) || SymbolEqualityComparer.Default.Equals(method.ReturnType, threading.ValueTask)));

        public void Apply(DocumentEditor editor, StatementSyntax guard)
        {
            switch (_kind)
            {
                case AnchorKind.Statement:
                    if (Node.Parent is GlobalStatementSyntax global)
                        editor.InsertBefore(global, SyntaxFactory.GlobalStatement(guard));
                    else
                        editor.InsertBefore(Node, guard);
                    break;
                case AnchorKind.Embedded:
                    editor.ReplaceNode(Node, (current, _) => FieldFix.Block(guard, ((StatementSyntax)current).WithoutTrailingTrivia())
                        .WithTrailingTrivia(current.GetTrailingTrivia())
                        .WithAdditionalAnnotations(Formatter.Annotation));
                    break;
                default:
                    editor.ReplaceNode(Node, (current, generator) => ToBlockBody(current, guard, generator));
                    break;
            }
        }

        /// <summary><c>M() =&gt; expr;</c> / <c>x =&gt; expr</c> get a block body: the check, then <c>expr;</c> or <c>return expr;</c>.</summary>
        private SyntaxNode ToBlockBody(SyntaxNode current, StatementSyntax guard, SyntaxGenerator generator)
        {
            if (Bodies.ExpressionOf(current) is not { } expression)
                throw new InvalidOperationException("unexpected anchor " + current.Kind());
            var last = _returnsValue ? generator.ReturnStatement(expression.WithoutTrivia()) : generator.ExpressionStatement(expression.WithoutTrivia());
            var body = FieldFix.Block(guard, (StatementSyntax)last).WithAdditionalAnnotations(Formatter.Annotation);
            return Bodies.WithBlockBody(current, body);
        }
    }
}
