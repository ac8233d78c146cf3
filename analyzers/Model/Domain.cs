using System.Runtime.CompilerServices;

namespace LeakAnalyzers.Model;

/// <summary>
/// The leak-domain model of one compilation: the questions every rule asks, answered by symbol over
/// <see cref="KnownTypes"/>. Built once per compilation and shared by every analyzer and fixer (a weak table keyed by
/// the compilation, so nothing outlives it). A part is null when the framework it is about is not referenced.
/// </summary>
internal sealed class Domain
{
    private static readonly ConditionalWeakTable<Compilation, Domain> Cache = new();

    private readonly Lazy<Work?> _work;
    private readonly Lazy<RequestScope?> _requestScope;
    private readonly Lazy<RequestValues> _requestValues;
    private readonly Lazy<Collections?> _collections;
    private readonly Lazy<Services?> _services;
    private readonly Lazy<Responses?> _responses;
    private readonly Lazy<Ambient?> _ambient;
    private readonly Lazy<Providers?> _providers;
    private readonly Lazy<Subscriptions?> _subscriptions;
    private readonly Lazy<Provenance> _provenance;

    private Domain(Compilation compilation)
    {
        Types = KnownTypes.Get(compilation);
        Ownership = new Ownership(Types);
        Lifetimes = new Lifetimes(compilation, Types);
        Source = new SourceCode(compilation);
        _work = new Lazy<Work?>(() => Work.Create(Types, Ownership, Lifetimes, Source));
        _requestScope = new Lazy<RequestScope?>(() => RequestScope.Create(Types, Work, Lifetimes));
        _requestValues = new Lazy<RequestValues>(() => new RequestValues(Types, Source));
        _collections = new Lazy<Collections?>(() => Collections.Create(Types, Lifetimes, Provenance, Source));
        _services = new Lazy<Services?>(() => Services.Create(Types));
        _responses = new Lazy<Responses?>(() => Responses.Create(Types, Ownership));
        _ambient = new Lazy<Ambient?>(() => Ambient.Create(Types, _requestValues, Lifetimes, Source));
        _providers = new Lazy<Providers?>(() => Providers.Create(compilation, Types, Services, Lifetimes));
        _subscriptions = new Lazy<Subscriptions?>(() => Subscriptions.Create(Types, Lifetimes));
        _provenance = new Lazy<Provenance>(() => new Provenance(Types, Lifetimes, RequestScope, compilation.Options.OutputKind == OutputKind.DynamicallyLinkedLibrary));
    }

    public static Domain Get(Compilation compilation) => Cache.GetValue(compilation, static c => new Domain(c));

    public KnownTypes Types { get; }

    /// <summary>Who owns a value and which calls take it over.</summary>
    public Ownership Ownership { get; }

    /// <summary>How long storage, tokens and services live; what runs once at startup.</summary>
    public Lifetimes Lifetimes { get; }

    /// <summary>The compilation's own source beyond the visited body: other members' bodies, an interface's one implementation.</summary>
    public SourceCode Source { get; }

    /// <summary>Background work: where it starts, where it ends up, which delegates outlive their creator. Null without tasks.</summary>
    public Work? Work => _work.Value;

    /// <summary>Which code runs on behalf of a request. Null without ASP.NET Core.</summary>
    public RequestScope? RequestScope => _requestScope.Value;

    /// <summary>
    /// What belongs to the request. Null without ASP.NET Core, where nothing is pooled by a request (the ambient-state
    /// model still gets one: a principal or a traced parameter is request data in any host).
    /// </summary>
    public RequestValues? RequestValues => Types.AspNetCore is null ? null : _requestValues.Value;

    /// <summary>Long-lived collections that may grow without bound. Null without the tracked collection types.</summary>
    public Collections? Collections => _collections.Value;

    /// <summary>Service lifetimes from dependency-injection registrations. Null without Microsoft.Extensions.DependencyInjection.</summary>
    public Services? Services => _services.Value;

    /// <summary>Who owns an <c>HttpResponseMessage</c> and whether it is disposed. Null without <c>HttpResponseMessage</c>.</summary>
    public Responses? Responses => _responses.Value;

    /// <summary>Ambient slots (<c>AsyncLocal</c>, <c>ThreadLocal</c>, <c>[ThreadStatic]</c>): what a set writes, and what restores it. Null without any of them.</summary>
    public Ambient? Ambient => _ambient.Value;

    /// <summary>Which provider a service is resolved from, and the compilation's services. Null without Microsoft.Extensions.DependencyInjection.</summary>
    public Providers? Providers => _providers.Value;

    /// <summary>Subscriptions to long-lived sources, and where a type undoes them. Null without ASP.NET Core and dependency injection.</summary>
    public Subscriptions? Subscriptions => _subscriptions.Value;

    /// <summary>Where a value comes from (request data, fresh values, constants, reflection, configuration, a parameter), and what call sites make of it.</summary>
    public Provenance Provenance => _provenance.Value;
}
