namespace LeakAnalyzers.Model;

/// <summary>When a piece of code runs, as far as "once, while things are set up" or "at any time" goes.</summary>
internal enum RunScopeKind
{
    /// <summary>Whenever something calls it: a request, a callback, a timer, a method group invoked later.</summary>
    Runtime,
    /// <summary>Once per process: a static constructor, a static field or property initializer, a module initializer, <c>Main</c> or the top-level statements.</summary>
    StaticInitialization,
    /// <summary>Once per object of <see cref="RunScope.Type"/>: a constructor or an instance field or property initializer.</summary>
    InstanceInitialization,
    /// <summary>Directly in <see cref="RunScope.Method"/>, a private method: it runs when its callers do (<see cref="CallGraph"/>).</summary>
    PrivateMethod,
    /// <summary>
    /// While the application is configured: a method that takes the service collection or an application, host or
    /// endpoint builder (<c>AddMyModule(this IServiceCollection services)</c>, <c>Startup.Configure(IApplicationBuilder app)</c>,
    /// a library's builder that exposes the service collection). It runs once, at startup.
    /// </summary>
    Startup,
}

/// <summary>Where a piece of code runs (<see cref="Lifetimes.ScopeOf"/>): its <see cref="Kind"/>, with the type being built or the private method that holds it.</summary>
internal readonly record struct RunScope(RunScopeKind Kind, INamedTypeSymbol? Type = null, IMethodSymbol? Method = null)
{
    public static RunScope Runtime => new(RunScopeKind.Runtime);

    /// <summary>
    /// Code in this scope runs while <paramref name="field"/> is set up: any one-time static code for a static field,
    /// the constructors and initializers of its own type (or a derived one) for an instance field.
    /// </summary>
    public bool Initializes(IFieldSymbol field) => Kind == RunScopeKind.Startup || (field.IsStatic
        ? Kind == RunScopeKind.StaticInitialization
        : Kind == RunScopeKind.InstanceInitialization && Type.IsOrInheritsFrom(field.ContainingType.OriginalDefinition));
}

internal sealed partial class Lifetimes
{
    /// <summary>
    /// Where <paramref name="operation"/> runs, given the symbol that owns its body (a method, or a field or property
    /// for an initializer, as <c>OperationAnalysisContext.ContainingSymbol</c> reports it). A lambda that may run later
    /// (an event handler, a callback, a timer) runs at runtime whatever its container; one run on the spot (LINQ,
    /// <c>ForEach</c>) runs where its container does.
    /// </summary>
    public RunScope ScopeOf(IOperation operation, ISymbol containingSymbol)
    {
        if (IsDeferred(operation))
            return RunScope.Runtime;
        switch (containingSymbol)
        {
            case IMethodSymbol { MethodKind: MethodKind.StaticConstructor }:
                return new RunScope(RunScopeKind.StaticInitialization);
            case IMethodSymbol { MethodKind: MethodKind.Constructor } constructor:
                return new RunScope(RunScopeKind.InstanceInitialization, constructor.ContainingType.OriginalDefinition);
            case IMethodSymbol method when IsModuleInitializer(method) || IsEntryPoint(method):
                return new RunScope(RunScopeKind.StaticInitialization);    // runs once: a module initializer, Main or top-level statements
            case IMethodSymbol { MethodKind: MethodKind.Ordinary } method when IsConfiguration(method):
                return new RunScope(RunScopeKind.Startup);
            case IMethodSymbol { MethodKind: MethodKind.Ordinary, DeclaredAccessibility: Accessibility.Private } method:
                return new RunScope(RunScopeKind.PrivateMethod, method.ContainingType.OriginalDefinition, method.OriginalDefinition);
            case IFieldSymbol or IPropertySymbol:     // initializers
                return containingSymbol.IsStatic
                    ? new RunScope(RunScopeKind.StaticInitialization)
                    : new RunScope(RunScopeKind.InstanceInitialization, containingSymbol.ContainingType.OriginalDefinition);
            default:
                return RunScope.Runtime;
        }
    }

    /// <summary>
    /// <paramref name="operation"/> sits in a lambda that may run later, any number of times (an endpoint handler, a
    /// callback, a timer, an event handler), not one run on the spot: the code runs at runtime, whoever created the lambda.
    /// </summary>
    public bool RunsLater(IOperation operation) => IsDeferred(operation);
    /// A method that configures the application (<see cref="RunScopeKind.Startup"/>): one of its parameters is the
    /// service collection, an application, host or endpoint builder, or a builder that exposes the service collection
    /// (<c>IMvcBuilder.Services</c>, a library's own builder). Decided once per method.
    /// </summary>
    public bool IsConfiguration(IMethodSymbol method)
    {
        if (method.Parameters.IsEmpty)
            return false;
        return _configuration.GetOrAdd(method, m =>
        {
            foreach (var parameter in m.Parameters)
            {
                if (IsBuilder(parameter.Type))
                    return true;
            }

            return false;
        });
    }

    private bool IsBuilder(ITypeSymbol type)
    {
        if (type.SpecialType != SpecialType.None || type.IsValueType || type.TypeKind is not (TypeKind.Class or TypeKind.Interface))
            return false;
        var extensions = _types.Extensions;
        var collection = extensions.IServiceCollection;
        if (collection is null)
            return false;
        if (type.Implements(collection) || type.Implements(extensions.IHostBuilder) || type.Implements(extensions.IHostApplicationBuilder)
            || type.Implements(extensions.IWebHostBuilder) || type.Implements(_types.AspNetCore?.IApplicationBuilder)
            || type.Implements(_types.AspNetCore?.IEndpointRouteBuilder))
        {
            return true;
        }

        foreach (var candidate in type.AllInterfaces.Prepend(type as INamedTypeSymbol))
        {
            foreach (var member in candidate?.GetMembers() ?? ImmutableArray<ISymbol>.Empty)
            {
                if (member is IPropertySymbol { IsStatic: false } property && SymbolEqualityComparer.Default.Equals(property.Type, collection))
                    return true;
            }
        }

        return false;
    }

    private bool IsModuleInitializer(IMethodSymbol method) =>
        method.IsStatic && method.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, _types.Reflection.ModuleInitializerAttribute));

    /// <summary>Inside a lambda that may run later, not one iterated on the spot (LINQ, <see cref="Conventions.RunsCallbackInPlace"/>).</summary>
    private bool IsDeferred(IOperation operation)
    {
        foreach (var ancestor in operation.Ancestors())
        {
            if (ancestor is not IAnonymousFunctionOperation function)
                continue;
            var use = function.WalkUpConversions();
            while (use.Parent is IDelegateCreationOperation or IConversionOperation)
                use = use.Parent;
            var runsNow = use.Parent is IArgumentOperation { Parent: IInvocationOperation call }
                && (SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, _types.Reflection.Enumerable) || Conventions.RunsCallbackInPlace(call.TargetMethod));
            if (!runsNow)
                return true;
        }

        return false;
    }
}
