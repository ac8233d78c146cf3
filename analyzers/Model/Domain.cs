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
    private readonly Lazy<RequestValues?> _requestValues;
    private readonly Lazy<Collections?> _collections;
    private readonly Lazy<Services?> _services;
    private readonly Lazy<Responses?> _responses;
    private readonly Lazy<Provenance> _provenance;

    private Domain(Compilation compilation)
    {
        Types = KnownTypes.Get(compilation);
        Ownership = new Ownership(Types);
        Lifetimes = new Lifetimes(compilation, Types);
        _work = new Lazy<Work?>(() => Work.Create(Types, Ownership, Lifetimes));
        _requestScope = new Lazy<RequestScope?>(() => RequestScope.Create(Types, Work, Lifetimes));
        _requestValues = new Lazy<RequestValues?>(() => RequestValues.Create(Types));
        _collections = new Lazy<Collections?>(() => Collections.Create(Types, Lifetimes, Provenance));
        _services = new Lazy<Services?>(() => Services.Create(Types));
        _responses = new Lazy<Responses?>(() => Responses.Create(Types, Ownership));
        _provenance = new Lazy<Provenance>(() => new Provenance(Types, Lifetimes, RequestScope, compilation.Options.OutputKind == OutputKind.DynamicallyLinkedLibrary));
    }

    public static Domain Get(Compilation compilation) => Cache.GetValue(compilation, static c => new Domain(c));

    public KnownTypes Types { get; }

    /// <summary>Who owns a value and which calls take it over.</summary>
    public Ownership Ownership { get; }

    /// <summary>How long storage, tokens and services live; what runs once at startup.</summary>
    public Lifetimes Lifetimes { get; }

    /// <summary>Background work: where it starts, where it ends up, which delegates outlive their creator. Null without tasks.</summary>
    public Work? Work => _work.Value;

    /// <summary>Which code runs on behalf of a request. Null without ASP.NET Core.</summary>
    public RequestScope? RequestScope => _requestScope.Value;

    /// <summary>What belongs to the request. Null without ASP.NET Core.</summary>
    public RequestValues? RequestValues => _requestValues.Value;

    /// <summary>Long-lived collections that may grow without bound. Null without the tracked collection types.</summary>
    public Collections? Collections => _collections.Value;

    /// <summary>Service lifetimes from dependency-injection registrations. Null without Microsoft.Extensions.DependencyInjection.</summary>
    public Services? Services => _services.Value;
    /// <summary>Who owns an <c>HttpResponseMessage</c> and whether it is disposed. Null without <c>HttpResponseMessage</c>.</summary>
    public Responses? Responses => _responses.Value;

    /// <summary>Where a value comes from (request data, fresh values, constants, reflection, configuration, a parameter), and what call sites make of it.</summary>
    public Provenance Provenance => _provenance.Value;
}
