namespace LeakAnalyzers.Model;

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

/// <summary>
/// A call or creation that starts work (<see cref="Start"/>), with the argument carrying the delegate it runs
/// (<see cref="Body"/>, null for <see cref="WorkKind.Call"/>) and the <c>CancellationToken</c> argument the chosen overload takes.
/// </summary>
internal readonly record struct WorkStart(WorkKind Kind, IOperation Start, IArgumentOperation? Body, IArgumentOperation? Token)
{
    /// <summary>The lambda, anonymous method or method reference the work runs, conversions stripped.</summary>
    public IOperation? Delegate => Body?.Value.WalkDownConversions() is { } value
        ? value is IDelegateCreationOperation creation ? creation.Target : value
        : null;
}

/// <summary>
/// Background work: which calls start it (this file), where their task, thread or timer ends up
/// (<c>Work.Fates.cs</c>), and whether a delegate outlives the code that creates it (<c>Work.Outlives.cs</c>). Bounded
/// and local by design: one method body, a few hops through locals, no interprocedural flow. When the analysis cannot
/// tell, the answers lean towards "observed" and "does not escape", so that rules stay silent.
/// </summary>
internal sealed partial class Work
{
    private const int MaxDepth = 4;

    private readonly KnownTypes.ThreadingTypes _threading;
    private readonly KnownTypes _types;
    private readonly Ownership _ownership;
    private readonly Lifetimes _lifetimes;

    private Work(KnownTypes types, KnownTypes.ThreadingTypes threading, Ownership ownership, Lifetimes lifetimes)
    {
        _types = types;
        _threading = threading;
        _ownership = ownership;
        _lifetimes = lifetimes;
    }

    /// <summary>Null when the compilation has no <c>Task</c> or <c>CancellationToken</c>.</summary>
    public static Work? Create(KnownTypes types, Ownership ownership, Lifetimes lifetimes) =>
        types.Threading is { } threading ? new Work(types, threading, ownership, lifetimes) : null;

    public KnownTypes.ThreadingTypes Threading => _threading;

    public INamedTypeSymbol CancellationToken => _threading.CancellationToken;

    /// <summary>The work <paramref name="operation"/> starts, or null when it starts none.</summary>
    public WorkStart? StartedBy(IOperation operation)
    {
        switch (operation)
        {
            case IInvocationOperation invocation:
                return StartedBy(invocation);
            case IObjectCreationOperation { Constructor: { } constructor } creation:
                if (SymbolEqualityComparer.Default.Equals(creation.Type, _threading.Thread))
                    return new WorkStart(WorkKind.Thread, creation, DelegateArgument(creation.Arguments), null);
                if (SymbolEqualityComparer.Default.Equals(creation.Type, _threading.ThreadingTimer) && constructor.Parameters.Length > 0)
                    return new WorkStart(WorkKind.Timer, creation, DelegateArgument(creation.Arguments), null);
                return null;
            default:
                return null;
        }
    }

    private WorkStart? StartedBy(IInvocationOperation invocation)
    {
        // Called for every invocation of the compilation: the names are compared before the symbols, and the most
        // common case, a call of an ordinary method, costs a few string comparisons and the walk of its return type.
        var method = invocation.TargetMethod;
        var type = method.ContainingType?.OriginalDefinition;
        if (type is null)
            return null;
        if (_threading.IsTaskType(type))
        {
            switch (method.Name)
            {
                case "Run" when method.IsStatic:
                    return new WorkStart(WorkKind.Run, invocation, DelegateArgument(invocation.Arguments), TokenArgument(invocation.Arguments));
                case "ContinueWith" when !method.IsStatic:
                    return new WorkStart(WorkKind.Continuation, invocation, DelegateArgument(invocation.Arguments), TokenArgument(invocation.Arguments));
                default:
                    return null;                         // WhenAll, Delay, FromResult, ConfigureAwait…: not work of their own
            }
        }

        if (type.Name == "TaskFactory" && (SymbolEqualityComparer.Default.Equals(type, _threading.TaskFactory) || SymbolEqualityComparer.Default.Equals(type, _threading.TaskFactoryOfT)))
        {
            return method.Name == "StartNew"
                ? new WorkStart(WorkKind.Run, invocation, DelegateArgument(invocation.Arguments), TokenArgument(invocation.Arguments))
                : null;
        }

        if (type.Name == "ThreadPool" && SymbolEqualityComparer.Default.Equals(type, _threading.ThreadPool))
        {
            return method.Name is "QueueUserWorkItem" or "UnsafeQueueUserWorkItem"
                ? new WorkStart(WorkKind.ThreadPool, invocation, DelegateArgument(invocation.Arguments), null)
                : null;
        }

        if (_threading.IsAwaitable(method.ReturnType) && !IsQueue(method))
            return new WorkStart(WorkKind.Call, invocation, null, TokenArgument(invocation.Arguments));
        return null;
    }

    private static IArgumentOperation? DelegateArgument(ImmutableArray<IArgumentOperation> arguments) =>
        arguments.FirstOrDefault(static a => a.Parameter?.Type.TypeKind == TypeKind.Delegate);

    private IArgumentOperation? TokenArgument(ImmutableArray<IArgumentOperation> arguments) =>
        arguments.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter?.Type, CancellationToken));

    /// <summary>APIs that hand work to a queue that runs it later: channel writers, and <see cref="Conventions.IsQueueMethod"/>.</summary>
    public bool IsQueue(IMethodSymbol method) =>
        Conventions.IsQueueMethod(method)
        || method.ContainingType?.OriginalDefinition.IsOrInheritsFrom(_threading.ChannelWriterOfT) == true;

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

    /// <summary>A real token passed to any <c>CancellationToken</c> parameter of <paramref name="invocation"/>.</summary>
    public bool PassesAnyToken(IInvocationOperation invocation) =>
        invocation.Arguments.Any(a => SymbolEqualityComparer.Default.Equals(a.Parameter?.Type, CancellationToken) && PassesToken(a));
}
