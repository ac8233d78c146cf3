using System.Composition;
using LeakAnalyzers.Helpers;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using static LeakAnalyzers.Rules.AmbientValueNotRestoredAnalyzer;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK005 fix "Restore the previous value in finally": <c>var previousX = X;</c> before the assignment (and before the
/// ambient assignments right next to it), then the rest of the block in <c>try { … } finally { X = previousX; }</c>.
/// A synchronous <c>Task</c>-returning function that sets an <c>AsyncLocal</c> becomes <c>async</c> and awaits the tasks
/// it returned, so the value stays set for the whole operation. Not offered when nothing runs after the assignment
/// (restoring would undo what the method is for), for scope-beginning methods and callbacks, across an <c>await</c> for
/// thread-bound slots, or when the rewrite would not compile.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AmbientValueNotRestoredFixer)), Shared]
public sealed class AmbientValueNotRestoredFixer : CodeFixProvider
{
    internal const string Title = "Restore the previous value in finally";
    internal const string UnsafeRegisterTitle = "Register without capturing the execution context";
    internal const string SuppressFlowTitle = "Suppress execution context flow around it";

    /// <summary>Methods whose job is to set the value for their caller: restoring at their end would undo them.</summary>
    private static readonly string[] ScopeVerbs = { "On", "Begin", "Enter", "Push", "Use", "Set", "Start", "Open", "Init", "Initialize", "Attach", "Apply", "Activate", "Change" };

    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(Descriptors.AmbientValueNotRestored.Id);

    public override FixAllProvider GetFixAllProvider() => SequentialFixAll.Create(FixAsync);

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span, getInnermostNodeForTie: true) is not { } node || model is null
            || Choose(node, model, context.CancellationToken) is not { } choice)
        {
            return;                                       // validate everything before registering
        }

        context.RegisterCodeFix(
            CodeAction.Create(choice.Title, ct => FixAsync(context.Document, node, ct), equivalenceKey: choice.Title),
            context.Diagnostics);
    }

    /// <summary>
    /// Each diagnostic has exactly one action, so Fix All applies every diagnostic's own action whichever one started it
    /// (<c>dotnet format</c> runs a single Fix All per rule).
    /// </summary>
    private static async Task<Document> FixAsync(Document document, SyntaxNode node, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null || Choose(node, model, cancellationToken) is not { } choice)
            return document;
        return document.WithSyntaxRoot(choice.Apply(root));
    }

    /// <summary>The one rewrite that fits the reported node, validated; null when none is safe.</summary>
    private static (string Title, Func<SyntaxNode, SyntaxNode> Apply)? Choose(SyntaxNode node, SemanticModel model, CancellationToken cancellationToken)
    {
        switch (node)
        {
            case AssignmentExpressionSyntax assignment when Plan(assignment, model, cancellationToken) is { } restore:
                return (Title, restore);
            case InvocationExpressionSyntax invocation when PlanUnsafeRegister(invocation, model, cancellationToken) is { } unsafeRegister:
                return (UnsafeRegisterTitle, unsafeRegister);
            case InvocationExpressionSyntax or ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax
                when PlanSuppressFlow((ExpressionSyntax)node) is { } suppress:
                return (SuppressFlowTitle, suppress);
            default:
                return null;
        }
    }

    /// <summary>
    /// <c>token.Register(() =&gt; …)</c> becomes <c>token.UnsafeRegister(_ =&gt; …, null)</c>, and
    /// <c>token.Register(callback, state)</c> becomes <c>token.UnsafeRegister(callback, state)</c>.
    /// </summary>
    private static Func<SyntaxNode, SyntaxNode>? PlanUnsafeRegister(InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken cancellationToken)
    {
        if (invocation.Expression is not MemberAccessExpressionSyntax { Name: IdentifierNameSyntax { Identifier.ValueText: "Register" } name } access
            || model.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol method
            || !method.ContainingType.GetMembers("UnsafeRegister").OfType<IMethodSymbol>().Any(m => m.Parameters.Length == 2))
        {
            return null;
        }

        var arguments = invocation.ArgumentList.Arguments;
        var renamed = access.WithName(IdentifierName(Identifier(name.Identifier.LeadingTrivia, "UnsafeRegister", name.Identifier.TrailingTrivia)));
        if (method.Parameters.Length == 2 && method.Parameters[1].Type.SpecialType == SpecialType.System_Object && arguments.All(a => a.NameColon is null))
            return root => root.ReplaceNode(invocation, invocation.WithExpression(renamed));

        if (method.Parameters.Length == 1 && arguments.Count == 1
            && arguments[0].Expression is ParenthesizedLambdaExpressionSyntax { ParameterList.Parameters.Count: 0 } lambda
            && !lambda.DescendantNodes().OfType<IdentifierNameSyntax>().Any(i => i.Identifier.ValueText == "_"))
        {
            var parameter = Parameter(Identifier(lambda.ParameterList.GetLeadingTrivia(), "_", lambda.ParameterList.GetTrailingTrivia()));
            var simple = SimpleLambdaExpression(lambda.Modifiers, parameter, lambda.ArrowToken, lambda.Block, lambda.ExpressionBody)
                .WithLeadingTrivia(lambda.GetLeadingTrivia());
            var list = invocation.ArgumentList.WithArguments(SeparatedList(
                new[] { arguments[0].WithExpression(simple), Argument(LiteralExpression(SyntaxKind.NullLiteralExpression)) },
                new[] { Token(TriviaList(), SyntaxKind.CommaToken, TriviaList(Space)) }));
            return root => root.ReplaceNode(invocation, invocation.WithExpression(renamed).WithArgumentList(Unelastic(list)));
        }

        return null;
    }

    /// <summary>The capturing statement inside <c>using (ExecutionContext.SuppressFlow()) { … }</c>.</summary>
    private static Func<SyntaxNode, SyntaxNode>? PlanSuppressFlow(ExpressionSyntax capture)
    {
        if (capture.FirstAncestorOrSelf<StatementSyntax>() is not ExpressionStatementSyntax { Parent: BlockSyntax block } statement
            || statement.DescendantNodes().Any(n => n is AwaitExpressionSyntax))
        {
            return null;                                  // a declaration would lose its scope; an await would undo the flow on another thread
        }

        return root =>
        {
            var indent = Indentation(statement.GetLeadingTrivia());
            var unit = Unit(block, indent);
            var eol = EndOfLine(block);
            var (blank, kept) = SplitBlankLines(statement.GetLeadingTrivia());
            var moved = Indent(statement.WithLeadingTrivia(kept), unit);
            if (!moved.GetTrailingTrivia().Any(SyntaxKind.EndOfLineTrivia))
                moved = moved.WithTrailingTrivia(moved.GetTrailingTrivia().Add(eol));
            var suppress = InvocationExpression(MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression,
                ParseName("System.Threading.ExecutionContext").WithAdditionalAnnotations(Simplifier.Annotation), IdentifierName("SuppressFlow")));
            var usingStatement = UsingStatement(
                Token(blank.Add(Whitespace(indent)), SyntaxKind.UsingKeyword, TriviaList(Space)),
                Token(SyntaxKind.OpenParenToken), null, suppress, Token(TriviaList(), SyntaxKind.CloseParenToken, TriviaList(eol)),
                Block(Token(TriviaList(Whitespace(indent)), SyntaxKind.OpenBraceToken, TriviaList(eol)), SingletonList(moved),
                    Token(TriviaList(Whitespace(indent)), SyntaxKind.CloseBraceToken, TriviaList(eol))));
            return root.ReplaceNode(statement, Unelastic(usingStatement));
        };
    }

    /// <summary>One ambient assignment statement of the group the fix restores.</summary>
    private sealed class Member
    {
        public Member(ExpressionStatementSyntax statement, ExpressionSyntax target, AmbientTarget ambient, bool suppress)
        {
            Statement = statement;
            Target = target;
            Ambient = ambient;
            Suppress = suppress;
        }

        public ExpressionStatementSyntax Statement { get; }
        public ExpressionSyntax Target { get; }
        public AmbientTarget Ambient { get; }

        /// <summary>The restore needs <c>!</c>: <c>AsyncLocal&lt;T&gt;.Value</c> reads as maybe-null but takes a non-null <c>T</c>.</summary>
        public bool Suppress { get; }
    }

    /// <summary>What to do with one <c>return</c> when the function becomes <c>async</c>.</summary>
    private sealed class ReturnPlan
    {
        public ReturnPlan(ReturnStatementSyntax statement, bool completed, ExpressionSyntax? value, bool tail)
        {
            Statement = statement;
            Completed = completed;
            Value = value;
            Tail = tail;
        }

        public ReturnStatementSyntax Statement { get; }

        /// <summary>A finished task (<c>Task.CompletedTask</c>, <c>Task.FromResult(v)</c>…): nothing to await.</summary>
        public bool Completed { get; }

        /// <summary>The result inside a finished <c>Task&lt;T&gt;</c>.</summary>
        public ExpressionSyntax? Value { get; }

        /// <summary>The last statement of the body: falling off the end does the same.</summary>
        public bool Tail { get; }
    }

    private static Func<SyntaxNode, SyntaxNode>? Plan(AssignmentExpressionSyntax assignment, SemanticModel model, CancellationToken cancellationToken)
    {
        if (assignment.Parent is not ExpressionStatementSyntax { Parent: BlockSyntax block } statement
            || Ambient.Create(model.Compilation) is not { } ambient
            || AsMember(statement, ambient, model, cancellationToken) is not { } diagnosed
            || FunctionOf(block) is not { } function
            || BodyOf(function) is not { } body
            || SymbolOf(function, model, cancellationToken) is not { } method)
        {
            return null;
        }

        var asyncLocal = diagnosed.Ambient.Kind == AmbientKind.AsyncLocal;
        if (asyncLocal && method.IsAsync)
            return null;                                  // the runtime restores it for the caller (an earlier fix made the function async)

        // The ambient assignments right next to this one are restored together, in one finally.
        var statements = block.Statements;
        var group = new List<Member> { diagnosed };
        var first = statements.IndexOf(statement);
        var last = first;
        while (first > 0 && Joins(statements[first - 1]) is { } before)
        {
            group.Insert(0, before);
            first--;
        }

        while (last < statements.Count - 1 && Joins(statements[last + 1]) is { } after)
        {
            group.Add(after);
            last++;
        }

        var rest = statements.Skip(last + 1).ToList();
        if (rest.Count == 0
            || rest[0] is TryStatementSyntax { Finally: { } existing } && group.Any(m => Restores(existing, m))
            || !rest.Any(DoesWork)
            || block.DescendantNodes().Any(n => n is LabeledStatementSyntax or GotoStatementSyntax)
            || rest.OfType<LocalFunctionStatementSyntax>().Any(f => statements.Take(first).Any(s => Mentions(s, f.Identifier.ValueText)))
            || function is BaseMethodDeclarationSyntax && !IsTaskLike(method.ReturnType)
                && (method.MethodKind == MethodKind.Constructor || ScopeVerbs.Any(v => StartsWithWord(method.Name, v)))
            || !asyncLocal && rest.Any(s => OwnNodes(s).OfType<AwaitExpressionSyntax>().Any()))
        {
            return null;                                  // nothing to protect, already restored, or the rewrite would change what the code means
        }

        // A synchronous Task-returning function hands back an operation that is still running: await it inside the try.
        var returns = new List<ReturnPlan>();
        if (asyncLocal && IsTaskLike(method.ReturnType))
        {
            returns = OwnNodes(body).OfType<ReturnStatementSyntax>()
                .Select(r => new ReturnPlan(r, CompletedValue(r.Expression, model, cancellationToken, out var value), value, r.Parent == body && body.Statements.Last() == r))
                .ToList();
        }

        var makeAsync = returns.Any(r => !r.Completed);
        if (makeAsync && !CanBecomeAsync(body, method, returns, model, cancellationToken))
            return null;

        var names = UniqueNames(group, block, model, cancellationToken);
        var generic = IsGeneric(method.ReturnType);
        return root =>
        {
            var edited = function.TrackNodes(group.Select(m => (SyntaxNode)m.Statement).Append(block).Concat(returns.Select(r => r.Statement)));
            if (makeAsync)
                edited = AwaitReturns(edited, returns, generic);
            var currentBlock = edited.GetCurrentNode(block)!;
            edited = edited.ReplaceNode(currentBlock, Wrap(currentBlock, group.Select(m => currentBlock.Statements.IndexOf(edited.GetCurrentNode(m.Statement)!)).ToList(), group, names));
            if (makeAsync)
                edited = AddAsync(edited);
            return root.ReplaceNode(function, edited);
        };

        Member? Joins(StatementSyntax candidate) =>
            candidate is ExpressionStatementSyntax expression
            && AsMember(expression, ambient, model, cancellationToken) is { } member
            && (member.Ambient.Kind == AmbientKind.AsyncLocal) == asyncLocal
            && !group.Any(m => SymbolEqualityComparer.Default.Equals(m.Ambient.Key, member.Ambient.Key))
                ? member
                : null;
    }

    /// <summary><c>X = value;</c> or <c>X ??= value;</c> where X is an ambient slot and the value is not a clear.</summary>
    private static Member? AsMember(ExpressionStatementSyntax statement, Ambient ambient, SemanticModel model, CancellationToken cancellationToken)
    {
        if (statement.Expression is not AssignmentExpressionSyntax assignment
            || !assignment.IsKind(SyntaxKind.SimpleAssignmentExpression) && !assignment.IsKind(SyntaxKind.CoalesceAssignmentExpression)
            || model.GetOperation(assignment, cancellationToken) is not IAssignmentOperation operation
            || operation.Value.WalkDownConversions() is IDefaultValueOperation
            || operation.Value.ConstantValue is { HasValue: true, Value: null }
            || ambient.Resolve(operation.Target, cancellationToken) is not { } target)
        {
            return null;
        }

        return new Member(statement, assignment.Left, target, ReadsMaybeNull(operation.Target, model, assignment.SpanStart));
    }

    /// <summary>
    /// A property read as maybe-null (<c>[MaybeNull]</c> getter) that does not accept null back, with nullable warnings on:
    /// the saved value goes back with <c>!</c> (null there is the slot's own empty state).
    /// </summary>
    private static bool ReadsMaybeNull(IOperation target, SemanticModel model, int position)
    {
        if (!model.GetNullableContext(position).WarningsEnabled() || target is not IPropertyReferenceOperation { Property: var property }
            || property.Type.IsValueType || property.Type.NullableAnnotation == NullableAnnotation.Annotated)
        {
            return false;
        }

        return property.GetMethod?.GetReturnTypeAttributes().Any(a => a.AttributeClass?.Name == "MaybeNullAttribute") == true
            && property.SetMethod?.Parameters.FirstOrDefault()?.GetAttributes().Any(a => a.AttributeClass?.Name == "AllowNullAttribute") != true
            && !property.GetAttributes().Any(a => a.AttributeClass?.Name == "AllowNullAttribute");
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
            && SyntaxFactory.AreEquivalent(assignment.Left, member.Target));

    /// <summary>Something after the assignment that can observe the value: a call, a creation, an await.</summary>
    private static bool DoesWork(StatementSyntax statement) =>
        statement.DescendantNodesAndSelf().Any(n => n is InvocationExpressionSyntax or BaseObjectCreationExpressionSyntax or AwaitExpressionSyntax);

    private static bool Mentions(SyntaxNode node, string name) =>
        node.DescendantNodes().OfType<IdentifierNameSyntax>().Any(i => i.Identifier.ValueText == name);

    /// <summary>Nodes of <paramref name="node"/> that belong to the same function (not to nested lambdas or local functions).</summary>
    private static IEnumerable<SyntaxNode> OwnNodes(SyntaxNode node) =>
        node.DescendantNodesAndSelf(n => n == node || n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax));

    private static bool IsTaskLike(ITypeSymbol type) =>
        type is INamedTypeSymbol { Name: "Task" or "ValueTask", Arity: 0 or 1 } named
        && named.ContainingNamespace?.ToDisplayString() == "System.Threading.Tasks";

    private static bool IsGeneric(ITypeSymbol type) => type is INamedTypeSymbol { Arity: 1 };

    /// <summary><c>Task.CompletedTask</c>, <c>default</c>, <c>Task.FromResult(v)</c> and the <c>ValueTask</c> forms: a finished task, nothing to await.</summary>
    private static bool CompletedValue(ExpressionSyntax? expression, SemanticModel model, CancellationToken cancellationToken, out ExpressionSyntax? value)
    {
        value = null;
        switch (expression)
        {
            case LiteralExpressionSyntax { RawKind: (int)SyntaxKind.DefaultLiteralExpression }:
            case DefaultExpressionSyntax:
                return model.GetTypeInfo(expression, cancellationToken).ConvertedType is { } type && IsTaskLike(type) && !IsGeneric(type);
            case MemberAccessExpressionSyntax { Name.Identifier.ValueText: "CompletedTask" }:
                return model.GetSymbolInfo(expression, cancellationToken).Symbol is IPropertySymbol { ContainingType: var owner } && IsTaskLike(owner);
            case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "FromResult" }, ArgumentList.Arguments: { Count: 1 } arguments }
                when model.GetSymbolInfo(expression, cancellationToken).Symbol is IMethodSymbol { ContainingType: var factory } && IsTaskLike(factory):
                value = arguments[0].Expression;
                return true;
            case BaseObjectCreationExpressionSyntax { ArgumentList: var argumentList } creation
                when model.GetTypeInfo(creation, cancellationToken).Type is INamedTypeSymbol { Name: "ValueTask" } created && IsTaskLike(created):
                var arguments2 = argumentList?.Arguments ?? default;
                if (!IsGeneric(created) && arguments2.Count == 0)
                    return true;
                if (IsGeneric(created) && arguments2.Count == 1
                    && model.GetTypeInfo(arguments2[0].Expression, cancellationToken).Type is { } argumentType && !IsTaskLike(argumentType))
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
    private static SyntaxNode AwaitReturns(SyntaxNode function, List<ReturnPlan> returns, bool generic)
    {
        foreach (var plan in returns)
        {
            if (function.GetCurrentNode(plan.Statement) is not { Expression: { } expression } current)
                continue;
            var leading = current.GetLeadingTrivia();
            var trailing = current.GetTrailingTrivia();
            if (generic)
            {
                var returned = plan.Completed ? plan.Value!.WithoutTrivia() : Await(expression);
                function = function.ReplaceNode(current, current.WithExpression(returned.WithTriviaFrom(expression)));
            }
            else if (plan.Completed)
            {
                function = plan.Tail
                    ? function.RemoveNode(current, HasComments(leading) ? SyntaxRemoveOptions.KeepLeadingTrivia : SyntaxRemoveOptions.KeepNoTrivia)!
                    : function.ReplaceNode(current, current.WithExpression(null).WithReturnKeyword(current.ReturnKeyword.WithTrailingTrivia()));
            }
            else
            {
                var awaited = Unelastic(ExpressionStatement(Await(expression))).WithLeadingTrivia(leading).WithTrailingTrivia(trailing);
                if (plan.Tail)
                {
                    function = function.ReplaceNode(current, awaited);
                }
                else if (current.Parent is BlockSyntax)
                {
                    var bare = Unelastic(ReturnStatement()).WithLeadingTrivia(Whitespace(Indentation(leading))).WithTrailingTrivia(trailing);
                    function = function.ReplaceNode(current, new SyntaxNode[] { awaited, bare });
                }
                else
                {
                    var block = Block(awaited.WithoutTrivia(), ReturnStatement()).WithTrailingTrivia(trailing).WithAdditionalAnnotations(Formatter.Annotation);
                    function = function.ReplaceNode(current, block);
                }
            }
        }

        return function;
    }

    private static AwaitExpressionSyntax Await(ExpressionSyntax expression) =>
        AwaitExpression(Token(TriviaList(), SyntaxKind.AwaitKeyword, TriviaList(Space)), expression.WithoutTrivia());

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

    /// <summary>
    /// The block with <c>var previousX = X;</c> before the group, the group, and the rest of the block in
    /// <c>try { … } finally { X = previousX; }</c>, laid out by hand so that the user's code keeps its formatting.
    /// </summary>
    private static BlockSyntax Wrap(BlockSyntax block, List<int> groupIndexes, List<Member> group, List<string> names)
    {
        var statements = block.Statements;
        var first = groupIndexes.Min();
        var last = groupIndexes.Max();
        var firstStatement = statements[first];
        var indent = Indentation(firstStatement.GetLeadingTrivia());
        var unit = Unit(block, indent);
        var eol = EndOfLine(block);

        var (blank, kept) = SplitBlankLines(firstStatement.GetLeadingTrivia());
        var saves = group.Select((member, i) => (StatementSyntax)LocalDeclarationStatement(VariableDeclaration(
                    IdentifierName(Identifier(TriviaList(), "var", TriviaList(Space))),
                    SingletonSeparatedList(VariableDeclarator(Identifier(TriviaList(), names[i], TriviaList(Space)))
                        .WithInitializer(EqualsValueClause(Token(TriviaList(), SyntaxKind.EqualsToken, TriviaList(Space)), member.Target.WithoutTrivia())))))
                .WithLeadingTrivia(i == 0 ? blank.Add(Whitespace(indent)) : TriviaList(Whitespace(indent)))
                .WithTrailingTrivia(eol))
            .ToList();

        var rest = statements.Skip(last + 1).ToList();
        var (restBlank, restKept) = SplitBlankLines(rest[0].GetLeadingTrivia());
        rest[0] = rest[0].WithLeadingTrivia(restKept);
        if (!rest[rest.Count - 1].GetTrailingTrivia().Any(SyntaxKind.EndOfLineTrivia))
            rest[rest.Count - 1] = rest[rest.Count - 1].WithTrailingTrivia(rest[rest.Count - 1].GetTrailingTrivia().Add(eol));
        var moved = rest.Select(s => Indent(s, unit)).ToList();

        var restores = group.Select((member, i) => (StatementSyntax)ExpressionStatement(AssignmentExpression(SyntaxKind.SimpleAssignmentExpression,
                    member.Target.WithoutTrivia().WithTrailingTrivia(Space), Token(TriviaList(), SyntaxKind.EqualsToken, TriviaList(Space)),
                    member.Suppress ? PostfixUnaryExpression(SyntaxKind.SuppressNullableWarningExpression, IdentifierName(names[i])) : IdentifierName(names[i])))
                .WithLeadingTrivia(Whitespace(indent + unit))
                .WithTrailingTrivia(eol))
            .ToList();

        var tryStatement = TryStatement(
            Token(restBlank.Add(Whitespace(indent)), SyntaxKind.TryKeyword, TriviaList(eol)),
            Block(Token(TriviaList(Whitespace(indent)), SyntaxKind.OpenBraceToken, TriviaList(eol)), List(moved), Token(TriviaList(Whitespace(indent)), SyntaxKind.CloseBraceToken, TriviaList(eol))),
            default,
            FinallyClause(
                Token(TriviaList(Whitespace(indent)), SyntaxKind.FinallyKeyword, TriviaList(eol)),
                Block(Token(TriviaList(Whitespace(indent)), SyntaxKind.OpenBraceToken, TriviaList(eol)), List(restores), Token(TriviaList(Whitespace(indent)), SyntaxKind.CloseBraceToken, TriviaList(eol)))));

        var groupStatements = statements.Skip(first).Take(last - first + 1).ToList();
        groupStatements[0] = groupStatements[0].WithLeadingTrivia(kept);
        return block.WithStatements(List(statements.Take(first).Concat(saves.Select(Unelastic)).Concat(groupStatements).Append(Unelastic(tryStatement))));
    }

    /// <summary>
    /// Drops the elastic trivia that <c>SyntaxFactory</c> puts on new tokens: the code action's cleanup would otherwise
    /// reformat the lines around them with the default style (spaces instead of the user's tabs, for one).
    /// </summary>
    private static T Unelastic<T>(T node)
        where T : SyntaxNode =>
        node.ReplaceTokens(node.DescendantTokens(), (_, token) => token
            .WithLeadingTrivia(token.LeadingTrivia.Where(t => !t.HasAnnotation(SyntaxAnnotation.ElasticAnnotation)))
            .WithTrailingTrivia(token.TrailingTrivia.Where(t => !t.HasAnnotation(SyntaxAnnotation.ElasticAnnotation))));

    /// <summary>Adds one indentation unit at the start of every line of <paramref name="statement"/>.</summary>
    private static StatementSyntax Indent(StatementSyntax statement, string unit)
    {
        var replacements = new Dictionary<SyntaxToken, SyntaxToken>();
        var atLineStart = true;
        foreach (var token in statement.DescendantTokens())
        {
            var leading = new List<SyntaxTrivia>();
            var changed = false;
            foreach (var trivia in token.LeadingTrivia)
            {
                if (atLineStart && trivia.IsKind(SyntaxKind.WhitespaceTrivia))
                {
                    leading.Add(Whitespace(unit + trivia.ToString()));
                    changed = true;
                    atLineStart = false;
                    continue;
                }

                leading.Add(trivia);
                atLineStart = trivia.IsKind(SyntaxKind.EndOfLineTrivia);
            }

            atLineStart = token.TrailingTrivia.Any(SyntaxKind.EndOfLineTrivia);
            if (changed)
                replacements[token] = token.WithLeadingTrivia(leading);
        }

        return statement.ReplaceTokens(replacements.Keys, (original, _) => replacements[original]);
    }

    /// <summary>Splits leading trivia into the blank lines above (they stay above the new code) and the rest (comments, indentation).</summary>
    private static (SyntaxTriviaList Blank, SyntaxTriviaList Kept) SplitBlankLines(SyntaxTriviaList trivia)
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

    /// <summary>One indentation step: the block's statements' indentation beyond its closing brace's, four spaces if that fails.</summary>
    private static string Unit(BlockSyntax block, string indent)
    {
        var closing = Indentation(block.CloseBraceToken.LeadingTrivia);
        return indent.Length > closing.Length && indent.StartsWith(closing, StringComparison.Ordinal) ? indent.Substring(closing.Length) : "    ";
    }

    /// <summary>The whitespace that starts the last line of <paramref name="trivia"/>.</summary>
    private static string Indentation(SyntaxTriviaList trivia) =>
        string.Concat(trivia.Reverse().TakeWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).Reverse().Select(t => t.ToString()));

    private static SyntaxTrivia EndOfLine(SyntaxNode node) =>
        node.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) is { } found && found.IsKind(SyntaxKind.EndOfLineTrivia) ? found : ElasticCarriageReturnLineFeed;

    private static bool HasComments(SyntaxTriviaList trivia) =>
        trivia.Any(t => t.IsKind(SyntaxKind.SingleLineCommentTrivia) || t.IsKind(SyntaxKind.MultiLineCommentTrivia));

    /// <summary><c>previousTenant</c> for <c>_tenant</c>, <c>t_user</c>, <c>CurrentTenant</c>…; numbered when the name is taken.</summary>
    private static List<string> UniqueNames(List<Member> group, BlockSyntax block, SemanticModel model, CancellationToken cancellationToken)
    {
        var declared = Naming.DeclaredAround(block, cancellationToken);
        return group.Select(member => Naming.Unique("previous" + Stem(member.Ambient.Shown.Name), block, model, declared)).ToList();
    }

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
}
