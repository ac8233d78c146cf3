namespace LeakAnalyzers.Model;

internal sealed partial class Lifetimes
{
    /// <summary>
    /// How long an object of <paramref name="type"/> lives when the framework, not a registration, decides: a
    /// controller, Razor page model or SignalR hub is created for one request or hub invocation and released after it
    /// (<see cref="ServiceLifetime.Transient"/>); a hosted service or a conventional middleware is created once for the
    /// application (<see cref="ServiceLifetime.Singleton"/>). Null for every other class: only its registrations
    /// (<see cref="ServiceRegistry"/>) can tell.
    /// </summary>
    public ServiceLifetime? ConventionalLifetime(INamedTypeSymbol type)
    {
        if (type.TypeKind != TypeKind.Class || type.IsStatic)
            return null;
        if (IsHostedService(type))
            return ServiceLifetime.Singleton;
        if (_types.AspNetCore is not { } aspNetCore)
            return null;
        if (type.IsOrInheritsFrom(aspNetCore.ControllerBase) || type.IsOrInheritsFrom(aspNetCore.PageModel) || type.IsOrInheritsFrom(aspNetCore.Hub))
            return ServiceLifetime.Transient;
        return Conventions.IsConventionalMiddleware(type, aspNetCore.HttpContext) ? ServiceLifetime.Singleton : null;
    }

    /// <summary>
    /// A service type the host always registers as a singleton, whatever the application's own registrations say: the
    /// options monitor, the application lifetime, the root configuration, the host's <c>DiagnosticListener</c>. An
    /// injected instance of one lives as long as the application.
    /// </summary>
    public bool IsFrameworkSingleton(ITypeSymbol? type)
    {
        if (type is null)
            return false;
        var subscriptions = _types.Subscriptions;
        return type.Implements(subscriptions.IOptionsMonitor) || type.Implements(_types.Extensions.IHostApplicationLifetime)
            || SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, subscriptions.IConfiguration)
            || type.IsOrInheritsFrom(subscriptions.DiagnosticListener);
    }
}
