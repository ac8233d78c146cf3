using System.Collections.Concurrent;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Model;

/// <summary>
/// A call that resolves a service (<c>GetService</c>, <c>GetRequiredService</c>, <c>GetServices</c> and their keyed
/// forms): the <see cref="Provider"/> asked (the receiver, or the first argument of the static form), the
/// <see cref="Service"/> type asked for, whether it is <see cref="Keyed"/>, and whether all the service's registrations
/// are resolved (<see cref="Many"/>: <c>GetServices</c>, <c>GetService&lt;IEnumerable&lt;T&gt;&gt;</c>).
/// </summary>
internal readonly record struct ServiceResolution(IInvocationOperation Call, IOperation Provider, ITypeSymbol Service, bool Keyed, bool Many);

/// <summary>Where a root provider comes from.</summary>
internal enum RootProviderKind
{
    /// <summary>An <c>IServiceProvider</c> injected into a singleton (<see cref="RootProvider.Owner"/>): the container passes the root.</summary>
    Injected,
    /// <summary><c>host.Services</c>, <c>app.Services</c>, <c>IApplicationBuilder.ApplicationServices</c>, <c>IEndpointRouteBuilder.ServiceProvider</c>, <c>BuildServiceProvider()</c>.</summary>
    Host,
    /// <summary>A static <c>IServiceProvider</c> field or auto-property of the compilation (a service locator).</summary>
    Static,
}

/// <summary>A provider known to be the root one: its <see cref="Kind"/>, and the singleton it was injected into.</summary>
internal readonly record struct RootProvider(RootProviderKind Kind, INamedTypeSymbol? Owner = null);

/// <summary>
/// Which provider a service is resolved from, and how often. The root provider is the container itself: what it
/// creates for a scoped service lives as long as the application, and it keeps every disposable transient it creates
/// until the application stops. It is root when it is, by symbol:
/// <list type="bullet">
/// <item>injected into a singleton: a hosted service, a conventional middleware (<see cref="Conventions.IsConventionalMiddleware"/>),
/// or a class the compilation registers as a singleton only (<see cref="ServiceCatalog.IsSingleton"/>), read from a
/// constructor parameter, a captured primary-constructor parameter, or a private or read-only field or get-only
/// property that only constructors assign from their parameters;</item>
/// <item>a host's <c>Services</c> (<c>IHost</c>, <c>IWebHost</c>, <c>WebApplication</c>), an application builder's
/// <c>ApplicationServices</c>, an endpoint route builder's <c>ServiceProvider</c>, or what <c>BuildServiceProvider()</c> returns;</item>
/// <item>a static field (not <c>[ThreadStatic]</c>) or auto-property of the compilation;</item>
/// <item>a local initialized with one of those and never assigned again.</item>
/// </list>
/// Anything else is not known to be root (a scope's <c>ServiceProvider</c>, <c>HttpContext.RequestServices</c>, a
/// provider injected into a controller or any class not known to be a singleton, a method parameter): rules stay silent.
/// </summary>
internal sealed class Providers
{
    private readonly KnownTypes _types;
    private readonly KnownTypes.ServiceProviderTypes _providers;
    private readonly Lifetimes _lifetimes;
    private readonly Lazy<ServiceCatalog> _catalog;
    private readonly ConcurrentDictionary<ISymbol, bool> _injected = new(SymbolEqualityComparer.Default);

    private Providers(Compilation compilation, KnownTypes types, KnownTypes.ServiceProviderTypes providers, Services? services, Lifetimes lifetimes)
    {
        _types = types;
        _providers = providers;
        _lifetimes = lifetimes;
        _catalog = new Lazy<ServiceCatalog>(() => new ServiceCatalog(compilation, services, providers));
    }

    /// <summary>Null when the compilation does not reference Microsoft.Extensions.DependencyInjection: rules built on it register nothing.</summary>
    public static Providers? Create(Compilation compilation, KnownTypes types, Services? services, Lifetimes lifetimes) =>
        types.ServiceProviders is { } providers ? new Providers(compilation, types, providers, services, lifetimes) : null;

    public KnownTypes.ServiceProviderTypes Types => _providers;

    /// <summary>The compilation's registrations and the framework's lifetimes (gathered on first access).</summary>
    public ServiceCatalog Catalog => _catalog.Value;

    /// <summary>The names of the resolution methods: the cheap filter before any symbol is compared.</summary>
    public static bool IsResolutionName(string name) =>
        name is "GetService" or "GetRequiredService" or "GetServices" or "GetKeyedService" or "GetRequiredKeyedService" or "GetKeyedServices";

    /// <summary>
    /// The resolution <paramref name="invocation"/> makes, when it is one of <c>ServiceProviderServiceExtensions</c>,
    /// <c>ServiceProviderKeyedServiceExtensions</c>, or <c>GetService(Type)</c>/<c>GetKeyedService(Type, object)</c>/
    /// <c>GetRequiredKeyedService</c>/<c>GetRequiredService(Type)</c> of a provider, with a type it can name (a type
    /// argument or a <c>typeof</c>). Null otherwise.
    /// </summary>
    public ServiceResolution? ResolutionOf(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        if (!IsResolutionName(method.Name))
            return null;
        var containing = method.ContainingType?.OriginalDefinition;
        IOperation? provider;
        if (method.IsStatic)
        {
            if (!SymbolEqualityComparer.Default.Equals(containing, _providers.ServiceProviderServiceExtensions)
                && !SymbolEqualityComparer.Default.Equals(containing, _providers.ServiceProviderKeyedServiceExtensions))
            {
                return null;
            }

            provider = invocation.Arguments.FirstOrDefault(a => a.Parameter is { Ordinal: 0 })?.Value;
        }
        else
        {
            if (!IsProviderMethod(method, containing))
                return null;
            provider = invocation.Instance;
        }

        if (provider is null || ServiceOf(invocation, method) is not { } service)
            return null;
        var many = method.Name.EndsWith("Services", StringComparison.Ordinal);
        if (!many && service is INamedTypeSymbol { TypeArguments.Length: 1 } sequence
            && sequence.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T)
        {
            many = true;
            service = sequence.TypeArguments[0];
        }

        return service is INamedTypeSymbol { TypeKind: not TypeKind.Error, IsUnboundGenericType: false }
            ? new ServiceResolution(invocation, provider, service, method.Name.IndexOf("Keyed", StringComparison.Ordinal) >= 0, many)
            : null;
    }

    /// <summary>
    /// The root provider <paramref name="provider"/> is, or null when it is not known to be root. <paramref name="containingSymbol"/>
    /// is the member whose code reads it (<c>OperationAnalysisContext.ContainingSymbol</c>).
    /// </summary>
    public RootProvider? RootOf(IOperation provider, ISymbol containingSymbol, CancellationToken cancellationToken) =>
        RootOf(provider, containingSymbol, depth: 0, cancellationToken);

    /// <summary>
    /// The resolution at <paramref name="operation"/> can run many times: in a lambda that runs later (an endpoint
    /// handler, a callback), in a <c>while</c>/<c>do</c> loop or a <c>for</c> loop without a condition, in any member but a
    /// constructor or initializer of the singleton a provider was injected into, or (a static provider) anywhere but
    /// one-time code (static constructors and initializers, <c>Main</c>, the entry point's private helpers). A host's
    /// provider read elsewhere is read while the application starts: once.
    /// </summary>
    public bool RunsRepeatedly(IOperation operation, ISymbol containingSymbol, RootProvider root)
    {
        if (_lifetimes.RunsLater(operation) || IsInUnboundedLoop(operation))
            return true;
        switch (root.Kind)
        {
            case RootProviderKind.Injected:
                return containingSymbol is IMethodSymbol { MethodKind: not (MethodKind.Constructor or MethodKind.StaticConstructor) };
            case RootProviderKind.Static:
                var scope = _lifetimes.ScopeOf(operation, containingSymbol);
                return scope.Kind == RunScopeKind.Runtime
                    || scope.Kind == RunScopeKind.PrivateMethod && !SymbolEqualityComparer.Default.Equals(scope.Type, _lifetimes.EntryPoint?.ContainingType);
            default:
                return false;
        }
    }

    private RootProvider? RootOf(IOperation provider, ISymbol containingSymbol, int depth, CancellationToken cancellationToken)
    {
        switch (provider.WalkDownConversions())
        {
            case IPropertyReferenceOperation { Property: var property } reference:
                if (property.Name == "Services" && (property.ContainingType.Implements(_providers.IHost) || property.ContainingType.Implements(_providers.IWebHost))
                    || property.Name == "ApplicationServices" && property.ContainingType.Implements(_providers.IApplicationBuilder)
                    || property.Name == "ServiceProvider" && property.ContainingType.Implements(_providers.IEndpointRouteBuilder))
                {
                    return new RootProvider(RootProviderKind.Host);
                }

                return MemberRoot(property, reference.Instance, containingSymbol, cancellationToken);
            case IFieldReferenceOperation { Field: var field } reference:
                return MemberRoot(field, reference.Instance, containingSymbol, cancellationToken);
            case IParameterReferenceOperation { Parameter: { ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.Constructor } constructor } parameter }
                when IsProviderType(parameter.Type):
                return InjectedInto(constructor.ContainingType);
            case IInvocationOperation call when SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, _providers.ServiceCollectionContainerBuilderExtensions):
                return new RootProvider(RootProviderKind.Host);
            case ILocalReferenceOperation { Local: var local } reference when depth < 3 && reference.SemanticModel is { } model:
                return InitialValue(local, model, cancellationToken) is { } initial ? RootOf(initial, containingSymbol, depth + 1, cancellationToken) : null;
            default:
                return null;
        }
    }

    /// <summary>A static member (a service locator), or an instance member of <c>this</c> that holds what the constructor was given.</summary>
    private RootProvider? MemberRoot(ISymbol member, IOperation? instance, ISymbol containingSymbol, CancellationToken cancellationToken)
    {
        if (!IsProviderType(member is IFieldSymbol field ? field.Type : ((IPropertySymbol)member).Type) || !member.Locations.Any(l => l.IsInSource))
            return null;
        if (member.IsStatic)
            return IsStaticStorage(member, cancellationToken) ? new RootProvider(RootProviderKind.Static) : null;
        return instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }
            && containingSymbol.ContainingType is { } owner
            && IsInjected(member, cancellationToken)
                ? InjectedInto(owner)
                : null;
    }

    private RootProvider? InjectedInto(INamedTypeSymbol owner)
    {
        if (_lifetimes.IsHostedService(owner)
            || _types.AspNetCore is { } aspNetCore && Conventions.IsConventionalMiddleware(owner, aspNetCore.HttpContext) && !owner.Implements(_providers.IMiddleware))
        {
            return new RootProvider(RootProviderKind.Injected, owner);
        }

        // Anything else only when the compilation registers it as a singleton (an authorization handler, a singleton
        // service): a controller, page model, hub or filter is created from the request's scope unless registered so.
        return Catalog.IsSingleton(owner) ? new RootProvider(RootProviderKind.Injected, owner) : null;
    }

    private bool IsProviderType(ITypeSymbol? type) => type.Implements(_providers.IServiceProvider);

    /// <summary><c>GetService(Type)</c> of a provider, <c>GetKeyedService</c>/<c>GetRequiredKeyedService(Type, object)</c>, <c>GetRequiredService(Type)</c>.</summary>
    private bool IsProviderMethod(IMethodSymbol method, INamedTypeSymbol? containing) =>
        method.Parameters.Length > 0 && SymbolEqualityComparer.Default.Equals(method.Parameters[0].Type, _providers.Type)
        && (containing.Implements(_providers.IServiceProvider) || containing.Implements(_providers.IKeyedServiceProvider) || containing.Implements(_providers.ISupportRequiredService));

    private ITypeSymbol? ServiceOf(IInvocationOperation invocation, IMethodSymbol method)
    {
        if (method.IsGenericMethod)
            return method.TypeArguments.Length == 1 ? method.TypeArguments[0] : null;
        foreach (var argument in invocation.Arguments)
        {
            if (SymbolEqualityComparer.Default.Equals(argument.Parameter?.Type, _providers.Type))
                return argument.Value.WalkDownConversions() is ITypeOfOperation typeOf ? typeOf.TypeOperand : null;
        }

        return null;
    }

    private static bool IsInUnboundedLoop(IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case IAnonymousFunctionOperation or ILocalFunctionOperation:
                    return false;
                case IWhileLoopOperation:
                case IForLoopOperation { Condition: null }:
                    return true;
            }
        }

        return false;
    }

    /// <summary>A static field (not <c>[ThreadStatic]</c>) or a static auto-property: one provider for the whole process.</summary>
    private bool IsStaticStorage(ISymbol member, CancellationToken cancellationToken)
    {
        if (member is IFieldSymbol field)
            return !field.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, _providers.ThreadStaticAttribute));
        return member.DeclaringSyntaxReferences.Length == 1
            && member.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is PropertyDeclarationSyntax { ExpressionBody: null, AccessorList: { } accessors }
            && accessors.Accessors.All(a => a.Body is null && a.ExpressionBody is null);
    }

    /// <summary>
    /// An instance field or property of the provider type that holds what a constructor was given: private or read-only
    /// (a get-only or privately set property), and assigned only in constructors of its type from their parameters, or
    /// initialized from a primary-constructor parameter. Read from the type's syntax, once per member.
    /// </summary>
    private bool IsInjected(ISymbol member, CancellationToken cancellationToken) =>
        _injected.GetOrAdd(member, m => IsAssignedOnlyFromConstructorParameters(m, cancellationToken));

    private static bool IsAssignedOnlyFromConstructorParameters(ISymbol member, CancellationToken cancellationToken)
    {
        var holds = member switch
        {
            IFieldSymbol field => field.IsReadOnly || field.DeclaredAccessibility == Accessibility.Private,
            IPropertySymbol property => property.SetMethod is null or { DeclaredAccessibility: Accessibility.Private, IsInitOnly: false }
                && property.DeclaringSyntaxReferences.All(r => r.GetSyntax(cancellationToken) is PropertyDeclarationSyntax { ExpressionBody: null, AccessorList: { } list }
                    && list.Accessors.All(a => a.Body is null && a.ExpressionBody is null)),
            _ => false,
        };
        if (!holds)
            return false;

        var assigned = false;
        foreach (var reference in member.ContainingType.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax type)
                continue;
            var primary = type.ParameterList?.Parameters;
            foreach (var node in type.DescendantNodes())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var initializer = node switch
                {
                    VariableDeclaratorSyntax { Parent.Parent: FieldDeclarationSyntax } declarator when declarator.Identifier.ValueText == member.Name => declarator.Initializer?.Value,
                    PropertyDeclarationSyntax property when property.Identifier.ValueText == member.Name => property.Initializer?.Value,
                    _ => null,
                };
                if (initializer is not null)
                {
                    if (!Names(primary, initializer))
                        return false;
                    assigned = true;
                }
                else if (node is AssignmentExpressionSyntax assignment && Assigns(assignment.Left, member.Name))
                {
                    if (assignment.FirstAncestorOrSelf<ConstructorDeclarationSyntax>() is not { } constructor
                        || constructor.Modifiers.Any(SyntaxKind.StaticKeyword)
                        || !Names(constructor.ParameterList.Parameters, assignment.Right))
                    {
                        return false;
                    }

                    assigned = true;
                }
                else if (node is ArgumentSyntax { RefKindKeyword.RawKind: not 0 } argument && Assigns(argument.Expression, member.Name))
                {
                    return false;
                }
            }
        }

        return assigned;
    }

    /// <summary><paramref name="target"/> is <c>name</c> or <c>this.name</c>.</summary>
    private static bool Assigns(ExpressionSyntax target, string name) => target switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText == name,
        MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: var accessed } => accessed.Identifier.ValueText == name,
        _ => false,
    };

    /// <summary><paramref name="value"/> is one of <paramref name="parameters"/> (or <c>parameter ?? throw …</c>).</summary>
    private static bool Names(SeparatedSyntaxList<ParameterSyntax>? parameters, ExpressionSyntax value)
    {
        while (true)
        {
            switch (value)
            {
                case ParenthesizedExpressionSyntax parenthesized:
                    value = parenthesized.Expression;
                    continue;
                case BinaryExpressionSyntax { RawKind: (int)SyntaxKind.CoalesceExpression, Right: ThrowExpressionSyntax } coalesce:
                    value = coalesce.Left;
                    continue;
                case IdentifierNameSyntax identifier:
                    return parameters is { } list && list.Any(p => p.Identifier.ValueText == identifier.Identifier.ValueText);
                default:
                    return false;
            }
        }
    }

    /// <summary>The value a local is declared with, when nothing assigns it again in the block that declares it.</summary>
    private static IOperation? InitialValue(ILocalSymbol local, SemanticModel model, CancellationToken cancellationToken)
    {
        if (local.DeclaringSyntaxReferences.Length != 1
            || local.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not VariableDeclaratorSyntax { Initializer.Value: var value } declarator
            || declarator.SyntaxTree != model.SyntaxTree)
        {
            return null;
        }

        var scope = (SyntaxNode?)declarator.FirstAncestorOrSelf<BlockSyntax>() ?? declarator.SyntaxTree.GetRoot(cancellationToken);
        foreach (var node in scope.DescendantNodes())
        {
            var target = node switch
            {
                AssignmentExpressionSyntax assignment => assignment.Left,
                ArgumentSyntax { RefKindKeyword.RawKind: not 0 } argument => argument.Expression,
                _ => null,
            };
            if (target is IdentifierNameSyntax name && name.Identifier.ValueText == local.Name
                && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, local))
            {
                return null;
            }
        }

        return model.GetOperation(value, cancellationToken);
    }
}
