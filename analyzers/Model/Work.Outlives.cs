namespace LeakAnalyzers.Model;

/// <summary>Whether a delegate outlives the code that creates it.</summary>
internal sealed partial class Work
{
    /// <summary>
    /// True when <paramref name="function"/> (a lambda, anonymous method, or a reference to a local function) is run
    /// by work that is not awaited (fire-and-forget <c>Task.Run</c>, a thread, a timer, the thread pool, a queue), or
    /// is kept where it outlives the request (<see cref="Lifetimes.IsLongLivedStorage"/>, a long-lived collection, a
    /// callback on an application token), or is an async delegate invoked without awaiting its task
    /// (<c>Func&lt;Task&gt; later = async () =&gt; …; _ = later();</c>). Synchronous use (LINQ, <c>List.ForEach</c>,
    /// <c>Response.OnStarting</c>), expression trees and unknown APIs do not escape.
    /// </summary>
    public bool Outlives(IOperation function, CancellationToken cancellationToken) =>
        Outlives(function.Parent is IDelegateCreationOperation creation ? creation : function, 0, cancellationToken);

    /// <summary>A lambda, anonymous method or local function (by its declaration) that outlives its creator.</summary>
    public bool FunctionOutlives(IOperation function, CancellationToken cancellationToken) => function switch
    {
        IAnonymousFunctionOperation => Outlives(function, cancellationToken),
        ILocalFunctionOperation local => LocalFunctionOutlives(local, cancellationToken),
        _ => false,
    };

    private bool Outlives(IOperation value, int depth, CancellationToken cancellationToken)
    {
        if (depth > MaxDepth || IsExpressionTree(value))
            return false;
        var outer = value.WalkUpConversions();
        if (outer.Parent is IEventAssignmentOperation { Adds: true } subscription && subscription.HandlerValue == outer)
            return SubscriptionOutlives(subscription, cancellationToken);

        var fate = Ownership.Classify(value);
        switch (fate.Kind)
        {
            case FateKind.Argument:
                return ArgumentOutlives((IArgumentOperation)fate.At!, cancellationToken);
            case FateKind.Stored:
                return fate.At is ISimpleAssignmentOperation assignment && _lifetimes.IsLongLivedStorage(assignment.Target);
            case FateKind.Local:
                return ReadsOf(fate.Local!, value, cancellationToken) is { } uses && uses.Any(use => Outlives(use, depth + 1, cancellationToken));
            case FateKind.Receiver when fate.At is IInvocationOperation { TargetMethod.MethodKind: MethodKind.DelegateInvoke } invoke:
                return _threading.IsAwaitable(invoke.Type) && RunsOn(JudgeTask(invoke, 0, cancellationToken));
            default:
                return false;
        }
    }

    /// <summary>True when a local function is started as fire-and-forget work, or converted to a delegate that escapes.</summary>
    public bool LocalFunctionOutlives(ILocalFunctionOperation function, CancellationToken cancellationToken)
    {
        if (function.Parent is null || function.GetEnclosingBody() is not { } body)
            return false;
        foreach (var operation in body.Descendants())
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (operation)
            {
                case IMethodReferenceOperation reference when SymbolEqualityComparer.Default.Equals(reference.Method.OriginalDefinition, function.Symbol)
                    && Outlives(reference, cancellationToken):
                    return true;
                case IInvocationOperation invocation when SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.OriginalDefinition, function.Symbol)
                    && _threading.IsAwaitable(invocation.Type)
                    && RunsOn(JudgeTask(invocation, 0, cancellationToken)):
                    return true;
            }
        }

        return false;
    }

    private bool IsExpressionTree(IOperation value)
    {
        var expression = _types.Reflection.ExpressionOfT;
        return value.WalkUpConversions() is { Type: INamedTypeSymbol type } && type.OriginalDefinition.IsOrInheritsFrom(expression)
            || value.Type is INamedTypeSymbol own && own.OriginalDefinition.IsOrInheritsFrom(expression);
    }

    private bool ArgumentOutlives(IArgumentOperation argument, CancellationToken cancellationToken)
    {
        var call = argument.Parent;
        if (call is not null && StartedBy(call) is { } work && work.Body == argument)
            return RunsOn(Judge(work, cancellationToken));
        if (call is not IInvocationOperation invocation)
            return false;
        var method = invocation.TargetMethod;
        if (method.Name is "Register" or "UnsafeRegister" && SymbolEqualityComparer.Default.Equals(method.ContainingType, CancellationToken))
            return _lifetimes.IsApplicationToken(invocation.Instance);
        if (IsQueue(method))
            return true;
        return _ownership.IsKnownTransfer(method) && invocation.Instance is { } collection && _lifetimes.IsLongLivedStorage(collection);
    }

    private bool SubscriptionOutlives(IEventAssignmentOperation subscription, CancellationToken cancellationToken)
    {
        if (subscription.EventReference is not IEventReferenceOperation reference)
            return false;
        if (reference.Event.IsStatic)
            return true;
        if (!SymbolEqualityComparer.Default.Equals(reference.Event.ContainingType, _threading.TimersTimer))
            return _lifetimes.IsLongLivedStorage(reference.Instance);
        switch (reference.Instance?.WalkDownConversions())
        {
            case ILocalReferenceOperation local:
                return RunsOn(JudgeTimerLocal(local.Local, subscription, cancellationToken));
            case IFieldReferenceOperation or IPropertyReferenceOperation:
                return true;                              // a timer kept in a field fires after the request
            default:
                return false;
        }
    }
}
