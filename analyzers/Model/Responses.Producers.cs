namespace LeakAnalyzers.Model;

/// <summary>How an operation hands the code a response it owns.</summary>
internal enum ResponseProducerKind
{
    /// <summary><c>new HttpResponseMessage(…)</c>.</summary>
    Creation,
    /// <summary>
    /// A call whose declaration returns a response (<c>Send</c>, a wrapper of the project, <c>….GetAwaiter().GetResult()</c>),
    /// the invocation of a delegate that returns one, or a generic pass-through whose type argument a response producer
    /// fixes (<c>WithTimeout&lt;T&gt;(ct =&gt; client.SendAsync(request, ct))</c>).
    /// </summary>
    Call,
    /// <summary><c>await</c> on a task that a call creates (directly, through <c>ConfigureAwait</c>, or kept in a local).</summary>
    Await,
    /// <summary><c>.Result</c> read straight off the call that creates the task (<c>c.GetAsync(u).Result</c>).</summary>
    Result,
    /// <summary>
    /// The task of a call that creates a response, thrown away unawaited (<c>_ = c.GetAsync(u);</c> or the call as a
    /// statement): the response it completes with has no owner.
    /// </summary>
    DroppedTask,
    /// <summary><c>t.Result</c> read in a <c>ContinueWith</c> continuation of a task that a call creates.</summary>
    Continuation,
}

/// <summary>
/// A response the code owns from <see cref="Operation"/> on (where a rule reports), produced as <see cref="Kind"/> says;
/// <see cref="Source"/> names the call that produced it, for messages.
/// </summary>
internal readonly record struct ResponseProducer(ResponseProducerKind Kind, IOperation Operation, string Source);

internal sealed partial class Responses
{
    /// <summary>
    /// The response <paramref name="operation"/> hands the code, or null when it hands none the code owns. Called for
    /// every object creation, invocation and <c>await</c> of a compilation: the cheap type test comes first.
    /// </summary>
    public ResponseProducer? ProducedBy(IOperation operation, CancellationToken cancellationToken = default)
    {
        switch (operation)
        {
            case IObjectCreationOperation creation when IsResponse(creation.Type):
                return new ResponseProducer(ResponseProducerKind.Creation, creation, "new " + creation.Type!.Name);
            case IInvocationOperation invocation when IsResponse(invocation.TargetMethod.ReturnType) && IsCreation(invocation, cancellationToken):
                return new ResponseProducer(ResponseProducerKind.Call, invocation, SourceName(invocation));
            case IInvocationOperation invocation when ResultOf(invocation, cancellationToken) is { } result:
                return new ResponseProducer(ResponseProducerKind.Result, result, SourceName(invocation));
            case IInvocationOperation invocation when ContinuationResultOf(invocation, cancellationToken) is { } read:
                return new ResponseProducer(ResponseProducerKind.Continuation, read, SourceName(invocation));
            case IInvocationOperation invocation when IsTaskOfResponse(invocation.TargetMethod.ReturnType) && IsDropped(invocation)
                && IsCreatedTask(invocation, cancellationToken):
                return new ResponseProducer(ResponseProducerKind.DroppedTask, invocation, SourceName(invocation));
            case IAwaitOperation awaited when AwaitsResponse(awaited) && IsCreatedTask(awaited.Operation, cancellationToken):
                return new ResponseProducer(ResponseProducerKind.Await, awaited, SourceName(awaited.Operation));
            case IInvalidOperation invalid:
                return UnboundProducer(invalid);
            default:
                return null;
        }
    }

    /// <summary>
    /// An <c>await</c> that yields a response. Around a call that does not fully bind (an argument of an unknown type:
    /// <c>await c.GetAsync(u, unknown)</c>) the <c>await</c> itself has no type: it yields the response when the task it
    /// awaits, through <c>ConfigureAwait</c>, is a task of one.
    /// </summary>
    private bool AwaitsResponse(IAwaitOperation awaited)
    {
        if (awaited.Type is not (null or { TypeKind: TypeKind.Error }))
            return IsResponse(awaited.Type);
        var task = awaited.Operation.WalkDownConversions();
        while (task is IInvocationOperation { Instance: { } inner } invocation && Conventions.PassesTaskResultOn(invocation.TargetMethod))
            task = inner.WalkDownConversions();
        return IsTaskOfResponse(task.Type);
    }

    /// <summary>
    /// A call that does not fully bind (<c>c.Send(Build(unknown))</c>, <c>c.GetAsync(u, unknown).Result</c>, a dropped
    /// <c>c.PostAsync(u, unknown)</c>), judged as the call every candidate is: a producer when every candidate creates a
    /// response (<see cref="UnboundCreates"/>). The <c>await</c> of such a task is an <see cref="IAwaitOperation"/> of its
    /// own (<see cref="AwaitsResponse"/>); a continuation of it is not followed.
    /// </summary>
    private ResponseProducer? UnboundProducer(IInvalidOperation invalid)
    {
        if (UnboundCreates(invalid, task: false))
            return new ResponseProducer(ResponseProducerKind.Call, invalid, SourceName(invalid));
        if (!UnboundCreates(invalid, task: true))
            return null;
        if (invalid.WalkUpConversions().Parent is IPropertyReferenceOperation { Property.Name: "Result" } result)
            return new ResponseProducer(ResponseProducerKind.Result, result, SourceName(invalid));
        return IsDropped(invalid) ? new ResponseProducer(ResponseProducerKind.DroppedTask, invalid, SourceName(invalid)) : null;
    }

    /// <summary>
    /// Every method a call that does not bind may call (<see cref="UnboundCalls.PlausibleTargets"/>: the candidates and
    /// extension methods of that name that take as many arguments) creates a response (<paramref name="task"/>: a task of
    /// one) by its declaration (<see cref="CreatesByDeclaration"/>), or is the <c>Invoke</c> of a delegate whose
    /// constructed type returns one. Methods that disagree (a response and a stream, a task and a response) answer no,
    /// and so does a call none of them can take (an extension from a package the compilation cannot see).
    /// </summary>
    private bool UnboundCreates(IInvalidOperation invalid, bool task)
    {
        var candidates = UnboundCalls.PlausibleTargets(invalid);
        return !candidates.IsEmpty && candidates.All(c =>
            (task ? IsTaskOfResponse(c.ReturnType) : IsResponse(c.ReturnType))
            && (c.MethodKind == MethodKind.DelegateInvoke || CreatesByDeclaration(c)));
    }

    /// <summary>
    /// <c>c.GetAsync(u).Result</c>: the <c>.Result</c> read straight off a call that creates the task (found from the
    /// call, so that the rule needs no callback on every property reference of the compilation).
    /// </summary>
    private IPropertyReferenceOperation? ResultOf(IInvocationOperation invocation, CancellationToken cancellationToken) =>
        IsTaskOfResponse(invocation.TargetMethod.ReturnType)
        && invocation.WalkUpConversions().Parent is IPropertyReferenceOperation { Property.Name: "Result" } property
        && IsCreatedTask(invocation, cancellationToken)
            ? property
            : null;

    /// <summary>The value is thrown away where it is made: the whole expression statement, or <c>_ = …;</c>.</summary>
    private static bool IsDropped(IOperation value)
    {
        var outer = value.WalkUpConversions();
        return outer.Parent is IExpressionStatementOperation
            || outer.Parent is ISimpleAssignmentOperation { Target: IDiscardOperation, Parent: IExpressionStatementOperation } discard && discard.Value == outer;
    }

    /// <summary>
    /// A call creates a response when its declaration says it returns one. <c>EnsureSuccessStatusCode()</c> returns
    /// <c>this</c>, and generic methods (<c>First()</c>, <c>Interlocked.Exchange&lt;T&gt;</c>, <c>GetValueOrDefault</c>)
    /// hand out a response someone else already owns; an awaiter's <c>GetResult()</c> yields the response of the task
    /// it awaits. A delegate's <c>Invoke</c> is judged by the delegate's constructed type (a
    /// <c>Func&lt;HttpClient, HttpResponseMessage&gt;</c> makes a response each time it runs), and a generic method by its
    /// type argument when that comes from a delegate that makes the response (<see cref="IsPassThrough"/>).
    /// </summary>
    private bool IsCreation(IInvocationOperation invocation, CancellationToken cancellationToken)
    {
        var method = invocation.TargetMethod;
        if (ReturnsSameInstance(method))
            return false;
        if (method.MethodKind == MethodKind.DelegateInvoke || method.OriginalDefinition.ReturnType is not ITypeParameterSymbol)
            return true;
        return Conventions.IsAwaiterGetResult(method) && invocation.Instance is { } awaiter && IsCreatedTask(awaiter, cancellationToken)
            || IsPassThrough(invocation, cancellationToken);
    }

    /// <summary>
    /// The awaited task comes from a call that creates a response (through <c>ConfigureAwait</c>/<c>GetAwaiter</c>), or
    /// from a local that holds such a task. Tasks in fields, properties and parameters belong to someone else.
    /// </summary>
    private bool IsCreatedTask(IOperation? task, CancellationToken cancellationToken)
    {
        switch (task?.WalkDownConversions())
        {
            case IInvocationOperation { Instance: { } inner } invocation when Conventions.PassesTaskResultOn(invocation.TargetMethod):
                return IsCreatedTask(inner, cancellationToken);
            case IInvocationOperation { TargetMethod.MethodKind: MethodKind.DelegateInvoke }:
                return true;                             // the delegate's constructed type: a task of a response
            case IInvocationOperation invocation:
                return invocation.TargetMethod.OriginalDefinition.ReturnType is INamedTypeSymbol { TypeArguments.Length: 1 } returned
                    && (returned.TypeArguments[0] is not ITypeParameterSymbol || IsPassThrough(invocation, cancellationToken));
            case ILocalReferenceOperation:
                return true;
            case IInvalidOperation invalid:
                return UnboundCreates(invalid, task: true);
            default:
                return false;
        }
    }

    /// <summary>A method whose declaration returns a new response or a task of one (not a type parameter, not <c>this</c>).</summary>
    private bool CreatesByDeclaration(IMethodSymbol method)
    {
        if (ReturnsSameInstance(method))
            return false;
        var returned = method.OriginalDefinition.ReturnType;
        return IsResponse(method.ReturnType) && returned is not ITypeParameterSymbol
            || IsTaskOfResponse(method.ReturnType) && returned is INamedTypeSymbol { TypeArguments.Length: 1 } task && task.TypeArguments[0] is not ITypeParameterSymbol;
    }

    /// <summary><c>EnsureSuccessStatusCode()</c> returns <c>this</c>: an alias, not a new response.</summary>
    private bool ReturnsSameInstance(IMethodSymbol method) =>
        method.Name == "EnsureSuccessStatusCode" && method.ContainingType.IsOrInheritsFrom(_response);

    /// <summary>The name shown in the message: the call that produced the response (display only, never a decision).</summary>
    private static string SourceName(IOperation? operation)
    {
        switch (operation?.WalkDownConversions())
        {
            case IInvocationOperation { TargetMethod.Name: "GetResult" or "GetAwaiter" or "ConfigureAwait", Instance: { } inner }:
                return SourceName(inner);
            case IPropertyReferenceOperation { Property.Name: "Result", Instance: { } inner }:
                return SourceName(inner);
            case IAwaitOperation awaited:
                return SourceName(awaited.Operation);
            case IInvocationOperation invocation:
                return invocation.TargetMethod.MethodKind == MethodKind.DelegateInvoke ? SourceName(invocation.Instance) : invocation.TargetMethod.Name;
            case IObjectCreationOperation creation:
                return "new " + creation.Type?.Name;
            case IInvalidOperation invalid when UnboundCalls.CandidateMethods(invalid) is { IsEmpty: false } candidates:
                return candidates[0].Name;
            case ILocalReferenceOperation local:
                return local.Local.Name;
            case IParameterReferenceOperation parameter:
                return parameter.Parameter.Name;
            case IFieldReferenceOperation field:
                return field.Field.Name;
            case IPropertyReferenceOperation property:
                return property.Property.Name;
            default:
                return "the expression";
        }
    }
}
