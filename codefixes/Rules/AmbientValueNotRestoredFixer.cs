using System.Composition;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using static LeakAnalyzers.Rules.AmbientValueNotRestoredAnalyzer;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK005 fixes: the one the analyzer chose for the diagnostic (<see cref="Properties.Fix"/>), applied after checking
/// that the edit fits the code as it is now.
/// <para>"Restore the previous value in finally": <c>var previousX = X;</c> before the assignment and the ambient
/// assignments right next to it (<see cref="Properties.Names"/>), then the rest of the block in
/// <c>try { … } finally { X = previousX; }</c>. A synchronous <c>Task</c>-returning function that sets an
/// <c>AsyncLocal</c> becomes <c>async</c> and awaits the tasks it returned, so the value stays set for the whole
/// operation. Not applied when nothing runs after the assignment, across an <c>await</c> for thread-bound slots, or
/// when the rewrite would not compile.</para>
/// <para>"Register without capturing the execution context" and "Suppress execution context flow around it" for the
/// captures. New code is laid out by the formatter.</para>
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AmbientValueNotRestoredFixer)), Shared]
public sealed class AmbientValueNotRestoredFixer : CodeFixProvider
{
    internal const string Title = "Restore the previous value in finally";
    internal const string UnsafeRegisterTitle = "Register without capturing the execution context";
    internal const string SuppressFlowTitle = "Suppress execution context flow around it";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(Descriptors.AmbientValueNotRestored.Id);

    /// <summary>
    /// Each diagnostic has exactly one action, so Fix All applies every diagnostic's own action whichever one started it
    /// (<c>dotnet format</c> runs a single Fix All per rule).
    /// </summary>
    public override FixAllProvider GetFixAllProvider() =>
        SequentialFixAll.Create((target, cancellationToken) => FixAsync(target.Properties, target.Document, target.Node, cancellationToken));

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (FixOf(diagnostic.Properties) is not { } fix || root?.FindNode(context.Span, getInnermostNodeForTie: true) is not { } node || model is null
            || Plan(fix, diagnostic.Properties, node, model, context.CancellationToken) is null)
        {
            return;                                       // validate everything before registering
        }

        var title = TitleOf(fix);
        context.RegisterCodeFix(
            CodeAction.Create(title, ct => FixAsync(diagnostic.Properties, context.Document, node, ct), equivalenceKey: title),
            context.Diagnostics);
    }

    private static async Task<Document> FixAsync(ImmutableDictionary<string, string?> properties, Document document, SyntaxNode node, CancellationToken cancellationToken)
    {
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (FixOf(properties) is not { } fix || model is null || Plan(fix, properties, node, model, cancellationToken) is not { } apply)
            return document;
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        apply(editor);
        return editor.GetChangedDocument();
    }

    private static FixKind? FixOf(ImmutableDictionary<string, string?> properties) =>
        properties.TryGetValue(Properties.Fix, out var value) && Enum.TryParse<FixKind>(value, out var fix) ? fix : null;

    private static string TitleOf(FixKind fix) => fix switch
    {
        FixKind.UnsafeRegister => UnsafeRegisterTitle,
        FixKind.SuppressFlow => SuppressFlowTitle,
        _ => Title,
    };

    /// <summary>The edit of <paramref name="fix"/> at <paramref name="node"/>, validated against the current document; null when it does not apply.</summary>
    private static Action<DocumentEditor>? Plan(FixKind fix, ImmutableDictionary<string, string?> properties, SyntaxNode node, SemanticModel model, CancellationToken cancellationToken) => fix switch
    {
        FixKind.RestoreInFinally when node is AssignmentExpressionSyntax assignment => PlanRestore(assignment, properties, model, cancellationToken),
        FixKind.UnsafeRegister when node is InvocationExpressionSyntax invocation => PlanUnsafeRegister(invocation),
        FixKind.SuppressFlow when node is ExpressionSyntax capture => PlanSuppressFlow(capture, model),
        _ => null,
    };

    /// <summary>
    /// <c>token.Register(() =&gt; …)</c> becomes <c>token.UnsafeRegister(_ =&gt; …, null)</c>, and
    /// <c>token.Register(callback, state)</c> becomes <c>token.UnsafeRegister(callback, state)</c>.
    /// </summary>
    private static Action<DocumentEditor>? PlanUnsafeRegister(InvocationExpressionSyntax invocation)
    {
        if (invocation.Expression is not MemberAccessExpressionSyntax { Name: IdentifierNameSyntax name } access)
            return null;
        var arguments = invocation.ArgumentList.Arguments;
        var renamed = access.WithName(IdentifierName("UnsafeRegister").WithTriviaFrom(name));
        if (arguments.Count == 2)
            return editor => editor.ReplaceNode(invocation, invocation.WithExpression(renamed));
        if (arguments.Count != 1 || arguments[0].Expression is not ParenthesizedLambdaExpressionSyntax { ParameterList.Parameters.Count: 0 } lambda)
            return null;

        return editor =>
        {
            var discard = SimpleLambdaExpression(lambda.Modifiers, Parameter(Identifier("_")), lambda.ArrowToken, lambda.Block, lambda.ExpressionBody)
                .WithLeadingTrivia(lambda.GetLeadingTrivia());
            var state = (ArgumentSyntax)editor.Generator.Argument(editor.Generator.NullLiteralExpression());
            var list = invocation.ArgumentList.WithArguments(SeparatedList(new[] { arguments[0].WithExpression(discard), state }));
            editor.ReplaceNode(invocation, invocation.WithExpression(renamed).WithArgumentList(list.WithAdditionalAnnotations(Formatter.Annotation)));
        };
    }

    /// <summary>The capturing statement inside <c>using (ExecutionContext.SuppressFlow()) { … }</c>.</summary>
    private static Action<DocumentEditor>? PlanSuppressFlow(ExpressionSyntax capture, SemanticModel model)
    {
        if (capture.FirstAncestorOrSelf<StatementSyntax>() is not ExpressionStatementSyntax { Parent: BlockSyntax } statement
            || statement.DescendantNodes().Any(n => n is AwaitExpressionSyntax)
            || KnownTypes.Get(model.Compilation).Threading?.ExecutionContext is not { } executionContext)
        {
            return null;                                  // a declaration would lose its scope; an await would undo the flow on another thread
        }

        return editor =>
        {
            var generator = editor.Generator;
            var suppress = generator.InvocationExpression(generator.MemberAccessExpression(generator.TypeExpression(executionContext), "SuppressFlow"));
            var (blankLines, own) = SplitBlankLines(statement.GetLeadingTrivia());
            var usingStatement = (UsingStatementSyntax)generator.UsingStatement(suppress, new[] { statement.WithLeadingTrivia(own) });
            usingStatement = usingStatement.WithStatement(OpenLine((BlockSyntax)usingStatement.Statement, statement))
                .WithLeadingTrivia(blankLines)
                .WithTrailingTrivia(statement.GetTrailingTrivia().Where(t => t.IsKind(SyntaxKind.EndOfLineTrivia)).Take(1))
                .WithAdditionalAnnotations(Formatter.Annotation);
            editor.ReplaceNode(statement, usingStatement);
        };
    }

    /// <summary>One ambient assignment statement of the group the fix restores (from the analyzer's <see cref="Properties.Names"/>).</summary>
    private sealed record Member(ExpressionStatementSyntax Statement, ExpressionSyntax Target, string Name, bool Suppress);

    private static Action<DocumentEditor>? PlanRestore(AssignmentExpressionSyntax assignment, ImmutableDictionary<string, string?> properties, SemanticModel model, CancellationToken cancellationToken)
    {
        if (assignment.Parent is not ExpressionStatementSyntax { Parent: BlockSyntax block } statement
            || !properties.TryGetValue(Properties.Kind, out var kindText) || !Enum.TryParse<AmbientKind>(kindText, out var kind)
            || !properties.TryGetValue(Properties.Before, out var beforeText) || !int.TryParse(beforeText, out var before)
            || !properties.TryGetValue(Properties.Names, out var namesText) || namesText?.Split(',') is not { } names
            || !properties.TryGetValue(Properties.Suppress, out var suppressText) || suppressText?.Split(',') is not { } suppress || suppress.Length != names.Length
            || FunctionOf(block) is not { } function
            || BodyOf(function) is not { } body
            || SymbolOf(function, model, cancellationToken) is not { } method)
        {
            return null;
        }

        var asyncLocal = kind == AmbientKind.AsyncLocal;
        if (asyncLocal && method.IsAsync)
            return null;                                  // the runtime restores it for the caller (an earlier fix made the function async)

        // The ambient assignments the analyzer restores together: still assignment statements, next to each other.
        var statements = block.Statements;
        var first = statements.IndexOf(statement) - before;
        var last = first + names.Length - 1;
        if (first < 0 || last >= statements.Count)
            return null;
        var group = new List<Member>();
        for (var i = first; i <= last; i++)
        {
            if (statements[i] is not ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax set } setStatement)
                return null;
            group.Add(new Member(setStatement, set.Left, names[i - first], suppress[i - first] == "true"));
        }

        var rest = statements.Skip(last + 1).ToList();
        if (rest.Count == 0
            || rest[0] is TryStatementSyntax { Finally: { } existing } && group.Any(m => Restores(existing, m))
            || !rest.Any(DoesWork)
            || block.DescendantNodes().Any(n => n is LabeledStatementSyntax or GotoStatementSyntax)
            || rest.OfType<LocalFunctionStatementSyntax>().Any(f => statements.Take(first).Any(s => Mentions(s, f.Identifier.ValueText)))
            || !asyncLocal && rest.Any(s => OwnNodes(s).OfType<AwaitExpressionSyntax>().Any()))
        {
            return null;                                  // nothing to protect, already restored, or the rewrite would change what the code means
        }

        var threading = KnownTypes.Get(model.Compilation).Threading;
        var makeAsync = asyncLocal && threading is not null && IsTaskLike(method.ReturnType, threading)
            ? PlanMakeAsync(body, method, threading, model, cancellationToken)
            : NotAsync;
        if (makeAsync is null)
            return null;

        var declared = Naming.DeclaredAround(block, cancellationToken);
        var saved = group.Select(m => Naming.Unique("previous" + Stem(m.Name), block, model, declared)).ToList();
        return editor =>
        {
            var edited = function.TrackNodes(group.Select(m => (SyntaxNode)m.Statement).Append(block).Concat(makeAsync.Returns.Select(r => r.Statement)));
            edited = AwaitReturns(edited, makeAsync, editor.Generator);
            var currentBlock = edited.GetCurrentNode(block)!;
            var indexes = group.Select(m => currentBlock.Statements.IndexOf(edited.GetCurrentNode(m.Statement)!)).ToList();
            edited = edited.ReplaceNode(currentBlock, Wrap(currentBlock, indexes.Min(), indexes.Max(), group, saved, editor.Generator));
            if (makeAsync.Returns.Count > 0)
                edited = AddAsync(edited);
            editor.ReplaceNode(function, edited);
        };
    }

    /// <summary>
    /// The block with <c>var previousX = X;</c> before the group, the group, and the rest of the block in
    /// <c>try { … } finally { X = previousX; }</c>. The formatter lays out what is new, and re-indents the statements
    /// that move into the <c>try</c> (their continuation lines follow them).
    /// </summary>
    private static BlockSyntax Wrap(BlockSyntax block, int first, int last, List<Member> group, List<string> saved, SyntaxGenerator generator)
    {
        var statements = block.Statements;
        var groupStatements = statements.Skip(first).Take(last - first + 1).ToList();
        var (groupBlankLines, groupOwn) = SplitBlankLines(groupStatements[0].GetLeadingTrivia());
        groupStatements[0] = groupStatements[0].WithLeadingTrivia(groupOwn);
        var saves = group.Select((member, i) => ((StatementSyntax)generator.LocalDeclarationStatement(saved[i], member.Target.WithoutTrivia()))
                .WithLeadingTrivia(i == 0 ? groupBlankLines : default)
                .WithAdditionalAnnotations(Formatter.Annotation));

        var rest = statements.Skip(last + 1).ToList();
        var (restBlankLines, restOwn) = SplitBlankLines(rest[0].GetLeadingTrivia());
        rest[0] = rest[0].WithLeadingTrivia(restOwn);
        var restores = group.Select((member, i) => generator.AssignmentStatement(member.Target.WithoutTrivia(),
            member.Suppress ? PostfixUnaryExpression(SyntaxKind.SuppressNullableWarningExpression, IdentifierName(saved[i])) : generator.IdentifierName(saved[i])));
        var tryStatement = (TryStatementSyntax)generator.TryFinallyStatement(rest, restores);
        tryStatement = tryStatement.WithBlock(OpenLine(tryStatement.Block, rest[0]))
            .WithLeadingTrivia(restBlankLines)
            .WithAdditionalAnnotations(Formatter.Annotation);

        return block.WithStatements(List(statements.Take(first).Concat(saves).Concat(groupStatements).Append(tryStatement)));
    }

    /// <summary>
    /// The new block that <paramref name="first"/> moves into, with a line break after its brace (the statement's own):
    /// the statement starts a line there, so that the formatter moves it from the column it had, continuation lines
    /// included.
    /// </summary>
    private static BlockSyntax OpenLine(BlockSyntax block, StatementSyntax first)
    {
        var lineBreak = first.GetTrailingTrivia().LastOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
        return block.WithOpenBraceToken(block.OpenBraceToken.WithTrailingTrivia(lineBreak.IsKind(SyntaxKind.EndOfLineTrivia) ? lineBreak : ElasticCarriageReturnLineFeed));
    }

    /// <summary>
    /// The blank lines at the top of a statement's leading trivia, and the rest (comments and its own indentation). When
    /// new code takes a statement's place, the blank lines stay above the new code and the comments stay with the
    /// statement; the statement keeps the indentation it had, from which the formatter moves it and its continuation lines.
    /// </summary>
    private static (SyntaxTriviaList BlankLines, SyntaxTriviaList Own) SplitBlankLines(SyntaxTriviaList trivia)
    {
        var split = 0;
        for (var i = 0; i < trivia.Count; i++)
        {
            if (trivia[i].IsKind(SyntaxKind.EndOfLineTrivia))
                split = i + 1;
            else if (!trivia[i].IsKind(SyntaxKind.WhitespaceTrivia))
                break;
        }

        return (TriviaList(trivia.Take(split)), TriviaList(trivia.Skip(split)));
    }

    private static SyntaxNode? FunctionOf(SyntaxNode node) =>
        node.Ancestors().FirstOrDefault(a => a is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax or AccessorDeclarationSyntax);

    private static BlockSyntax? BodyOf(SyntaxNode function) => function switch
    {
        BaseMethodDeclarationSyntax method => method.Body,
        LocalFunctionStatementSyntax local => local.Body,
        AnonymousFunctionExpressionSyntax lambda => lambda.Body as BlockSyntax,
        AccessorDeclarationSyntax accessor => accessor.Body,
        _ => null,
    };

    private static IMethodSymbol? SymbolOf(SyntaxNode function, SemanticModel model, CancellationToken cancellationToken) =>
        function is AnonymousFunctionExpressionSyntax
            ? model.GetSymbolInfo(function, cancellationToken).Symbol as IMethodSymbol
            : model.GetDeclaredSymbol(function, cancellationToken) as IMethodSymbol;

    private static bool Restores(FinallyClauseSyntax clause, Member member) =>
        clause.Block.Statements.OfType<ExpressionStatementSyntax>().Any(s => s.Expression is AssignmentExpressionSyntax assignment
            && AreEquivalent(assignment.Left, member.Target));

    /// <summary>Something after the assignment that can observe the value: a call, a creation, an await.</summary>
    private static bool DoesWork(StatementSyntax statement) =>
        statement.DescendantNodesAndSelf().Any(n => n is InvocationExpressionSyntax or BaseObjectCreationExpressionSyntax or AwaitExpressionSyntax);

    private static bool Mentions(SyntaxNode node, string name) =>
        node.DescendantNodes().OfType<IdentifierNameSyntax>().Any(i => i.Identifier.ValueText == name);

    /// <summary>Nodes of <paramref name="node"/> that belong to the same function (not to nested lambdas or local functions).</summary>
    private static IEnumerable<SyntaxNode> OwnNodes(SyntaxNode node) =>
        node.DescendantNodesAndSelf(n => n == node || n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax));

    /// <summary><c>previousTenant</c> for <c>_tenant</c>, <c>t_user</c>, <c>CurrentTenant</c>…; <see cref="Naming"/> numbers it when taken.</summary>
    private static string Stem(string name)
    {
        foreach (var prefix in new[] { "s_", "t_", "m_", "_" })
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal) && name.Length > prefix.Length)
            {
                name = name.Substring(prefix.Length);
                break;
            }
        }

        if (name.Length > "current".Length && name.StartsWith("current", StringComparison.OrdinalIgnoreCase) && char.IsUpper(name["current".Length]))
            name = name.Substring("current".Length);
        return char.ToUpperInvariant(name[0]) + name.Substring(1);
    }

    #region Make async: LEAK005's own conversion until codefixes/Editing has the shared one (the LEAK002 fixer has another)

    /// <summary>The function's <c>return</c> statements and what becomes of each when it turns <c>async</c>; no returns: it stays as it is.</summary>
    private sealed record AsyncPlan(List<ReturnPlan> Returns, bool Generic);

    /// <summary>What to do with one <c>return</c>: a finished task's <see cref="Value"/> (<c>Task.FromResult(v)</c>…) is returned as it is; anything else is awaited. <see cref="Tail"/>: the last statement of the body.</summary>
    private sealed record ReturnPlan(ReturnStatementSyntax Statement, bool Completed, ExpressionSyntax? Value, bool Tail);

    private static readonly AsyncPlan NotAsync = new(new List<ReturnPlan>(), Generic: false);

    private static bool IsTaskLike(ITypeSymbol type, KnownTypes.ThreadingTypes threading) => threading.IsTaskType(type.OriginalDefinition);

    private static bool IsGeneric(ITypeSymbol type) => type is INamedTypeSymbol { Arity: 1 };

    /// <summary>
    /// A synchronous <c>Task</c>-like function hands back an operation that is still running: it becomes <c>async</c>
    /// and awaits it inside the <c>try</c>, unless every <c>return</c> gives a finished task (then it stays synchronous).
    /// Null when the conversion would not compile.
    /// </summary>
    private static AsyncPlan? PlanMakeAsync(BlockSyntax body, IMethodSymbol method, KnownTypes.ThreadingTypes threading, SemanticModel model, CancellationToken cancellationToken)
    {
        var returns = OwnNodes(body).OfType<ReturnStatementSyntax>()
            .Select(r => new ReturnPlan(r, CompletedValue(r.Expression, threading, model, cancellationToken, out var value), value, r.Parent == body && body.Statements.Last() == r))
            .ToList();
        if (!returns.Any(r => !r.Completed))
            return NotAsync;
        return CanBecomeAsync(body, method, returns, model, cancellationToken) ? new AsyncPlan(returns, IsGeneric(method.ReturnType)) : null;
    }

    /// <summary><c>Task.CompletedTask</c>, <c>default</c>, <c>Task.FromResult(v)</c> and the <c>ValueTask</c> forms: a finished task, nothing to await.</summary>
    private static bool CompletedValue(ExpressionSyntax? expression, KnownTypes.ThreadingTypes threading, SemanticModel model, CancellationToken cancellationToken, out ExpressionSyntax? value)
    {
        value = null;
        switch (expression)
        {
            case LiteralExpressionSyntax { RawKind: (int)SyntaxKind.DefaultLiteralExpression }:
            case DefaultExpressionSyntax:
                return model.GetTypeInfo(expression, cancellationToken).ConvertedType is { } type && IsTaskLike(type, threading) && !IsGeneric(type);
            case MemberAccessExpressionSyntax { Name.Identifier.ValueText: "CompletedTask" }:
                return model.GetSymbolInfo(expression, cancellationToken).Symbol is IPropertySymbol { ContainingType: var owner } && IsTaskLike(owner, threading);
            case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "FromResult" }, ArgumentList.Arguments: { Count: 1 } arguments }
                when model.GetSymbolInfo(expression, cancellationToken).Symbol is IMethodSymbol { ContainingType: var factory } && IsTaskLike(factory, threading):
                value = arguments[0].Expression;
                return true;
            case BaseObjectCreationExpressionSyntax { ArgumentList: var argumentList } creation
                when model.GetTypeInfo(creation, cancellationToken).Type is INamedTypeSymbol created
                    && (SymbolEqualityComparer.Default.Equals(created.OriginalDefinition, threading.ValueTask) || SymbolEqualityComparer.Default.Equals(created.OriginalDefinition, threading.ValueTaskOfT)):
                var arguments2 = argumentList?.Arguments ?? default;
                if (!IsGeneric(created) && arguments2.Count == 0)
                    return true;
                if (IsGeneric(created) && arguments2.Count == 1
                    && model.GetTypeInfo(arguments2[0].Expression, cancellationToken).Type is { } argumentType && !IsTaskLike(argumentType, threading))
                {
                    value = arguments2[0].Expression;
                    return true;
                }

                return false;
            default:
                return false;
        }
    }

    /// <summary>An <c>async</c> function may not have <c>ref</c>/<c>out</c>/<c>in</c> parameters or ref-like locals, nor <c>await</c> in a <c>lock</c>.</summary>
    private static bool CanBecomeAsync(BlockSyntax body, IMethodSymbol method, List<ReturnPlan> returns, SemanticModel model, CancellationToken cancellationToken)
    {
        if (method.Parameters.Any(p => p.RefKind != RefKind.None || p.Type.IsRefLikeType))
            return false;
        if (returns.Any(r => r.Statement.Expression is null or LiteralExpressionSyntax { RawKind: (int)SyntaxKind.NullLiteralExpression }
                || r.Statement.Ancestors().TakeWhile(a => a != body).Any(a => a is LockStatementSyntax)))
        {
            return false;
        }

        foreach (var node in OwnNodes(body))
        {
            switch (node)
            {
                case StackAllocArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax or UnsafeStatementSyntax or RefTypeSyntax or RefExpressionSyntax:
                    return false;
                case VariableDeclaratorSyntax declarator when model.GetDeclaredSymbol(declarator, cancellationToken) is ILocalSymbol { Type.IsRefLikeType: true }:
                    return false;
            }
        }

        return true;
    }

    /// <summary>
    /// <c>return E;</c> becomes <c>return await E;</c> (<c>Task&lt;T&gt;</c>) or <c>await E; return;</c> (<c>Task</c>; just
    /// <c>await E;</c> where it ends the body); finished-task forms become <c>return v;</c> / <c>return;</c>.
    /// </summary>
    private static SyntaxNode AwaitReturns(SyntaxNode function, AsyncPlan plan, SyntaxGenerator generator)
    {
        foreach (var returned in plan.Returns)
        {
            if (function.GetCurrentNode(returned.Statement) is not { Expression: { } expression } current)
                continue;
            if (plan.Generic)
            {
                var value = returned.Completed ? returned.Value!.WithoutTrivia() : Await(expression, generator);
                function = function.ReplaceNode(current, current.WithExpression(value.WithTriviaFrom(expression)));
            }
            else if (returned.Completed)
            {
                function = returned.Tail
                    ? function.RemoveNode(current, HasComments(current.GetLeadingTrivia()) ? SyntaxRemoveOptions.KeepLeadingTrivia : SyntaxRemoveOptions.KeepNoTrivia)!
                    : function.ReplaceNode(current, current.WithExpression(null).WithReturnKeyword(current.ReturnKeyword.WithTrailingTrivia()));
            }
            else
            {
                var awaited = ExpressionStatement(Await(expression, generator)).WithTriviaFrom(current);
                if (returned.Tail)
                {
                    function = function.ReplaceNode(current, awaited);
                }
                else if (current.Parent is BlockSyntax)
                {
                    function = function.ReplaceNode(current, new SyntaxNode[] { awaited, ReturnStatement().WithAdditionalAnnotations(Formatter.Annotation) });
                }
                else
                {
                    var block = Block(awaited.WithoutTrivia(), ReturnStatement()).WithTrailingTrivia(current.GetTrailingTrivia()).WithAdditionalAnnotations(Formatter.Annotation);
                    function = function.ReplaceNode(current, block);
                }
            }
        }

        return function;
    }

    private static ExpressionSyntax Await(ExpressionSyntax expression, SyntaxGenerator generator) =>
        ((ExpressionSyntax)generator.AwaitExpression(expression.WithoutTrivia())).WithAdditionalAnnotations(Formatter.Annotation);

    private static bool HasComments(SyntaxTriviaList trivia) =>
        trivia.Any(t => t.IsKind(SyntaxKind.SingleLineCommentTrivia) || t.IsKind(SyntaxKind.MultiLineCommentTrivia));

    /// <summary>The <c>async</c> modifier, after the other modifiers (or in front of the return type, taking its leading trivia).</summary>
    private static SyntaxNode AddAsync(SyntaxNode function)
    {
        var asyncKeyword = Token(TriviaList(), SyntaxKind.AsyncKeyword, TriviaList(Space));
        switch (function)
        {
            case MethodDeclarationSyntax method when method.Modifiers.Count > 0:
                return method.AddModifiers(asyncKeyword);
            case MethodDeclarationSyntax method:
                return method.WithReturnType(method.ReturnType.WithoutLeadingTrivia())
                    .WithModifiers(TokenList(asyncKeyword.WithLeadingTrivia(method.ReturnType.GetLeadingTrivia())));
            case LocalFunctionStatementSyntax local when local.Modifiers.Count > 0:
                return local.AddModifiers(asyncKeyword);
            case LocalFunctionStatementSyntax local:
                return local.WithReturnType(local.ReturnType.WithoutLeadingTrivia())
                    .WithModifiers(TokenList(asyncKeyword.WithLeadingTrivia(local.ReturnType.GetLeadingTrivia())));
            case ParenthesizedLambdaExpressionSyntax lambda:
                return lambda.WithoutLeadingTrivia().WithAsyncKeyword(asyncKeyword.WithLeadingTrivia(lambda.GetLeadingTrivia()));
            case SimpleLambdaExpressionSyntax lambda:
                return lambda.WithoutLeadingTrivia().WithAsyncKeyword(asyncKeyword.WithLeadingTrivia(lambda.GetLeadingTrivia()));
            case AnonymousMethodExpressionSyntax anonymous:
                return anonymous.WithoutLeadingTrivia().WithAsyncKeyword(asyncKeyword.WithLeadingTrivia(anonymous.GetLeadingTrivia()));
            default:
                return function;
        }
    }

    #endregion
}
