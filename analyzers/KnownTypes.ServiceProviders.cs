using LeakAnalyzers.Helpers;

namespace LeakAnalyzers;

// LEAK006's group, in a file of its own so that the table's other groups stay untouched.
internal sealed partial class KnownTypes
{
    private ServiceProviderTypes? _serviceProviders;
    private bool _serviceProvidersResolved;
    private object? _serviceProvidersLock;

    /// <summary>Service providers, scopes and resolution methods: null without <c>IServiceProvider</c>'s extension methods.</summary>
    public ServiceProviderTypes? ServiceProviders =>
        LazyInitializer.EnsureInitialized(ref _serviceProviders, ref _serviceProvidersResolved, ref _serviceProvidersLock, () => ServiceProviderTypes.Create(this));

    /// <summary>
    /// Microsoft.Extensions.DependencyInjection seen from the consumer's side: the providers services are resolved from
    /// (the root one of a host, an application builder or <c>BuildServiceProvider</c>; the scoped one of a scope), the
    /// resolution methods, and the services the framework registers with a lifetime the compilation does not show.
    /// </summary>
    internal sealed class ServiceProviderTypes
    {
        private ServiceProviderTypes(KnownTypes types, INamedTypeSymbol serviceProvider, INamedTypeSymbol extensions)
        {
            IServiceProvider = serviceProvider;
            ServiceProviderServiceExtensions = extensions;
            ServiceProviderKeyedServiceExtensions = types.Find(TypeNames.ServiceProviderKeyedServiceExtensions);
            IKeyedServiceProvider = types.Find(TypeNames.IKeyedServiceProvider);
            ISupportRequiredService = types.Find(TypeNames.ISupportRequiredService);
            ServiceCollectionContainerBuilderExtensions = types.Find(TypeNames.ServiceCollectionContainerBuilderExtensions);
            IHost = types.Find(TypeNames.IHost);
            IWebHost = types.Find(TypeNames.IWebHost);
            IApplicationBuilder = types.Find(TypeNames.IApplicationBuilder);
            IMiddleware = types.Find(TypeNames.IMiddleware);
            IEndpointRouteBuilder = types.Find(TypeNames.IEndpointRouteBuilder);
            Type = types.Find(TypeNames.Type);
            IDisposable = types.Find(TypeNames.IDisposable);
            IAsyncDisposable = types.Find(TypeNames.IAsyncDisposable);
            ThreadStaticAttribute = types.Find(TypeNames.ThreadStaticAttribute);
            EntityFrameworkServiceCollectionExtensions = types.Find(TypeNames.EntityFrameworkServiceCollectionExtensions);
            HttpClientFactoryServiceCollectionExtensions = types.Find(TypeNames.HttpClientFactoryServiceCollectionExtensions);
            HttpClient = types.Find(TypeNames.HttpClient);
            ScopedByFramework = types.FindAll(TypeNames.DbContext, TypeNames.IOptionsSnapshot, TypeNames.UserManager, TypeNames.SignInManager, TypeNames.RoleManager);
            HasCreateAsyncScope = !extensions.GetMembers("CreateAsyncScope").IsEmpty;
        }

        public static ServiceProviderTypes? Create(KnownTypes types) =>
            types.Find(TypeNames.IServiceProvider) is { } provider && types.Find(TypeNames.ServiceProviderServiceExtensions) is { } extensions
                ? new ServiceProviderTypes(types, provider, extensions)
                : null;

        public INamedTypeSymbol IServiceProvider { get; }

        /// <summary><c>GetService&lt;T&gt;</c>, <c>GetRequiredService</c>, <c>GetServices</c>, <c>CreateScope</c>, <c>CreateAsyncScope</c>.</summary>
        public INamedTypeSymbol ServiceProviderServiceExtensions { get; }

        /// <summary><c>GetKeyedService&lt;T&gt;</c>, <c>GetRequiredKeyedService</c>, <c>GetKeyedServices</c> (.NET 8).</summary>
        public INamedTypeSymbol? ServiceProviderKeyedServiceExtensions { get; }
        public INamedTypeSymbol? IKeyedServiceProvider { get; }
        public INamedTypeSymbol? ISupportRequiredService { get; }

        /// <summary><c>BuildServiceProvider</c>: a new root provider.</summary>
        public INamedTypeSymbol? ServiceCollectionContainerBuilderExtensions { get; }

        /// <summary>Its <c>Services</c> is the root provider (<c>WebApplication</c> is one).</summary>
        public INamedTypeSymbol? IHost { get; }
        public INamedTypeSymbol? IWebHost { get; }

        /// <summary>Its <c>ApplicationServices</c> is the root provider.</summary>
        public INamedTypeSymbol? IApplicationBuilder { get; }

        /// <summary>Its <c>ServiceProvider</c> is the application's: the root provider.</summary>
        public INamedTypeSymbol? IEndpointRouteBuilder { get; }

        /// <summary>Factory-based middleware: created per request from the request's scope, whatever its <c>InvokeAsync</c> looks like.</summary>
        public INamedTypeSymbol? IMiddleware { get; }
        public INamedTypeSymbol? Type { get; }
        public INamedTypeSymbol? IDisposable { get; }
        public INamedTypeSymbol? IAsyncDisposable { get; }
        public INamedTypeSymbol? ThreadStaticAttribute { get; }

        /// <summary><c>AddDbContext</c>, <c>AddDbContextPool</c>: the context is scoped unless the call says otherwise.</summary>
        public INamedTypeSymbol? EntityFrameworkServiceCollectionExtensions { get; }

        /// <summary><c>AddHttpClient</c>: <c>HttpClient</c> and typed clients are transient.</summary>
        public INamedTypeSymbol? HttpClientFactoryServiceCollectionExtensions { get; }
        public INamedTypeSymbol? HttpClient { get; }

        /// <summary>
        /// Services the framework registers as scoped, whatever the compilation shows: a <c>DbContext</c> (<c>AddDbContext</c>),
        /// <c>IOptionsSnapshot&lt;T&gt;</c>, Identity's <c>UserManager&lt;T&gt;</c>, <c>SignInManager&lt;T&gt;</c> and
        /// <c>RoleManager&lt;T&gt;</c> (and classes derived from them).
        /// </summary>
        public ImmutableArray<INamedTypeSymbol> ScopedByFramework { get; }

        /// <summary><c>CreateAsyncScope</c> exists (Microsoft.Extensions.DependencyInjection 6 and later).</summary>
        public bool HasCreateAsyncScope { get; }

        /// <summary><c>IDisposable</c> or <c>IAsyncDisposable</c>: the container disposes it, and tracks it until then.</summary>
        public bool IsDisposable(ITypeSymbol? type) => type.Implements(IDisposable) || type.Implements(IAsyncDisposable);
    }
}
