namespace LeakAnalyzers.Helpers;

/// <summary>How code hands work to something that runs it later or elsewhere.</summary>
internal enum WorkKind
{
    /// <summary><c>Task.Run</c>, <c>Task.Factory.StartNew</c>.</summary>
    Run,
    /// <summary><c>task.ContinueWith(…)</c>.</summary>
    Continuation,
    /// <summary><c>ThreadPool.QueueUserWorkItem</c> / <c>UnsafeQueueUserWorkItem</c>.</summary>
    ThreadPool,
    /// <summary><c>new Thread(…)</c> that is started.</summary>
    Thread,
    /// <summary><c>new System.Threading.Timer(callback, …)</c>.</summary>
    Timer,
    /// <summary>Any other call that returns a task: the task is the started work.</summary>
    Call,
}

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

/// <summary>A call or creation that starts work, with the delegate it runs and the token argument the API takes.</summary>
internal readonly struct Work
{
    public Work(WorkKind kind, IOperation start, IArgumentOperation? body, IArgumentOperation? token)
    {
        Kind = kind;
        Start = start;
        Body = body;
        Token = token;
    }

    public WorkKind Kind { get; }

    /// <summary>The invocation or object creation that starts the work.</summary>
    public IOperation Start { get; }

    /// <summary>The argument carrying the delegate that runs (null for <see cref="WorkKind.Call"/>).</summary>
    public IArgumentOperation? Body { get; }

    /// <summary>The <c>CancellationToken</c> argument of the start, when the chosen overload takes one.</summary>
    public IArgumentOperation? Token { get; }

    /// <summary>The lambda, anonymous method or method reference the work runs, conversions stripped.</summary>
    public IOperation? Delegate => Body?.Value.WalkDownConversions() is { } value
        ? value is IDelegateCreationOperation creation ? creation.Target : value
        : null;
}

/// <summary>
/// What escapes the code that started it: which calls start work, whether their task, thread or timer is observed
/// before the code goes on, and whether a delegate outlives the call that created it. Bounded and local by design:
/// one method body, a few hops through locals, no interprocedural flow. When the analysis cannot tell, the answers
/// lean towards "observed" and "does not escape", so that rules stay silent.
/// </summary>
internal sealed class Escape
{
    private const int MaxDepth = 4;

    private readonly INamedTypeSymbol _task;
    private readonly INamedTypeSymbol? _taskOfT;
    private readonly INamedTypeSymbol? _valueTask;
    private readonly INamedTypeSymbol? _valueTaskOfT;
    private readonly INamedTypeSymbol? _taskFactory;
    private readonly INamedTypeSymbol? _taskFactoryOfT;
    private readonly INamedTypeSymbol? _threadPool;
    private readonly INamedTypeSymbol? _thread;
    private readonly INamedTypeSymbol? _threadingTimer;
    private readonly INamedTypeSymbol? _timersTimer;
    private readonly INamedTypeSymbol? _expression;
    private readonly INamedTypeSymbol? _channelWriter;
    private readonly INamedTypeSymbol? _lifetime;
    private readonly INamedTypeSymbol? _httpContext;

    private Escape(Compilation compilation, INamedTypeSymbol task, INamedTypeSymbol cancellationToken)
    {
        _task = task;
        CancellationToken = cancellationToken;
        _taskOfT = compilation.GetBestTypeByMetadataName(TypeNames.TaskOfT);
        _valueTask = compilation.GetBestTypeByMetadataName(TypeNames.ValueTask);
        _valueTaskOfT = compilation.GetBestTypeByMetadataName(TypeNames.ValueTaskOfT);
        _taskFactory = compilation.GetBestTypeByMetadataName(TypeNames.TaskFactory);
        _taskFactoryOfT = compilation.GetBestTypeByMetadataName(TypeNames.TaskFactoryOfT);
        _threadPool = compilation.GetBestTypeByMetadataName(TypeNames.ThreadPool);
        _thread = compilation.GetBestTypeByMetadataName(TypeNames.Thread);
        _threadingTimer = compilation.GetBestTypeByMetadataName(TypeNames.ThreadingTimer);
        _timersTimer = compilation.GetBestTypeByMetadataName(TypeNames.TimersTimer);
        _expression = compilation.GetBestTypeByMetadataName(TypeNames.ExpressionOfT);
        _channelWriter = compilation.GetBestTypeByMetadataName(TypeNames.ChannelWriterOfT);
        _lifetime = compilation.GetBestTypeByMetadataName(TypeNames.IHostApplicationLifetime);
        _httpContext = compilation.GetBestTypeByMetadataName(TypeNames.HttpContext);
    }

    public INamedTypeSymbol CancellationToken { get; }

    public INamedTypeSymbol? HostApplicationLifetime => _lifetime;

    /// <summary>Null when the compilation has no <c>Task</c> or <c>CancellationToken</c>.</summary>
    public static Escape? Create(Compilation compilation) =>
        compilation.GetBestTypeByMetadataName(TypeNames.Task) is { } task
        && compilation.GetBestTypeByMetadataName(TypeNames.CancellationToken) is { } token
            ? new Escape(compilation, task, token)
            : null;

    // ------------------------------------------------------------------------------------------------------------
    // Which calls start work

    /// <summary>The work <paramref name="operation"/> starts, or null when it starts none.</summary>
    public Work? AsWork(IOperation operation)
    {
        switch (operation)
        {
            case IInvocationOperation invocation:
                return AsWork(invocation);
            case IObjectCreationOperation { Constructor: { } constructor } creation:
                if (SymbolEqualityComparer.Default.Equals(creation.Type, _thread))
                    return new Work(WorkKind.Thread, creation, DelegateArgument(creation.Arguments), null);
                if (SymbolEqualityComparer.Default.Equals(creation.Type, _threadingTimer) && constructor.Parameters.Length > 0)
                    return new Work(WorkKind.Timer, creation, DelegateArgument(creation.Arguments), null);
                return null;
            default:
                return null;
        }
    }

    private Work? AsWork(IInvocationOperation invocation)
    {
        // Called for every invocation of the compilation: the names are compared before the symbols, and the most
        // common case, a call of an ordinary method, costs a few string comparisons and the walk of its return type.
        var method = invocation.TargetMethod;
        var type = method.ContainingType?.OriginalDefinition;
        if (type is null)
            return null;
        if (IsTaskType(type))
        {
            switch (method.Name)
            {
                case "Run" when method.IsStatic:
                    return new Work(WorkKind.Run, invocation, DelegateArgument(invocation.Arguments), TokenArgument(invocation.Arguments));
                case "ContinueWith" when !method.IsStatic:
                    return new Work(WorkKind.Continuation, invocation, DelegateArgument(invocation.Arguments), TokenArgument(invocation.Arguments));
                default:
                    return null;                         // WhenAll, Delay, FromResult, ConfigureAwait…: not work of their own
            }
        }

        if (type.Name == "TaskFactory" && (SymbolEqualityComparer.Default.Equals(type, _taskFactory) || SymbolEqualityComparer.Default.Equals(type, _taskFactoryOfT)))
        {
            return method.Name == "StartNew"
                ? new Work(WorkKind.Run, invocation, DelegateArgument(invocation.Arguments), TokenArgument(invocation.Arguments))
                : null;
        }

        if (type.Name == "ThreadPool" && SymbolEqualityComparer.Default.Equals(type, _threadPool))
        {
            return method.Name is "QueueUserWorkItem" or "UnsafeQueueUserWorkItem"
                ? new Work(WorkKind.ThreadPool, invocation, DelegateArgument(invocation.Arguments), null)
                : null;
        }

        if (IsAwaitable(method.ReturnType) && !IsQueue(method))
            return new Work(WorkKind.Call, invocation, null, TokenArgument(invocation.Arguments));
        return null;
    }

    private static IArgumentOperation? DelegateArgument(ImmutableArray<IArgumentOperation> arguments) =>
        arguments.FirstOrDefault(static a => a.Parameter?.Type.TypeKind == TypeKind.Delegate);

    private IArgumentOperation? TokenArgument(ImmutableArray<IArgumentOperation> arguments) =>
        arguments.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter?.Type, CancellationToken));

    private bool IsTaskType(ITypeSymbol type) =>
        type.Name is "Task" or "ValueTask"
        && (SymbolEqualityComparer.Default.Equals(type, _task) || SymbolEqualityComparer.Default.Equals(type, _taskOfT)
        || SymbolEqualityComparer.Default.Equals(type, _valueTask) || SymbolEqualityComparer.Default.Equals(type, _valueTaskOfT));

    /// <summary><c>Task</c>, <c>Task&lt;T&gt;</c>, <c>ValueTask</c>, <c>ValueTask&lt;T&gt;</c> or a type derived from them.</summary>
    public bool IsAwaitable(ITypeSymbol? type)
    {
        for (var current = type as INamedTypeSymbol; current is { SpecialType: not SpecialType.System_Object }; current = current.BaseType)
        {
            if (IsTaskType(current.OriginalDefinition))
                return true;
        }

        return false;
    }

    /// <summary>APIs that hand work to a queue that runs it later: <c>QueueBackgroundWorkItem</c>-style methods and channel writers.</summary>
    private bool IsQueue(IMethodSymbol method) =>
        method.Name.StartsWith("Queue", StringComparison.Ordinal)
        || method.Name.StartsWith("Enqueue", StringComparison.Ordinal)
        || method.ContainingType?.OriginalDefinition.IsOrInheritsFrom(_channelWriter) == true;

    /// <summary>True for <c>CancellationToken.None</c>, <c>default</c> and <c>new CancellationToken()</c> (or <c>(false)</c>).</summary>
    public bool IsNoToken(IOperation value)
    {
        switch (value.WalkDownConversions())
        {
            case IDefaultValueOperation:
                return true;
            case IPropertyReferenceOperation { Property.Name: "None" } property:
                return SymbolEqualityComparer.Default.Equals(property.Property.ContainingType, CancellationToken);
            case IObjectCreationOperation creation when SymbolEqualityComparer.Default.Equals(creation.Type, CancellationToken):
                return creation.Arguments.Length == 0
                    || creation.Arguments[0].Value.ConstantValue is { HasValue: true, Value: false };
            default:
                return false;
        }
    }

    /// <summary>True when a real token (not <c>None</c>/<c>default</c>, not the parameter's default) is passed.</summary>
    public bool PassesToken(IArgumentOperation? argument) =>
        argument is { ArgumentKind: not ArgumentKind.DefaultValue } && !IsNoToken(argument.Value);

    // ------------------------------------------------------------------------------------------------------------
    // Where the work ends up

    /// <summary>Whether the work's task, thread or timer is observed before the code goes on.</summary>
    public WorkFate Judge(Work work, CancellationToken cancellationToken) => work.Kind switch
    {
        WorkKind.ThreadPool => WorkFate.Dropped,
        WorkKind.Thread => JudgeThread(work.Start, cancellationToken),
        WorkKind.Timer => JudgeTimer(work.Start, cancellationToken),
        _ => JudgeTask(work.Start, 0, cancellationToken),
    };

    /// <summary>Where a task value goes: awaited (through <c>ConfigureAwait</c>, <c>Unwrap</c>, a local, <c>Task.WhenAll</c>), returned, stored, passed or dropped.</summary>
    public WorkFate JudgeTask(IOperation task, int depth, CancellationToken cancellationToken)
    {
        if (depth > MaxDepth)
            return WorkFate.Unknown;
        if (task.WalkUpConversions().Parent is IAwaitOperation awaited)
            return JudgeAwait(awaited, depth, cancellationToken);

        var fate = Ownership.Classify(task);
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
        IsAwaitable(awaited.Type) ? JudgeTask(awaited, depth + 1, cancellationToken) : WorkFate.Awaited;

    private WorkFate JudgeTaskArgument(IArgumentOperation argument, int depth, CancellationToken cancellationToken)
    {
        if (argument.Parent is not IInvocationOperation invocation)
            return WorkFate.Passed;                       // handed to a constructor: a wrapper owns it
        var method = invocation.TargetMethod;
        if (IsTaskType(method.ContainingType.OriginalDefinition))
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
        return Ownership.IsKnownTransfer(method) || IsQueue(method) ? WorkFate.Stored : WorkFate.Passed;
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

    /// <summary>The best fate among the uses of a local; a local nobody uses, or only looks at, is <see cref="WorkFate.Dropped"/>.</summary>
    private static WorkFate JudgeLocal(ILocalSymbol local, IOperation from, int depth, CancellationToken cancellationToken, Func<IOperation, int, WorkFate> judge)
    {
        if (Uses(local, from, cancellationToken) is not { } uses)
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

    /// <summary>The reads of <paramref name="local"/> in the body that declares it; null when a nested function uses it (cannot tell).</summary>
    private static List<ILocalReferenceOperation>? Uses(ILocalSymbol local, IOperation from, CancellationToken cancellationToken)
    {
        if (from.GetEnclosingBody() is not { } body)
            return null;
        var uses = new List<ILocalReferenceOperation>();
        foreach (var operation in body.Descendants())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (operation is not ILocalReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Local, local))
                continue;
            if (reference.Parent is IAssignmentOperation assignment && assignment.Target == reference)
                continue;
            if (reference.IsInsideNestedFunction(body))
                return null;
            uses.Add(reference);
        }

        return uses;
    }

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
    private WorkFate JudgeTimer(IOperation creation, CancellationToken cancellationToken)
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

    // ------------------------------------------------------------------------------------------------------------
    // Whether a delegate outlives the code that creates it

    /// <summary>
    /// True when <paramref name="function"/> (a lambda, anonymous method, or a reference to a local function) is run
    /// by work that is not awaited (fire-and-forget <c>Task.Run</c>, a thread, a timer, the thread pool, a queue), or
    /// is kept where it outlives the request (a static field, property, event or collection, a field of a middleware
    /// singleton, a callback on <c>ApplicationStopping</c>), or is an async delegate invoked without awaiting its task
    /// (<c>Func&lt;Task&gt; later = async () =&gt; …; _ = later();</c>). Synchronous use (LINQ, <c>List.ForEach</c>,
    /// <c>Response.OnStarting</c>), expression trees and unknown APIs do not escape.
    /// </summary>
    public bool Outlives(IOperation function, CancellationToken cancellationToken) =>
        Outlives(function.Parent is IDelegateCreationOperation creation ? creation : function, 0, cancellationToken);

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
                return fate.At is ISimpleAssignmentOperation assignment && IsLongLived(assignment.Target);
            case FateKind.Local:
                return Uses(fate.Local!, value, cancellationToken) is { } uses && uses.Any(use => Outlives(use, depth + 1, cancellationToken));
            case FateKind.Receiver when fate.At is IInvocationOperation { TargetMethod.MethodKind: MethodKind.DelegateInvoke } invoke:
                return IsAwaitable(invoke.Type) && JudgeTask(invoke, 0, cancellationToken) is WorkFate.Dropped or WorkFate.Stored;
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
                    && IsAwaitable(invocation.Type)
                    && JudgeTask(invocation, 0, cancellationToken) is WorkFate.Dropped or WorkFate.Stored:
                    return true;
            }
        }

        return false;
    }

    private bool IsExpressionTree(IOperation value) =>
        value.WalkUpConversions() is { Type: INamedTypeSymbol type } && type.OriginalDefinition.IsOrInheritsFrom(_expression)
        || value.Type is INamedTypeSymbol own && own.OriginalDefinition.IsOrInheritsFrom(_expression);

    private bool ArgumentOutlives(IArgumentOperation argument, CancellationToken cancellationToken)
    {
        var call = argument.Parent;
        if (call is not null && AsWork(call) is { } work && work.Body == argument)
            return Judge(work, cancellationToken) is WorkFate.Dropped or WorkFate.Stored;
        if (call is not IInvocationOperation invocation)
            return false;
        var method = invocation.TargetMethod;
        if (method.Name is "Register" or "UnsafeRegister" && SymbolEqualityComparer.Default.Equals(method.ContainingType, CancellationToken))
            return IsApplicationToken(invocation.Instance);
        if (IsQueue(method))
            return true;
        return Ownership.IsKnownTransfer(method) && invocation.Instance is { } collection && IsLongLived(collection);
    }

    /// <summary><c>ApplicationStarted</c>/<c>ApplicationStopping</c>/<c>ApplicationStopped</c>: callbacks on them live as long as the application.</summary>
    private bool IsApplicationToken(IOperation? token) =>
        token?.WalkDownConversions() is IPropertyReferenceOperation property
        && property.Property.ContainingType.Implements(_lifetime);

    private bool SubscriptionOutlives(IEventAssignmentOperation subscription, CancellationToken cancellationToken)
    {
        if (subscription.EventReference is not IEventReferenceOperation reference)
            return false;
        if (reference.Event.IsStatic)
            return true;
        if (!SymbolEqualityComparer.Default.Equals(reference.Event.ContainingType, _timersTimer))
            return IsLongLived(reference.Instance);
        switch (reference.Instance?.WalkDownConversions())
        {
            case ILocalReferenceOperation local:
                return JudgeTimerLocal(local.Local, subscription, cancellationToken) is WorkFate.Dropped or WorkFate.Stored;
            case IFieldReferenceOperation or IPropertyReferenceOperation:
                return true;                              // a timer kept in a field fires after the request
            default:
                return false;
        }
    }

    /// <summary>A static member, or a member of a conventional middleware (created once for the application).</summary>
    private bool IsLongLived(IOperation? target)
    {
        switch (target?.WalkDownConversions())
        {
            case IMemberReferenceOperation { Member.IsStatic: true }:
                return true;
            case IMemberReferenceOperation { Instance: IInstanceReferenceOperation { Type: INamedTypeSymbol owner } }:
                return _httpContext is not null && RequestScope.IsConventionalMiddleware(owner, _httpContext);
            default:
                return false;
        }
    }
}
