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
    public bool Outlives(IOperation function, CancellationToken cancellationToken) => EscapeOf(function, cancellationToken) is not null;

    /// <summary>
    /// Where <paramref name="function"/> (a lambda, anonymous method, or a reference to a local function) escapes the
    /// code that creates it (<see cref="Outlives"/>): the call or creation that starts the work running it
    /// (<c>Task.Run(…)</c>, <c>ContinueWith(…)</c>, <c>new Timer(…)</c>), the call that keeps it (<c>Register</c>, a
    /// queue, <c>Add</c> to a long-lived collection), the assignment or subscription that stores it, the invocation of
    /// an async delegate nobody awaits. Null when it does not escape.
    /// </summary>
    public IOperation? EscapeOf(IOperation function, CancellationToken cancellationToken) =>
        EscapeOf(function.Parent is IDelegateCreationOperation creation ? creation : function, 0, cancellationToken);

    /// <summary>A lambda, anonymous method or local function (by its declaration) that outlives its creator.</summary>
    public bool FunctionOutlives(IOperation function, CancellationToken cancellationToken) => FunctionEscapeOf(function, cancellationToken) is not null;

    /// <summary>Where a lambda, anonymous method or local function (by its declaration) escapes (<see cref="EscapeOf(IOperation, CancellationToken)"/>).</summary>
    public IOperation? FunctionEscapeOf(IOperation function, CancellationToken cancellationToken) => function switch
    {
        IAnonymousFunctionOperation => EscapeOf(function, cancellationToken),
        ILocalFunctionOperation local => LocalFunctionEscapeOf(local, cancellationToken),
        _ => null,
    };

    private IOperation? EscapeOf(IOperation value, int depth, CancellationToken cancellationToken)
    {
        if (depth > MaxDepth || IsExpressionTree(value))
            return null;
        var outer = value.WalkUpConversions();
        if (outer.Parent is IEventAssignmentOperation { Adds: true } subscription && subscription.HandlerValue == outer)
            return SubscriptionOutlives(subscription, cancellationToken) ? subscription : null;

        var fate = Ownership.Classify(value);
        switch (fate.Kind)
        {
            case FateKind.Argument:
                return ArgumentOutlives((IArgumentOperation)fate.At!, cancellationToken) ? fate.At!.Parent : null;
            case FateKind.Stored:
                return fate.At is ISimpleAssignmentOperation assignment && _lifetimes.IsLongLivedStorage(assignment.Target) ? assignment : null;
            case FateKind.Local:
                if (ReadsOf(fate.Local!, value, cancellationToken) is not { } uses)
                    return null;
                foreach (var use in uses)
                {
                    if (EscapeOf(use, depth + 1, cancellationToken) is { } escape)
                        return escape;
                }

                return null;
            case FateKind.Receiver when fate.At is IInvocationOperation { TargetMethod.MethodKind: MethodKind.DelegateInvoke } invoke:
                return _threading.IsAwaitable(invoke.Type) && RunsOn(JudgeTask(invoke, 0, cancellationToken)) ? invoke : null;
            case FateKind.Unknown when fate.At is IInvalidOperation invalid:
                return InvalidCallOutlives(invalid, Ownership.Carrier(value), cancellationToken) ? invalid : null;
            default:
                return null;
        }
    }

    /// <summary>
    /// A delegate given to a call that does not fully bind (<c>Task.Run(() =&gt; unknown.Go())</c>): stepped through as the
    /// work start every candidate is, or as a queue when every candidate is one.
    /// </summary>
    private bool InvalidCallOutlives(IInvalidOperation invalid, IOperation value, CancellationToken cancellationToken)
    {
        if (StartedBy(invalid) is { } work)
            return work.Body == value && RunsOn(Judge(work, cancellationToken));
        var candidates = UnboundCalls.CandidateMethods(invalid);
        return !candidates.IsEmpty && candidates.All(IsQueue) && UnboundCalls.ReceiverOf(invalid) != value;
    }

    /// <summary>True when a local function is started as fire-and-forget work, or converted to a delegate that escapes.</summary>
    public bool LocalFunctionOutlives(ILocalFunctionOperation function, CancellationToken cancellationToken) =>
        LocalFunctionEscapeOf(function, cancellationToken) is not null;

    /// <summary>Where a local function escapes: the escape of a delegate made from it, or a call of it (an async one) whose task runs on.</summary>
    public IOperation? LocalFunctionEscapeOf(ILocalFunctionOperation function, CancellationToken cancellationToken)
    {
        if (function.Parent is null || function.GetEnclosingBody() is not { } body)
            return null;
        foreach (var operation in body.Descendants())
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (operation)
            {
                case IMethodReferenceOperation reference when SymbolEqualityComparer.Default.Equals(reference.Method.OriginalDefinition, function.Symbol):
                    if (EscapeOf(reference, cancellationToken) is { } escape)
                        return escape;
                    break;
                case IInvocationOperation invocation when SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.OriginalDefinition, function.Symbol)
                    && _threading.IsAwaitable(invocation.Type)
                    && RunsOn(JudgeTask(invocation, 0, cancellationToken)):
                    return invocation;
            }
        }

        return null;
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
