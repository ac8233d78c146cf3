using LeakAnalyzers.Rules;
using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.ServiceResolvedFromRootProviderAnalyzer>;

namespace LeakAnalyzers.Tests.Rules;

public sealed partial class ServiceResolvedFromRootProviderTests
{
    // ---------------------------------------------------------------- resolved from a scope or the request

    [Fact]
    public async Task DoesNotReport_ScopeFactoryUsedProperly()
    {
        await Analyze.NoDiagnosticsAsync(App("""
            public sealed class OrderSyncWorker : BackgroundService
            {
                private readonly IServiceScopeFactory _scopes;

                public OrderSyncWorker(IServiceScopeFactory scopes) => _scopes = scopes;

                protected override async Task ExecuteAsync(CancellationToken stoppingToken)
                {
                    while (!stoppingToken.IsCancellationRequested)
                    {
                        await using var scope = _scopes.CreateAsyncScope();
                        var repository = scope.ServiceProvider.GetRequiredService<IOrderRepository>();
                        using var renderer = scope.ServiceProvider.GetRequiredService<InvoiceRenderer>();
                        foreach (var order in await repository.PendingAsync(stoppingToken))
                            renderer.Render(order);
                        await Task.Delay(TimeSpan.FromSeconds(30), stoppingToken);
                    }
                }
            }
            """));
    }

    [Fact]
    public async Task DoesNotReport_ScopeCreatedFromTheInjectedProvider()
    {
        await Analyze.NoDiagnosticsAsync(Worker("""
                        using (var scope = _provider.CreateScope())
                        {
                            var repository = scope.ServiceProvider.GetRequiredService<IOrderRepository>();
                            _logger.LogInformation("{Count}", repository.Count());
                        }

                        await using var asyncScope = _provider.CreateAsyncScope();
                        var services = asyncScope.ServiceProvider;
                        _logger.LogInformation("{Size}", services.GetRequiredService<InvoiceRenderer>().Render(new Order(1, 1m)).Length);
            """));
    }

    [Fact]
    public async Task DoesNotReport_RequestServicesInMiddlewareAndEndpoints()
    {
        await Analyze.NoDiagnosticsAsync(App("""
            public sealed class InvoiceHeaderMiddleware
            {
                private readonly RequestDelegate _next;

                public InvoiceHeaderMiddleware(RequestDelegate next) => _next = next;

                public async Task InvokeAsync(HttpContext context, IServiceProvider requestServices)
                {
                    var renderer = context.RequestServices.GetRequiredService<InvoiceRenderer>();
                    var repository = requestServices.GetRequiredService<IOrderRepository>();
                    context.Response.Headers["X-Invoice-Size"] = renderer.Render(new Order(repository.Count(), 1m)).Length.ToString();
                    await _next(context);
                }
            }

            public static class OrderEndpoints
            {
                public static void MapOrderEndpoints(this WebApplication app)
                {
                    app.MapGet("/orders/count", (HttpContext context) => context.RequestServices.GetRequiredService<IOrderRepository>().Count());
                    app.MapGet("/orders/pending", async (IOrderRepository repository, CancellationToken cancellationToken) =>
                        Results.Ok(await repository.PendingAsync(cancellationToken)));
                }
            }
            """));
    }

    [Fact]
    public async Task DoesNotReport_ProviderInjectedIntoRequestTypes()
    {
        // Controllers, hubs and IMiddleware are created from the request's scope: their provider is that scope.
        await Analyze.NoDiagnosticsAsync(App("""
            [Microsoft.AspNetCore.Mvc.ApiController]
            public sealed class OrdersController : Microsoft.AspNetCore.Mvc.ControllerBase
            {
                private readonly IServiceProvider _services;

                public OrdersController(IServiceProvider services) => _services = services;

                [Microsoft.AspNetCore.Mvc.HttpGet("orders/count")]
                public int Count() => _services.GetRequiredService<IOrderRepository>().Count();
            }

            public sealed class OrdersHub : Microsoft.AspNetCore.SignalR.Hub
            {
                private readonly IServiceProvider _services;

                public OrdersHub(IServiceProvider services) => _services = services;

                public int Pending() => _services.GetRequiredService<IOrderRepository>().Count();
            }

            public sealed class InvoiceSizeMiddleware : IMiddleware
            {
                private readonly IServiceProvider _services;

                public InvoiceSizeMiddleware(IServiceProvider services) => _services = services;

                public async Task InvokeAsync(HttpContext context, RequestDelegate next)
                {
                    using var renderer = _services.GetRequiredService<InvoiceRenderer>();
                    await next(context);
                }
            }
            """));
    }

    [Fact]
    public async Task DoesNotReport_ProviderInjectedIntoAScopedOrUnregisteredService()
    {
        await Analyze.NoDiagnosticsAsync(App("""
            public static class CheckoutModule
            {
                public static IServiceCollection AddCheckout(this IServiceCollection services) => services.AddScoped<CheckoutService>();
            }

            public sealed class CheckoutService
            {
                private readonly IServiceProvider _services;

                public CheckoutService(IServiceProvider services) => _services = services;

                public int Pending() => _services.GetRequiredService<IOrderRepository>().Count();
            }

            public sealed class ReportService
            {
                private readonly IServiceProvider _services;

                public ReportService(IServiceProvider services) => _services = services;

                public int Pending() => _services.GetRequiredService<IOrderRepository>().Count();
            }
            """));
    }

    [Fact]
    public async Task DoesNotReport_AuthorizationHandlerRegisteredAsScoped()
    {
        await Analyze.NoDiagnosticsAsync(App(AuthorizationHandler("services.AddScoped<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, OrderOwnerHandler>()",
            "_services.GetRequiredService<IOrderRepository>()")));
    }

    // ---------------------------------------------------------------- lifetimes that do not leak, or are unknown

    [Fact]
    public async Task DoesNotReport_SingletonsPlainTransientsAndFrameworkSingletons()
    {
        await Analyze.NoDiagnosticsAsync(Worker("""
                        var rates = _provider.GetRequiredService<ExchangeRates>();
                        var formatter = _provider.GetRequiredService<PriceFormatter>();
                        var configuration = _provider.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>();
                        var lifetime = _provider.GetRequiredService<IHostApplicationLifetime>();
                        var options = _provider.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<SyncOptions>>();
                        var logger = _provider.GetRequiredService<ILogger<OrderSyncWorker>>();
                        var scopes = _provider.GetRequiredService<IServiceScopeFactory>();
                        logger.LogInformation("{Rate} {Price} {Batch}", rates.Rate("EUR"), formatter.Format(1m), options.CurrentValue.BatchSize);
            """, types: """
            public sealed class SyncOptions
            {
                public int BatchSize { get; set; }
            }
            """));
    }

    [Fact]
    public async Task DoesNotReport_UnregisteredOrAmbiguousServices()
    {
        // ReportStore: no registration in sight; Ledger: registered as a singleton and as scoped (the last one wins, and
        // which is last is not visible); IClock: a transient whose factory hides a non-disposable implementation.
        await Analyze.NoDiagnosticsAsync(Worker("""
                        var store = _provider.GetRequiredService<ReportStore>();
                        var ledger = _provider.GetRequiredService<Ledger>();
                        var clock = _provider.GetRequiredService<IClock>();
                        var archive = _provider.GetKeyedService<IOrderRepository>("archive");
                        _logger.LogInformation("{A} {B} {C} {D}", store, ledger, clock, archive);
            """, """
                public static void Register(IServiceCollection services)
                {
                    services.TryAddLedger();
                    services.AddScoped<Ledger>();
                    services.AddTransient<IClock>(sp => Clocks.System());
                }
            """, """
            public sealed class ReportStore : IDisposable
            {
                public void Dispose() { }
            }

            public sealed class Ledger : IDisposable
            {
                public void Dispose() { }
            }

            public interface IClock
            {
                DateTimeOffset Now { get; }
            }

            public static class Clocks
            {
                public static IClock System() => null!;

                public static void TryAddLedger(this IServiceCollection services) =>
                    Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddSingleton<Ledger>(services);
            }
            """));
    }

    [Fact]
    public async Task DoesNotReport_TransientResolvedOnceInTheConstructorOfASingleton()
    {
        await Analyze.NoDiagnosticsAsync(App("""
            public static class NotificationsModule
            {
                public static IServiceCollection AddNotifications(this IServiceCollection services) => services.AddSingleton<OrderNotifier>();
            }

            public sealed class OrderNotifier
            {
                private readonly InvoiceRenderer _renderer;

                public OrderNotifier(IServiceProvider services) => _renderer = services.GetRequiredService<InvoiceRenderer>();

                public int Size(Order order) => _renderer.Render(order).Length;
            }
            """));
    }

    // ---------------------------------------------------------------- startup code and registration factories

    [Fact]
    public async Task DoesNotReport_OneOffResolutionsWhileTheApplicationStarts()
    {
        await Analyze.NoDiagnosticsAsync(new[]
        {
            """
            using Microsoft.AspNetCore.Builder;
            using Microsoft.Extensions.DependencyInjection;

            var builder = WebApplication.CreateBuilder(args);
            builder.Services.AddOrders();
            builder.Services.AddSingleton<IOrderCache>(sp => new OrderCache(sp.GetRequiredService<InvoiceRenderer>()));
            var app = builder.Build();

            using (var scope = app.Services.CreateScope())
                scope.ServiceProvider.GetRequiredService<IOrderRepository>().Count();
            var warmup = app.Services.GetRequiredService<InvoiceRenderer>();
            System.Console.WriteLine(app.Services.GetRequiredService<IOrderRepository>().Count());
            foreach (var currency in new[] { "EUR", "USD" })
                app.Services.GetRequiredService<InvoiceRenderer>().Render(new Order(1, 1m));
            app.UseInvoices();
            app.Run();
            """,
            App("""
            public interface IOrderCache { }

            public sealed class OrderCache(InvoiceRenderer renderer) : IOrderCache
            {
                public InvoiceRenderer Renderer { get; } = renderer;
            }

            public static class InvoiceStartup
            {
                public static IApplicationBuilder UseInvoices(this IApplicationBuilder app)
                {
                    var renderer = app.ApplicationServices.GetRequiredService<InvoiceRenderer>();
                    renderer.Render(new Order(0, 0m));
                    return app;
                }
            }
            """),
        }, Executable);
    }

    // ---------------------------------------------------------------- providers that are not known to be the root

    [Fact]
    public async Task DoesNotReport_ProvidersOfUnknownOrigin()
    {
        await Analyze.NoDiagnosticsAsync(App("""
            public sealed class OrderSyncWorker : BackgroundService
            {
                [ThreadStatic] private static IServiceProvider? t_current;
                private IServiceProvider? _current;

                protected override async Task ExecuteAsync(CancellationToken stoppingToken)
                {
                    while (!stoppingToken.IsCancellationRequested)
                    {
                        _current.GetRequiredService<IOrderRepository>();
                        t_current!.GetRequiredService<IOrderRepository>();
                        await Task.Delay(1000, stoppingToken);
                    }
                }

                public void Use(IServiceScope scope) => _current = scope.ServiceProvider;

                public static int Count(IServiceProvider services) => services.GetRequiredService<IOrderRepository>().Count();
            }
            """));
    }
}
