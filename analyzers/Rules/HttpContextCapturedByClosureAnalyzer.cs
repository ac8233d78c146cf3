using LeakAnalyzers.Helpers;

namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK003: a lambda, anonymous method or local function that outlives the request (<see cref="Escape"/>) and uses
/// something the request owns: a captured <c>HttpContext</c>, <c>HttpRequest</c>, <c>HttpResponse</c>,
/// <c>ConnectionInfo</c>, <c>WebSocketManager</c> or a collection/stream/service provider taken from them, a read of
/// <c>IHttpContextAccessor.HttpContext</c>, or a controller's (page model's) <c>HttpContext</c>/<c>Request</c>/
/// <c>Response</c>/<c>User</c>. Judged by type and provenance, never by name. Reported at the first such use.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class HttpContextCapturedByClosureAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(Descriptors.HttpContextCapturedByClosure);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            if (RequestScope.Create(start.Compilation) is not { } scope)
                return;                                  // no ASP.NET Core: the rule costs nothing
            var rule = new RequestValues(start.Compilation, scope);
            start.RegisterOperationAction(rule.Analyze, OperationKind.AnonymousFunction, OperationKind.LocalFunction);
        });
    }
}

/// <summary>What the request owns, as LEAK003 and its fix see it.</summary>
internal sealed class RequestValues
{
    private static readonly ImmutableHashSet<string> ControllerMembers = ImmutableHashSet.Create(StringComparer.Ordinal, "HttpContext", "Request", "Response", "User");

    private readonly RequestScope _scope;
    private readonly ImmutableArray<INamedTypeSymbol> _owned;
    private readonly ImmutableArray<INamedTypeSymbol> _controllers;
    private readonly INamedTypeSymbol? _accessor;
    private readonly INamedTypeSymbol? _ipAddress;

    public RequestValues(Compilation compilation, RequestScope scope)
    {
        _scope = scope;
        _owned = Resolve(compilation, TypeNames.HttpContext, TypeNames.HttpRequest, TypeNames.HttpResponse, TypeNames.ConnectionInfo,
            TypeNames.WebSocketManager, TypeNames.IHeaderDictionary, TypeNames.IQueryCollection, TypeNames.IFormCollection,
            TypeNames.IRequestCookieCollection, TypeNames.IResponseCookies, TypeNames.ISession, TypeNames.IFeatureCollection);
        _controllers = Resolve(compilation, TypeNames.ControllerBase, TypeNames.PageModel);
        _accessor = compilation.GetBestTypeByMetadataName(TypeNames.IHttpContextAccessor);
        _ipAddress = compilation.GetBestTypeByMetadataName(TypeNames.IPAddress);
    }

    private static ImmutableArray<INamedTypeSymbol> Resolve(Compilation compilation, params string[] names) =>
        names.Select(name => compilation.GetBestTypeByMetadataName(name)).OfType<INamedTypeSymbol>().ToImmutableArray();

    public void Analyze(OperationAnalysisContext context)
    {
        var function = context.Operation;
        var cancellationToken = context.CancellationToken;
        if (FirstUse(function, cancellationToken) is not { } use || !Outlives(function, cancellationToken))
            return;
        foreach (var outer in function.Ancestors())
        {
            if (outer is IAnonymousFunctionOperation or ILocalFunctionOperation
                && IsCapturedBy(use, outer) && Outlives(outer, cancellationToken))
            {
                return;                                  // the outer closure reports the same capture
            }
        }

        context.Report(Descriptors.HttpContextCapturedByClosure, use, NameOf(use));
    }

    public bool Outlives(IOperation function, CancellationToken cancellationToken) => function switch
    {
        IAnonymousFunctionOperation => _scope.Escape.Outlives(function, cancellationToken),
        ILocalFunctionOperation local => _scope.Escape.LocalFunctionOutlives(local, cancellationToken),
        _ => false,
    };

    /// <summary>The first operation in <paramref name="function"/>'s body that reaches request-owned state from outside it.</summary>
    public IOperation? FirstUse(IOperation function, CancellationToken cancellationToken)
    {
        var body = function switch
        {
            IAnonymousFunctionOperation anonymous => anonymous.Body,
            ILocalFunctionOperation local => (IOperation?)local.Body ?? local.IgnoredBody,
            _ => null,
        };
        if (body is null)
            return null;
        IOperation? first = null;
        foreach (var operation in body.Descendants())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if ((first is null || operation.Syntax.SpanStart < first.Syntax.SpanStart) && IsRequestUse(operation, function))
                first = operation;
        }

        return first;
    }

    /// <summary>Every use of request-owned state from outside <paramref name="function"/>, in source order.</summary>
    public IEnumerable<IOperation> Uses(IOperation function) =>
        function.Descendants().Where(o => IsRequestUse(o, function)).OrderBy(o => o.Syntax.SpanStart);

    private bool IsRequestUse(IOperation operation, IOperation function)
    {
        switch (operation)
        {
            case IParameterReferenceOperation parameter:
                return IsCapturedBy(operation, function) && IsOwnedType(parameter.Type);
            case ILocalReferenceOperation local:
                return IsCapturedBy(operation, function) && (IsOwnedType(local.Type) || IsOwnedProvenance(local));
            case IPropertyReferenceOperation property when property.Instance is IInstanceReferenceOperation && ControllerMembers.Contains(property.Property.Name):
                return _controllers.Any(c => property.Property.ContainingType.IsOrInheritsFrom(c));
            case IPropertyReferenceOperation { Property.Name: "HttpContext" } property:
                return property.Property.ContainingType.Implements(_accessor) && !IsOwnParameter(property.Instance, function);
            default:
                return false;
        }
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
    private static bool IsCapturedBy(IOperation use, IOperation function)
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

    /// <summary>The context and the objects it hands out by reference (headers, query, form, cookies, session, features).</summary>
    public bool IsOwnedType(ITypeSymbol? type)
    {
        if (type is null)
            return false;
        foreach (var owned in _owned)
        {
            if (owned.TypeKind == TypeKind.Interface ? type.Implements(owned) : type.IsOrInheritsFrom(owned))
                return true;
        }

        return false;
    }

    /// <summary>
    /// A local initialized from a member of the context that hands out a reference (<c>context.Items</c>,
    /// <c>context.Request.Body</c>, <c>context.RequestServices</c>): owned by the request whatever its type. Values
    /// (strings, structs such as <c>PathString</c> and <c>CancellationToken</c>, an <c>IPAddress</c>) and the
    /// <c>ClaimsPrincipal</c> (not pooled with the context) are copies the closure may keep.
    /// </summary>
    private bool IsOwnedProvenance(ILocalReferenceOperation reference)
    {
        var type = reference.Local.Type;
        if (!type.IsReferenceType || IsValueLike(type) || type.Name == "ClaimsPrincipal")
            return false;
        IOperation root = reference;
        while (root.Parent is not null)
            root = root.Parent;
        foreach (var operation in root.Descendants())
        {
            if (operation is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, reference.Local))
            {
                var value = declarator.Initializer?.Value ?? (declarator.Parent as IVariableDeclarationOperation)?.Initializer?.Value;
                return value?.WalkDownConversions() is IMemberReferenceOperation { Instance: { } owner } && IsOwnedType(owner.Type);
            }
        }

        return false;
    }

    /// <summary>Values a closure may keep: strings, structs and enums, <c>IPAddress</c>, <c>Uri</c>.</summary>
    public bool IsValueLike(ITypeSymbol? type) =>
        type is not null
        && (type.SpecialType == SpecialType.System_String || type.IsValueType
            || SymbolEqualityComparer.Default.Equals(type, _ipAddress) || type.Name == "Uri" && type.ContainingNamespace?.ToDisplayString() == "System");

    public static string NameOf(IOperation use) => use switch
    {
        IParameterReferenceOperation parameter => parameter.Parameter.Name,
        ILocalReferenceOperation local => local.Local.Name,
        IPropertyReferenceOperation { Instance: IInstanceReferenceOperation { IsImplicit: true } } property => property.Property.Name,
        _ => use.Syntax.ToString(),
    };
}
