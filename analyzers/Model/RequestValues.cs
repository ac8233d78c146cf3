using System.Collections.Concurrent;

namespace LeakAnalyzers.Model;

/// <summary>
/// What belongs to the request. Three questions, with memberships that differ on purpose:
/// <list type="bullet">
/// <item><b>request context</b> (<see cref="RequestScope"/>): the <c>HttpContext</c>, <c>HttpRequest</c>, <c>HttpResponse</c>
/// a method takes, which makes it request code;</item>
/// <item><b>pooled by the request</b> (<see cref="IsPooledByRequest"/>, LEAK003): the context and the objects it hands out by
/// reference, reused for the next request, so a closure must not keep them; the <c>ClaimsPrincipal</c> is not pooled;</item>
/// <item><b>carries request data</b> (<see cref="CarriesRequestData"/>, LEAK005): values that hold one request's data,
/// the principal, MVC's <c>ActionContext</c> and SignalR's <c>HubCallerContext</c> included, or any value traced to the
/// function's input, which must not stay in ambient state.</item>
/// </list>
/// Built without ASP.NET Core too (<see cref="Domain"/> hands it to the ambient-state model then): a principal or a traced
/// parameter is request data in any host, while nothing is pooled by a request there.
/// </summary>
internal sealed partial class RequestValues
{
    private readonly KnownTypes _types;
    private readonly KnownTypes.AspNetCoreTypes? _aspNetCore;
    private readonly ImmutableHashSet<IPropertySymbol> _controllerRequestProperties;
    private readonly SourceCode _source;
    private readonly ConcurrentDictionary<ISymbol, bool> _helpers = new(SymbolEqualityComparer.Default);

    public RequestValues(KnownTypes types, SourceCode source)
    {
        _types = types;
        _aspNetCore = types.AspNetCore;
        _source = source;
        _controllerRequestProperties = (_aspNetCore?.Controllers ?? ImmutableArray<INamedTypeSymbol>.Empty)
            .SelectMany(controller => controller.GetMembers().OfType<IPropertySymbol>())
            .Where(property => property.Name is "HttpContext" or "Request" or "Response" or "User")
            .ToImmutableHashSet<IPropertySymbol>(SymbolEqualityComparer.Default);
        _dataTypes = new[] { _aspNetCore?.HttpContext, _aspNetCore?.HttpRequest, _aspNetCore?.HttpResponse, types.Reflection.ClaimsPrincipal, _aspNetCore?.ActionContext, _aspNetCore?.HubCallerContext }
            .OfType<INamedTypeSymbol>()
            .ToImmutableArray();
    }

    /// <summary>The context and the objects it hands out by reference (headers, query, form, cookies, session, features), reused for the next request.</summary>
    public bool IsPooledByRequest(ITypeSymbol? type)
    {
        if (type is null || _aspNetCore is null)
            return false;
        foreach (var owned in _aspNetCore.RequestOwned)
        {
            if (owned.TypeKind == TypeKind.Interface ? type.Implements(owned) : type.IsOrInheritsFrom(owned))
                return true;
        }

        return false;
    }

    /// <summary>Values a closure may keep: strings, structs and enums, <c>IPAddress</c>, <c>Uri</c>.</summary>
    public bool IsValueLike(ITypeSymbol? type) =>
        type is not null
        && (type.SpecialType == SpecialType.System_String || type.IsValueType
            || SymbolEqualityComparer.Default.Equals(type, _types.Reflection.IPAddress) || SymbolEqualityComparer.Default.Equals(type, _types.Reflection.Uri));

    /// <summary>The first operation in <paramref name="function"/>'s body that reaches request-pooled state from outside it.</summary>
    public IOperation? FirstPooledUse(IOperation function, CancellationToken cancellationToken)
    {
        if (BodyOf(function) is not { } body)
            return null;
        IOperation? first = null;
        foreach (var operation in body.Descendants())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if ((first is null || operation.Syntax.SpanStart < first.Syntax.SpanStart) && IsPooledUse(operation, function, cancellationToken))
                first = operation;
        }

        return first;
    }

    /// <summary>Every use of request-pooled state from outside <paramref name="function"/>, in source order.</summary>
    public IEnumerable<IOperation> PooledUses(IOperation function, CancellationToken cancellationToken = default) =>
        BodyOf(function) is { } body
            ? body.Descendants().Where(o => IsPooledUse(o, function, cancellationToken)).OrderBy(o => o.Syntax.SpanStart)
            : Enumerable.Empty<IOperation>();

    private static IOperation? BodyOf(IOperation function) => function switch
    {
        IAnonymousFunctionOperation anonymous => anonymous.Body,
        ILocalFunctionOperation local => (IOperation?)local.Body ?? local.IgnoredBody,
        _ => null,
    };

    /// <summary>
    /// A captured parameter or local of a pooled type (or taken from a member of one), a controller's or page model's
    /// <c>HttpContext</c>/<c>Request</c>/<c>Response</c>/<c>User</c> or its own helper property that reads them
    /// (<see cref="IsRequestHelper"/>), or a read of <c>IHttpContextAccessor.HttpContext</c>.
    /// </summary>
    public bool IsPooledUse(IOperation operation, IOperation function, CancellationToken cancellationToken = default)
    {
        switch (operation)
        {
            case IParameterReferenceOperation parameter:
                return IsCapturedBy(operation, function) && IsPooledByRequest(parameter.Type);
            case ILocalReferenceOperation local:
                return IsCapturedBy(operation, function) && (IsPooledByRequest(local.Type) || IsPooledProvenance(local));
            case IPropertyReferenceOperation property when property.Instance is IInstanceReferenceOperation && IsControllerRequestProperty(property.Property):
                return true;
            case IPropertyReferenceOperation { Instance: IInstanceReferenceOperation } property when IsRequestHelper(property.Property, cancellationToken):
                return true;
            case IPropertyReferenceOperation { Property.Name: "HttpContext" } property:
                return property.Property.ContainingType.Implements(_aspNetCore?.IHttpContextAccessor) && !IsOwnParameter(property.Instance, function);
            default:
                return false;
        }
    }

    /// <summary>
    /// A controller's or page model's own helper property (declared in this compilation, on it or a base), whose getter
    /// reads the controller's <c>HttpContext</c>/<c>Request</c>/<c>Response</c>/<c>User</c>, directly or through other
    /// such helpers or the controller's own methods (<see cref="MaxHelperHops"/> deep):
    /// <c>private string UserId =&gt; User.FindFirstValue(ClaimTypes.NameIdentifier);</c>. Read when the closure runs,
    /// it reads whatever request the pooled context serves then.
    /// </summary>
    public bool IsRequestHelper(IPropertySymbol property, CancellationToken cancellationToken) =>
        property is { IsStatic: false, GetMethod: { } getter }
        && !IsControllerRequestProperty(property)
        && _aspNetCore is { } aspNetCore
        && aspNetCore.Controllers.Any(property.ContainingType.IsOrInheritsFrom)
        && _helpers.GetOrAdd(property.OriginalDefinition, _ => ReadsRequest(getter, 0, cancellationToken));

    private const int MaxHelperHops = 2;

    /// <summary>The body of a controller's own getter or method reads a request property of <c>this</c>, a hop or two deep.</summary>
    private bool ReadsRequest(IMethodSymbol accessor, int hop, CancellationToken cancellationToken)
    {
        if (hop > MaxHelperHops || _source.BodyOf(accessor, cancellationToken) is not { } body)
            return false;
        foreach (var operation in body.DescendantsAndSelf())
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (operation)
            {
                case IPropertyReferenceOperation { Instance: IInstanceReferenceOperation } property:
                    if (IsControllerRequestProperty(property.Property))
                        return true;
                    if (property.Property is { IsStatic: false, GetMethod: { } getter } own && _aspNetCore is { } aspNetCore && aspNetCore.Controllers.Any(own.ContainingType.IsOrInheritsFrom)
                        && getter.DeclaringSyntaxReferences.Length > 0 && ReadsRequest(getter, hop + 1, cancellationToken))
                    {
                        return true;
                    }

                    break;
                case IInvocationOperation { Instance: IInstanceReferenceOperation, TargetMethod: { } method }
                    when method.DeclaringSyntaxReferences.Length > 0 && ReadsRequest(method, hop + 1, cancellationToken):
                    return true;
            }
        }

        return false;
    }

    private bool IsControllerRequestProperty(IPropertySymbol property)
    {
        for (var current = property; current is not null; current = current.OverriddenProperty)
        {
            if (_controllerRequestProperties.Contains(current.OriginalDefinition))
                return true;
        }

        return false;
    }

    /// <summary>
    /// <c>accessor =&gt; accessor.HttpContext?.User</c>: the closure takes the accessor as its own typed parameter, so it is a
    /// function of what its caller passes and reads the context at the caller's time, whoever keeps the delegate.
    /// </summary>
    private static bool IsOwnParameter(IOperation? instance, IOperation function) =>
        instance is IParameterReferenceOperation parameter
        && function switch
        {
            IAnonymousFunctionOperation anonymous => SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, anonymous.Symbol),
            ILocalFunctionOperation local => SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, local.Symbol),
            _ => false,
        };

    /// <summary>Declared outside the function (a parameter or local of an enclosing member), so the closure keeps it.</summary>
    public static bool IsCapturedBy(IOperation use, IOperation function)
    {
        var symbol = use switch
        {
            IParameterReferenceOperation parameter => (ISymbol)parameter.Parameter,
            ILocalReferenceOperation local => local.Local,
            _ => null,
        };
        if (symbol is null)
            return true;                                 // this.HttpContext, accessor.HttpContext: read when the closure runs
        var location = symbol.Locations.FirstOrDefault();
        return location is not null && location.SourceTree == function.Syntax.SyntaxTree && !function.Syntax.Span.Contains(location.SourceSpan);
    }

    /// <summary>
    /// A local initialized from a member of a pooled object that hands out a reference (<c>context.Items</c>,
    /// <c>context.Request.Body</c>, <c>context.RequestServices</c>): pooled with the request whatever its type. Values
    /// (strings, structs such as <c>PathString</c> and <c>CancellationToken</c>, an <c>IPAddress</c>) and the
    /// <c>ClaimsPrincipal</c> (not pooled with the context) are copies the closure may keep.
    /// </summary>
    private bool IsPooledProvenance(ILocalReferenceOperation reference)
    {
        var type = reference.Local.Type;
        if (!type.IsReferenceType || IsValueLike(type) || type.IsOrInheritsFrom(_types.Reflection.ClaimsPrincipal))
            return false;
        IOperation root = reference;
        while (root.Parent is not null)
            root = root.Parent;
        foreach (var operation in root.Descendants())
        {
            if (operation is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, reference.Local))
            {
                var value = declarator.Initializer?.Value ?? (declarator.Parent as IVariableDeclarationOperation)?.Initializer?.Value;
                return value?.WalkDownConversions() is IMemberReferenceOperation { Instance: { } owner } && IsPooledByRequest(owner.Type);
            }
        }

        return false;
    }

    /// <summary>The name a message shows for a use: the parameter, local or member.</summary>
    public static string NameOf(IOperation use) => use switch
    {
        IParameterReferenceOperation parameter => parameter.Parameter.Name,
        ILocalReferenceOperation local => local.Local.Name,
        IPropertyReferenceOperation { Instance: IInstanceReferenceOperation { IsImplicit: true } } property => property.Property.Name,
        _ => use.Syntax.ToString(),
    };
}
