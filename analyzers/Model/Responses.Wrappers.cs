using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Model;

internal sealed partial class Responses
{
    /// <summary>
    /// A generic pass-through (<c>WithTimeout&lt;T&gt;(…, ct =&gt; client.SendAsync(request, ct))</c>, <c>Task.Run</c>, a
    /// retry helper) whose result is the response a delegate argument makes. Its declaration returns <c>T</c> (or a
    /// task of <c>T</c>) for a type parameter of the method itself, inferred from that one delegate: the type argument
    /// comes from an owned producer, so the constructed return type is a response the caller owns. Not when <c>T</c>
    /// may also come from elsewhere (a fallback value, a collection: <c>First</c>, <c>GetValueOrDefault</c>), nor for a
    /// method of this compilation that does not return the delegate's result on every return (a cache that returns a
    /// stored value, <see cref="ReturnsDelegateResult"/>). A type parameter of the containing type
    /// (<c>ConcurrentDictionary&lt;K, V&gt;.GetOrAdd</c>) is never inferred from the delegate: someone else owns it.
    /// </summary>
    private bool IsPassThrough(IInvocationOperation invocation, CancellationToken cancellationToken)
    {
        var method = invocation.TargetMethod;
        if (!method.IsGenericMethod)
            return false;
        var original = method.OriginalDefinition;
        if (ResultTypeParameter(original.ReturnType) is not { TypeParameterKind: TypeParameterKind.Method } result)
            return false;

        IArgumentOperation? carrier = null;
        foreach (var argument in invocation.Arguments)
        {
            switch (argument.Parameter?.OriginalDefinition.Type)
            {
                case ITypeParameterSymbol parameter when SymbolEqualityComparer.Default.Equals(parameter, result):
                    return false;                        // a fallback value of the same type
                case INamedTypeSymbol { TypeKind: TypeKind.Delegate, DelegateInvokeMethod: { } invoke }:
                    if (!SymbolEqualityComparer.Default.Equals(ResultTypeParameter(invoke.ReturnType), result))
                        continue;                        // takes T in (a retry predicate): carries nothing out
                    if (carrier is not null)
                        return false;
                    carrier = argument;
                    continue;
                case INamedTypeSymbol named when Mentions(named, result):
                    return false;                        // a collection or a task of T
            }
        }

        return carrier?.Parameter is { } declared
            && MakesResponse(carrier.Value, cancellationToken)
            && (original.DeclaringSyntaxReferences.IsEmpty || ReturnsDelegateResult(original, declared.OriginalDefinition, cancellationToken));
    }

    /// <summary><c>T</c>, or <c>Task&lt;T&gt;</c> / <c>ValueTask&lt;T&gt;</c>, for a type parameter <c>T</c>; null otherwise.</summary>
    private ITypeParameterSymbol? ResultTypeParameter(ITypeSymbol type) => type switch
    {
        ITypeParameterSymbol parameter => parameter,
        INamedTypeSymbol { TypeArguments.Length: 1 } task when task.TypeArguments[0] is ITypeParameterSymbol parameter
            && (SymbolEqualityComparer.Default.Equals(task.OriginalDefinition, _taskOfT) || SymbolEqualityComparer.Default.Equals(task.OriginalDefinition, _valueTaskOfT)) => parameter,
        _ => null,
    };

    private static bool Mentions(INamedTypeSymbol type, ITypeParameterSymbol parameter) =>
        type.TypeArguments.Any(argument => SymbolEqualityComparer.Default.Equals(argument, parameter) || argument is INamedTypeSymbol named && Mentions(named, parameter));

    /// <summary>
    /// A delegate argument that makes a response each time it runs: a lambda whose every return is a producer (a call
    /// that creates a response or a task of one, an <c>await</c> of such a call), a method group of such a method, or
    /// a delegate whose type says it returns a response or a task of one (see <see cref="IsCreation"/>).
    /// </summary>
    private bool MakesResponse(IOperation value, CancellationToken cancellationToken)
    {
        switch (value.WalkDownConversions())
        {
            case IDelegateCreationOperation { Target: IAnonymousFunctionOperation function }:
                return ReturnsProducedResponse(function, cancellationToken);
            case IAnonymousFunctionOperation function:
                return ReturnsProducedResponse(function, cancellationToken);
            case IDelegateCreationOperation { Target: IMethodReferenceOperation reference }:
                return CreatesByDeclaration(reference.Method);
            case var other:
                return other.Type is INamedTypeSymbol { TypeKind: TypeKind.Delegate, DelegateInvokeMethod: { } invoke }
                    && (IsResponse(invoke.ReturnType) || IsTaskOfResponse(invoke.ReturnType));
        }
    }

    private bool ReturnsProducedResponse(IAnonymousFunctionOperation function, CancellationToken cancellationToken)
    {
        var any = false;
        foreach (var operation in function.Body.Descendants())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (operation is not IReturnOperation { Kind: OperationKind.Return } returned || returned.IsInsideNestedFunction(function.Body))
                continue;
            if (returned.ReturnedValue?.WalkDownConversions() is not { } value)
                return false;
            if (ProducedBy(value, cancellationToken) is null && !(IsTaskOfResponse(value.Type) && IsCreatedTask(value, cancellationToken)))
                return false;
            any = true;
        }

        return any;
    }

    /// <summary>
    /// A method of this compilation (not one whose body may be replaced) whose every <c>return</c> hands back what
    /// <paramref name="parameter"/>, a delegate, returns: <c>return await func(ct);</c>, <c>=&gt; func(ct)</c>,
    /// <c>return await func().ConfigureAwait(false);</c>. Read from the method's syntax, the parameter matched by name,
    /// as <see cref="OnlyReads"/> does.
    /// </summary>
    private static bool ReturnsDelegateResult(IMethodSymbol method, IParameterSymbol parameter, CancellationToken cancellationToken)
    {
        if (method.IsVirtual || method.IsAbstract || method.IsOverride || method.IsExtern || method.ContainingType.TypeKind == TypeKind.Interface)
            return false;
        var (block, expression) = method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) switch
        {
            BaseMethodDeclarationSyntax declaration => (declaration.Body, declaration.ExpressionBody?.Expression),
            LocalFunctionStatementSyntax local => (local.Body, local.ExpressionBody?.Expression),
            _ => (null, null),
        };
        if (expression is not null)
            return InvokesParameter(expression, parameter.Name);
        if (block is null)
            return false;

        var any = false;
        foreach (var returned in block.DescendantNodes(static n => !BodyIndex.IsFunction(n)).OfType<ReturnStatementSyntax>())
        {
            if (returned.Expression is not { } value || !InvokesParameter(value, parameter.Name))
                return false;
            any = true;
        }

        return any;
    }

    /// <summary><c>name(…)</c> or <c>name.Invoke(…)</c>, awaited or not, through parentheses and <c>ConfigureAwait</c>.</summary>
    private static bool InvokesParameter(ExpressionSyntax expression, string name)
    {
        while (true)
        {
            switch (expression)
            {
                case ParenthesizedExpressionSyntax parenthesized:
                    expression = parenthesized.Expression;
                    continue;
                case AwaitExpressionSyntax awaited:
                    expression = awaited.Expression;
                    continue;
                case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait" } access }:
                    expression = access.Expression;
                    continue;
                case InvocationExpressionSyntax { Expression: IdentifierNameSyntax identifier }:
                    return identifier.Identifier.ValueText == name;
                case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Invoke", Expression: IdentifierNameSyntax target } }:
                    return target.Identifier.ValueText == name;
                default:
                    return false;
            }
        }
    }
}
