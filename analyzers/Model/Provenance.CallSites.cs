namespace LeakAnalyzers.Model;

/// <summary>What the call sites make of a value's origin (<see cref="Provenance.Resolve"/>).</summary>
internal enum Verdict
{
    /// <summary>Few values: constants, closed domains, reflection, configuration, or only startup code feeds it.</summary>
    Bounded,
    /// <summary>The analysis cannot tell.</summary>
    Unknown,
    /// <summary>Request data, fresh values, or input from outside the compilation feeds it.</summary>
    Unbounded,
    /// <summary>Only the whole compilation's call sites can tell (a type's own analysis sees the calls of its private methods only).</summary>
    Undecided,
}

/// <summary>A <see cref="Verdict"/>, and for <see cref="Verdict.Unbounded"/> the origin that names the source (its description and location).</summary>
internal readonly record struct Judgement(Verdict Verdict, Origin? Source)
{
    public static Judgement Bounded => new(Verdict.Bounded, null);
    public static Judgement Unknown => new(Verdict.Unknown, null);
    public static Judgement Undecided => new(Verdict.Undecided, null);
}

internal sealed partial class Provenance
{
    /// <summary>How many calls away from the growth the call sites are followed.</summary>
    private const int CallDepth = 4;

    /// <summary>
    /// Resolves <paramref name="origin"/>'s inputs at their call sites in <paramref name="calls"/>:
    /// <list type="bullet">
    /// <item>a parameter is the join of the arguments its method's callers pass (calls through the interface members it
    /// implements and the methods it overrides included), each resolved in turn; a call made during initialization or
    /// startup adds nothing (it runs once); a method group hides its callers (unknown), unless it is an endpoint handler
    /// (request data);</item>
    /// <item>a parameter read through a member (<c>task.Type</c>) is the same member of each argument (<see cref="Origin.Member"/>);</item>
    /// <item>what a method given nothing returns is the join of its recorded return statements' values, each resolved;</item>
    /// <item>a parameter of a method nothing in the compilation calls is unbounded input only when the method is request
    /// code the framework calls from outside it (<see cref="IsRequestEntryPoint"/>: an action, page handler, hub method,
    /// middleware <c>Invoke</c> but not the services it is given, filter, a method taking the <c>HttpContext</c>) and
    /// the framework binds that parameter from the request: any parameter of an action, page handler or hub method, only
    /// the request's context itself elsewhere (the application hands a widget invoker its widget),
    /// unless the growth is a registration (<paramref name="registration"/>: the caller also hands the value or handler
    /// stored, as startup code does); the public API of a library is called by other projects of its solution, which
    /// mostly pass constants or configuration, so its parameters are unknown; it is bounded for a private method of a
    /// type's graph (it never runs), unknown otherwise;</item>
    /// <item>the object a constructor builds is unbounded when one is created on behalf of a request, bounded when all
    /// are created during initialization, else unknown (one nothing in the compilation creates included: its creators
    /// are other projects);</item>
    /// <item>in a type's graph (<see cref="CallGraph.IsWide"/> false), any input but a private method's parameter is
    /// <see cref="Verdict.Undecided"/>: the compilation's analysis decides.</item>
    /// </list>
    /// </summary>
    public Judgement Resolve(Origin origin, CallGraph calls, bool registration)
    {
        var resolver = new Resolver(this, calls, registration);
        return resolver.Resolve(origin, 0);
    }

    /// <summary>
    /// <paramref name="method"/> can be called from outside the compilation: it overrides or implements a member declared
    /// elsewhere (the framework calls it), or the compilation is a library and the method is part of its public surface.
    /// </summary>
    public bool IsExternallyCallable(IMethodSymbol method)
    {
        for (var overridden = method.OverriddenMethod; overridden is not null; overridden = overridden.OverriddenMethod)
        {
            if (!IsInSource(overridden))
                return true;
        }

        foreach (var implemented in ImplementedMembers(method))
        {
            if (!IsInSource(implemented))
                return true;
        }

        if (!_library || method.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal))
            return false;
        for (var type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            if (type.DeclaredAccessibility != Accessibility.Public)
                return false;
        }

        return true;
    }

    /// <summary>
    /// <paramref name="method"/> is called from outside the compilation by the framework, with request data: it is
    /// request code (<see cref="RequestScope.IsRequestCode"/>) that is public or overrides or implements a framework's member.
    /// </summary>
    public bool IsRequestEntryPoint(IMethodSymbol method) =>
        _requests is not null && _requests.IsRequestCode(method)
        && (method.DeclaredAccessibility == Accessibility.Public || IsExternallyCallable(method));

    /// <summary><paramref name="method"/> and the members its callers may name instead: the methods it overrides and the interface members it implements.</summary>
    public static IEnumerable<IMethodSymbol> CallTargets(IMethodSymbol method)
    {
        yield return method;
        for (var overridden = method.OverriddenMethod; overridden is not null; overridden = overridden.OverriddenMethod)
            yield return overridden.OriginalDefinition;
        foreach (var implemented in ImplementedMembers(method))
            yield return implemented.OriginalDefinition;
    }

    private static IEnumerable<IMethodSymbol> ImplementedMembers(IMethodSymbol method)
    {
        if (method.MethodKind != MethodKind.Ordinary || method.IsStatic)
            yield break;
        foreach (var explicitly in method.ExplicitInterfaceImplementations)
            yield return explicitly;
        if (method.DeclaredAccessibility != Accessibility.Public)
            yield break;
        var type = method.ContainingType;
        foreach (var @interface in type.AllInterfaces)
        {
            foreach (var member in @interface.GetMembers(method.Name))
            {
                if (member is IMethodSymbol candidate
                    && SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(candidate), method))
                {
                    yield return candidate;
                }
            }
        }
    }

    private static bool IsInSource(ISymbol symbol) => !symbol.Locations.IsEmpty && symbol.Locations[0].IsInSource;

    private sealed class Resolver(Provenance model, CallGraph calls, bool registration)
    {
        private readonly HashSet<ISymbol> _visiting = new(SymbolEqualityComparer.Default);

        public Judgement Resolve(Origin origin, int depth)
        {
            switch (origin.Kind)
            {
                case OriginKind.Unbounded:
                    return new Judgement(Verdict.Unbounded, origin);
                case OriginKind.Bounded:
                    return Judgement.Bounded;
                case OriginKind.Unknown:
                    return Judgement.Unknown;
            }

            var undecided = false;
            var unknown = origin.PartlyUnknown;
            foreach (var (input, member) in origin.Inputs.Select(static i => (i, (ISymbol?)null)).Concat(origin.MemberInputs.Select(static m => (m.Input, (ISymbol?)m.Member))))
            {
                var judgement = Input(input, member, depth);
                switch (judgement.Verdict)
                {
                    case Verdict.Unbounded:
                        return judgement;
                    case Verdict.Undecided:
                        undecided = true;
                        break;
                    case Verdict.Unknown:
                        unknown = true;
                        break;
                }
            }

            return undecided ? Judgement.Undecided : unknown ? Judgement.Unknown : Judgement.Bounded;
        }

        /// <summary>An input of a value: a parameter (read whole, or only its <paramref name="member"/>), the object a constructor builds, what a method returns.</summary>
        private Judgement Input(ISymbol input, ISymbol? member, int depth)
        {
            if (depth >= CallDepth)
                return Judgement.Unknown;
            if (!_visiting.Add(input))
                return Judgement.Bounded;              // a recursive call adds no new value
            try
            {
                return input switch
                {
                    IParameterSymbol { ContainingSymbol: IMethodSymbol method } parameter => Parameter(parameter, method, member, depth),
                    IMethodSymbol { MethodKind: MethodKind.Constructor } constructor => Instance(constructor),
                    IMethodSymbol { MethodKind: MethodKind.Ordinary } method => Returns(method, depth),
                    _ => Judgement.Unknown,
                };
            }
            finally
            {
                _visiting.Remove(input);
            }
        }

        private Judgement Parameter(IParameterSymbol parameter, IMethodSymbol method, ISymbol? member, int depth)
        {
            if (!calls.IsWide && method.DeclaredAccessibility != Accessibility.Private)
                return Judgement.Undecided;
            var any = false;
            var unknown = false;
            var undecided = false;
            foreach (var target in CallTargets(method))
            {
                if (calls.HasUnseenCallers(target, out var endpoint))
                {
                    if (!endpoint)
                        return Judgement.Unknown;
                    return new Judgement(Verdict.Unbounded,
                        Origin.Unbounded($"the endpoint parameter '{parameter.Name}' of '{method.ContainingType.Name}.{method.Name}'", parameter.Locations.FirstOrDefault()));
                }

                foreach (var call in calls.CallsOf(target))
                {
                    any = true;
                    if (call.Scope.Kind is RunScopeKind.StaticInitialization or RunScopeKind.Startup)
                        continue;                      // runs once, while the application starts
                    var argument = parameter.Ordinal < call.Arguments.Length ? call.Arguments[parameter.Ordinal] : Origin.Unknown;
                    if (member is not null)
                        argument = argument.Member(member);   // task.Type: the member of what the caller passes
                    var judgement = Resolve(argument, depth + 1);
                    switch (judgement.Verdict)
                    {
                        case Verdict.Unbounded:
                            return judgement;
                        case Verdict.Unknown:
                            unknown = true;
                            break;
                        case Verdict.Undecided:
                            undecided = true;
                            break;
                    }
                }
            }

            if (!any)
            {
                if (!calls.IsWide)
                    return Judgement.Bounded;          // a private method nobody calls never runs
                if (!model.IsRequestEntryPoint(method) || model._requests?.IsInjected(parameter) == true)
                    return Judgement.Unknown;          // dead code, reflection, or another project of the solution: it may pass constants
                if (model.RequestEntry(method) is null && model._requests?.IsRequestContext(parameter.Type) != true)
                    return Judgement.Unknown;          // InvokeAsync(WidgetContext context, Widget widget): the application passes the widget, not the request
                if (registration && depth == 0)
                    return Judgement.Bounded;          // Register(name, handler): the caller decides what it registers
                return new Judgement(Verdict.Unbounded, Origin.Unbounded(
                    $"the request parameter '{parameter.Name}' of '{method.ContainingType.Name}.{method.Name}'",
                    parameter.Locations.FirstOrDefault()));
            }

            return undecided ? Judgement.Undecided : unknown ? Judgement.Unknown : Judgement.Bounded;
        }

        /// <summary>What a method of the project returns, when a call gives it nothing: the join of its return statements' values, each resolved in turn.</summary>
        private Judgement Returns(IMethodSymbol method, int depth)
        {
            if (!calls.IsWide)
                return Judgement.Undecided;
            var any = false;
            var unknown = false;
            foreach (var returned in calls.ReturnsOf(method))
            {
                any = true;
                var judgement = Resolve(returned, depth + 1);
                switch (judgement.Verdict)
                {
                    case Verdict.Unbounded:
                        return judgement;
                    case Verdict.Bounded:
                        break;
                    default:
                        unknown = true;
                        break;
                }
            }

            return !any || unknown ? Judgement.Unknown : Judgement.Bounded;
        }

        /// <summary>The object a constructor builds: decided by where objects of its type are created.</summary>
        private Judgement Instance(IMethodSymbol constructor)
        {
            if (!calls.IsWide)
                return Judgement.Undecided;
            var any = false;
            var unknown = false;
            foreach (var call in calls.CallsOf(constructor))
            {
                any = true;
                if (call.Scope.Kind is RunScopeKind.StaticInitialization or RunScopeKind.Startup)
                    continue;
                if (call.InRequest)
                {
                    return new Judgement(Verdict.Unbounded, Origin.Unbounded(
                        $"every '{constructor.ContainingType.Name}' created per request{(call.Caller is { } caller ? $" in '{caller.ContainingType.Name}.{caller.Name}'" : "")}",
                        constructor.Locations.FirstOrDefault()));
                }

                unknown = true;
            }

            return !any || unknown ? Judgement.Unknown : Judgement.Bounded;
        }
    }
}
