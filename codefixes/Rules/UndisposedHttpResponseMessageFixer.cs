using System.Composition;
using LeakAnalyzers.Helpers;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK004 fix "Dispose the response with using": a declaration becomes a <c>using</c> declaration (a <c>using</c>
/// statement over the rest of the block below C# 8) and loses its now-redundant straight-line <c>Dispose()</c> calls;
/// a discarded response gets a <c>using var</c> local; a response used inside a larger expression
/// (<c>(await c.GetAsync(u)).Content…</c>, <c>.Result.Content…</c>) is lifted into a <c>using</c> local before the statement.
/// Not offered when the rewrite could change behaviour: a local written again, a conditionally evaluated producer,
/// work before it in the statement, or a task that uses the response after the statement ends.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UndisposedHttpResponseMessageFixer)), Shared]
public sealed class UndisposedHttpResponseMessageFixer : CodeFixProvider
{
    internal const string Title = "Dispose the response with using";
    private const string DefaultName = "response";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(Descriptors.UndisposedHttpResponseMessage.Id);

    public override FixAllProvider GetFixAllProvider() => SequentialFixAll.Create(FixAsync);

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span, getInnermostNodeForTie: true) is not ExpressionSyntax producer)
            return;
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (model is null || Plan(producer, model, context.CancellationToken) is null)
            return;                                       // validate everything before registering
        context.RegisterCodeFix(
            CodeAction.Create(Title, ct => FixAsync(context.Document, producer, ct), equivalenceKey: Title),
            context.Diagnostics);
    }

    private static async Task<Document> FixAsync(Document document, SyntaxNode node, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null || node is not ExpressionSyntax producer || Plan(producer, model, cancellationToken) is not { } apply)
            return document;
        return document.WithSyntaxRoot(apply(root));
    }

    /// <summary>Decides the rewrite for <paramref name="producer"/>, or null when no safe one exists.</summary>
    private static Func<SyntaxNode, SyntaxNode>? Plan(ExpressionSyntax producer, SemanticModel model, CancellationToken cancellationToken)
    {
        var modern = ((CSharpParseOptions)producer.SyntaxTree.Options).LanguageVersion >= LanguageVersion.CSharp8;
        var value = ValueOf(producer);

        if (value.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator }
            && declarator.Parent is VariableDeclarationSyntax { Variables.Count: 1 } declaration
            && declaration.Parent is LocalDeclarationStatementSyntax statement)
        {
            return PlanDeclaration(statement, declarator, model, modern, cancellationToken);
        }

        if (value.Parent is ExpressionStatementSyntax discarded)
            return PlanDiscarded(discarded, value, model, modern, cancellationToken);
        if (value.Parent is AssignmentExpressionSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: "_" } } discard
            && discard.Right == value
            && discard.Parent is ExpressionStatementSyntax discardStatement
            && model.GetSymbolInfo(discard.Left, cancellationToken).Symbol is null or IDiscardSymbol)
        {
            return PlanDiscarded(discardStatement, value, model, modern, cancellationToken);
        }

        // Only a response read inside a larger expression is lifted; one assigned elsewhere keeps its diagnostic.
        return value.Parent is MemberAccessExpressionSyntax { Expression: var receiver } && receiver == value
            || value.Parent is ConditionalAccessExpressionSyntax { Expression: var conditional } && conditional == value
            || value.Parent is ArgumentSyntax
            || value.Parent is ArrowExpressionClauseSyntax || value.Parent is LambdaExpressionSyntax { ExpressionBody: var body } && body == value
            ? PlanLift(producer, value, model, modern, cancellationToken)
            : null;
    }

    /// <summary>Walks up from the producer through what passes the same response on: parentheses, casts, <c>!</c>, conditionals, <c>??</c>, <c>EnsureSuccessStatusCode()</c>.</summary>
    private static ExpressionSyntax ValueOf(ExpressionSyntax producer)
    {
        var value = producer;
        while (true)
        {
            switch (value.Parent)
            {
                case ParenthesizedExpressionSyntax or CastExpressionSyntax or PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression }:
                case ConditionalExpressionSyntax conditional when conditional.Condition != value:
                case BinaryExpressionSyntax { RawKind: (int)SyntaxKind.CoalesceExpression }:
                    value = (ExpressionSyntax)value.Parent;
                    continue;
                case MemberAccessExpressionSyntax { Name.Identifier.ValueText: "EnsureSuccessStatusCode", Parent: InvocationExpressionSyntax { ArgumentList.Arguments.Count: 0 } call } access
                    when access.Expression == value:
                    value = call;
                    continue;
                default:
                    return value;
            }
        }
    }

    private static Func<SyntaxNode, SyntaxNode>? PlanDeclaration(LocalDeclarationStatementSyntax statement, VariableDeclaratorSyntax declarator,
        SemanticModel model, bool modern, CancellationToken cancellationToken)
    {
        if (statement.UsingKeyword != default || statement.IsConst || !CanHoldUsing(statement, modern)
            || model.GetDeclaredSymbol(declarator, cancellationToken) is not ILocalSymbol local
            || IsWrittenAgain(local, statement.Parent!, declarator, model, cancellationToken))
        {
            return null;
        }

        // Straight-line Dispose() calls on the local in the same block are redundant once `using` owns it.
        var redundant = StatementsOf(statement.Parent!).SkipWhile(s => s != statement).Skip(1).Where(s => IsDisposeOf(s, local.Name)).ToList();
        return root =>
        {
            if (!modern)
                return WrapRest(root, statement, statement.Declaration.WithoutTrivia(), includeAnchor: false, redundant);
            var withUsing = statement
                .WithoutLeadingTrivia()
                .WithUsingKeyword(Token(statement.GetLeadingTrivia(), SyntaxKind.UsingKeyword, TriviaList(Space)));
            var edited = root.TrackNodes(redundant.Prepend<SyntaxNode>(statement));
            foreach (var dispose in redundant)
            {
                var current = edited.GetCurrentNode(dispose)!;
                var keep = current.GetLeadingTrivia().Any(t => t.IsKind(SyntaxKind.SingleLineCommentTrivia) || t.IsKind(SyntaxKind.MultiLineCommentTrivia));
                edited = edited.RemoveNode(current, keep ? SyntaxRemoveOptions.KeepLeadingTrivia : SyntaxRemoveOptions.KeepNoTrivia)!;
            }

            return edited.ReplaceNode(edited.GetCurrentNode(statement)!, withUsing);
        };
    }

    private static Func<SyntaxNode, SyntaxNode>? PlanDiscarded(ExpressionStatementSyntax statement, ExpressionSyntax value, SemanticModel model, bool modern, CancellationToken cancellationToken)
    {
        if (!CanHoldUsing(statement, modern))
            return null;
        var name = UniqueName(statement, model, cancellationToken);
        var expression = Unwrap(value is AssignmentExpressionSyntax assignment ? assignment.Right : value);
        return root => modern
            ? root.ReplaceNode(statement, UsingVar(name, expression).WithTriviaFrom(statement))
            : WrapRest(root, statement, Declaration(name, expression), includeAnchor: false, Array.Empty<StatementSyntax>());
    }

    /// <summary>
    /// Lifts a producer used inside a larger expression into a <c>using</c> local declared just before its statement;
    /// in an expression-bodied method, local function or lambda, the body becomes a block first.
    /// </summary>
    private static Func<SyntaxNode, SyntaxNode>? PlanLift(ExpressionSyntax producer, ExpressionSyntax value, SemanticModel model, bool modern, CancellationToken cancellationToken)
    {
        var target = producer.Parent is ParenthesizedExpressionSyntax parenthesized ? (ExpressionSyntax)parenthesized : producer;
        var scope = target.Ancestors().FirstOrDefault(a => a is StatementSyntax || ExpressionBodyOf(a) is not null);
        if (scope is null
            || !IsEvaluatedFirstAndOnce(target, scope)
            || UsesResponseAfterStatement(target, scope, model, cancellationToken))
        {
            return null;
        }

        if (scope is StatementSyntax statement)
        {
            if (!IsLiftable(statement, target) || !CanHoldUsing(statement, modern))
                return null;
            var name = UniqueName(statement, model, cancellationToken);
            return root => LiftBefore(root, statement, target, producer, name, modern);
        }

        if (ReturnsValue(scope, model, cancellationToken) is not { } returnsValue)
            return null;
        var bodyName = UniqueName(scope, model, cancellationToken);
        if (ExpressionBodyOf(scope) == value)
        {
            // `=> producer` whose value nobody uses: `{ using var response = producer; }`.
            var expression = Unwrap(value).WithoutTrivia();
            StatementSyntax owned = modern ? UsingVar(bodyName, expression) : UsingStatement(Declaration(bodyName, expression), null, Block());
            return returnsValue ? null : root => root.ReplaceNode(scope, WithBlockBody(scope, Block(owned).WithAdditionalAnnotations(Formatter.Annotation)));
        }

        return root =>
        {
            // `=> expression` becomes `{ return expression; }` (or `{ expression; }`), then the producer is lifted in it.
            var body = ExpressionBodyOf(scope)!;
            var annotation = new SyntaxAnnotation();
            var annotatedTarget = target.WithAdditionalAnnotations(annotation);
            var expression = body.ReplaceNode(target, annotatedTarget).WithoutTrivia();
            StatementSyntax only = returnsValue ? ReturnStatement(expression) : ExpressionStatement(expression);
            var block = Block(only).WithAdditionalAnnotations(Formatter.Annotation);
            var withBlock = root.ReplaceNode(scope, WithBlockBody(scope, block));
            var newTarget = (ExpressionSyntax)withBlock.GetAnnotatedNodes(annotation).Single();
            var newStatement = newTarget.FirstAncestorOrSelf<StatementSyntax>()!;
            var newProducer = newTarget is ParenthesizedExpressionSyntax wrapped && target != producer ? wrapped.Expression : newTarget;
            return LiftBefore(withBlock, newStatement, newTarget, newProducer, bodyName, modern);
        };
    }

    private static SyntaxNode LiftBefore(SyntaxNode root, StatementSyntax statement, ExpressionSyntax target, ExpressionSyntax producer, string name, bool modern)
    {
        var tracked = root.TrackNodes(statement, target);
        tracked = tracked.ReplaceNode(tracked.GetCurrentNode(target)!, IdentifierName(name).WithTriviaFrom(target));
        var current = tracked.GetCurrentNode(statement)!;
        if (!modern)
            return WrapRest(tracked, current, Declaration(name, producer), includeAnchor: true, Array.Empty<StatementSyntax>());

        return Statements.InsertBefore(tracked, current, new StatementSyntax[] { UsingVar(name, producer) });
    }

    /// <summary>The expression body of a method, local function or lambda (not of properties: their getters rarely await).</summary>
    private static ExpressionSyntax? ExpressionBodyOf(SyntaxNode node) => node switch
    {
        MethodDeclarationSyntax { ExpressionBody: { } arrow } => arrow.Expression,
        LocalFunctionStatementSyntax { ExpressionBody: { } arrow } => arrow.Expression,
        LambdaExpressionSyntax { ExpressionBody: { } expression } => expression,
        _ => null,
    };

    /// <summary>Replaces the expression body with <paramref name="block"/>; the block's closing brace takes over the semicolon's trailing trivia.</summary>
    private static SyntaxNode WithBlockBody(SyntaxNode function, BlockSyntax block) => function switch
    {
        MethodDeclarationSyntax method => method.WithExpressionBody(null).WithSemicolonToken(default)
            .WithBody(block.WithCloseBraceToken(block.CloseBraceToken.WithTrailingTrivia(method.SemicolonToken.TrailingTrivia))),
        LocalFunctionStatementSyntax local => local.WithExpressionBody(null).WithSemicolonToken(default)
            .WithBody(block.WithCloseBraceToken(block.CloseBraceToken.WithTrailingTrivia(local.SemicolonToken.TrailingTrivia))),
        LambdaExpressionSyntax lambda => lambda.WithExpressionBody(null).WithBlock(block),
        _ => function,
    };

    /// <summary>Whether the function's body expression is its return value (null when the function cannot be bound).</summary>
    private static bool? ReturnsValue(SyntaxNode function, SemanticModel model, CancellationToken cancellationToken)
    {
        var method = function is LambdaExpressionSyntax lambda
            ? model.GetSymbolInfo(lambda, cancellationToken).Symbol as IMethodSymbol
            : model.GetDeclaredSymbol(function, cancellationToken) as IMethodSymbol;
        if (method is null)
            return null;
        if (method.ReturnsVoid)
            return false;
        return !(method.IsAsync && method.ReturnType is INamedTypeSymbol { IsGenericType: false } returned && IsAwaitable(returned));
    }

    private static bool IsLiftable(StatementSyntax statement, ExpressionSyntax target) => statement switch
    {
        ExpressionStatementSyntax or ReturnStatementSyntax or ThrowStatementSyntax => true,
        LocalDeclarationStatementSyntax declaration => declaration.UsingKeyword == default,
        IfStatementSyntax ifStatement => ifStatement.Condition.Span.Contains(target.Span),
        SwitchStatementSyntax switchStatement => switchStatement.Expression.Span.Contains(target.Span),
        ForEachStatementSyntax forEach => forEach.Expression.Span.Contains(target.Span),
        _ => false,                                       // loop conditions run more than once
    };

    /// <summary><c>using var name = value;</c>, spaced by hand so that the user's expression is not reformatted.</summary>
    private static LocalDeclarationStatementSyntax UsingVar(string name, ExpressionSyntax value) =>
        Statements.VarDeclaration(name, value).WithUsingKeyword(Token(TriviaList(), SyntaxKind.UsingKeyword, TriviaList(Space)));

    private static VariableDeclarationSyntax Declaration(string name, ExpressionSyntax value) => Statements.VarDeclaration(name, value).Declaration;

    /// <summary>
    /// Below C# 8: <c>using (resource) { … }</c> over the rest of the block, starting at <paramref name="anchor"/> when
    /// <paramref name="includeAnchor"/>, after it otherwise; the formatter re-indents the moved statements.
    /// </summary>
    private static SyntaxNode WrapRest(SyntaxNode root, StatementSyntax anchor, VariableDeclarationSyntax resource, bool includeAnchor, IReadOnlyCollection<StatementSyntax> remove)
    {
        var block = (BlockSyntax)anchor.Parent!;
        var index = block.Statements.IndexOf(anchor);
        var body = block.Statements.Skip(includeAnchor ? index : index + 1).Where(s => !remove.Contains(s));
        var usingStatement = UsingStatement(resource, null, Block(body))
            .WithLeadingTrivia(anchor.GetLeadingTrivia())
            .WithAdditionalAnnotations(Formatter.Annotation);
        return root.ReplaceNode(block, block.WithStatements(List(block.Statements.Take(index).Append(usingStatement))));
    }

    private static ExpressionSyntax Unwrap(ExpressionSyntax expression) =>
        expression is ParenthesizedExpressionSyntax parenthesized ? Unwrap(parenthesized.Expression) : expression;

    /// <summary>A <c>using</c> declaration needs a block (or top-level code); the C# 7.3 statement form needs a block with nothing that jumps in.</summary>
    private static bool CanHoldUsing(StatementSyntax statement, bool modern)
    {
        if (statement.Parent is GlobalStatementSyntax)
            return modern;
        if (statement.Parent is not BlockSyntax block)
            return false;
        if (block.DescendantNodes().Any(n => n is LabeledStatementSyntax or GotoStatementSyntax))
            return false;                                 // a goto may not jump over a using declaration (CS8648)
        return modern || !block.Statements.SkipWhile(s => s != statement).Any(s => s is LocalFunctionStatementSyntax);
    }

    /// <summary>The producer runs first in its statement (nothing with side effects before it) and exactly once (not in a branch or a lambda).</summary>
    private static bool IsEvaluatedFirstAndOnce(ExpressionSyntax target, SyntaxNode scope)
    {
        for (SyntaxNode node = target; node.Parent is not null && node.Parent != scope; node = node.Parent)
        {
            switch (node.Parent)
            {
                case AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax:
                case ConditionalExpressionSyntax conditional when conditional.Condition != node:
                case BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalAndExpression or (int)SyntaxKind.LogicalOrExpression or (int)SyntaxKind.CoalesceExpression } binary when binary.Right == node:
                case ConditionalAccessExpressionSyntax access when access.WhenNotNull == node:
                case SwitchExpressionArmSyntax:
                    return false;
            }
        }

        return !scope.DescendantNodes().Any(n => n.Span.End <= target.SpanStart
            && n is InvocationExpressionSyntax or AwaitExpressionSyntax or AssignmentExpressionSyntax or BaseObjectCreationExpressionSyntax
                or PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression }
                or PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression });
    }

    /// <summary>True when a task built from the response leaves the statement un-awaited: disposing at the end of the block would cut it off.</summary>
    private static bool UsesResponseAfterStatement(ExpressionSyntax target, SyntaxNode scope, SemanticModel model, CancellationToken cancellationToken)
    {
        for (var node = target.Parent; node is not null && node != scope; node = node.Parent)
        {
            if (node is not ExpressionSyntax expression || model.GetTypeInfo(expression, cancellationToken).Type is not { } type || !IsAwaitable(type))
                continue;
            var outer = expression.Parent;
            var observed = outer is AwaitExpressionSyntax
                || outer is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Result" or "GetAwaiter" or "ConfigureAwait" or "Wait" } access && access.Expression == expression;
            if (!observed)
                return true;
        }

        return false;
    }

    private static bool IsAwaitable(ITypeSymbol type) =>
        type.Name is "Task" or "ValueTask" && type.ContainingNamespace?.ToDisplayString() == "System.Threading.Tasks";

    private static bool IsWrittenAgain(ILocalSymbol local, SyntaxNode scope, VariableDeclaratorSyntax declarator, SemanticModel model, CancellationToken cancellationToken)
    {
        foreach (var identifier in scope.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (identifier.Identifier.ValueText != local.Name || identifier.SpanStart < declarator.Span.End)
                continue;
            var written = identifier.Parent switch
            {
                AssignmentExpressionSyntax assignment => assignment.Left == identifier,
                ArgumentSyntax argument => !argument.RefKindKeyword.IsKind(SyntaxKind.None),
                PrefixUnaryExpressionSyntax or PostfixUnaryExpressionSyntax => true,
                RefExpressionSyntax => true,
                _ => false,
            };
            if (written && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, local))
                return true;
        }

        return false;
    }

    private static bool IsDisposeOf(StatementSyntax statement, string name) => statement is ExpressionStatementSyntax
    {
        Expression: InvocationExpressionSyntax
        {
            ArgumentList.Arguments.Count: 0,
            Expression: MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: var receiver }, Name.Identifier.ValueText: "Dispose" },
        },
    } && receiver == name
        || statement is ExpressionStatementSyntax
        {
            Expression: ConditionalAccessExpressionSyntax
            {
                Expression: IdentifierNameSyntax { Identifier.ValueText: var conditionalReceiver },
                WhenNotNull: InvocationExpressionSyntax { ArgumentList.Arguments.Count: 0, Expression: MemberBindingExpressionSyntax { Name.Identifier.ValueText: "Dispose" } },
            },
        } && conditionalReceiver == name;

    private static IEnumerable<StatementSyntax> StatementsOf(SyntaxNode container) => container switch
    {
        BlockSyntax block => block.Statements,
        GlobalStatementSyntax { Parent: CompilationUnitSyntax unit } => unit.Members.OfType<GlobalStatementSyntax>().Select(g => g.Statement),
        _ => Enumerable.Empty<StatementSyntax>(),
    };

    /// <summary>"response", or "response2", "response3"… when the name is taken anywhere it could clash.</summary>
    private static string UniqueName(SyntaxNode at, SemanticModel model, CancellationToken cancellationToken) =>
        Naming.Unique(DefaultName, at, model, Naming.DeclaredAround(at, cancellationToken));
}
