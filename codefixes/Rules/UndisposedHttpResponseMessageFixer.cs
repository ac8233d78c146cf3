using System.Composition;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;
using Properties = LeakAnalyzers.Rules.UndisposedHttpResponseMessageAnalyzer.Properties;

namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK004 fix "Dispose the response with using": a declaration becomes a <c>using</c> declaration (a <c>using</c>
/// statement over the rest of the block below C# 8) and loses its now-redundant straight-line <c>Dispose()</c> calls;
/// a discarded response gets a <c>using var</c> local; a response used inside a larger expression
/// (<c>(await c.GetAsync(u)).Content…</c>, <c>.Result.Content…</c>) is lifted into a <c>using</c> local before the statement.
/// The analyzer's decision comes with the diagnostic (<see cref="UndisposedHttpResponseMessageAnalyzer.Properties"/>):
/// the verdict, the expression that carries the response, the local and the statements that dispose it; the fix only
/// checks that its edit applies. Not offered when the rewrite could change behaviour: a local written again, a
/// conditionally evaluated producer, work before it in the statement, or a task that uses the response after the
/// statement ends.
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
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (model is null)
            return;
        foreach (var diagnostic in context.Diagnostics)
        {
            if (await FixTarget.FromAsync(context.Document, diagnostic, context.CancellationToken).ConfigureAwait(false) is not { } target
                || Handover.Read(target) is not { } handover || Plan(handover, model, context.CancellationToken) is null)
            {
                continue;                                 // validate everything before registering
            }

            context.RegisterCodeFix(
                CodeAction.Create(Title, ct => FixAsync(target, ct), equivalenceKey: Title),
                diagnostic);
        }
    }

    private static async Task<Document> FixAsync(FixTarget target, CancellationToken cancellationToken)
    {
        var document = target.Document;
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (model is null || Handover.Read(target) is not { } handover || Plan(handover, model, cancellationToken) is not { } apply)
            return document;
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        apply(editor);
        return editor.GetChangedDocument();
    }

    /// <summary>
    /// The analyzer's decision as nodes of the document: the producer (the diagnostic's location), the expression
    /// that carries the response where its fate was decided, and for a local its declarator and the statements that
    /// dispose it on some path.
    /// </summary>
    private sealed record Handover(ExpressionSyntax Producer, ExpressionSyntax Value, ResponseVerdict Verdict, VariableDeclaratorSyntax? Declarator,
        ImmutableArray<StatementSyntax> Disposals, bool Reassigned)
    {
        public static Handover? Read(FixTarget target)
        {
            var additional = target.Additional;
            if (target.Node is not ExpressionSyntax producer
                || target.Property(Properties.NoFix) == "true"
                || !Enum.TryParse<ResponseVerdict>(target.Property(Properties.Verdict), out var verdict)
                || additional.Length == 0 || additional[0] is not ExpressionSyntax value
                || !value.Span.Contains(producer.Span))
            {
                return null;
            }

            var declarator = additional.Length > 1 ? additional[1] as VariableDeclaratorSyntax : null;
            var disposals = additional.Skip(2).OfType<StatementSyntax>().ToImmutableArray();
            return new Handover(producer, value, verdict, declarator, disposals, target.Property(Properties.Reassigned) == "true");
        }
    }

    /// <summary>Decides the rewrite, or null when no safe one exists.</summary>
    private static Action<DocumentEditor>? Plan(Handover handover, SemanticModel model, CancellationToken cancellationToken)
    {
        var modern = ((CSharpParseOptions)handover.Producer.SyntaxTree.Options).LanguageVersion >= LanguageVersion.CSharp8;
        var value = Outermost(handover.Value);

        if (handover.Declarator is { } declarator)
        {
            return value.Parent is EqualsValueClauseSyntax { Parent: var owner } && owner == declarator
                && declarator.Parent is VariableDeclarationSyntax { Variables.Count: 1 } declaration
                && declaration.Parent is LocalDeclarationStatementSyntax statement
                ? PlanDeclaration(statement, handover, modern)
                : null;                                   // assigned after its declaration: the using would have to move
        }

        if (handover.Verdict == ResponseVerdict.Discarded)
        {
            if (value.Parent is ExpressionStatementSyntax discarded)
                return PlanDiscarded(discarded, value, model, modern, cancellationToken);
            if (value.Parent is AssignmentExpressionSyntax { Parent: ExpressionStatementSyntax discardStatement } discard && discard.Right == value)
                return PlanDiscarded(discardStatement, value, model, modern, cancellationToken);
        }

        // Only a response read inside a larger expression is lifted; one assigned elsewhere keeps its diagnostic.
        return value.Parent is MemberAccessExpressionSyntax { Expression: var receiver } && receiver == value
            || value.Parent is ConditionalAccessExpressionSyntax { Expression: var conditional } && conditional == value
            || value.Parent is ArgumentSyntax
            || value.Parent is ArrowExpressionClauseSyntax || value.Parent is LambdaExpressionSyntax { ExpressionBody: var body } && body == value
            ? PlanLift(handover.Producer, value, model, modern, cancellationToken)
            : null;
    }

    /// <summary>Up through what has no operation of its own: parentheses and <c>!</c>.</summary>
    private static ExpressionSyntax Outermost(ExpressionSyntax value)
    {
        while (value.Parent is ParenthesizedExpressionSyntax or PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression })
            value = (ExpressionSyntax)value.Parent;
        return value;
    }

    private static Action<DocumentEditor>? PlanDeclaration(LocalDeclarationStatementSyntax statement, Handover handover, bool modern)
    {
        if (statement.UsingKeyword != default || statement.IsConst || handover.Reassigned || !CanHoldUsing(statement, modern))
            return null;

        // Straight-line `local.Dispose()` calls in the same statement list are redundant once `using` owns the local.
        var redundant = handover.Disposals.Where(d => d.SpanStart > statement.Span.End && InSameList(d, statement) && IsPlainDispose(d)).ToList();
        return editor =>
        {
            if (!modern)
            {
                WrapRest(editor, statement, statement.Declaration, includeAnchor: false, redundant);
                return;
            }

            foreach (var dispose in redundant)
            {
                var keep = dispose.GetLeadingTrivia().Any(t => t.IsKind(SyntaxKind.SingleLineCommentTrivia) || t.IsKind(SyntaxKind.MultiLineCommentTrivia));
                editor.RemoveNode(dispose, keep ? SyntaxRemoveOptions.KeepLeadingTrivia : SyntaxRemoveOptions.KeepNoTrivia);
            }

            editor.ReplaceNode(statement, statement
                .WithoutLeadingTrivia()
                .WithUsingKeyword(Token(SyntaxKind.UsingKeyword))
                .WithLeadingTrivia(statement.GetLeadingTrivia())
                .WithAdditionalAnnotations(Formatter.Annotation));
        };
    }

    private static Action<DocumentEditor>? PlanDiscarded(ExpressionStatementSyntax statement, ExpressionSyntax value, SemanticModel model, bool modern, CancellationToken cancellationToken)
    {
        if (!CanHoldUsing(statement, modern))
            return null;
        var name = UniqueName(statement, model, cancellationToken);
        var expression = Unwrap(value).WithoutTrivia();
        return editor =>
        {
            if (modern)
                editor.ReplaceNode(statement, UsingVar(editor.Generator, name, expression).WithTriviaFrom(statement).WithAdditionalAnnotations(Formatter.Annotation));
            else
                WrapRest(editor, statement, Declaration(editor.Generator, name, expression), includeAnchor: false, Array.Empty<StatementSyntax>());
        };
    }

    /// <summary>
    /// Lifts a producer used inside a larger expression into a <c>using</c> local declared just before its statement;
    /// in an expression-bodied method, local function or lambda, the body becomes a block holding the local.
    /// </summary>
    private static Action<DocumentEditor>? PlanLift(ExpressionSyntax producer, ExpressionSyntax value, SemanticModel model, bool modern, CancellationToken cancellationToken)
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
            return editor => LiftBefore(editor, statement, target, producer.WithoutTrivia(), name, modern);
        }

        if (ReturnsValue(scope, model, cancellationToken) is not { } returnsValue)
            return null;
        var body = ExpressionBodyOf(scope)!;
        if (body == value && returnsValue)
            return null;
        var bodyName = UniqueName(scope, model, cancellationToken);
        return editor =>
        {
            // `=> producer` whose value nobody uses: `{ using var response = producer; }`; otherwise the producer is
            // lifted out of `=> expression`, which becomes `return expression;` (or `expression;`) in the block.
            var statements = new List<StatementSyntax>();
            if (body != value)
            {
                var expression = body.ReplaceNode(target, IdentifierName(bodyName).WithTriviaFrom(target)).WithoutTrivia();
                statements.Add(returnsValue ? ReturnStatement(expression) : ExpressionStatement(expression));
            }

            var resource = (body == value ? Unwrap(value) : producer).WithoutTrivia();
            var owned = modern
                ? (StatementSyntax)UsingVar(editor.Generator, bodyName, resource)
                : UsingStatement(Declaration(editor.Generator, bodyName, resource), null, Block(statements));
            var block = Block(modern ? statements.Prepend(owned) : new[] { owned })
                .WithOpenBraceToken(Token(SyntaxKind.OpenBraceToken).WithTrailingTrivia(ElasticLineFeed)); // spans lines, even in a lambda
            editor.ReplaceNode(scope, WithBlockBody(scope, block.WithAdditionalAnnotations(Formatter.Annotation)));
        };
    }

    /// <summary>
    /// <c>using var name = producer;</c> before <paramref name="statement"/>, which reads the local instead; the new
    /// statement takes the statement's comments. Below C# 8, a <c>using</c> statement from there to the end of the block.
    /// </summary>
    private static void LiftBefore(DocumentEditor editor, StatementSyntax statement, ExpressionSyntax target, ExpressionSyntax producer, string name, bool modern)
    {
        var rewritten = statement.ReplaceNode(target, IdentifierName(name).WithTriviaFrom(target));
        if (!modern)
        {
            WrapRest(editor, statement, Declaration(editor.Generator, name, producer), includeAnchor: true, Array.Empty<StatementSyntax>(), rewritten);
            return;
        }

        var declaration = UsingVar(editor.Generator, name, producer)
            .WithTriviaFrom(statement)
            .WithAdditionalAnnotations(Formatter.Annotation);
        if (statement.Parent is GlobalStatementSyntax global)
            editor.InsertBefore(global, GlobalStatement(declaration));
        else
            editor.InsertBefore(statement, declaration);
        editor.ReplaceNode(statement, rewritten.WithLeadingTrivia(ElasticMarker).WithAdditionalAnnotations(Formatter.Annotation));
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
        return !(method.IsAsync && method.ReturnType is INamedTypeSymbol { IsGenericType: false } returned
            && KnownTypes.Get(model.Compilation).Threading is { } threading && threading.IsTaskType(returned));
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

    /// <summary><c>using var name = value;</c>: the generator's <c>var</c> declaration with the C#-only <c>using</c> keyword.</summary>
    private static LocalDeclarationStatementSyntax UsingVar(SyntaxGenerator generator, string name, ExpressionSyntax value) =>
        ((LocalDeclarationStatementSyntax)generator.LocalDeclarationStatement(name, value)).WithUsingKeyword(Token(SyntaxKind.UsingKeyword));

    private static VariableDeclarationSyntax Declaration(SyntaxGenerator generator, string name, ExpressionSyntax value) =>
        ((LocalDeclarationStatementSyntax)generator.LocalDeclarationStatement(name, value)).Declaration;

    /// <summary>
    /// Below C# 8: <c>using (resource) { … }</c> over the rest of the block, from <paramref name="anchor"/> (replaced by
    /// <paramref name="rewrittenAnchor"/>) when <paramref name="includeAnchor"/>, after it otherwise, without the
    /// statements in <paramref name="remove"/>; the using statement takes the anchor's comments, the formatter
    /// re-indents what moved.
    /// </summary>
    private static void WrapRest(DocumentEditor editor, StatementSyntax anchor, VariableDeclarationSyntax resource, bool includeAnchor,
        IReadOnlyCollection<StatementSyntax> remove, StatementSyntax? rewrittenAnchor = null)
    {
        var block = (BlockSyntax)anchor.Parent!;
        var index = block.Statements.IndexOf(anchor);
        var body = block.Statements.Skip(index + 1).Where(s => !remove.Contains(s));
        if (includeAnchor)
            body = body.Prepend((rewrittenAnchor ?? anchor).WithLeadingTrivia(ElasticMarker));
        var usingStatement = UsingStatement(resource.WithoutTrivia(), null, Block(body))
            .WithLeadingTrivia(anchor.GetLeadingTrivia())
            .WithAdditionalAnnotations(Formatter.Annotation);
        editor.ReplaceNode(block, block.WithStatements(List(block.Statements.Take(index).Append(usingStatement))));
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

    /// <summary><paramref name="statement"/> and <paramref name="other"/> are in one statement list (a block, or top-level code).</summary>
    private static bool InSameList(StatementSyntax statement, StatementSyntax other) =>
        statement.Parent is BlockSyntax block ? other.Parent == block : statement.Parent is GlobalStatementSyntax && other.Parent is GlobalStatementSyntax;

    /// <summary>
    /// A disposal the analyzer found that is nothing but the call on the local itself (<c>local.Dispose();</c>,
    /// <c>local?.Dispose();</c>): removing it removes nothing else (an alias call such as
    /// <c>local.EnsureSuccessStatusCode().Dispose()</c> would also throw, and stays).
    /// </summary>
    private static bool IsPlainDispose(StatementSyntax statement) => statement is ExpressionStatementSyntax
    {
        Expression: InvocationExpressionSyntax { ArgumentList.Arguments.Count: 0, Expression: MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax } }
            or ConditionalAccessExpressionSyntax
            {
                Expression: IdentifierNameSyntax,
                WhenNotNull: InvocationExpressionSyntax { ArgumentList.Arguments.Count: 0, Expression: MemberBindingExpressionSyntax },
            },
    };

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
        if (KnownTypes.Get(model.Compilation).Threading is not { } threading)
            return false;
        for (var node = target.Parent; node is not null && node != scope; node = node.Parent)
        {
            if (node is not ExpressionSyntax expression || model.GetTypeInfo(expression, cancellationToken).Type is not { } type || !threading.IsTaskType(type.OriginalDefinition))
                continue;
            var outer = expression.Parent;
            var observed = outer is AwaitExpressionSyntax
                || outer is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Result" or "GetAwaiter" or "ConfigureAwait" or "Wait" } access && access.Expression == expression;
            if (!observed)
                return true;
        }

        return false;
    }

    /// <summary>"response", or "response2", "response3"… when the name is taken anywhere it could clash.</summary>
    private static string UniqueName(SyntaxNode at, SemanticModel model, CancellationToken cancellationToken) =>
        Naming.Unique(DefaultName, at, model, Naming.DeclaredAround(at, cancellationToken));
}
