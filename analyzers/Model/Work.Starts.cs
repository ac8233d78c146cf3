using Microsoft.CodeAnalysis.CSharp.Syntax;

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
/// A call or creation that starts work (<see cref="Start"/>), with the operation carrying the delegate it runs
/// (<see cref="Body"/>: the argument of a bound call, the lambda itself in a call that does not fully bind; null for
/// <see cref="WorkKind.Call"/>) and the <c>CancellationToken</c> argument the chosen overload takes (none when the call
/// does not bind: <see cref="IsBound"/>).
/// </summary>
internal readonly record struct WorkStart(WorkKind Kind, IOperation Start, IOperation? Body, IArgumentOperation? Token)
{
    /// <summary>The lambda, anonymous method or method reference the work runs, conversions stripped.</summary>
    public IOperation? Delegate => (Body is IArgumentOperation argument ? argument.Value : Body)?.WalkDownConversions() is { } value
        ? value is IDelegateCreationOperation creation ? creation.Target : value
        : null;

    /// <summary>
    /// False for a call or creation that does not fully bind (<see cref="IInvalidOperation"/>: an argument of an unknown
    /// type, a lambda that uses an unknown name), judged as the work start all its candidate methods are.
    /// </summary>
    public bool IsBound => Start is not IInvalidOperation;
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
    private readonly SourceCode _source;

    private Work(KnownTypes types, KnownTypes.ThreadingTypes threading, Ownership ownership, Lifetimes lifetimes, SourceCode source)
    {
        _types = types;
        _threading = threading;
        _ownership = ownership;
        _lifetimes = lifetimes;
        _source = source;
    }

    /// <summary>Null when the compilation has no <c>Task</c> or <c>CancellationToken</c>.</summary>
    public static Work? Create(KnownTypes types, Ownership ownership, Lifetimes lifetimes, SourceCode source) =>
        types.Threading is { } threading ? new Work(types, threading, ownership, lifetimes, source) : null;

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
            case IInvalidOperation invalid:
                return StartedBy(invalid);
            default:
                return null;
        }
    }

    /// <summary>
    /// A call or creation that does not fully bind, judged as the work start every candidate is: <c>Task.Run(() =&gt;
    /// unknown.Go())</c> (each <c>Run</c> overload starts work), <c>new Thread(() =&gt; unknown.Go())</c>, a task-returning
    /// method whose argument has an unknown type. Roslyn keeps the receiver and the arguments as children, the lambda
    /// unconverted: that lambda is the work's delegate.
    /// </summary>
    private WorkStart? StartedBy(IInvalidOperation invalid)
    {
        switch (invalid.Syntax)
        {
            case BaseObjectCreationExpressionSyntax:
                if (SymbolEqualityComparer.Default.Equals(invalid.Type, _threading.Thread))
                    return new WorkStart(WorkKind.Thread, invalid, DelegateChild(invalid), null);
                if (SymbolEqualityComparer.Default.Equals(invalid.Type, _threading.ThreadingTimer))
                    return new WorkStart(WorkKind.Timer, invalid, DelegateChild(invalid), null);
                return null;
            case InvocationExpressionSyntax:
                var candidates = UnboundCalls.CandidateMethods(invalid);
                if (candidates.IsEmpty)
                    return null;
                var kind = KindOf(candidates[0]);
                foreach (var candidate in candidates)
                {
                    if (KindOf(candidate) != kind)
                        return null;                     // Run and Call, a queue among task-returning overloads…: cannot tell
                }

                return kind is { } agreed ? new WorkStart(agreed, invalid, agreed == WorkKind.Call ? null : DelegateChild(invalid), null) : null;
            default:
                return null;
        }
    }

    private static IOperation? DelegateChild(IInvalidOperation invalid) =>
        UnboundCalls.ArgumentsOf(invalid).FirstOrDefault(static c => c.WalkDownConversions() is IAnonymousFunctionOperation or IDelegateCreationOperation or IMethodReferenceOperation);

    /// <summary>
    /// A call of an invocation that does not bind may pass a token: an argument that is a real token, or one whose type
    /// is unknown where a candidate takes a token.
    /// </summary>
    public bool MayPassToken(IInvalidOperation invalid)
    {
        var takesToken = UnboundCalls.CandidateMethods(invalid).Any(m => m.Parameters.Any(p => SymbolEqualityComparer.Default.Equals(p.Type, CancellationToken)));
        foreach (var argument in UnboundCalls.ArgumentsOf(invalid))
        {
            if (argument.WalkDownConversions() is IAnonymousFunctionOperation or IDelegateCreationOperation or IMethodReferenceOperation)
                continue;
            if (SymbolEqualityComparer.Default.Equals(argument.Type, CancellationToken) && !IsNoToken(argument))
                return true;
            if (takesToken && argument.Type is null or { TypeKind: TypeKind.Error })
                return true;
        }

        return false;
    }

    /// <summary>The task a continuation follows (<c>antecedent.ContinueWith(…)</c>), bound or not.</summary>
    public static IOperation? Antecedent(WorkStart start) => start.Start switch
    {
        IInvocationOperation invocation => invocation.Instance,
        IInvalidOperation invalid => UnboundCalls.ReceiverOf(invalid),
        _ => null,
    };

    private WorkStart? StartedBy(IInvocationOperation invocation) => KindOf(invocation.TargetMethod) switch
    {
        WorkKind.ThreadPool => new WorkStart(WorkKind.ThreadPool, invocation, DelegateArgument(invocation.Arguments), null),
        WorkKind.Call => new WorkStart(WorkKind.Call, invocation, null, TokenArgument(invocation.Arguments)),
        { } kind => new WorkStart(kind, invocation, DelegateArgument(invocation.Arguments), TokenArgument(invocation.Arguments)),
        null => null,
    };

    /// <summary>The kind of work a call of <paramref name="method"/> starts, or null when it starts none.</summary>
    private WorkKind? KindOf(IMethodSymbol method)
    {
        // Called for every invocation of the compilation: the names are compared before the symbols, and the most
        // common case, a call of an ordinary method, costs a few string comparisons and the walk of its return type.
        var type = method.ContainingType?.OriginalDefinition;
        if (type is null)
            return null;
        if (_threading.IsTaskType(type))
        {
            return method.Name switch
            {
                "Run" when method.IsStatic => WorkKind.Run,
                "ContinueWith" when !method.IsStatic => WorkKind.Continuation,
                _ => null,                               // WhenAll, Delay, FromResult, ConfigureAwait…: not work of their own
            };
        }

        if (type.Name == "TaskFactory" && (SymbolEqualityComparer.Default.Equals(type, _threading.TaskFactory) || SymbolEqualityComparer.Default.Equals(type, _threading.TaskFactoryOfT)))
            return method.Name == "StartNew" ? WorkKind.Run : null;

        if (type.Name == "ThreadPool" && SymbolEqualityComparer.Default.Equals(type, _threading.ThreadPool))
            return method.Name is "QueueUserWorkItem" or "UnsafeQueueUserWorkItem" ? WorkKind.ThreadPool : null;

        if (_threading.IsAwaitable(method.ReturnType) && !IsQueue(method))
            return WorkKind.Call;
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
