namespace LeakAnalyzers.Model;

/// <summary>How a subscription is made, and so how it is undone.</summary>
internal enum SubscriptionKind
{
    /// <summary><c>source.Event += handler</c>: undone by <c>-=</c> with the same handler.</summary>
    Event,
    /// <summary>A call that returns what undoes it: an <c>IDisposable</c>, a <c>CancellationTokenRegistration</c>.</summary>
    Registration,
}

/// <summary>What the source keeps that refers to the subscriber.</summary>
internal enum HandlerKind
{
    /// <summary>An instance method group of the subscriber: <c>-=</c> with the same method removes it.</summary>
    Method,
    /// <summary>A lambda, anonymous method or local function that uses the instance: only a stored delegate can be removed.</summary>
    Lambda,
    /// <summary>A delegate held in a field of the subscriber, assigned in the same body: <c>-=</c> with the field removes it.</summary>
    Field,
    /// <summary>The subscriber itself, or an object built on it, passed to a registration call (an observer, a callback's state).</summary>
    Instance,
}

/// <summary>How long the source lives, as far as the subscription can tell.</summary>
internal enum SourceLifetime
{
    /// <summary>As long as the process, whatever the registrations say: a static event or object, the options monitor, configuration reload tokens, the application's lifetime tokens.</summary>
    Process,
    /// <summary>An injected service (<see cref="Subscription.Service"/>): as long as the process when it is registered as a singleton.</summary>
    Service,
}

/// <summary>Where the registration a call returns goes, when nothing can ever dispose it.</summary>
internal enum RegistrationFate
{
    /// <summary>An event subscription: nothing is returned.</summary>
    None,
    /// <summary>An expression statement or <c>_ = …</c>.</summary>
    Discarded,
    /// <summary>An instance field of the subscriber (<see cref="Subscription.Handle"/>), which the type may still dispose.</summary>
    Field,
    /// <summary>A local that nothing reads (<see cref="Subscription.Handle"/>).</summary>
    UnreadLocal,
}

/// <summary>
/// One subscription an object makes with a handler that keeps the object alive: where (<see cref="Operation"/>, the
/// <c>+=</c> or the call), to what (<see cref="Source"/>, a display name, and how long it lives), and what undoes it:
/// for an event, <c>-=</c> of <see cref="Handle"/> (the method or the field, null for a lambda), for a registration the
/// field or local <see cref="Handle"/> that keeps what the call returned.
/// </summary>
internal readonly record struct Subscription(
    IOperation Operation,
    SubscriptionKind Kind,
    string Source,
    SourceLifetime Lifetime,
    ISymbol? Service,
    HandlerKind Handler,
    ISymbol? Handle,
    IEventSymbol? Event,
    RegistrationFate Fate)
{
    /// <summary>The injected type whose registration decides a <see cref="SourceLifetime.Service"/> source.</summary>
    public ITypeSymbol? ServiceType => Service switch
    {
        IFieldSymbol held => held.Type,
        IPropertySymbol property => property.Type,
        IParameterSymbol parameter => parameter.Type,
        _ => null,
    };
}

/// <summary>
/// A <c>-=</c>: the event, and the handler it removes (a method or a field), or <see cref="AnyHandler"/> when the
/// handler is a value the analysis cannot name (a local, a parameter, a property): it may remove any handler.
/// </summary>
internal readonly record struct Removal(IEventSymbol Event, ISymbol? Handler, bool AnyHandler);

/// <summary>
/// Subscriptions to long-lived sources (LEAK007): which <c>+=</c> and which registration calls subscribe an object to
/// something that lives as long as the application, with a handler that keeps the object alive, and what would undo
/// them. How long the subscriber lives is <see cref="Lifetimes.ConventionalLifetime"/>'s and the registrations' to say;
/// whether the subscriber's type ever undoes one is <see cref="TypeSubscriptions"/>'s.
/// <para>
/// Long-lived sources: static events; events and observables of an object read from a static member
/// (<c>AppDomain.CurrentDomain</c>, <c>DiagnosticListener.AllListeners</c>); <c>IOptionsMonitor&lt;T&gt;.OnChange</c>;
/// <c>ChangeToken.OnChange</c> on a configuration reload token, and <c>RegisterChangeCallback</c> on one;
/// <c>Register</c> on the application's lifetime tokens or a token read from a static member; events and observables
/// of an injected service, which count when the service is registered as a singleton (<see cref="SourceLifetime.Service"/>).
/// </para>
/// </summary>
internal sealed partial class Subscriptions
{
    private readonly KnownTypes _types;
    private readonly KnownTypes.SubscriptionTypes _sources;
    private readonly Lifetimes _lifetimes;

    private Subscriptions(KnownTypes types, Lifetimes lifetimes)
    {
        _types = types;
        _sources = types.Subscriptions;
        _lifetimes = lifetimes;
    }

    /// <summary>Null without ASP.NET Core and dependency injection: no subscriber's lifetime could be known.</summary>
    public static Subscriptions? Create(KnownTypes types, Lifetimes lifetimes) =>
        types.AspNetCore is null && types.Extensions.IServiceCollection is null ? null : new Subscriptions(types, lifetimes);

    /// <summary>The cheap filter, before any symbol is compared: the names of the calls that register a callback.</summary>
    public static bool MayRegister(IMethodSymbol method) =>
        method.Name is "OnChange" or "Register" or "UnsafeRegister" or "RegisterChangeCallback" or "Subscribe";

    /// <summary>
    /// The subscription <paramref name="operation"/> (a <c>+=</c> or an invocation, in <paramref name="owner"/>, the
    /// member that owns the operation block) makes to a long-lived source with a handler that keeps the instance alive;
    /// null for anything else, and for a registration whose result is kept where it may be disposed (a <c>using</c>, a
    /// local that is read, an argument, a collection).
    /// </summary>
    public Subscription? Read(IOperation operation, ISymbol owner, CancellationToken cancellationToken) => operation switch
    {
        IEventAssignmentOperation { Adds: true } assignment => ReadEvent(assignment, owner, cancellationToken),
        IInvocationOperation invocation when MayRegister(invocation.TargetMethod) => ReadRegistration(invocation, owner, cancellationToken),
        _ => null,
    };

    /// <summary>The event and handler a <c>-=</c> removes; null for <c>+=</c>, and for a lambda (a new delegate removes nothing).</summary>
    public static Removal? ReadRemoval(IEventAssignmentOperation assignment)
    {
        if (assignment.Adds || assignment.EventReference is not IEventReferenceOperation reference)
            return null;
        var @event = reference.Event.OriginalDefinition;
        return Unwrap(assignment.HandlerValue) switch
        {
            IAnonymousFunctionOperation => null,
            IMethodReferenceOperation method => new Removal(@event, method.Method.OriginalDefinition, AnyHandler: false),
            IFieldReferenceOperation field => new Removal(@event, field.Field.OriginalDefinition, AnyHandler: false),
            _ => new Removal(@event, null, AnyHandler: true),
        };
    }

    private Subscription? ReadEvent(IEventAssignmentOperation assignment, ISymbol owner, CancellationToken cancellationToken)
    {
        if (assignment.EventReference is not IEventReferenceOperation reference)
            return null;
        var @event = reference.Event;
        var source = @event.IsStatic ? (SourceLifetime.Process, null) : SourceOf(reference.Instance);
        if (source is not { } known || HandlerOf(assignment, owner, cancellationToken) is not { } handler)
            return null;
        return new Subscription(assignment, SubscriptionKind.Event, @event.ContainingType.Name + "." + @event.Name, known.Lifetime, known.Service,
            handler.Kind, handler.Handle, @event.OriginalDefinition, RegistrationFate.None);
    }

    private Subscription? ReadRegistration(IInvocationOperation invocation, ISymbol owner, CancellationToken cancellationToken)
    {
        if (RegistrationSource(invocation) is not { } source)
            return null;
        HandlerKind? handler = null;
        var method = invocation.TargetMethod;
        foreach (var argument in invocation.Arguments)
        {
            if (method.IsExtensionMethod && argument.Parameter is { Ordinal: 0 })
                continue;                                // the receiver
            if (KeptInstance(argument.Value, owner, cancellationToken) is { } kind)
            {
                handler = kind;
                break;
            }
        }

        if (handler is not { } keeps)
            return null;
        var fate = Ownership.Classify(invocation);
        (RegistrationFate Fate, ISymbol? Handle)? kept = fate switch
        {
            { Kind: FateKind.Discarded } => (RegistrationFate.Discarded, null),
            { Kind: FateKind.Stored, At: ISimpleAssignmentOperation { Target: IFieldReferenceOperation { Field.IsStatic: false } field } } when IsThis(field.Instance)
                => (RegistrationFate.Field, field.Field.OriginalDefinition),
            { Kind: FateKind.Local, At: IVariableDeclaratorOperation declarator } when IsUnread(declarator.Symbol, invocation, cancellationToken)
                => (RegistrationFate.UnreadLocal, declarator.Symbol),
            _ => null,
        };
        return kept is { } k
            ? new Subscription(invocation, SubscriptionKind.Registration, source.Name, source.Lifetime, source.Service, keeps, k.Handle, null, k.Fate)
            : null;
    }

    private static bool IsUnread(ILocalSymbol local, IOperation at, CancellationToken cancellationToken) =>
        at.GetEnclosingBody() is { } body && BodyIndex.Of(body).ReadsOf(local, cancellationToken) is { Count: 0 };

    /// <summary>The source a registration call subscribes to, when it lives long: its display name, lifetime and injected holder.</summary>
    private (string Name, SourceLifetime Lifetime, ISymbol? Service)? RegistrationSource(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        var type = method.ContainingType?.OriginalDefinition;
        if (type is null)
            return null;
        switch (method.Name)
        {
            case "OnChange" when SymbolEqualityComparer.Default.Equals(type, _sources.ChangeToken):
                return ProducesReloadToken(Argument(invocation, 0)) ? ("ChangeToken.OnChange", SourceLifetime.Process, null) : null;
            case "OnChange" when SymbolEqualityComparer.Default.Equals(type, _sources.OptionsMonitorExtensions) || type.Implements(_sources.IOptionsMonitor):
                var monitor = method.IsExtensionMethod ? Argument(invocation, 0)?.Type : invocation.Instance?.Type;
                var options = monitor is INamedTypeSymbol { TypeArguments.Length: 1 } generic ? "<" + generic.TypeArguments[0].Name + ">" : "";
                return ("IOptionsMonitor" + options + ".OnChange", SourceLifetime.Process, null);
            case "Register" or "UnsafeRegister" when _types.Threading is { } threading && SymbolEqualityComparer.Default.Equals(type, threading.CancellationToken):
                return LongLivedToken(invocation.Instance) is { } token ? (token + "." + method.Name, SourceLifetime.Process, null) : null;
            case "RegisterChangeCallback" when type.Implements(_sources.IChangeToken):
                return IsReloadToken(invocation.Instance) ? ("IConfiguration.GetReloadToken()", SourceLifetime.Process, null) : null;
            case "Subscribe":
                var receiver = method.IsExtensionMethod ? Argument(invocation, 0) : invocation.Instance;
                if (receiver?.Type is not { } observable || !observable.Implements(_sources.IObservable) || SourceOf(receiver) is not { } source)
                    return null;
                var name = receiver.WalkDownConversions() is IMemberReferenceOperation { Member.IsStatic: true } member
                    ? member.Member.ContainingType.Name + "." + member.Member.Name
                    : observable.Name;
                return (name + ".Subscribe", source.Lifetime, source.Service);
            default:
                return null;
        }
    }

    private static IOperation? Argument(IInvocationOperation invocation, int ordinal)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Ordinal == ordinal)
                return argument.Value;
        }

        return null;
    }

    /// <summary>
    /// A token that fires (and drops its callbacks) only when the application stops: one of the application's lifetime
    /// tokens, a token read from a static member, or the token of a source read from one. Its display name, or null.
    /// </summary>
    private string? LongLivedToken(IOperation? token)
    {
        if (_lifetimes.IsApplicationToken(token))
            return ((IPropertyReferenceOperation)token!.WalkDownConversions()).Property.Name;
        return token?.WalkDownConversions() switch
        {
            IMemberReferenceOperation { Member.IsStatic: true } member => member.Member.Name,
            IPropertyReferenceOperation { Instance: { } instance } property when instance.WalkDownConversions() is IMemberReferenceOperation { Member.IsStatic: true } owner
                => owner.Member.Name + "." + property.Property.Name,
            _ => null,
        };
    }

    /// <summary>The producer given to <c>ChangeToken.OnChange</c> returns a configuration reload token (a lambda, or a method group of <c>GetReloadToken</c>).</summary>
    private bool ProducesReloadToken(IOperation? producer)
    {
        switch (producer is null ? null : Unwrap(producer))
        {
            case IAnonymousFunctionOperation function:
                foreach (var returned in function.Body.Descendants().OfType<IReturnOperation>())
                {
                    if (IsReloadToken(returned.ReturnedValue))
                        return true;
                }

                return false;
            case IMethodReferenceOperation { Method.Name: "GetReloadToken" } reference:
                return reference.Method.ContainingType.Implements(_sources.IConfiguration) && SourceOf(reference.Instance) is { Lifetime: SourceLifetime.Process };
            default:
                return false;
        }
    }

    /// <summary><c>configuration.GetReloadToken()</c> on the application's configuration (injected, or read from a static member).</summary>
    private bool IsReloadToken(IOperation? token) =>
        token?.WalkDownConversions() is IInvocationOperation { TargetMethod.Name: "GetReloadToken" } reload
        && reload.TargetMethod.ContainingType.Implements(_sources.IConfiguration)
        && SourceOf(reload.Instance) is { Lifetime: SourceLifetime.Process };

    /// <summary>
    /// How long the object whose event or observable is subscribed to lives: read from a static member, it lives as long
    /// as the process; injected (a field or property of the subscriber, or a parameter), as long as its registration
    /// says, unless the host always makes it a singleton (<see cref="Lifetimes.IsFrameworkSingleton"/>). Anything else
    /// (a local, the subscriber itself, the result of a call) is not known to live long.
    /// </summary>
    private (SourceLifetime Lifetime, ISymbol? Service)? SourceOf(IOperation? instance)
    {
        switch (instance?.WalkDownConversions())
        {
            case IMemberReferenceOperation { Member.IsStatic: true }:
                return (SourceLifetime.Process, null);
            case IFieldReferenceOperation { Field.IsStatic: false } field when IsThis(field.Instance):
                return Injected(field.Field.OriginalDefinition, field.Type);
            case IPropertyReferenceOperation { Property.IsStatic: false, Arguments.Length: 0 } property when IsThis(property.Instance):
                return Injected(property.Property.OriginalDefinition, property.Type);
            case IParameterReferenceOperation parameter:
                return Injected(parameter.Parameter, parameter.Type);
            default:
                return null;
        }

        (SourceLifetime, ISymbol?) Injected(ISymbol holder, ITypeSymbol? type) =>
            _lifetimes.IsFrameworkSingleton(type) ? (SourceLifetime.Process, null) : (SourceLifetime.Service, holder);
    }

    /// <summary>The handler of a <c>+=</c>, when it keeps the instance alive: its kind, and the method or field that <c>-=</c> would name.</summary>
    private (HandlerKind Kind, ISymbol? Handle)? HandlerOf(IEventAssignmentOperation assignment, ISymbol owner, CancellationToken cancellationToken)
    {
        switch (Unwrap(assignment.HandlerValue))
        {
            case IMethodReferenceOperation { Method.MethodKind: MethodKind.LocalFunction } local:
                return LocalFunctionCaptures(local, owner, cancellationToken) ? (HandlerKind.Lambda, null) : null;
            case IMethodReferenceOperation { Method.IsStatic: false } method when IsThis(method.Instance):
                return (HandlerKind.Method, method.Method.OriginalDefinition);
            case IAnonymousFunctionOperation function:
                return Captures(function, owner, cancellationToken) ? (HandlerKind.Lambda, null) : null;
            case IFieldReferenceOperation { Field.IsStatic: false } field when IsThis(field.Instance):
                return IsAssignedCapture(field.Field, assignment, owner, cancellationToken) ? (HandlerKind.Field, field.Field.OriginalDefinition) : null;
            default:
                return null;                              // a local, a parameter, a static method: not known to keep the instance
        }
    }

    /// <summary>
    /// The kind of a value passed to a registration call that keeps the instance alive: an instance method group, a
    /// lambda using the instance, the instance itself (an observer, a callback's state) or an object created with it.
    /// </summary>
    private HandlerKind? KeptInstance(IOperation value, ISymbol owner, CancellationToken cancellationToken)
    {
        switch (Unwrap(value))
        {
            case IMethodReferenceOperation { Method.MethodKind: MethodKind.LocalFunction } local:
                return LocalFunctionCaptures(local, owner, cancellationToken) ? HandlerKind.Lambda : null;
            case IMethodReferenceOperation { Method.IsStatic: false } method when IsThis(method.Instance):
                return HandlerKind.Method;
            case IAnonymousFunctionOperation function:
                return Captures(function, owner, cancellationToken) ? HandlerKind.Lambda : null;
            case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                return HandlerKind.Instance;
            case IObjectCreationOperation creation:
                foreach (var argument in creation.Arguments)
                {
                    if (KeptInstance(argument.Value, owner, cancellationToken) is not null)
                        return HandlerKind.Instance;
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>The delegate a value converts to, seen through conversions and <c>new EventHandler(…)</c>.</summary>
    private static IOperation Unwrap(IOperation value)
    {
        var unwrapped = value.WalkDownConversions();
        return unwrapped is IDelegateCreationOperation creation ? creation.Target.WalkDownConversions() : unwrapped;
    }

    private static bool IsThis(IOperation? operation) =>
        operation?.WalkDownConversions() is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance };

    /// <summary>
    /// A lambda that uses the instance: <c>this</c>, a member of it (explicitly or not), or a primary constructor
    /// parameter outside the constructor (the compiler keeps those in the instance). A <c>static</c> lambda never does.
    /// </summary>
    private static bool Captures(IAnonymousFunctionOperation function, ISymbol owner, CancellationToken cancellationToken) =>
        !function.Symbol.IsStatic && UsesInstance(function.Body, owner, cancellationToken);

    private static bool UsesInstance(IOperation body, ISymbol owner, CancellationToken cancellationToken)
    {
        foreach (var operation in body.Descendants())
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (operation)
            {
                case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                    return true;
                case IParameterReferenceOperation { Parameter.ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.Constructor } constructor }
                    when !SymbolEqualityComparer.Default.Equals(constructor, owner)
                        && SymbolEqualityComparer.Default.Equals(constructor.ContainingType, owner.ContainingType):
                    return true;                          // a primary constructor parameter, kept in the instance
            }
        }

        return false;
    }

    /// <summary>A local function, given as a method group, whose body uses the instance.</summary>
    private static bool LocalFunctionCaptures(IMethodReferenceOperation reference, ISymbol owner, CancellationToken cancellationToken)
    {
        if (reference.GetEnclosingBody() is not { } body)
            return false;
        var root = body;
        while (root.Parent is { } parent)
            root = parent;                                // the local function may be declared in an outer body
        foreach (var operation in root.Descendants())
        {
            if (operation is ILocalFunctionOperation local && SymbolEqualityComparer.Default.Equals(local.Symbol, reference.Method.OriginalDefinition))
                return ((IOperation?)local.Body ?? local.IgnoredBody) is { } localBody && UsesInstance(localBody, owner, cancellationToken);
        }

        return false;
    }

    /// <summary>The delegate field is assigned, in the body of the <c>+=</c>, a value that keeps the instance alive.</summary>
    private bool IsAssignedCapture(IFieldSymbol field, IOperation at, ISymbol owner, CancellationToken cancellationToken)
    {
        if (at.GetEnclosingBody() is not { } body)
            return false;
        foreach (var operation in body.Descendants())
        {
            if (operation is ISimpleAssignmentOperation { Target: IFieldReferenceOperation target } assignment
                && SymbolEqualityComparer.Default.Equals(target.Field.OriginalDefinition, field.OriginalDefinition)
                && KeptInstance(assignment.Value, owner, cancellationToken) is not null)
            {
                return true;
            }
        }

        return false;
    }
}
