using System.Collections.Concurrent;

namespace LeakAnalyzers.Model;

/// <summary>
/// How long things live: storage and tokens that last as long as the application, and code that runs once at startup
/// (this file); when a piece of code runs, once or at runtime (<c>Lifetimes.Initialization.cs</c>). Service lifetimes
/// (what the container creates once, per request, per resolution) are <see cref="ServiceRegistry"/>'s.
/// </summary>
internal sealed partial class Lifetimes
{
    private readonly KnownTypes _types;
    private readonly Lazy<IMethodSymbol?> _entryPoint;
    private readonly ConcurrentDictionary<IMethodSymbol, bool> _configuration = new(SymbolEqualityComparer.Default);

    public Lifetimes(Compilation compilation, KnownTypes types)
    {
        _types = types;
        // Asked only when a Main or top-level statements could matter: finding the entry point binds the top-level
        // statements and every Main, which the compiler does anyway but nothing should force at compilation start.
        _entryPoint = new Lazy<IMethodSymbol?>(() => compilation.Options.OutputKind is OutputKind.ConsoleApplication or OutputKind.WindowsApplication
            ? compilation.GetEntryPoint(CancellationToken.None)
            : null);
    }

    /// <summary><c>Main</c> or the top-level statements: code there runs once, at startup.</summary>
    public IMethodSymbol? EntryPoint => _entryPoint.Value;

    /// <summary>
    /// <paramref name="method"/> is <see cref="EntryPoint"/>. Only a static <c>Main</c> or the top-level statements'
    /// <c>&lt;Main&gt;$</c> can be, so the entry point is looked for (which binds them all) only when one of them asks.
    /// </summary>
    public bool IsEntryPoint(IMethodSymbol method) =>
        method is { IsStatic: true, Name: "Main" or "<Main>$" } && SymbolEqualityComparer.Default.Equals(method, EntryPoint);

    /// <summary>
    /// A storage location that outlives any request: a static member, or a member of a conventional middleware (the
    /// framework creates one for the application, <see cref="Conventions.IsConventionalMiddleware"/>).
    /// </summary>
    public bool IsLongLivedStorage(IOperation? target)
    {
        switch (target?.WalkDownConversions())
        {
            case IMemberReferenceOperation { Member.IsStatic: true }:
                return true;
            case IMemberReferenceOperation { Instance: IInstanceReferenceOperation { Type: INamedTypeSymbol owner } }:
                return _types.AspNetCore is { } aspNetCore && Conventions.IsConventionalMiddleware(owner, aspNetCore.HttpContext);
            default:
                return false;
        }
    }

    /// <summary>A property of <c>IHostApplicationLifetime</c> (<c>ApplicationStarted</c>/<c>Stopping</c>/<c>Stopped</c>): callbacks on it live as long as the application.</summary>
    public bool IsApplicationToken(IOperation? token) =>
        token?.WalkDownConversions() is IPropertyReferenceOperation property
        && property.Property.ContainingType.Implements(_types.Extensions.IHostApplicationLifetime);

    /// <summary>
    /// A token that outlives any request, so that what is registered on it stays alive until the application stops: the
    /// application's lifetime tokens (<c>ApplicationStarted</c>/<c>Stopping</c>/<c>Stopped</c> of an
    /// <see cref="IsApplicationToken">application token</see> type), and tokens read from static state (a static field or
    /// property, or <c>.Token</c> of a static <c>CancellationTokenSource</c>). A parameter, <c>RequestAborted</c>, a
    /// local source or an instance field may end with the request: not long-lived.
    /// </summary>
    public bool IsLongLivedToken(IOperation token) => token.WalkDownConversions() switch
    {
        IPropertyReferenceOperation { Property.Name: "ApplicationStopping" or "ApplicationStarted" or "ApplicationStopped" } property => IsApplicationToken(property),
        IPropertyReferenceOperation { Property.Name: "Token", Instance: { } source } property when property.Property.ContainingType.IsOrInheritsFrom(_types.Threading?.CancellationTokenSource) =>
            source.WalkDownConversions() is IMemberReferenceOperation { Member.IsStatic: true } and (IFieldReferenceOperation or IPropertyReferenceOperation),
        IFieldReferenceOperation field => field.Field.IsStatic,
        IPropertyReferenceOperation property => property.Property.IsStatic,
        _ => false,
    };

    /// <summary>A type the host creates once and runs for the life of the application.</summary>
    public bool IsHostedService(INamedTypeSymbol type) => type.Implements(_types.Extensions.IHostedService);

    /// <summary>
    /// A class with one instance for the life of the application whatever the registrations of this compilation say: a
    /// hosted service, a conventional middleware class (the pipeline creates it once), or a class a DI framework's marker
    /// makes a singleton (<see cref="Conventions.IsSingletonByMarker"/>). Registrations in another project are out of
    /// sight; LEAK001's <c>singleton_types</c> option names those.
    /// </summary>
    public bool IsApplicationLifetime(INamedTypeSymbol type) =>
        type.TypeKind == TypeKind.Class
        && (IsHostedService(type)
            || _types.AspNetCore is { } aspNetCore && Conventions.IsConventionalMiddleware(type, aspNetCore.HttpContext)
            || Conventions.IsSingletonByMarker(type));
}
