using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace LeakAnalyzers.Editing;

/// <summary>What one <c>return</c> of a function becomes when the function becomes <c>async</c>.</summary>
internal enum ReturnRewrite
{
    /// <summary>Unchanged: only the function's return type changes around it (<c>void</c> → <c>Task</c>, <c>T</c> → <c>Task&lt;T&gt;</c>, a lambda's inferred type).</summary>
    Keep,
    /// <summary><c>return t;</c> → <c>return await t;</c> (the function returns <c>Task&lt;T&gt;</c>).</summary>
    AwaitResult,
    /// <summary><c>return Task.FromResult(v);</c> → <c>return v;</c>: a finished <c>Task&lt;T&gt;</c>, nothing to await.</summary>
    Result,
    /// <summary><c>return t;</c> → <c>await t; return;</c>, or just <c>await t;</c> where it ends the body (the function returns <c>Task</c>).</summary>
    Await,
    /// <summary><c>return Task.CompletedTask;</c> → <c>return;</c>, dropped where it ends the body: a finished <c>Task</c>.</summary>
    Bare,
}

/// <summary>One <c>return</c> of the function and what it becomes; <see cref="Result"/> is the value of a finished <c>Task&lt;T&gt;</c>.</summary>
internal readonly record struct PlannedReturn(ReturnStatementSyntax Statement, ReturnRewrite Rewrite, ExpressionSyntax? Result, bool IsLast);

/// <summary>
/// The one make-async conversion: a method, local function, lambda or anonymous method made <c>async</c>, with the plan
/// of its returns (<see cref="Returns"/>) and, when the caller allows it, its return type changed to a task
/// (<see cref="ReturnType"/>). <see cref="Plan"/> decides whether the conversion keeps the code compiling and meaning the
/// same (nothing is edited); <see cref="Apply"/> records it in an editor, composing with the caller's other edits in the
/// same function (an <c>await</c> it inserts, arguments it adds). A caller that only needs some of the returns rewritten
/// (LEAK005 makes a function async only when a return is unfinished work) reads <see cref="Returns"/> first.
/// </summary>
internal sealed class AsyncConversion
{
    private AsyncConversion(SyntaxNode function, bool isAsync, ImmutableArray<PlannedReturn> returns, ITypeSymbol? returnType)
    {
        Function = function;
        IsAsync = isAsync;
        Returns = returns;
        ReturnType = returnType;
    }

    /// <summary>The <c>MethodDeclarationSyntax</c>, <c>LocalFunctionStatementSyntax</c> or <c>AnonymousFunctionExpressionSyntax</c>.</summary>
    public SyntaxNode Function { get; }

    /// <summary>Already <c>async</c>: <see cref="Apply"/> changes nothing.</summary>
    public bool IsAsync { get; }

    /// <summary>Every <c>return</c> of the function itself (not of functions nested in it), in source order.</summary>
    public ImmutableArray<PlannedReturn> Returns { get; }

    /// <summary>The new return type of a method or local function (<c>Task</c> or <c>Task&lt;T&gt;</c>), or null when it stays.</summary>
    public ITypeSymbol? ReturnType { get; }

    /// <summary>
    /// The conversion of <paramref name="function"/> (a method, local function, lambda or anonymous method with a block
    /// body), or null when making it async would not compile or would change what it means. A function that returns a
    /// task has its returns rewritten (<see cref="ReturnRewrite"/>). Any other function converts only when
    /// <paramref name="mayChangeReturnType"/> says that nothing depends on its return type (an action MVC awaits, an
    /// endpoint handler the framework awaits): a lambda just becomes async, a method returns <c>Task</c> or
    /// <c>Task&lt;T&gt;</c>.
    /// </summary>
    public static AsyncConversion? Plan(SyntaxNode function, SemanticModel model, KnownTypes.ThreadingTypes threading, bool mayChangeReturnType, CancellationToken cancellationToken)
    {
        var (modifiers, body) = function switch
        {
            MethodDeclarationSyntax method => (method.Modifiers, method.Body),
            LocalFunctionStatementSyntax local => (local.Modifiers, local.Body),
            AnonymousFunctionExpressionSyntax lambda => (lambda.Modifiers, lambda.Body as BlockSyntax),
            _ => (default, null),
        };
        if (modifiers.Any(SyntaxKind.AsyncKeyword))
            return new AsyncConversion(function, isAsync: true, ImmutableArray<PlannedReturn>.Empty, null);
        var symbol = function is AnonymousFunctionExpressionSyntax
            ? model.GetSymbolInfo(function, cancellationToken).Symbol as IMethodSymbol
            : model.GetDeclaredSymbol(function, cancellationToken) as IMethodSymbol;
        if (body is null || symbol is null || !CanBeAsync(body, symbol, model, cancellationToken))
            return null;

        var returns = OwnNodes(body).OfType<ReturnStatementSyntax>().ToList();
        var returnType = symbol.ReturnType;
        if (returnType is INamedTypeSymbol named && threading.IsTaskType(named.OriginalDefinition))
        {
            var generic = named.IsGenericType;
            var planned = ImmutableArray.CreateBuilder<PlannedReturn>(returns.Count);
            foreach (var statement in returns)
            {
                if (statement.Expression is not { } expression
                    || PlanReturn(expression, generic, model, threading, cancellationToken) is not { } rewrite
                    || rewrite.Rewrite is ReturnRewrite.Await or ReturnRewrite.AwaitResult && statement.Ancestors().TakeWhile(a => a != body).Any(a => a is LockStatementSyntax))
                {
                    return null;                          // a null, a value of another type, or an await where none may go
                }

                planned.Add(new PlannedReturn(statement, rewrite.Rewrite, rewrite.Result, statement.Parent == body && body.Statements.Last() == statement));
            }

            return new AsyncConversion(function, isAsync: false, planned.MoveToImmutable(), null);
        }

        if (!mayChangeReturnType)
            return null;
        var kept = returns.Select(r => new PlannedReturn(r, ReturnRewrite.Keep, null, r.Parent == body && body.Statements.Last() == r)).ToImmutableArray();
        if (function is AnonymousFunctionExpressionSyntax)
            return new AsyncConversion(function, isAsync: false, kept, null);
        var task = symbol.ReturnsVoid ? threading.Task : threading.TaskOfT?.Construct(returnType);
        return task is null ? null : new AsyncConversion(function, isAsync: false, kept, task);
    }

    /// <summary>
    /// True when <paramref name="method"/> returns a task and a <c>return</c> of its <paramref name="body"/> hands back
    /// work that may still be running (anything but a finished task: <see cref="ReturnRewrite.Bare"/>,
    /// <see cref="ReturnRewrite.Result"/>). A caller whose edit must wait for that work (LEAK005 restores a value in
    /// <c>finally</c>) converts the function only then: when every return is finished, the function stays synchronous,
    /// whether or not it could become async; when one is not, a function <see cref="Plan"/> refuses gets no fix.
    /// </summary>
    public static bool ReturnsPendingWork(IMethodSymbol method, BlockSyntax body, SemanticModel model, KnownTypes.ThreadingTypes threading, CancellationToken cancellationToken) =>
        method.ReturnType is INamedTypeSymbol returnType && threading.IsTaskType(returnType.OriginalDefinition)
        && OwnNodes(body).OfType<ReturnStatementSyntax>().Any(r => r.Expression is null || !IsFinished(r.Expression, model, threading, cancellationToken, out _));

    /// <summary>Records the conversion in <paramref name="editor"/>: the returns first, then the <c>async</c> modifier and the return type.</summary>
    public void Apply(SyntaxEditor editor)
    {
        if (IsAsync)
            return;
        foreach (var planned in Returns)
            Rewrite(editor, planned);
        var returnType = ReturnType;
        editor.ReplaceNode(Function, (current, generator) =>
        {
            var updated = current is AnonymousFunctionExpressionSyntax lambda
                ? lambda.WithoutLeadingTrivia().WithAsyncKeyword(Token(SyntaxKind.AsyncKeyword)).WithLeadingTrivia(lambda.GetLeadingTrivia())
                : generator.WithModifiers(current, generator.GetModifiers(current).WithAsync(true));
            return (updated, returnType) switch
            {
                (MethodDeclarationSyntax method, { }) => method.WithReturnType(Imports.Type(generator, returnType).WithTriviaFrom(method.ReturnType)),
                (LocalFunctionStatementSyntax local, { }) => local.WithReturnType(Imports.Type(generator, returnType).WithTriviaFrom(local.ReturnType)),
                _ => updated,
            };
        });
    }

    private static void Rewrite(SyntaxEditor editor, PlannedReturn planned)
    {
        var statement = planned.Statement;
        switch (planned.Rewrite)
        {
            case ReturnRewrite.AwaitResult:
                editor.ReplaceNode(statement.Expression!, static (current, _) => AwaitExpression(((ExpressionSyntax)current).WithoutTrivia()).WithTriviaFrom(current));
                break;
            case ReturnRewrite.Result:
                editor.ReplaceNode(statement.Expression!, static (current, _) => ResultOf((ExpressionSyntax)current).WithTriviaFrom(current));
                break;
            case ReturnRewrite.Await when planned.IsLast:
                editor.ReplaceNode(statement, static (current, _) => Awaited((ReturnStatementSyntax)current).WithTriviaFrom(current));
                break;
            case ReturnRewrite.Await when statement.Parent is BlockSyntax:
                // Inserted first, while the return is still the node the editor tracks; the await is built from the current
                // return, so that edits inside its expression are kept.
                editor.InsertAfter(statement, ReturnStatement().WithAdditionalAnnotations(Formatter.Annotation));
                editor.ReplaceNode(statement, static (current, _) => Awaited((ReturnStatementSyntax)current).WithTriviaFrom(current));
                break;
            case ReturnRewrite.Await:
                editor.ReplaceNode(statement, static (current, _) =>
                    Block(Awaited((ReturnStatementSyntax)current), ReturnStatement()).WithTriviaFrom(current).WithAdditionalAnnotations(Formatter.Annotation));
                break;
            case ReturnRewrite.Bare when planned.IsLast:
                // Comments above the dropped return stay (the formatter re-indents what follows them); its line goes.
                editor.RemoveNode(statement, statement.GetLeadingTrivia().Any(t => t.IsKind(SyntaxKind.SingleLineCommentTrivia) || t.IsKind(SyntaxKind.MultiLineCommentTrivia))
                    ? SyntaxRemoveOptions.KeepLeadingTrivia | SyntaxRemoveOptions.AddElasticMarker
                    : SyntaxRemoveOptions.KeepNoTrivia);
                break;
            case ReturnRewrite.Bare:
                editor.ReplaceNode(statement, static (current, _) => ReturnStatement().WithTriviaFrom(current));
                break;
        }
    }

    /// <summary>The <c>v</c> of <c>Task.FromResult(v)</c> or <c>new ValueTask&lt;T&gt;(v)</c>.</summary>
    private static ExpressionSyntax ResultOf(ExpressionSyntax finished) => finished switch
    {
        InvocationExpressionSyntax invocation => invocation.ArgumentList.Arguments[0].Expression,
        BaseObjectCreationExpressionSyntax creation => creation.ArgumentList!.Arguments[0].Expression,
        _ => finished,
    };

    private static ExpressionStatementSyntax Awaited(ReturnStatementSyntax statement) =>
        ExpressionStatement(AwaitExpression(statement.Expression!.WithoutTrivia()));

    private static (ReturnRewrite Rewrite, ExpressionSyntax? Result)? PlanReturn(ExpressionSyntax expression, bool generic, SemanticModel model, KnownTypes.ThreadingTypes threading, CancellationToken cancellationToken)
    {
        if (IsFinished(expression, model, threading, cancellationToken, out var result))
        {
            if (!generic)
                return (ReturnRewrite.Bare, null);
            return result is null ? null : (ReturnRewrite.Result, result);
        }

        if (!threading.IsAwaitable(model.GetTypeInfo(expression, cancellationToken).Type))
            return null;
        return (generic ? ReturnRewrite.AwaitResult : ReturnRewrite.Await, null);
    }

    /// <summary>
    /// A finished task: <c>Task.CompletedTask</c>, <c>default</c>, <c>Task.FromResult(v)</c> and the <c>ValueTask</c> forms
    /// (<paramref name="result"/> is <c>v</c> for a task with a result). Members of the task types, matched by symbol first.
    /// </summary>
    private static bool IsFinished(ExpressionSyntax expression, SemanticModel model, KnownTypes.ThreadingTypes threading, CancellationToken cancellationToken, out ExpressionSyntax? result)
    {
        result = null;
        switch (expression)
        {
            case LiteralExpressionSyntax { RawKind: (int)SyntaxKind.DefaultLiteralExpression } or DefaultExpressionSyntax:
                return model.GetTypeInfo(expression, cancellationToken).ConvertedType is INamedTypeSymbol { IsGenericType: false } type && threading.IsTaskType(type);
            case MemberAccessExpressionSyntax { Name.Identifier.ValueText: "CompletedTask" }:
                return model.GetSymbolInfo(expression, cancellationToken).Symbol is IPropertySymbol { IsStatic: true } property && threading.IsTaskType(property.ContainingType.OriginalDefinition);
            case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "FromResult" }, ArgumentList.Arguments: { Count: 1 } arguments }
                when model.GetSymbolInfo(expression, cancellationToken).Symbol is IMethodSymbol { IsStatic: true } method && threading.IsTaskType(method.ContainingType.OriginalDefinition):
                result = arguments[0].Expression;
                return true;
            case BaseObjectCreationExpressionSyntax creation
                when model.GetTypeInfo(creation, cancellationToken).Type is INamedTypeSymbol created && threading.IsTaskType(created.OriginalDefinition)
                    && (SymbolEqualityComparer.Default.Equals(created.OriginalDefinition, threading.ValueTask) || SymbolEqualityComparer.Default.Equals(created.OriginalDefinition, threading.ValueTaskOfT)):
                var arguments2 = creation.ArgumentList?.Arguments ?? default;
                if (!created.IsGenericType)
                    return arguments2.Count == 0;
                if (arguments2.Count == 1 && !threading.IsAwaitable(model.GetTypeInfo(arguments2[0].Expression, cancellationToken).Type))
                {
                    result = arguments2[0].Expression;
                    return true;
                }

                return false;
            default:
                return false;
        }
    }

    /// <summary>
    /// Nothing an async function may not hold: ref, out, in or ref-struct parameters, <c>stackalloc</c>, <c>unsafe</c>,
    /// ref locals, locals of a ref struct, <c>yield</c>.
    /// </summary>
    private static bool CanBeAsync(BlockSyntax body, IMethodSymbol method, SemanticModel model, CancellationToken cancellationToken)
    {
        if (method.Parameters.Any(p => p.RefKind != RefKind.None || p.Type.IsRefLikeType))
            return false;
        foreach (var node in OwnNodes(body))
        {
            switch (node)
            {
                case YieldStatementSyntax or StackAllocArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax or UnsafeStatementSyntax or RefTypeSyntax or RefExpressionSyntax:
                    return false;
                case VariableDeclaratorSyntax declarator when model.GetDeclaredSymbol(declarator, cancellationToken) is ILocalSymbol { Type.IsRefLikeType: true }:
                    return false;
            }
        }

        return true;
    }

    /// <summary>The nodes of <paramref name="body"/> that belong to its function, not to lambdas or local functions nested in it.</summary>
    private static IEnumerable<SyntaxNode> OwnNodes(SyntaxNode body) =>
        body.DescendantNodes(n => n == body || n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax));
}
