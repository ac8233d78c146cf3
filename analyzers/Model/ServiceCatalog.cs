using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Model;

/// <summary>
/// One service as the catalog knows it: its <see cref="Lifetime"/> (null when the registration does not say it plainly,
/// e.g. a lifetime passed in a variable), the <see cref="Service"/> type it is resolved by, the <see cref="Implementation"/>
/// class the container creates when the registration shows it, and whether it is <see cref="Keyed"/>.
/// </summary>
internal readonly record struct CatalogEntry(ServiceLifetime? Lifetime, ITypeSymbol Service, INamedTypeSymbol? Implementation, bool Keyed);

/// <summary>What makes a service a leak when the root provider resolves it.</summary>
internal enum RootHazard
{
    /// <summary>Scoped: resolved from the root, one instance lives as long as the application.</summary>
    Scoped,
    /// <summary>Transient and disposable: the root keeps every instance it creates until the application stops.</summary>
    DisposableTransient,
}

/// <summary>
/// The services of one compilation, for the rules that judge resolutions (LEAK006): every registration its source makes,
/// and the lifetimes the framework gives without a registration in sight.
/// <para>
/// The registrations are gathered once per compilation, on first need, from the syntax of the whole compilation: every
/// call named like a registration method (<see cref="RegistrationNames"/>) is bound and read by
/// <see cref="Services.RegisteredBy"/>, plus <c>AddDbContext</c>/<c>AddDbContextPool</c> (scoped unless the call passes
/// another constant <c>ServiceLifetime</c>) and <c>AddHttpClient</c> (<c>HttpClient</c> and typed clients are
/// transient). Reading them up front, rather than collecting them as the analyzer visits each call and judging at
/// compilation end, keeps LEAK006 a live rule: the IDE shows it as you type (the IDE does not run an analyzer with a
/// compilation-end descriptor in live analysis). The cost is paid only when a resolution from a root provider is
/// found; the syntactic candidates of each tree are cached by tree (weakly), so an edit re-reads one file, and only
/// the candidates are bound.
/// </para>
/// </summary>
internal sealed class ServiceCatalog
{
    /// <summary>The names of the registration methods read (a cheap syntactic filter before binding).</summary>
    public static readonly ImmutableHashSet<string> RegistrationNames = ImmutableHashSet.Create(StringComparer.Ordinal,
        "AddSingleton", "AddScoped", "AddTransient", "TryAddSingleton", "TryAddScoped", "TryAddTransient",
        "AddKeyedSingleton", "AddKeyedScoped", "AddKeyedTransient", "TryAddKeyedSingleton", "TryAddKeyedScoped", "TryAddKeyedTransient",
        "AddHostedService", "AddDbContext", "AddDbContextPool", "AddHttpClient");

    private static readonly ConditionalWeakTable<SyntaxTree, StrongBox<ImmutableArray<InvocationExpressionSyntax>>> Candidates = new();

    private readonly Compilation _compilation;
    private readonly Services? _services;
    private readonly KnownTypes.ServiceProviderTypes _types;
    private readonly Lazy<ImmutableArray<CatalogEntry>> _entries;

    public ServiceCatalog(Compilation compilation, Services? services, KnownTypes.ServiceProviderTypes types)
    {
        _compilation = compilation;
        _services = services;
        _types = types;
        _entries = new Lazy<ImmutableArray<CatalogEntry>>(Gather);
    }

    /// <summary>Every registration of the compilation (gathered on first access).</summary>
    public ImmutableArray<CatalogEntry> Entries => _entries.Value;

    /// <summary>
    /// What resolving <paramref name="service"/> from the root provider leaks, or null when nothing or when unsure.
    /// The registrations of the service decide: for one service (<paramref name="many"/> false) every registration must be
    /// hazardous (the last one wins, and which one is last is not visible), for all of them (<c>GetServices</c>) one
    /// hazardous registration is enough. A transient is hazardous when its implementation (or the service type itself)
    /// is disposable; a transient whose implementation the registration hides, behind a non-disposable service type, is
    /// not judged. Without a registration in sight, the framework's own lifetimes (<see cref="KnownTypes.ServiceProviderTypes.ScopedByFramework"/>) decide.
    /// </summary>
    public RootHazard? HazardOf(ITypeSymbol service, bool keyed, bool many)
    {
        var registered = false;
        var safe = false;
        RootHazard? hazard = null;
        foreach (var entry in Entries)
        {
            if (entry.Keyed != keyed || !Matches(entry.Service, service))
                continue;
            registered = true;
            if (HazardOf(entry) is { } found)
                hazard = hazard == RootHazard.Scoped ? hazard : found;
            else
                safe = true;
        }

        if (registered)
            return many || !safe ? hazard : null;
        return !keyed && _types.ScopedByFramework.Any(framework => service.IsOrInheritsFrom(framework)) ? RootHazard.Scoped : null;
    }

    /// <summary>
    /// <paramref name="type"/> is registered in the compilation, as its own service or as an implementation, and every such
    /// registration is a singleton: an object of that class is created once, from the root provider.
    /// </summary>
    public bool IsSingleton(INamedTypeSymbol type)
    {
        var found = false;
        foreach (var entry in Entries)
        {
            var implementation = entry.Implementation ?? entry.Service as INamedTypeSymbol;
            if (!SymbolEqualityComparer.Default.Equals(implementation?.OriginalDefinition, type.OriginalDefinition))
                continue;
            if (entry.Lifetime != ServiceLifetime.Singleton)
                return false;
            found = true;
        }

        return found;
    }

    private RootHazard? HazardOf(CatalogEntry entry) => entry.Lifetime switch
    {
        ServiceLifetime.Scoped => RootHazard.Scoped,
        ServiceLifetime.Transient when _types.IsDisposable(entry.Implementation) || _types.IsDisposable(entry.Service) => RootHazard.DisposableTransient,
        _ => null,
    };

    /// <summary>The same type, or an open generic registration (<c>typeof(IRepository&lt;&gt;)</c>) of the constructed one.</summary>
    private static bool Matches(ITypeSymbol registered, ITypeSymbol requested) =>
        SymbolEqualityComparer.Default.Equals(registered, requested)
        || registered is INamedTypeSymbol { IsUnboundGenericType: true } open && requested is INamedTypeSymbol { IsGenericType: true } constructed
            && SymbolEqualityComparer.Default.Equals(open.OriginalDefinition, constructed.OriginalDefinition);

    private ImmutableArray<CatalogEntry> Gather()
    {
        var entries = ImmutableArray.CreateBuilder<CatalogEntry>();
        foreach (var tree in _compilation.SyntaxTrees)
        {
            var calls = CandidatesIn(tree);
            if (calls.IsEmpty)
                continue;
#pragma warning disable RS1030 // The registrations of other trees are needed while analyzing this one; only the candidate calls are bound.
            var model = _compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
            foreach (var call in calls)
            {
                if (model.GetOperation(call) is IInvocationOperation invocation)
                    Read(invocation, entries);
            }
        }

        return entries.ToImmutable();
    }

    private void Read(IInvocationOperation invocation, ImmutableArray<CatalogEntry>.Builder entries)
    {
        if (_services is not null)
        {
            foreach (var registration in _services.RegisteredBy(invocation))
            {
                if (registration.Service is { } service)
                    entries.Add(new CatalogEntry(registration.Lifetime, service, registration.Implementation, registration.Keyed));
            }
        }

        var method = invocation.TargetMethod;
        var type = method.ContainingType?.OriginalDefinition;
        if (type is null)
            return;
        if (SymbolEqualityComparer.Default.Equals(type, _types.EntityFrameworkServiceCollectionExtensions)
            && method.Name is "AddDbContext" or "AddDbContextPool" && method.TypeArguments.Length > 0)
        {
            var arguments = method.TypeArguments;
            entries.Add(new CatalogEntry(ContextLifetime(invocation), arguments[0], (arguments.Length > 1 ? arguments[1] : arguments[0]) as INamedTypeSymbol, Keyed: false));
        }
        else if (SymbolEqualityComparer.Default.Equals(type, _types.HttpClientFactoryServiceCollectionExtensions) && method.Name == "AddHttpClient")
        {
            if (_types.HttpClient is { } client)
                entries.Add(new CatalogEntry(ServiceLifetime.Transient, client, client, Keyed: false));   // every AddHttpClient registers HttpClient (TryAddTransient)
            var arguments = method.TypeArguments;
            if (arguments.Length > 0)
                entries.Add(new CatalogEntry(ServiceLifetime.Transient, arguments[0], (arguments.Length > 1 ? arguments[1] : arguments[0]) as INamedTypeSymbol, Keyed: false));
        }
    }

    /// <summary>
    /// <c>AddDbContext</c>'s <c>contextLifetime</c>: scoped when left out (or for <c>AddDbContextPool</c>, which has
    /// none), the constant when one is given, null when it is computed.
    /// </summary>
    private static ServiceLifetime? ContextLifetime(IInvocationOperation invocation)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is not { Name: "contextLifetime" } || argument.ArgumentKind == ArgumentKind.DefaultValue)
                continue;
            return argument.Value.ConstantValue is { HasValue: true, Value: int value } && Enum.IsDefined(typeof(ServiceLifetime), value)
                ? (ServiceLifetime)value            // Microsoft's ServiceLifetime: Singleton 0, Scoped 1, Transient 2, as ours
                : null;
        }

        return ServiceLifetime.Scoped;
    }

    /// <summary>The calls of <paramref name="tree"/> named like a registration method, found once per tree.</summary>
    private static ImmutableArray<InvocationExpressionSyntax> CandidatesIn(SyntaxTree tree) =>
        Candidates.GetValue(tree, static t =>
        {
            var calls = ImmutableArray.CreateBuilder<InvocationExpressionSyntax>();
            foreach (var node in t.GetRoot().DescendantNodes())
            {
                if (node is InvocationExpressionSyntax call && NameOf(call.Expression) is { } name && RegistrationNames.Contains(name))
                    calls.Add(call);
            }

            return new StrongBox<ImmutableArray<InvocationExpressionSyntax>>(calls.ToImmutable());
        }).Value;

    private static string? NameOf(ExpressionSyntax expression) => expression switch
    {
        MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
        MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
        SimpleNameSyntax name => name.Identifier.ValueText,
        _ => null,
    };
}
