using System.Collections.Concurrent;

namespace LeakAnalyzers.Model;

/// <summary>What kind of request-scoped code an operation runs in.</summary>
internal enum RequestOriginKind
{
    /// <summary>A member of a class the framework creates for requests: middleware, controller, filter, page model, hub, handler.</summary>
    Class,
    /// <summary>An inline middleware or endpoint lambda (<c>app.Use(…)</c>, <c>app.MapGet(…)</c>).</summary>
    Handler,
    /// <summary>A method that takes the <c>HttpContext</c>, <c>HttpRequest</c> or <c>HttpResponse</c> as a parameter.</summary>
    Method,
}

/// <summary>Where request-scoped code comes from: its kind, and the class for <see cref="RequestOriginKind.Class"/>.</summary>
internal readonly record struct RequestOrigin(RequestOriginKind Kind, INamedTypeSymbol? Type);

/// <summary>
/// Is this code running on behalf of a request? Conventional middleware (<see cref="Conventions.IsConventionalMiddleware"/>)
/// and the rest of its instance methods, <c>IMiddleware</c>, MVC and Razor filters, endpoint filters, authorization
/// handlers, controllers (<c>ControllerBase</c>), page models, SignalR hubs; inline middleware and endpoint lambdas (a
/// <c>RequestDelegate</c>, a delegate taking the <c>HttpContext</c> or an endpoint filter context, a handler given to a
/// mapping method of an <c>IEndpointRouteBuilder</c>); any method taking the <c>HttpContext</c>, <c>HttpRequest</c> or
/// <c>HttpResponse</c>. Constructors, hosted services and code inside work that escapes (it runs in the background) are
/// not request-scoped.
/// </summary>
internal sealed class RequestScope
{
    private readonly KnownTypes _types;
    private readonly KnownTypes.AspNetCoreTypes _aspNetCore;
    private readonly Work _work;
    private readonly Lifetimes _lifetimes;
    private readonly ConcurrentDictionary<ITypeSymbol, bool> _wrappers = new(SymbolEqualityComparer.Default);

    private RequestScope(KnownTypes types, KnownTypes.AspNetCoreTypes aspNetCore, Work work, Lifetimes lifetimes)
    {
        _types = types;
        _aspNetCore = aspNetCore;
        _work = work;
        _lifetimes = lifetimes;
    }

    /// <summary>Null when the compilation does not reference ASP.NET Core: rules built on it register nothing.</summary>
    public static RequestScope? Create(KnownTypes types, Work? work, Lifetimes lifetimes) =>
        types.AspNetCore is { } aspNetCore && work is not null ? new RequestScope(types, aspNetCore, work, lifetimes) : null;

    public INamedTypeSymbol HttpContext => _aspNetCore.HttpContext;

    public KnownTypes.AspNetCoreTypes AspNetCore => _aspNetCore;

    /// <summary>
    /// The request-scoped code <paramref name="operation"/> runs in, or null. <paramref name="owner"/> is the member
    /// that owns the operation block (<c>OperationAnalysisContext.ContainingSymbol</c>).
    /// </summary>
    public RequestOrigin? Find(IOperation operation, ISymbol owner, CancellationToken cancellationToken)
    {
        if (owner.ContainingType is { } containing && _lifetimes.IsHostedService(containing))
            return null;
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (current)
            {
                case IAnonymousFunctionOperation function:
                    if (IsHandler(function))
                        return new RequestOrigin(RequestOriginKind.Handler, null);
                    if (_work.Outlives(function, cancellationToken))
                        return null;                      // background work: whoever started it is judged instead
                    break;
                case ILocalFunctionOperation local:
                    if (local.Symbol.Parameters.Any(p => IsRequestContext(p.Type)))
                        return new RequestOrigin(RequestOriginKind.Method, local.Symbol.ContainingType);
                    if (_work.LocalFunctionOutlives(local, cancellationToken))
                        return null;
                    break;
            }
        }

        if (owner is not IMethodSymbol method || method.MethodKind is MethodKind.Constructor or MethodKind.StaticConstructor or MethodKind.Destructor)
            return null;
        if (!method.IsStatic && method.ContainingType is { } type && IsRequestType(type))
        {
            return Conventions.IsConventionalMiddleware(type, HttpContext) && Callers.IsOnlyCalledAtConstruction(method, cancellationToken)
                ? null                                   // a middleware is built once: its constructor's helpers are startup code
                : new RequestOrigin(RequestOriginKind.Class, type);
        }

        if (method.Parameters.Any(p => IsRequestContext(p.Type)))
            return new RequestOrigin(RequestOriginKind.Method, method.ContainingType);
        return null;
    }

    /// <summary>A type the framework creates to serve requests.</summary>
    public bool IsRequestType(INamedTypeSymbol type)
    {
        if (_lifetimes.IsHostedService(type))
            return false;
        foreach (var candidate in _aspNetCore.RequestTypes)
        {
            if (candidate.TypeKind == TypeKind.Interface ? type.Implements(candidate) : type.IsOrInheritsFrom(candidate))
                return true;
        }

        return Conventions.IsConventionalMiddleware(type, HttpContext);
    }

    /// <summary>
    /// Request code the framework calls with request data: an instance method of a type it creates for requests (an
    /// action, page handler, hub method, middleware <c>Invoke</c>, filter), or a method taking the <c>HttpContext</c>,
    /// <c>HttpRequest</c> or <c>HttpResponse</c> (or a wrapper of it: <see cref="IsRequestContext"/>). Constructors are not: the container calls them with services.
    /// </summary>
    public bool IsRequestCode(IMethodSymbol method) =>
        method.MethodKind == MethodKind.Ordinary
        && (!method.IsStatic && method.ContainingType is { } type && IsRequestType(type) || method.Parameters.Any(p => IsRequestContext(p.Type)));

    /// <summary>
    /// A parameter the container fills, not the request: one bound by <c>[FromServices]</c> or <c>[FromKeyedServices]</c>
    /// (an action's, a hub method's, an endpoint lambda's), one after the <c>HttpContext</c> of a conventional middleware's
    /// <c>Invoke</c>, or the <c>IServiceProvider</c> itself.
    /// </summary>
    public bool IsInjected(IParameterSymbol parameter) =>
        parameter.GetAttributes().Any(a => _aspNetCore.ServiceBindings.Any(b => SymbolEqualityComparer.Default.Equals(a.AttributeClass, b)))
        || parameter.Type.Implements(_types.Reflection.IServiceProvider)
        || parameter.Ordinal > 0 && parameter.ContainingSymbol is IMethodSymbol method && Conventions.IsMiddlewareInvoke(method, HttpContext);

    /// <summary>True when the container creates the type, so a constructor parameter is injected (filter attributes are not).</summary>
    public bool IsCreatedByContainer(INamedTypeSymbol type) => IsRequestType(type) && !type.IsOrInheritsFrom(_types.Reflection.Attribute);

    /// <summary>A controller or page model (<c>ControllerBase</c>, <c>PageModel</c>): MVC invokes its public actions and awaits what they return.</summary>
    public bool IsController(INamedTypeSymbol type) => _aspNetCore.Controllers.Any(type.IsOrInheritsFrom);

    /// <summary>A SignalR hub: its request is the connection's invocation, cancelled through <c>Context.ConnectionAborted</c>.</summary>
    public bool IsHub(INamedTypeSymbol type) => type.IsOrInheritsFrom(_aspNetCore.Hub);

    /// <summary>
    /// A parameter type that brings one request's scope: the <c>HttpContext</c>, <c>HttpRequest</c> or
    /// <c>HttpResponse</c>, or a wrapper that exposes the context as an instance property (<see cref="WrapsContext"/>).
    /// </summary>
    public bool IsRequestContext(ITypeSymbol type) =>
        type.IsOrInheritsFrom(HttpContext) || type.IsOrInheritsFrom(_aspNetCore.HttpRequest) || type.IsOrInheritsFrom(_aspNetCore.HttpResponse)
        || WrapsContext(type);

    /// <summary>
    /// A class or interface that carries one request and exposes its <c>HttpContext</c> as an instance property
    /// (MVC's <c>ActionContext</c> and filter contexts, authentication events' contexts, an application's own
    /// <c>RequestContext</c>), declared on it or a base. The <c>IHttpContextAccessor</c> is not one: it is a singleton
    /// that reads whatever request is current, so a method taking it may run anywhere.
    /// </summary>
    private bool WrapsContext(ITypeSymbol type)
    {
        if (type.TypeKind is not (TypeKind.Class or TypeKind.Interface) || type.SpecialType != SpecialType.None || type.Implements(_aspNetCore.IHttpContextAccessor))
            return false;
        var context = HttpContext;
        return _wrappers.GetOrAdd(type, candidate =>
        {
            for (var current = candidate; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
            {
                foreach (var member in current.GetMembers())
                {
                    if (member is IPropertySymbol { IsStatic: false, IsIndexer: false } property && property.Type.IsOrInheritsFrom(context))
                        return true;
                }
            }

            return candidate.TypeKind == TypeKind.Interface
                && candidate.AllInterfaces.Any(i => i.GetMembers().OfType<IPropertySymbol>().Any(p => !p.IsStatic && p.Type.IsOrInheritsFrom(context)));
        });
    }

    /// <summary>
    /// A lambda the framework runs per request: a <c>RequestDelegate</c>, a delegate taking the <c>HttpContext</c> or an
    /// endpoint filter context (<c>app.Use((context, next) => …)</c>, <c>UseWhen</c> predicates, endpoint filters), or
    /// a handler given to a mapping method (<see cref="Conventions.IsEndpointMapping"/>) of an <c>IEndpointRouteBuilder</c>.
    /// </summary>
    public bool IsHandler(IAnonymousFunctionOperation function)
    {
        if (function.Parent is not IDelegateCreationOperation { Type: INamedTypeSymbol delegateType } creation)
            return false;
        if (SymbolEqualityComparer.Default.Equals(delegateType, _aspNetCore.RequestDelegate))
            return true;
        if (delegateType.DelegateInvokeMethod is { } invoke
            && invoke.Parameters.Any(p => p.Type.IsOrInheritsFrom(HttpContext) || p.Type.IsOrInheritsFrom(_aspNetCore.EndpointFilterInvocationContext) || WrapsContext(p.Type)))
        {
            return true;
        }

        return creation.WalkUpConversions().Parent is IArgumentOperation { Parent: IInvocationOperation invocation }
            && Conventions.IsEndpointMapping(invocation.TargetMethod)
            && (invocation.TargetMethod.IsExtensionMethod
                ? invocation.TargetMethod.Parameters.FirstOrDefault()?.Type.Implements(_aspNetCore.IEndpointRouteBuilder) == true
                : invocation.TargetMethod.ContainingType.Implements(_aspNetCore.IEndpointRouteBuilder));
    }

    /// <summary>
    /// A minimal-API endpoint handler (<see cref="IsHandler"/>) given as a <c>Delegate</c> (<c>app.MapPost("/", () =&gt; …)</c>):
    /// the framework awaits whatever it returns, so nothing depends on its return type.
    /// </summary>
    public bool IsEndpointHandler(IAnonymousFunctionOperation function) =>
        function.Parent is IDelegateCreationOperation creation
        && creation.WalkUpConversions().Type?.SpecialType == SpecialType.System_Delegate
        && IsHandler(function);
}
