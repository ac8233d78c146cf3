namespace LeakAnalyzers.Model;

/// <summary>Where started work (its task, thread or timer) ends up; ordered from most to least observed.</summary>
internal enum WorkFate
{
    /// <summary>Awaited, waited, joined, or disposed (a timer) before the code goes on: bounded by the request.</summary>
    Awaited,
    /// <summary>Returned to the caller.</summary>
    Returned,
    /// <summary>Passed to a method the analysis does not know: somebody else may observe it.</summary>
    Passed,
    /// <summary>Kept in a field, a property, a collection or handed to a queue: observed elsewhere, but alive after the request.</summary>
    Stored,
    /// <summary>The analysis cannot tell.</summary>
    Unknown,
    /// <summary>Only looked at (<c>IsCompleted</c>, <c>Status</c>): nothing waits for it.</summary>
    Read,
    /// <summary>Nobody keeps or waits for it: fire-and-forget (<c>_ = …</c>, an expression statement, a local never awaited).</summary>
    Dropped,
}

/// <summary>Where the work's task, thread or timer ends up.</summary>
internal sealed partial class Work
{
    /// <summary>Whether the work's task, thread or timer is observed before the code goes on.</summary>
    public WorkFate Judge(WorkStart work, CancellationToken cancellationToken) => work.Kind switch
    {
        WorkKind.ThreadPool => WorkFate.Dropped,
        WorkKind.Thread => JudgeThread(work.Start, cancellationToken),
        WorkKind.Timer => JudgeTimer(work.Start, cancellationToken),
        _ => JudgeTask(work.Start, 0, cancellationToken),
    };

    /// <summary>
    /// Where a task value goes: awaited (through <c>ConfigureAwait</c>, <c>Unwrap</c>, a local, <c>Task.WhenAll</c>),
    /// returned, stored, passed or dropped. A <c>Task&lt;Task&gt;</c> (<c>StartNew(async …)</c>, <c>ContinueWith(async
    /// …)</c>) converted to a plain <c>Task</c> loses its inner task, the real work: awaiting or returning it then
    /// observes only the start, and the work is dropped.
    /// </summary>
    public WorkFate JudgeTask(IOperation task, int depth, CancellationToken cancellationToken)
    {
        var fate = JudgeTaskValue(task, depth, cancellationToken);
        return fate is WorkFate.Awaited or WorkFate.Returned && DropsInnerTask(task) ? WorkFate.Dropped : fate;
    }

    /// <summary>A <c>Task&lt;Task&gt;</c> converted to a <c>Task</c> that does not carry the inner one (<c>Task t = StartNew(async …)</c>).</summary>
    private bool DropsInnerTask(IOperation task) =>
        task.Type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } outer
        && _threading.IsTaskType(outer.OriginalDefinition)
        && _threading.IsAwaitable(outer.TypeArguments[0])
        && task.WalkUpConversions() is { Type: INamedTypeSymbol { IsGenericType: false } converted } carrier
        && carrier != task
        && _threading.IsTaskType(converted);

    private WorkFate JudgeTaskValue(IOperation task, int depth, CancellationToken cancellationToken)
    {
        if (depth > MaxDepth)
            return WorkFate.Unknown;
        if (task.WalkUpConversions().Parent is IAwaitOperation awaited)
            return JudgeAwait(awaited, depth, cancellationToken);

        var fate = Ownership.Classify(task);
        if (fate is { Kind: FateKind.Unknown, At: IInvalidOperation invalid })
            return JudgeInvalidUse(invalid, Ownership.Carrier(task), depth, cancellationToken);
        switch (fate.Kind)
        {
            case FateKind.Discarded:
                return WorkFate.Dropped;
            case FateKind.Returned:
                return WorkFate.Returned;
            case FateKind.Stored:
                return Ownership.ParamsArgument(fate) is { } element ? JudgeTaskArgument(element, depth, cancellationToken) : WorkFate.Stored;
            case FateKind.Local:
                return JudgeLocal(fate.Local!, task, depth, cancellationToken, (reference, d) => JudgeTask(reference, d, cancellationToken));
            case FateKind.Argument:
                return JudgeTaskArgument((IArgumentOperation)fate.At!, depth, cancellationToken);
            case FateKind.Receiver:
                return JudgeTaskReceiver(fate.At!, depth, cancellationToken);
            case FateKind.Read:
                return WorkFate.Read;
            default:
                return WorkFate.Unknown;
        }
    }

    /// <summary>
    /// An awaited task is observed, unless awaiting it yields another task: <c>await t.ContinueWith(async …)</c> and
    /// <c>await Task.Factory.StartNew(async …)</c> produce a <c>Task&lt;Task&gt;</c>, and the inner task (the real
    /// work) is then judged on its own.
    /// </summary>
    private WorkFate JudgeAwait(IAwaitOperation awaited, int depth, CancellationToken cancellationToken) =>
        _threading.IsAwaitable(awaited.Type) ? JudgeTask(awaited, depth + 1, cancellationToken) : WorkFate.Awaited;

    private WorkFate JudgeTaskArgument(IArgumentOperation argument, int depth, CancellationToken cancellationToken)
    {
        if (argument.Parent is not IInvocationOperation invocation)
            return WorkFate.Passed;                       // handed to a constructor: a wrapper owns it
        var method = invocation.TargetMethod;
        if (_threading.IsTaskType(method.ContainingType.OriginalDefinition))
        {
            switch (method.Name)
            {
                case "WhenAll" or "WhenAny":
                    return JudgeTask(invocation, depth + 1, cancellationToken);
                case "WaitAll" or "WaitAny":
                    return WorkFate.Awaited;
            }
        }

        if (method.IsExtensionMethod && argument.Parameter?.Ordinal == 0)
            return JudgeTaskReceiver(invocation, depth, cancellationToken);
        return _ownership.IsKnownTransfer(method) || IsQueue(method) ? WorkFate.Stored : WorkFate.Passed;
    }

    private WorkFate JudgeTaskReceiver(IOperation access, int depth, CancellationToken cancellationToken)
    {
        switch (access)
        {
            case IInvocationOperation { TargetMethod.Name: "ConfigureAwait" or "Unwrap" or "WaitAsync" or "AsTask" or "Preserve" } invocation:
                return JudgeTask(invocation, depth + 1, cancellationToken);
            case IInvocationOperation { TargetMethod.Name: "Wait" or "GetAwaiter" or "RunSynchronously" }:
            case IPropertyReferenceOperation { Property.Name: "Result" }:
                return WorkFate.Awaited;
            case IInvocationOperation { TargetMethod.Name: "ContinueWith" }:
                return WorkFate.Passed;                   // the continuation observes it, and is judged as work of its own
            case IInvocationOperation:
                return WorkFate.Passed;                   // an extension of somebody's (SafeFireAndForget, Forget…)
            case IPropertyReferenceOperation:
                return WorkFate.Read;
            default:
                return WorkFate.Unknown;
        }
    }

    /// <summary>
    /// A task used by a call that does not fully bind: stepped through as the call all its candidates are. The receiver
    /// of <c>ConfigureAwait</c>/<c>Unwrap</c>/<c>WaitAsync</c> goes on with the call's value, of a continuation is observed
    /// by it; an argument of <c>Task.WhenAll</c>/<c>WhenAny</c> goes on with their task, of <c>WaitAll</c> is waited;
    /// any other argument is passed on.
    /// </summary>
    private WorkFate JudgeInvalidUse(IInvalidOperation invalid, IOperation task, int depth, CancellationToken cancellationToken)
    {
        var candidates = UnboundCalls.CandidateMethods(invalid);
        if (candidates.IsEmpty)
            return WorkFate.Unknown;
        var name = candidates[0].Name;
        if (candidates.Any(c => c.Name != name))
            return WorkFate.Unknown;
        if (UnboundCalls.ReceiverOf(invalid) == task)
        {
            return name switch
            {
                "ConfigureAwait" or "Unwrap" or "WaitAsync" => JudgeTask(invalid, depth + 1, cancellationToken),
                "Wait" or "GetAwaiter" => WorkFate.Awaited,
                _ => WorkFate.Passed,                     // a continuation observes it; an extension of somebody's
            };
        }

        if (candidates.All(c => _threading.IsTaskType(c.ContainingType.OriginalDefinition)))
        {
            switch (name)
            {
                case "WhenAll" or "WhenAny":
                    return JudgeTask(invalid, depth + 1, cancellationToken);
                case "WaitAll" or "WaitAny":
                    return WorkFate.Awaited;
            }
        }

        return WorkFate.Passed;
    }

    /// <summary>The best fate among the uses of a local; a local nobody uses, or only looks at, is <see cref="WorkFate.Dropped"/>.</summary>
    private static WorkFate JudgeLocal(ILocalSymbol local, IOperation from, int depth, CancellationToken cancellationToken, Func<IOperation, int, WorkFate> judge)
    {
        if (ReadsOf(local, from, cancellationToken) is not { } uses)
            return WorkFate.Unknown;
        var best = WorkFate.Dropped;
        foreach (var use in uses)
        {
            var fate = judge(use, depth + 1);
            if (fate < best)
                best = fate;
        }

        return best == WorkFate.Read ? WorkFate.Dropped : best;
    }

    /// <summary>The reads of <paramref name="local"/> in the body around <paramref name="from"/>; null when a nested function uses it (cannot tell).</summary>
    private static List<ILocalReferenceOperation>? ReadsOf(ILocalSymbol local, IOperation from, CancellationToken cancellationToken) =>
        from.GetEnclosingBody() is { } body ? BodyIndex.Of(body).ReadsOf(local, cancellationToken) : null;

    private WorkFate JudgeThread(IOperation creation, CancellationToken cancellationToken)
    {
        var fate = Ownership.Classify(creation);
        switch (fate.Kind)
        {
            case FateKind.Receiver when fate.At is IInvocationOperation { TargetMethod.Name: "Start" }:
                return WorkFate.Dropped;                  // new Thread(…).Start(): nobody can join it
            case FateKind.Stored:
                return WorkFate.Stored;
            case FateKind.Local:
                var started = false;
                var fateOfLocal = JudgeLocal(fate.Local!, creation, 0, cancellationToken, (reference, _) =>
                {
                    switch (Ownership.Classify(reference))
                    {
                        case { Kind: FateKind.Receiver, At: IInvocationOperation { TargetMethod.Name: "Join" } }:
                            return WorkFate.Awaited;
                        case { Kind: FateKind.Receiver, At: IInvocationOperation { TargetMethod.Name: "Start" } }:
                            started = true;
                            return WorkFate.Dropped;
                        case { Kind: FateKind.Receiver }:
                            return WorkFate.Read;
                        case { Kind: FateKind.Stored }:
                            return WorkFate.Stored;
                        default:
                            return WorkFate.Unknown;
                    }
                });
                if (started)
                    return fateOfLocal;
                return fateOfLocal == WorkFate.Stored ? WorkFate.Stored : WorkFate.Unknown;
            default:
                return WorkFate.Unknown;                  // not started here, or handed on
        }
    }

    /// <summary>A timer is bounded when it is disposed in the body that creates it (<c>using</c> or <c>Dispose()</c>).</summary>
    private static WorkFate JudgeTimer(IOperation creation, CancellationToken cancellationToken)
    {
        var fate = Ownership.Classify(creation);
        switch (fate.Kind)
        {
            case FateKind.Discarded:
                return WorkFate.Dropped;
            case FateKind.Using:
                return WorkFate.Awaited;
            case FateKind.Stored:
                return WorkFate.Stored;
            case FateKind.Local:
                return JudgeTimerLocal(fate.Local!, creation, cancellationToken);
            case FateKind.Argument:
                return WorkFate.Passed;
            default:
                return WorkFate.Unknown;
        }
    }

    private static WorkFate JudgeTimerLocal(ILocalSymbol local, IOperation from, CancellationToken cancellationToken) =>
        JudgeLocal(local, from, 0, cancellationToken, static (reference, _) => Ownership.Classify(reference) switch
        {
            { Kind: FateKind.Receiver, At: IInvocationOperation { TargetMethod.Name: "Dispose" or "DisposeAsync" } } => WorkFate.Awaited,
            { Kind: FateKind.Receiver, At: IConditionalAccessOperation { WhenNotNull: IInvocationOperation { TargetMethod.Name: "Dispose" or "DisposeAsync" } } } => WorkFate.Awaited,
            { Kind: FateKind.Using } => WorkFate.Awaited,
            { Kind: FateKind.Receiver } => WorkFate.Read,
            { Kind: FateKind.Stored } => WorkFate.Stored,
            { Kind: FateKind.Argument } => WorkFate.Passed,
            _ => WorkFate.Unknown,
        });

    /// <summary>Nothing waits for the work: fire-and-forget. Stored, passed, returned or awaited work is observed elsewhere.</summary>
    public static bool IsUnobserved(WorkFate fate) => fate is WorkFate.Dropped or WorkFate.Read;

    /// <summary>Work that runs on after the code that started it: dropped, or kept somewhere long-lived.</summary>
    public static bool RunsOn(WorkFate fate) => fate is WorkFate.Dropped or WorkFate.Stored;
}
