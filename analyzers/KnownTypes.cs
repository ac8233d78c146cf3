using System.Runtime.CompilerServices;
using LeakAnalyzers.Helpers;

namespace LeakAnalyzers;

/// <summary>
/// The one per-compilation symbol table: every type a rule, the model or a fixer compares with is looked up here and
/// nowhere else (<c>BannedSymbols.txt</c> bans the lookups elsewhere). One instance per compilation, shared by every
/// analyzer and fixer through <see cref="Get"/> (a weak table keyed by the compilation, so nothing outlives it), built
/// on first use in a <c>CompilationStart</c>. Groups are resolved on first access, and a group is null when its
/// framework is not referenced, so that a rule built on it registers nothing and costs nothing.
/// </summary>
internal sealed partial class KnownTypes
{
    private static readonly ConditionalWeakTable<Compilation, KnownTypes> Cache = new();

    private readonly Compilation _compilation;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, INamedTypeSymbol?> _found = new(StringComparer.Ordinal);
    private readonly Lazy<ThreadingTypes?> _threading;
    private readonly Lazy<ReflectionTypes> _reflection;
    private readonly Lazy<CollectionTypes?> _collections;
    private readonly Lazy<HttpClientTypes?> _http;
    private readonly Lazy<AspNetCoreTypes?> _aspNetCore;
    private readonly Lazy<ExtensionsTypes> _extensions;
    private readonly Lazy<SubscriptionTypes> _subscriptions;
    private readonly Lazy<ValueTypes> _values;

    private KnownTypes(Compilation compilation)
    {
        _compilation = compilation;
        Object = compilation.GetSpecialType(SpecialType.System_Object);
        String = compilation.GetSpecialType(SpecialType.System_String);
        _threading = new Lazy<ThreadingTypes?>(() => ThreadingTypes.Create(this));
        _reflection = new Lazy<ReflectionTypes>(() => new ReflectionTypes(this));
        _collections = new Lazy<CollectionTypes?>(() => CollectionTypes.Create(this));
        _http = new Lazy<HttpClientTypes?>(() => HttpClientTypes.Create(this));
        _aspNetCore = new Lazy<AspNetCoreTypes?>(() => AspNetCoreTypes.Create(this));
        _extensions = new Lazy<ExtensionsTypes>(() => new ExtensionsTypes(this));
        _subscriptions = new Lazy<SubscriptionTypes>(() => new SubscriptionTypes(this));
        _values = new Lazy<ValueTypes>(() => new ValueTypes(this));
    }

    /// <summary>The table of <paramref name="compilation"/>, built once and shared by every analyzer and fixer.</summary>
    public static KnownTypes Get(Compilation compilation) => Cache.GetValue(compilation, static c => new KnownTypes(c));

    public INamedTypeSymbol Object { get; }
    public INamedTypeSymbol String { get; }

    /// <summary>Tasks, tokens, threads, timers, ambient slots: null without <c>Task</c> and <c>CancellationToken</c>.</summary>
    public ThreadingTypes? Threading => _threading.Value;

    /// <summary>Reflection and the other BCL types whose instances are few per process.</summary>
    public ReflectionTypes Reflection => _reflection.Value;

    /// <summary>The collection types LEAK001 tracks: null when the compilation has none of them.</summary>
    public CollectionTypes? Collections => _collections.Value;

    /// <summary><c>System.Net.Http</c>: null without <c>HttpResponseMessage</c>.</summary>
    public HttpClientTypes? Http => _http.Value;

    /// <summary>ASP.NET Core: null without <c>HttpContext</c>.</summary>
    public AspNetCoreTypes? AspNetCore => _aspNetCore.Value;

    /// <summary>Microsoft.Extensions (hosting, dependency injection, options, caching): members are null one by one when absent.</summary>
    public ExtensionsTypes Extensions => _extensions.Value;

    /// <summary>What objects subscribe to (LEAK007): options monitors, change tokens, observables; members are null one by one when absent.</summary>
    public SubscriptionTypes Subscriptions => _subscriptions.Value;

    /// <summary>The BCL's sources of fresh values (GUIDs, clocks, ticks) and the queryable interface: members are null one by one when absent.</summary>
    public ValueTypes Values => _values.Value;

    /// <summary>
    /// Types named in a rule option (<c>Namespace.Type</c>, metadata names): the ones this compilation resolves, and the
    /// names it cannot resolve, which <see cref="Helpers.SymbolNames.QualifiedName"/> compares with.
    /// </summary>
    public ConfiguredTypes Configured(ImmutableArray<string> names)
    {
        if (names.IsEmpty)
            return ConfiguredTypes.Empty;
        var types = ImmutableArray.CreateBuilder<INamedTypeSymbol>();
        var unresolved = ImmutableArray.CreateBuilder<string>();
        foreach (var name in names)
        {
            if (Find(name) is { } type)
                types.Add(type);
            else
                unresolved.Add(name);
        }

        return new ConfiguredTypes(types.ToImmutable(), unresolved.ToImmutable());
    }

    /// <summary>
    /// A type by its metadata name, looked up once per compilation however many groups ask for it (the options monitor,
    /// configuration and service-provider extensions serve several rules' groups).
    /// </summary>
#pragma warning disable RS0030 // The only place where types are looked up by name.
    private INamedTypeSymbol? Find(string metadataName) => _found.GetOrAdd(metadataName, name => _compilation.GetBestTypeByMetadataName(name));
#pragma warning restore RS0030

    private ImmutableArray<INamedTypeSymbol> FindAll(params string[] metadataNames)
    {
        var builder = ImmutableArray.CreateBuilder<INamedTypeSymbol>(metadataNames.Length);
        foreach (var name in metadataNames)
        {
            if (Find(name) is { } type)
                builder.Add(type);
        }

        return builder.ToImmutable();
    }

    /// <summary><c>Task</c>, <c>CancellationToken</c> and the APIs that start work, hold ambient values or fire later.</summary>
    internal sealed class ThreadingTypes
    {
        private ThreadingTypes(KnownTypes types, INamedTypeSymbol task, INamedTypeSymbol cancellationToken)
        {
            Task = task;
            CancellationToken = cancellationToken;
            TaskOfT = types.Find(TypeNames.TaskOfT);
            ValueTask = types.Find(TypeNames.ValueTask);
            ValueTaskOfT = types.Find(TypeNames.ValueTaskOfT);
            TaskFactory = types.Find(TypeNames.TaskFactory);
            TaskFactoryOfT = types.Find(TypeNames.TaskFactoryOfT);
            TaskCompletionSource = types.Find(TypeNames.TaskCompletionSource);
            TaskCompletionSourceOfT = types.Find(TypeNames.TaskCompletionSourceOfT);
            ThreadPool = types.Find(TypeNames.ThreadPool);
            Thread = types.Find(TypeNames.Thread);
            ThreadingTimer = types.Find(TypeNames.ThreadingTimer);
            CancellationTokenSource = types.Find(TypeNames.CancellationTokenSource);
            TimersTimer = types.Find(TypeNames.TimersTimer);
            Interlocked = types.Find(TypeNames.Interlocked);
            Monitor = types.Find(TypeNames.Monitor);
            ExecutionContext = types.Find(TypeNames.ExecutionContext);
            ChannelWriterOfT = types.Find(TypeNames.ChannelWriterOfT);
            AsyncLocal = types.Find(TypeNames.AsyncLocal);
            ThreadLocal = types.Find(TypeNames.ThreadLocal);
            ThreadStaticAttribute = types.Find(TypeNames.ThreadStaticAttribute);
            IDisposable = types.Find(TypeNames.IDisposable);
            IAsyncDisposable = types.Find(TypeNames.IAsyncDisposable);
            Action = types.Find(TypeNames.Action);
        }

        public static ThreadingTypes? Create(KnownTypes types) =>
            types.Find(TypeNames.Task) is { } task && types.Find(TypeNames.CancellationToken) is { } token
                ? new ThreadingTypes(types, task, token)
                : null;

        public INamedTypeSymbol Task { get; }
        public INamedTypeSymbol CancellationToken { get; }
        public INamedTypeSymbol? TaskOfT { get; }
        public INamedTypeSymbol? ValueTask { get; }
        public INamedTypeSymbol? ValueTaskOfT { get; }
        public INamedTypeSymbol? TaskFactory { get; }
        public INamedTypeSymbol? TaskFactoryOfT { get; }
        public INamedTypeSymbol? TaskCompletionSource { get; }
        public INamedTypeSymbol? TaskCompletionSourceOfT { get; }
        public INamedTypeSymbol? ThreadPool { get; }
        public INamedTypeSymbol? Thread { get; }
        public INamedTypeSymbol? ThreadingTimer { get; }
        public INamedTypeSymbol? CancellationTokenSource { get; }
        public INamedTypeSymbol? TimersTimer { get; }
        public INamedTypeSymbol? Interlocked { get; }
        public INamedTypeSymbol? Monitor { get; }
        public INamedTypeSymbol? ExecutionContext { get; }
        public INamedTypeSymbol? ChannelWriterOfT { get; }
        public INamedTypeSymbol? AsyncLocal { get; }
        public INamedTypeSymbol? ThreadLocal { get; }
        public INamedTypeSymbol? ThreadStaticAttribute { get; }
        public INamedTypeSymbol? IDisposable { get; }
        public INamedTypeSymbol? IAsyncDisposable { get; }

        /// <summary><c>System.Action</c>: what the restore scope LEAK005's fix generates runs on <c>Dispose</c>.</summary>
        public INamedTypeSymbol? Action { get; }

        /// <summary><c>Task</c>, <c>Task&lt;T&gt;</c>, <c>ValueTask</c> or <c>ValueTask&lt;T&gt;</c> (an original definition), compared by name first.</summary>
        public bool IsTaskType(ITypeSymbol type) =>
            type.Name is "Task" or "ValueTask"
            && (SymbolEqualityComparer.Default.Equals(type, Task) || SymbolEqualityComparer.Default.Equals(type, TaskOfT)
                || SymbolEqualityComparer.Default.Equals(type, ValueTask) || SymbolEqualityComparer.Default.Equals(type, ValueTaskOfT));

        /// <summary><c>Task</c>, <c>Task&lt;T&gt;</c>, <c>ValueTask</c>, <c>ValueTask&lt;T&gt;</c> or a type derived from them.</summary>
        public bool IsAwaitable(ITypeSymbol? type)
        {
            for (var current = type as INamedTypeSymbol; current is { SpecialType: not SpecialType.System_Object }; current = current.BaseType)
            {
                if (IsTaskType(current.OriginalDefinition))
                    return true;
            }

            return false;
        }

        /// <summary>True for <c>Task&lt;T&gt;</c> or <c>ValueTask&lt;T&gt;</c> whose result is <paramref name="result"/> (or derives from it).</summary>
        public bool IsTaskOf(ITypeSymbol? type, INamedTypeSymbol result) => type.IsTaskOf(TaskOfT, ValueTaskOfT, result);

        /// <summary><c>IDisposable</c> or <c>IAsyncDisposable</c>.</summary>
        public bool IsDisposable(ITypeSymbol? type) => type.Implements(IDisposable) || type.Implements(IAsyncDisposable);
    }

    /// <summary>Reflection objects (few per process) and the value types closures may keep.</summary>
    internal sealed class ReflectionTypes
    {
        public ReflectionTypes(KnownTypes types)
        {
            Type = types.Find(TypeNames.Type);
            Attribute = types.Find(TypeNames.Attribute);
            ModuleInitializerAttribute = types.Find(TypeNames.ModuleInitializerAttribute);
            ExpressionOfT = types.Find(TypeNames.ExpressionOfT);
            Enumerable = types.Find(TypeNames.Enumerable);
            TimeSpan = types.Find(TypeNames.TimeSpan);
            Uri = types.Find(TypeNames.Uri);
            IPAddress = types.Find(TypeNames.IPAddress);
            ClaimsPrincipal = types.Find(TypeNames.ClaimsPrincipal);
            KeyNotFoundException = types.Find(TypeNames.KeyNotFoundException);
            IServiceProvider = types.Find(TypeNames.IServiceProvider);
            Environment = types.Find(TypeNames.Environment);
            ReflectionObjects = types.FindAll(TypeNames.Type, TypeNames.MemberInfo, TypeNames.Assembly, TypeNames.Module, TypeNames.ParameterInfo);
        }

        public INamedTypeSymbol? Type { get; }
        public INamedTypeSymbol? Attribute { get; }
        public INamedTypeSymbol? ModuleInitializerAttribute { get; }
        public INamedTypeSymbol? ExpressionOfT { get; }
        public INamedTypeSymbol? Enumerable { get; }
        public INamedTypeSymbol? TimeSpan { get; }
        public INamedTypeSymbol? Uri { get; }
        public INamedTypeSymbol? IPAddress { get; }
        public INamedTypeSymbol? ClaimsPrincipal { get; }
        public INamedTypeSymbol? KeyNotFoundException { get; }
        public INamedTypeSymbol? IServiceProvider { get; }

        /// <summary><c>System.Environment</c>: the process itself (<c>Exit</c>, <c>FailFast</c>).</summary>
        public INamedTypeSymbol? Environment { get; }

        /// <summary><c>Type</c>, <c>MemberInfo</c>, <c>Assembly</c>, <c>Module</c>, <c>ParameterInfo</c>: as many as the program has.</summary>
        public ImmutableArray<INamedTypeSymbol> ReflectionObjects { get; }
    }

    /// <summary>The collections LEAK001 tracks and the interfaces they are declared as.</summary>
    internal sealed class CollectionTypes
    {
        private CollectionTypes(KnownTypes types)
        {
            Keyed = types.FindAll(TypeNames.Dictionary, TypeNames.ConcurrentDictionary, TypeNames.SortedDictionary, TypeNames.SortedList);
            Elements = types.FindAll(TypeNames.HashSet, TypeNames.SortedSet, TypeNames.List, TypeNames.Queue, TypeNames.Stack,
                TypeNames.ConcurrentBag, TypeNames.ConcurrentQueue, TypeNames.ConcurrentStack);
            ElementInterfaces = types.FindAll(TypeNames.ICollectionOfT, TypeNames.ISetOfT, TypeNames.IListOfT, TypeNames.IProducerConsumerCollection);
            Hashtable = types.Find(TypeNames.Hashtable);
            IDictionaryOfT = types.Find(TypeNames.IDictionaryOfT);
            IDictionary = types.Find(TypeNames.IDictionary);
            IReadOnlyDictionary = types.Find(TypeNames.IReadOnlyDictionary);
            IReadOnlySet = types.Find(TypeNames.IReadOnlySet);
            MemoryCache = types.Find(TypeNames.MemoryCache);
            MemoryCacheOptions = types.Find(TypeNames.MemoryCacheOptions);
            MemoryCacheEntryOptions = types.Find(TypeNames.MemoryCacheEntryOptions);
            CacheExtensions = types.Find(TypeNames.CacheExtensions);
            CacheEntryExtensions = types.Find(TypeNames.CacheEntryExtensions);
        }

        public static CollectionTypes? Create(KnownTypes types)
        {
            var collections = new CollectionTypes(types);
            return collections.Keyed.IsEmpty && collections.Elements.IsEmpty ? null : collections;
        }

        /// <summary>Dictionaries: an indexer set adds an entry.</summary>
        public ImmutableArray<INamedTypeSymbol> Keyed { get; }

        /// <summary>Sets, lists, queues, stacks, bags.</summary>
        public ImmutableArray<INamedTypeSymbol> Elements { get; }

        public ImmutableArray<INamedTypeSymbol> ElementInterfaces { get; }
        public INamedTypeSymbol? Hashtable { get; }
        public INamedTypeSymbol? IDictionaryOfT { get; }
        public INamedTypeSymbol? IDictionary { get; }
        public INamedTypeSymbol? IReadOnlyDictionary { get; }
        public INamedTypeSymbol? IReadOnlySet { get; }
        public INamedTypeSymbol? MemoryCache { get; }
        public INamedTypeSymbol? MemoryCacheOptions { get; }
        public INamedTypeSymbol? MemoryCacheEntryOptions { get; }

        /// <summary><c>Set</c>, <c>Get&lt;T&gt;</c>, <c>TryGetValue&lt;T&gt;</c>, <c>GetOrCreate&lt;T&gt;</c> on an <c>IMemoryCache</c>: the MemoryCache fix calls them.</summary>
        public INamedTypeSymbol? CacheExtensions { get; }

        /// <summary><c>SetOptions</c> on an <c>ICacheEntry</c>.</summary>
        public INamedTypeSymbol? CacheEntryExtensions { get; }
    }

    /// <summary><c>HttpClient</c> and its response.</summary>
    internal sealed class HttpClientTypes
    {
        private HttpClientTypes(KnownTypes types, INamedTypeSymbol response)
        {
            HttpResponseMessage = response;
            HttpContent = types.Find(TypeNames.HttpContent);
            DelegatingHandler = types.Find(TypeNames.DelegatingHandler);
            Stream = types.Find(TypeNames.Stream);
        }

        public static HttpClientTypes? Create(KnownTypes types) =>
            types.Find(TypeNames.HttpResponseMessage) is { } response ? new HttpClientTypes(types, response) : null;

        public INamedTypeSymbol HttpResponseMessage { get; }
        public INamedTypeSymbol? HttpContent { get; }
        public INamedTypeSymbol? DelegatingHandler { get; }
        public INamedTypeSymbol? Stream { get; }
    }

    /// <summary>ASP.NET Core: the request, what it owns, and the types the framework creates to serve it.</summary>
    internal sealed class AspNetCoreTypes
    {
        private AspNetCoreTypes(KnownTypes types, INamedTypeSymbol httpContext)
        {
            HttpContext = httpContext;
            HttpRequest = types.Find(TypeNames.HttpRequest);
            HttpResponse = types.Find(TypeNames.HttpResponse);
            RequestDelegate = types.Find(TypeNames.RequestDelegate);
            EndpointFilterInvocationContext = types.Find(TypeNames.EndpointFilterInvocationContext);
            IEndpointRouteBuilder = types.Find(TypeNames.IEndpointRouteBuilder);
            IHttpContextAccessor = types.Find(TypeNames.IHttpContextAccessor);
            ActionContext = types.Find(TypeNames.ActionContext);
            HubCallerContext = types.Find(TypeNames.HubCallerContext);
            ConnectionInfo = types.Find(TypeNames.ConnectionInfo);
            ISession = types.Find(TypeNames.ISession);
            RouteData = types.Find(TypeNames.RouteData);
            IApplicationBuilder = types.Find(TypeNames.IApplicationBuilder);
            ControllerBase = types.Find(TypeNames.ControllerBase);
            PageModel = types.Find(TypeNames.PageModel);
            Hub = types.Find(TypeNames.Hub);
            WebApplication = types.Find(TypeNames.WebApplication);
            IActionResult = types.Find(TypeNames.IActionResult);
            IResult = types.Find(TypeNames.IResult);
            RequestOwned = types.FindAll(TypeNames.HttpContext, TypeNames.HttpRequest, TypeNames.HttpResponse, TypeNames.ConnectionInfo,
                TypeNames.WebSocketManager, TypeNames.IHeaderDictionary, TypeNames.IQueryCollection, TypeNames.IFormCollection,
                TypeNames.IRequestCookieCollection, TypeNames.IResponseCookies, TypeNames.ISession, TypeNames.IFeatureCollection);
            RequestTypes = types.FindAll(TypeNames.IMiddleware, TypeNames.IFilterMetadata, TypeNames.IEndpointFilter, TypeNames.IAuthorizationHandler,
                TypeNames.ControllerBase, TypeNames.PageModel, TypeNames.Hub);
            Controllers = types.FindAll(TypeNames.ControllerBase, TypeNames.PageModel);
            PairedFilters = types.FindAll(TypeNames.IActionFilter, TypeNames.IPageFilter, TypeNames.IResultFilter);
            ServiceBindings = types.FindAll(TypeNames.FromServicesAttribute, TypeNames.FromKeyedServicesAttribute);
        }

        public static AspNetCoreTypes? Create(KnownTypes types) =>
            types.Find(TypeNames.HttpContext) is { } context ? new AspNetCoreTypes(types, context) : null;

        public INamedTypeSymbol HttpContext { get; }
        public INamedTypeSymbol? HttpRequest { get; }
        public INamedTypeSymbol? HttpResponse { get; }
        public INamedTypeSymbol? RequestDelegate { get; }
        public INamedTypeSymbol? EndpointFilterInvocationContext { get; }
        public INamedTypeSymbol? IEndpointRouteBuilder { get; }
        public INamedTypeSymbol? IHttpContextAccessor { get; }
        public INamedTypeSymbol? ActionContext { get; }
        public INamedTypeSymbol? HubCallerContext { get; }
        public INamedTypeSymbol? ConnectionInfo { get; }
        public INamedTypeSymbol? ISession { get; }
        public INamedTypeSymbol? RouteData { get; }
        public INamedTypeSymbol? IApplicationBuilder { get; }
        public INamedTypeSymbol? ControllerBase { get; }
        public INamedTypeSymbol? PageModel { get; }
        public INamedTypeSymbol? Hub { get; }
        public INamedTypeSymbol? WebApplication { get; }
        public INamedTypeSymbol? IActionResult { get; }
        public INamedTypeSymbol? IResult { get; }

        /// <summary>The synchronous MVC filters whose <c>On…Executing</c> callback has an <c>On…Executed</c> pair.</summary>
        public ImmutableArray<INamedTypeSymbol> PairedFilters { get; }

        /// <summary>The context and the objects it hands out by reference, pooled and reused with it.</summary>
        public ImmutableArray<INamedTypeSymbol> RequestOwned { get; }

        /// <summary>The types (bases and interfaces) of classes the framework creates to serve requests.</summary>
        public ImmutableArray<INamedTypeSymbol> RequestTypes { get; }

        /// <summary><c>ControllerBase</c> and <c>PageModel</c>: their <c>HttpContext</c>/<c>Request</c>/<c>Response</c>/<c>User</c> are the request's.</summary>
        public ImmutableArray<INamedTypeSymbol> Controllers { get; }

        /// <summary><c>[FromServices]</c> and <c>[FromKeyedServices]</c>: a parameter bound from the container, not from the request.</summary>
        public ImmutableArray<INamedTypeSymbol> ServiceBindings { get; }
    }

    /// <summary>Where fresh values come from: every call gives a new one (LEAK001's provenance: keys made of them never repeat).</summary>
    internal sealed class ValueTypes
    {
        public ValueTypes(KnownTypes types)
        {
            Guid = types.Find(TypeNames.Guid);
            DateTimeOffset = types.Find(TypeNames.DateTimeOffset);
            Stopwatch = types.Find(TypeNames.Stopwatch);
            RandomNumberGenerator = types.Find(TypeNames.RandomNumberGenerator);
            Environment = types.Find(TypeNames.Environment);
            TimeProvider = types.Find(TypeNames.TimeProvider);
            IQueryable = types.Find(TypeNames.IQueryable);
        }

        public INamedTypeSymbol? Guid { get; }
        public INamedTypeSymbol? DateTimeOffset { get; }
        public INamedTypeSymbol? Stopwatch { get; }
        public INamedTypeSymbol? RandomNumberGenerator { get; }
        public INamedTypeSymbol? Environment { get; }
        public INamedTypeSymbol? TimeProvider { get; }

        /// <summary>A query a database runs: a lookup in it is not a lookup in a registry the application holds.</summary>
        public INamedTypeSymbol? IQueryable { get; }
    }

    /// <summary>Microsoft.Extensions: hosting, dependency injection, options, change tokens.</summary>
    internal sealed class ExtensionsTypes
    {
        public ExtensionsTypes(KnownTypes types)
        {
            IHostApplicationLifetime = types.Find(TypeNames.IHostApplicationLifetime);
            IHostedService = types.Find(TypeNames.IHostedService);
            IServiceCollection = types.Find(TypeNames.IServiceCollection);
            ServiceCollectionServiceExtensions = types.Find(TypeNames.ServiceCollectionServiceExtensions);
            ServiceCollectionDescriptorExtensions = types.Find(TypeNames.ServiceCollectionDescriptorExtensions);
            ServiceCollectionHostedServiceExtensions = types.Find(TypeNames.ServiceCollectionHostedServiceExtensions);
            ServiceProviderServiceExtensions = types.Find(TypeNames.ServiceProviderServiceExtensions);
            IConfiguration = types.Find(TypeNames.IConfiguration);
            IOptions = types.Find(TypeNames.IOptions);
            IOptionsMonitor = types.Find(TypeNames.IOptionsMonitor);
            IOptionsSnapshot = types.Find(TypeNames.IOptionsSnapshot);
            IHostBuilder = types.Find(TypeNames.IHostBuilder);
            IHostApplicationBuilder = types.Find(TypeNames.IHostApplicationBuilder);
            IWebHostBuilder = types.Find(TypeNames.IWebHostBuilder);
        }

        public INamedTypeSymbol? IHostApplicationLifetime { get; }
        public INamedTypeSymbol? IHostedService { get; }
        public INamedTypeSymbol? IServiceCollection { get; }
        public INamedTypeSymbol? ServiceCollectionServiceExtensions { get; }
        public INamedTypeSymbol? ServiceCollectionDescriptorExtensions { get; }
        public INamedTypeSymbol? ServiceCollectionHostedServiceExtensions { get; }

        /// <summary><c>GetRequiredService&lt;T&gt;()</c>'s class: the LEAK002 fixer imports its namespace when it resolves a service from the request.</summary>
        public INamedTypeSymbol? ServiceProviderServiceExtensions { get; }

        /// <summary>Configuration: values the deployment sets (LEAK001 counts keys taken from them as bounded).</summary>
        public INamedTypeSymbol? IConfiguration { get; }
        public INamedTypeSymbol? IOptions { get; }
        public INamedTypeSymbol? IOptionsMonitor { get; }
        public INamedTypeSymbol? IOptionsSnapshot { get; }

        /// <summary>Builders whose code runs while the application is configured, once at startup.</summary>
        public INamedTypeSymbol? IHostBuilder { get; }
        public INamedTypeSymbol? IHostApplicationBuilder { get; }
        public INamedTypeSymbol? IWebHostBuilder { get; }
    }

    /// <summary>
    /// The sources objects subscribe to that the framework keeps for the life of the application (LEAK007): the options
    /// monitor, configuration reload tokens, observables such as <c>DiagnosticListener.AllListeners</c>.
    /// </summary>
    internal sealed class SubscriptionTypes
    {
        public SubscriptionTypes(KnownTypes types)
        {
            IOptionsMonitor = types.Find(TypeNames.IOptionsMonitor);
            OptionsMonitorExtensions = types.Find(TypeNames.OptionsMonitorExtensions);
            ChangeToken = types.Find(TypeNames.ChangeToken);
            IChangeToken = types.Find(TypeNames.IChangeToken);
            IConfiguration = types.Find(TypeNames.IConfiguration);
            IObservable = types.Find(TypeNames.IObservable);
            DiagnosticListener = types.Find(TypeNames.DiagnosticListener);
        }

        public INamedTypeSymbol? IOptionsMonitor { get; }
        public INamedTypeSymbol? OptionsMonitorExtensions { get; }
        public INamedTypeSymbol? ChangeToken { get; }
        public INamedTypeSymbol? IChangeToken { get; }
        public INamedTypeSymbol? IConfiguration { get; }
        public INamedTypeSymbol? IObservable { get; }
        public INamedTypeSymbol? DiagnosticListener { get; }
    }
}

/// <summary>The types named in a rule option: resolved ones, and the names this compilation cannot resolve.</summary>
internal sealed class ConfiguredTypes(ImmutableArray<INamedTypeSymbol> types, ImmutableArray<string> unresolved)
{
    public static ConfiguredTypes Empty { get; } = new(ImmutableArray<INamedTypeSymbol>.Empty, ImmutableArray<string>.Empty);

    public ImmutableArray<INamedTypeSymbol> Types { get; } = types;

    /// <summary>Names that no type of this compilation has; a type still matches when its metadata name is one of them.</summary>
    public ImmutableArray<string> Unresolved { get; } = unresolved;

    public bool IsEmpty => Types.IsEmpty && Unresolved.IsEmpty;

    /// <summary><paramref name="type"/> or one of its bases is configured (interfaces too, when <paramref name="interfaces"/>).</summary>
    public bool Contains(ITypeSymbol? type, bool interfaces)
    {
        if (type is null || IsEmpty)
            return false;
        foreach (var configured in Types)
        {
            if (type.IsOrInheritsFrom(configured) || interfaces && type.Implements(configured))
                return true;
        }

        if (Unresolved.IsEmpty)
            return false;
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (Unresolved.Contains(SymbolNames.QualifiedName(current.OriginalDefinition), StringComparer.Ordinal))
                return true;
        }

        return false;
    }
}
