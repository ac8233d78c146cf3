using System.Collections.Concurrent;

namespace LeakAnalyzers.Model;

/// <summary>How long the dependency-injection container keeps what it creates for a service.</summary>
internal enum ServiceLifetime
{
    /// <summary>One instance for the life of the container (the application): its fields live as long as a static's.</summary>
    Singleton,
    /// <summary>One instance per scope (per request in ASP.NET Core).</summary>
    Scoped,
    /// <summary>A new instance for every resolution.</summary>
    Transient,
}

/// <summary>
/// One service a registration call adds: its <see cref="Lifetime"/>, the <see cref="Service"/> type it is asked for by
/// (an interface, a class, or null when the call does not show it) and the <see cref="Implementation"/> class the
/// container creates or holds, when the call shows it (a type argument, <c>typeof</c>, <c>new T(…)</c> as the instance or
/// returned by the factory lambda).
/// </summary>
/// <remarks><see cref="Keyed"/>: registered under a key (<c>AddKeyedScoped</c>…), so only keyed resolutions get it.</remarks>
internal readonly record struct ServiceRegistration(ServiceLifetime Lifetime, ITypeSymbol? Service, INamedTypeSymbol? Implementation, bool Keyed = false);

/// <summary>
/// Service lifetimes from the registrations written in source, decided by symbol: the registration methods of
/// <c>ServiceCollectionServiceExtensions</c> (<c>AddSingleton</c>, <c>AddScoped</c>, <c>AddTransient</c>),
/// <c>ServiceCollectionDescriptorExtensions</c> (<c>TryAddSingleton</c>, <c>TryAddScoped</c>, <c>TryAddTransient</c>; the
/// keyed forms of both, <c>AddKeyedScoped</c>…, since .NET 8)
/// and <c>ServiceCollectionHostedServiceExtensions</c> (<c>AddHostedService</c>, a singleton). <see cref="RegisteredBy"/>
/// reads one call; <see cref="ServiceRegistry"/> gathers a compilation's calls. Registrations made elsewhere (another
/// project, assembly scanning, a factory that does not <c>new</c> the type) are out of its sight.
/// </summary>
internal sealed class Services
{
    private readonly KnownTypes.ExtensionsTypes _extensions;

    private Services(KnownTypes.ExtensionsTypes extensions)
    {
        _extensions = extensions;
    }

    /// <summary>Null when the compilation references none of the registration methods' classes.</summary>
    public static Services? Create(KnownTypes types) =>
        types.Extensions is { ServiceCollectionServiceExtensions: not null } or { ServiceCollectionDescriptorExtensions: not null } or { ServiceCollectionHostedServiceExtensions: not null }
            ? new Services(types.Extensions)
            : null;

    /// <summary>
    /// The services <paramref name="invocation"/> registers: <c>AddSingleton&lt;T&gt;()</c>,
    /// <c>AddSingleton&lt;TService, TImpl&gt;()</c>, <c>AddSingleton(typeof(TService), typeof(TImpl))</c>,
    /// <c>AddSingleton(new T())</c>, <c>AddSingleton&lt;TService&gt;(sp =&gt; new T(…))</c> (one per class the factory
    /// returns), the same for the other lifetimes and the <c>TryAdd…</c> forms, <c>AddHostedService&lt;T&gt;()</c>.
    /// Empty when it is not a registration.
    /// </summary>
    public ImmutableArray<ServiceRegistration> RegisteredBy(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        if (LifetimeOf(method) is not { } lifetime)
            return ImmutableArray<ServiceRegistration>.Empty;

        var types = new List<ITypeSymbol>();           // typeof operands, in order: the service, then the implementation
        var created = new List<INamedTypeSymbol>();    // the instance given, or what the factory returns
        var supplied = false;                          // an instance or a factory is given: the service is not its own implementation
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is { Ordinal: 0 } && method.IsExtensionMethod)
                continue;                              // the service collection
            if (argument.Parameter is { Name: "serviceKey" })
                continue;                              // the key of a keyed registration says nothing about the type
            switch (argument.Value.WalkDownConversions())
            {
                case ITypeOfOperation typeOf:
                    types.Add(typeOf.TypeOperand);
                    break;
                case IObjectCreationOperation { Type: INamedTypeSymbol instance }:
                    supplied = true;
                    created.Add(instance);
                    break;
                case IDelegateCreationOperation { Target: IAnonymousFunctionOperation factory }:
                    supplied = true;
                    foreach (var returned in factory.Body.Descendants().OfType<IReturnOperation>())
                    {
                        if (returned.ReturnedValue?.WalkDownConversions() is IObjectCreationOperation { Type: INamedTypeSymbol made })
                            created.Add(made);
                    }

                    break;
                default:
                    supplied = true;
                    break;
            }
        }

        var arguments = method.TypeArguments;
        var hosted = method.Name == "AddHostedService";
        var service = hosted ? _extensions.IHostedService ?? arguments.FirstOrDefault()
            : arguments.Length > 0 ? arguments[0] : types.FirstOrDefault();
        var declared = arguments.Length > 1 ? arguments[1]
            : types.Count > 1 ? types[1]
            : hosted ? arguments.FirstOrDefault()
            : supplied ? null
            : service;                                 // AddSingleton<T>(), AddSingleton(typeof(T)): the service is its own implementation
        var keyed = method.Name.IndexOf("Keyed", StringComparison.Ordinal) >= 0;
        var builder = ImmutableArray.CreateBuilder<ServiceRegistration>();
        if (declared is not null || created.Count == 0)
            builder.Add(new ServiceRegistration(lifetime, service, declared as INamedTypeSymbol, keyed));
        foreach (var instance in created)
            builder.Add(new ServiceRegistration(lifetime, service, instance, keyed));
        return builder.ToImmutable();
    }

    /// <summary>The lifetime a registration method gives, matched by its class first and then by its name.</summary>
    private ServiceLifetime? LifetimeOf(IMethodSymbol method)
    {
        var type = method.ContainingType?.OriginalDefinition;
        if (SymbolEqualityComparer.Default.Equals(type, _extensions.ServiceCollectionServiceExtensions))
        {
            return method.Name switch
            {
                "AddSingleton" or "AddKeyedSingleton" => ServiceLifetime.Singleton,
                "AddScoped" or "AddKeyedScoped" => ServiceLifetime.Scoped,
                "AddTransient" or "AddKeyedTransient" => ServiceLifetime.Transient,
                _ => null,
            };
        }

        if (SymbolEqualityComparer.Default.Equals(type, _extensions.ServiceCollectionDescriptorExtensions))
        {
            return method.Name switch
            {
                "TryAddSingleton" or "TryAddKeyedSingleton" => ServiceLifetime.Singleton,
                "TryAddScoped" or "TryAddKeyedScoped" => ServiceLifetime.Scoped,
                "TryAddTransient" or "TryAddKeyedTransient" => ServiceLifetime.Transient,
                _ => null,
            };
        }

        return SymbolEqualityComparer.Default.Equals(type, _extensions.ServiceCollectionHostedServiceExtensions) && method.Name == "AddHostedService"
            ? ServiceLifetime.Singleton
            : null;
    }
}

/// <summary>
/// The registrations of one compilation: gathered by an analyzer's invocation action (<see cref="Record"/>, called
/// concurrently) and read once every call has been seen (at compilation end).
/// </summary>
internal sealed class ServiceRegistry(Services services)
{
    private readonly ConcurrentQueue<ServiceRegistration> _registrations = new();

    /// <summary>Records what <paramref name="invocation"/> registers, if anything.</summary>
    public void Record(IInvocationOperation invocation)
    {
        foreach (var registration in services.RegisteredBy(invocation))
            _registrations.Enqueue(registration);
    }

    /// <summary>Every registration recorded so far.</summary>
    public IEnumerable<ServiceRegistration> Registrations => _registrations;

    /// <summary>
    /// Some class registered with <paramref name="lifetime"/> (as the service or as its implementation) is
    /// <paramref name="type"/> or derives from it: an object of that class, <paramref name="type"/>'s fields included,
    /// lives as long as <paramref name="lifetime"/> says.
    /// </summary>
    public bool IsRegistered(INamedTypeSymbol type, ServiceLifetime lifetime)
    {
        foreach (var registration in _registrations)
        {
            if (registration.Lifetime == lifetime && (IsClassOf(registration.Service, type) || IsClassOf(registration.Implementation, type)))
                return true;
        }

        return false;
    }

    /// <summary>
    /// The lifetime an object asked for as <paramref name="service"/> (an injected field's or parameter's type) has: the
    /// one lifetime every registration of that service type gives it (type arguments aside), or null when none
    /// registers it or two disagree.
    /// </summary>
    public ServiceLifetime? LifetimeOfService(ITypeSymbol service)
    {
        ServiceLifetime? found = null;
        foreach (var registration in _registrations)
        {
            if (registration.Service is not { } registered || !SymbolEqualityComparer.Default.Equals(registered.OriginalDefinition, service.OriginalDefinition))
                continue;
            if (found is { } other && other != registration.Lifetime)
                return null;
            found = registration.Lifetime;
        }

        return found;
    }

    private static bool IsClassOf(ITypeSymbol? registered, INamedTypeSymbol type) =>
        registered is INamedTypeSymbol { TypeKind: TypeKind.Class } named && named.IsOrInheritsFrom(type);
}
