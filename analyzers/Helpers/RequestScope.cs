using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Helpers;

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

/// <summary>Where request-scoped code comes from; the code fixes use it to find a token or a place to inject one.</summary>
internal readonly struct RequestOrigin
{
    public RequestOrigin(RequestOriginKind kind, INamedTypeSymbol? type, IAnonymousFunctionOperation? handler)
    {
        Kind = kind;
        Type = type;
        Handler = handler;
    }

    public RequestOriginKind Kind { get; }

    /// <summary>The class, for <see cref="RequestOriginKind.Class"/>.</summary>
    public INamedTypeSymbol? Type { get; }

    /// <summary>The lambda, for <see cref="RequestOriginKind.Handler"/>.</summary>
    public IAnonymousFunctionOperation? Handler { get; }
}

/// <summary>
/// Is this code running on behalf of a request? Conventional middleware (a class with a public
/// <c>Invoke</c>/<c>InvokeAsync(HttpContext, …)</c>) and the rest of its instance methods, <c>IMiddleware</c>, MVC and
/// Razor filters, endpoint filters, authorization handlers, controllers (<c>ControllerBase</c>), page models, SignalR
/// hubs; inline middleware and endpoint lambdas (a <c>RequestDelegate</c>, a delegate taking the <c>HttpContext</c> or
/// an endpoint filter context, a handler given to <c>Map*</c> on an <c>IEndpointRouteBuilder</c>); any method taking the
/// <c>HttpContext</c>, <c>HttpRequest</c> or <c>HttpResponse</c>. Constructors, hosted services and code inside work that
/// escapes (it runs in the background) are not request-scoped. Types are resolved once per compilation.
/// </summary>
internal sealed class RequestScope
{
    private readonly INamedTypeSymbol _httpContext;
    private readonly INamedTypeSymbol? _httpRequest;
    private readonly INamedTypeSymbol? _httpResponse;
    private readonly INamedTypeSymbol? _requestDelegate;
    private readonly INamedTypeSymbol? _filterContext;
    private readonly INamedTypeSymbol? _endpointRouteBuilder;
    private readonly ImmutableArray<INamedTypeSymbol> _requestTypes;
    private readonly INamedTypeSymbol? _hostedService;
    private readonly INamedTypeSymbol? _attribute;

    private RequestScope(Compilation compilation, INamedTypeSymbol httpContext, Escape escape)
    {
        _httpContext = httpContext;
        Escape = escape;
        _httpRequest = compilation.GetBestTypeByMetadataName(TypeNames.HttpRequest);
        _httpResponse = compilation.GetBestTypeByMetadataName(TypeNames.HttpResponse);
        _requestDelegate = compilation.GetBestTypeByMetadataName(TypeNames.RequestDelegate);
        _filterContext = compilation.GetBestTypeByMetadataName(TypeNames.EndpointFilterInvocationContext);
        _endpointRouteBuilder = compilation.GetBestTypeByMetadataName(TypeNames.IEndpointRouteBuilder);
        _hostedService = compilation.GetBestTypeByMetadataName(TypeNames.IHostedService);
        _attribute = compilation.GetBestTypeByMetadataName("System.Attribute");
        _requestTypes = new[]
        {
            TypeNames.IMiddleware, TypeNames.IFilterMetadata, TypeNames.IEndpointFilter, TypeNames.IAuthorizationHandler,
            TypeNames.ControllerBase, TypeNames.PageModel, TypeNames.Hub,
        }.Select(name => compilation.GetBestTypeByMetadataName(name)).OfType<INamedTypeSymbol>().ToImmutableArray();
    }

    public INamedTypeSymbol HttpContext => _httpContext;

    public Escape Escape { get; }

    /// <summary>Null when the compilation does not reference ASP.NET Core: rules built on it register nothing.</summary>
    public static RequestScope? Create(Compilation compilation) =>
        compilation.GetBestTypeByMetadataName(TypeNames.HttpContext) is { } httpContext && Escape.Create(compilation) is { } escape
            ? new RequestScope(compilation, httpContext, escape)
            : null;

    /// <summary>
    /// The request-scoped code <paramref name="operation"/> runs in, or null. <paramref name="owner"/> is the member
    /// that owns the operation block (<c>OperationAnalysisContext.ContainingSymbol</c>).
    /// </summary>
    public RequestOrigin? Find(IOperation operation, ISymbol owner, CancellationToken cancellationToken)
    {
        if (owner.ContainingType is { } containing && containing.Implements(_hostedService))
            return null;
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (current is not IAnonymousFunctionOperation function)
                continue;
            if (IsHandler(function))
                return new RequestOrigin(RequestOriginKind.Handler, null, function);
            if (Escape.Outlives(function, cancellationToken))
                return null;                              // background work: whoever started it is judged instead
        }

        if (owner is not IMethodSymbol method || method.MethodKind is MethodKind.Constructor or MethodKind.StaticConstructor or MethodKind.Destructor)
            return null;
        if (!method.IsStatic && method.ContainingType is { } type && IsRequestType(type))
        {
            return IsConventionalMiddleware(type, _httpContext) && IsOnlyCalledAtConstruction(method, cancellationToken)
                ? null                                   // a middleware is built once: its constructor's helpers are startup code
                : new RequestOrigin(RequestOriginKind.Class, type, null);
        }
        if (method.Parameters.Any(p => IsContextParameter(p.Type)))
            return new RequestOrigin(RequestOriginKind.Method, method.ContainingType, null);
        return null;
    }

    /// <summary>A type the framework creates to serve requests.</summary>
    public bool IsRequestType(INamedTypeSymbol type)
    {
        if (type.Implements(_hostedService))
            return false;
        foreach (var candidate in _requestTypes)
        {
            if (candidate.TypeKind == TypeKind.Interface ? type.Implements(candidate) : type.IsOrInheritsFrom(candidate))
                return true;
        }

        return IsConventionalMiddleware(type, _httpContext);
    }

    /// <summary>True when the container creates the type, so a constructor parameter is injected (filter attributes are not).</summary>
    public bool IsCreatedByContainer(INamedTypeSymbol type) => IsRequestType(type) && !type.IsOrInheritsFrom(_attribute);

    /// <summary>A class with a public instance <c>Invoke</c>/<c>InvokeAsync</c> whose first parameter is the <c>HttpContext</c>; created once per application.</summary>
    public static bool IsConventionalMiddleware(INamedTypeSymbol type, INamedTypeSymbol httpContext)
    {
        if (type.TypeKind != TypeKind.Class)
            return false;
        foreach (var member in type.GetMembers())
        {
            if (member is IMethodSymbol { Name: "Invoke" or "InvokeAsync", IsStatic: false, DeclaredAccessibility: Accessibility.Public, Parameters.Length: > 0 } invoke
                && SymbolEqualityComparer.Default.Equals(invoke.Parameters[0].Type, httpContext))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A private method that the type calls, and only from its constructors or instance field initializers (directly,
    /// or in a lambda there). A method group or any other call keeps it request-scoped; helpers of helpers are not followed.
    /// </summary>
    private static bool IsOnlyCalledAtConstruction(IMethodSymbol method, CancellationToken cancellationToken)
    {
        if (method is not { DeclaredAccessibility: Accessibility.Private, MethodKind: MethodKind.Ordinary })
            return false;
        var roots = method.ContainingType.DeclaringSyntaxReferences.Select(reference => reference.GetSyntax(cancellationToken));
        return CallSites.Of(method, roots, cancellationToken) is { Count: > 0 } sites
            && sites.All(site => (site.Receiver is null or ThisExpressionSyntax)
                && site.Name.Ancestors().Any(a => a is ConstructorDeclarationSyntax || a is FieldDeclarationSyntax field && !field.Modifiers.Any(m => m.ValueText == "static")));
    }

    private bool IsContextParameter(ITypeSymbol type) =>
        type.IsOrInheritsFrom(_httpContext) || type.IsOrInheritsFrom(_httpRequest) || type.IsOrInheritsFrom(_httpResponse);

    /// <summary>
    /// A lambda the framework runs per request: a <c>RequestDelegate</c>, a delegate taking the <c>HttpContext</c> or an
    /// endpoint filter context (<c>app.Use((context, next) => …)</c>, <c>UseWhen</c> predicates, endpoint filters), or
    /// a handler given to a <c>Map*</c> method of an <c>IEndpointRouteBuilder</c>.
    /// </summary>
    public bool IsHandler(IAnonymousFunctionOperation function)
    {
        if (function.Parent is not IDelegateCreationOperation { Type: INamedTypeSymbol delegateType } creation)
            return false;
        if (SymbolEqualityComparer.Default.Equals(delegateType, _requestDelegate))
            return true;
        if (delegateType.DelegateInvokeMethod is { } invoke
            && invoke.Parameters.Any(p => p.Type.IsOrInheritsFrom(_httpContext) || p.Type.IsOrInheritsFrom(_filterContext)))
        {
            return true;
        }

        return creation.WalkUpConversions().Parent is IArgumentOperation { Parent: IInvocationOperation invocation }
            && invocation.TargetMethod.Name.StartsWith("Map", StringComparison.Ordinal)
            && (invocation.TargetMethod.IsExtensionMethod
                ? invocation.TargetMethod.Parameters.FirstOrDefault()?.Type.Implements(_endpointRouteBuilder) == true
                : invocation.TargetMethod.ContainingType.Implements(_endpointRouteBuilder));
    }
}
