using System.Collections.Immutable;
using LeakAnalyzers.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.ServiceResolvedFromRootProviderAnalyzer>;

namespace LeakAnalyzers.Tests.Rules;

public sealed partial class ServiceResolvedFromRootProviderTests
{
    // ---------------------------------------------------------------- hosted services

    [Fact]
    public async Task Reports_ScopedServiceInAHostedServiceLoop()
    {
        await Analyze.DiagnosticsAsync(Worker("""
                        var repository = {|#0:_provider.GetRequiredService<IOrderRepository>()|};
                        foreach (var order in await repository.PendingAsync(stoppingToken))
                            await repository.MarkSentAsync(order.Id, stoppingToken);
            """), Scoped(0, "IOrderRepository"));
    }

    [Fact]
    public async Task Reports_DisposableTransientInAHostedServiceLoop()
    {
        await Analyze.DiagnosticsAsync(Worker("""
                        var renderer = {|#0:_provider.GetRequiredService<InvoiceRenderer>()|};
                        _logger.LogInformation("Rendered {Bytes} bytes", renderer.Render(new Order(1, 10m)).Length);
            """), Transient(0, "InvoiceRenderer"));
    }

    [Theory]
    [InlineData("[|_provider.GetService<IOrderRepository>()|]")]
    [InlineData("(IOrderRepository)[|_provider.GetService(typeof(IOrderRepository))|]")]
    [InlineData("(IOrderRepository)[|_provider.GetRequiredService(typeof(IOrderRepository))|]")]
    [InlineData("[|_provider.GetService(typeof(IOrderRepository))|] as IOrderRepository")]
    [InlineData("[|ServiceProviderServiceExtensions.GetRequiredService<IOrderRepository>(_provider)|]")]
    [InlineData("[|_provider.GetServices<IOrderRepository>()|].First()")]
    [InlineData("[|_provider.GetRequiredService<IEnumerable<IOrderRepository>>()|].First()")]
    public async Task Reports_EveryFormOfResolution(string resolution)
    {
        await Analyze.DiagnosticsAsync(Worker($$"""
                        var repository = {{resolution}};
                        _logger.LogInformation("{Count} orders", repository.Count());
            """));
    }

    [Fact]
    public async Task Reports_KeyedScopedService()
    {
        await Analyze.DiagnosticsAsync(Worker("""
                        var archive = {|#0:_provider.GetRequiredKeyedService<IOrderRepository>("archive")|};
                        _logger.LogInformation("{Count} archived", archive.Count());
            """, """
                public static void Register(IServiceCollection services) => services.AddKeyedScoped<IOrderRepository, OrderRepository>("archive");
            """), Scoped(0, "IOrderRepository"));
    }

    [Fact]
    public async Task Reports_ScopedServiceResolvedOnceInTheConstructorOfASingleton()
    {
        // Scope validation throws here in Development; in Production one repository serves every caller for ever.
        await Analyze.DiagnosticsAsync(App("""
            public static class NotificationsModule
            {
                public static IServiceCollection AddNotifications(this IServiceCollection services) => services.AddSingleton<OrderNotifier>();
            }

            public sealed class OrderNotifier
            {
                private readonly IOrderRepository _repository;

                public OrderNotifier(IServiceProvider services)
                {
                    _repository = {|#0:services.GetRequiredService<IOrderRepository>()|};
                }

                public int Pending() => _repository.Count();
            }
            """), Scoped(0, "IOrderRepository"));
    }

    [Fact]
    public async Task Reports_ProviderOfASingletonWithAPrimaryConstructor()
    {
        await Analyze.DiagnosticsAsync(App("""
            public static class NotificationsModule
            {
                public static IServiceCollection AddNotifications(this IServiceCollection services)
                {
                    services.AddSingleton<IInvoiceMailer, InvoiceMailer>();
                    return services;
                }
            }

            public interface IInvoiceMailer
            {
                int Send(Order order);
            }

            public sealed class InvoiceMailer(IServiceProvider services, ILogger<InvoiceMailer> logger) : IInvoiceMailer
            {
                public int Send(Order order)
                {
                    var renderer = {|#0:services.GetRequiredService<InvoiceRenderer>()|};
                    logger.LogInformation("Mailing order {Id}", order.Id);
                    return renderer.Render(order).Length;
                }
            }
            """), Transient(0, "InvoiceRenderer"));
    }

    [Fact]
    public async Task Reports_SingletonRegisteredWithAFactory()
    {
        await Analyze.DiagnosticsAsync(App("""
            public static class ReportsModule
            {
                public static IServiceCollection AddReports(this IServiceCollection services) =>
                    services.AddSingleton<IReportCache>(sp => new ReportCache(sp));
            }

            public interface IReportCache
            {
                int Refresh();
            }

            public sealed class ReportCache : IReportCache
            {
                private readonly IServiceProvider _services;

                public ReportCache(IServiceProvider services) => _services = services ?? throw new ArgumentNullException(nameof(services));

                public int Refresh() => [|_services.GetRequiredService<IOrderRepository>()|].Count();
            }
            """));
    }

    [Fact]
    public async Task Reports_ConventionalMiddleware()
    {
        await Analyze.DiagnosticsAsync(App("""
            public sealed class InvoiceHeaderMiddleware
            {
                private readonly RequestDelegate _next;
                private readonly IServiceProvider _services;

                public InvoiceHeaderMiddleware(RequestDelegate next, IServiceProvider services)
                {
                    _next = next;
                    _services = services;
                }

                public async Task InvokeAsync(HttpContext context)
                {
                    var renderer = {|#0:_services.GetRequiredService<InvoiceRenderer>()|};
                    context.Response.Headers["X-Invoice-Size"] = renderer.Render(new Order(1, 1m)).Length.ToString();
                    await _next(context);
                }
            }
            """), Transient(0, "InvoiceRenderer"));
    }

    [Fact]
    public async Task Reports_AuthorizationHandlerRegisteredAsASingleton()
    {
        await Analyze.DiagnosticsAsync(App(AuthorizationHandler("services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, OrderOwnerHandler>()",
            "{|#0:_services.GetRequiredService<IOrderRepository>()|}")), Scoped(0, "IOrderRepository"));
    }

    /// <summary>An authorization handler that reads orders through its injected provider, registered by <paramref name="registration"/>.</summary>
    private static string AuthorizationHandler(string registration, string resolution) => $$"""
        public sealed class OrderOwnerRequirement : Microsoft.AspNetCore.Authorization.IAuthorizationRequirement { }

        public static class AuthorizationModule
        {
            public static IServiceCollection AddOrderAuthorization(this IServiceCollection services) => {{registration}};
        }

        public sealed class OrderOwnerHandler : Microsoft.AspNetCore.Authorization.AuthorizationHandler<OrderOwnerRequirement>
        {
            private readonly IServiceProvider _services;

            public OrderOwnerHandler(IServiceProvider services) => _services = services;

            protected override Task HandleRequirementAsync(Microsoft.AspNetCore.Authorization.AuthorizationHandlerContext context, OrderOwnerRequirement requirement)
            {
                if ({{resolution}}.Count() > 0)
                    context.Succeed(requirement);
                return Task.CompletedTask;
            }
        }
        """;

    // ---------------------------------------------------------------- the host's provider at run time

    [Fact]
    public async Task Reports_AppServicesInAMinimalApiHandler()
    {
        await Analyze.DiagnosticsAsync(App("""
            public static class OrderEndpoints
            {
                public static void MapOrderEndpoints(this WebApplication app)
                {
                    app.MapGet("/orders/pending", async (CancellationToken cancellationToken) =>
                    {
                        var repository = {|#0:app.Services.GetRequiredService<IOrderRepository>()|};
                        return Results.Ok(await repository.PendingAsync(cancellationToken));
                    });
                }
            }
            """), Scoped(0, "IOrderRepository"));
    }

    [Fact]
    public async Task Reports_EndpointRouteBuilderProviderInAHandler()
    {
        await Analyze.DiagnosticsAsync(App("""
            public static class InvoiceEndpoints
            {
                public static Microsoft.AspNetCore.Routing.IEndpointRouteBuilder MapInvoiceEndpoints(this Microsoft.AspNetCore.Routing.IEndpointRouteBuilder endpoints)
                {
                    var group = endpoints.MapGroup("/invoices");
                    group.MapGet("/{id:int}/size", (int id) =>
                    {
                        var renderer = {|#0:endpoints.ServiceProvider.GetRequiredService<InvoiceRenderer>()|};
                        return renderer.Render(new Order(id, 0m)).Length;
                    });
                    return endpoints;
                }
            }
            """), Transient(0, "InvoiceRenderer"));
    }

    [Fact]
    public async Task Reports_ApplicationServicesInInlineMiddleware()
    {
        await Analyze.DiagnosticsAsync(App("""
            public static class InvoiceMiddleware
            {
                public static IApplicationBuilder UseInvoiceSize(this IApplicationBuilder app) =>
                    app.Use(async (context, next) =>
                    {
                        var renderer = {|#0:app.ApplicationServices.GetRequiredService<InvoiceRenderer>()|};
                        context.Response.Headers["X-Invoice-Size"] = renderer.Render(new Order(1, 1m)).Length.ToString();
                        await next(context);
                    });
            }
            """), Transient(0, "InvoiceRenderer"));
    }

    [Fact]
    public async Task Reports_HostServicesInATimerCallback()
    {
        await Analyze.DiagnosticsAsync(App("""
            public static class Housekeeping
            {
                public static Timer Start(IHost host) =>
                    new Timer(_ => Console.WriteLine({|#0:host.Services.GetRequiredService<IOrderRepository>()|}.Count()), null, TimeSpan.Zero, TimeSpan.FromMinutes(1));
            }
            """), Scoped(0, "IOrderRepository"));
    }

    [Fact]
    public async Task Reports_ProviderLocalReadInTheLoopOfAConsoleWorker()
    {
        await Analyze.DiagnosticsAsync(App("""
            public static class Program
            {
                public static async Task Main(string[] args)
                {
                    var builder = Host.CreateApplicationBuilder(args);
                    builder.Services.AddOrders();
                    using var host = builder.Build();
                    var services = host.Services;
                    while (!Console.KeyAvailable)
                    {
                        var renderer = {|#0:services.GetRequiredService<InvoiceRenderer>()|};
                        Console.WriteLine(renderer.Render(new Order(1, 1m)).Length);
                        await Task.Delay(1000);
                    }
                }
            }
            """), Executable, Transient(0, "InvoiceRenderer"));
    }

    [Fact]
    public async Task Reports_TopLevelStatementsLoop()
    {
        await Analyze.DiagnosticsAsync(new[]
        {
            """
            using Microsoft.Extensions.DependencyInjection;
            using Microsoft.Extensions.Hosting;

            var builder = Host.CreateApplicationBuilder(args);
            builder.Services.AddOrders();
            var host = builder.Build();
            for (;;)
            {
                var renderer = {|#0:host.Services.GetRequiredService<InvoiceRenderer>()|};
                System.Console.WriteLine(renderer.Render(new Order(1, 1m)).Length);
            }
            """,
            Usings + Registrations,
        }, Executable, Transient(0, "InvoiceRenderer"));
    }

    [Fact]
    public async Task Reports_StaticServiceLocator()
    {
        await Analyze.DiagnosticsAsync(App("""
            public static class ServiceLocator
            {
                public static IServiceProvider Services { get; set; } = null!;
            }

            public sealed class InvoiceController
            {
                public int Size(Order order) => {|#0:ServiceLocator.Services.GetRequiredService<InvoiceRenderer>()|}.Render(order).Length;
            }
            """), Transient(0, "InvoiceRenderer"));
    }

    // ---------------------------------------------------------------- lifetimes by registration shape and by convention

    [Fact]
    public async Task Reports_OpenGenericScopedRegistration()
    {
        await Analyze.DiagnosticsAsync(Worker("""
                        var orders = [|_provider.GetRequiredService<IRepository<Order>>()|];
                        _logger.LogInformation("{Count}", orders.All().Count);
            """, """
                public static void Register(IServiceCollection services) => services.AddScoped(typeof(IRepository<>), typeof(Repository<>));
            """, """
            public interface IRepository<T>
            {
                IReadOnlyList<T> All();
            }

            public sealed class Repository<T> : IRepository<T>
            {
                public IReadOnlyList<T> All() => Array.Empty<T>();
            }
            """));
    }

    [Fact]
    public async Task Reports_DbContextRegisteredWithAddDbContext_AndByConvention()
    {
        // ShopContext: AddDbContext (scoped); AuditContext: no registration in sight, a DbContext is scoped by convention;
        // ArchiveContext: registered transient, and a DbContext is disposable.
        await Analyze.DiagnosticsAsync(new[]
        {
            Worker("""
                        {|#0:_provider.GetRequiredService<ShopContext>()|}.SaveChanges();
                        {|#1:_provider.GetRequiredService<AuditContext>()|}.SaveChanges();
                        {|#2:_provider.GetRequiredService<ArchiveContext>()|}.SaveChanges();
            """, """
                public static void Register(IServiceCollection services)
                {
                    services.AddDbContext<ShopContext>();
                    services.AddDbContext<ArchiveContext>(contextLifetime: ServiceLifetime.Transient);
                }
            """, """
            public sealed class ShopContext : Microsoft.EntityFrameworkCore.DbContext { }

            public sealed class AuditContext : Microsoft.EntityFrameworkCore.DbContext { }

            public sealed class ArchiveContext : Microsoft.EntityFrameworkCore.DbContext { }
            """),
            EntityFramework,
        }, null, Scoped(0, "ShopContext"), Scoped(1, "AuditContext"), Transient(2, "ArchiveContext"));
    }

    [Fact]
    public async Task Reports_FrameworkScopedServices()
    {
        await Analyze.DiagnosticsAsync(Worker("""
                        var options = {|#0:_provider.GetRequiredService<Microsoft.Extensions.Options.IOptionsSnapshot<SyncOptions>>()|};
                        var users = {|#1:_provider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Microsoft.AspNetCore.Identity.IdentityUser>>()|};
                        _logger.LogInformation("{Batch} {Users}", options.Value.BatchSize, users.SupportsUserEmail);
            """, types: """
            public sealed class SyncOptions
            {
                public int BatchSize { get; set; }
            }
            """), Scoped(0, "IOptionsSnapshot<SyncOptions>"), Scoped(1, "UserManager<IdentityUser>"));
    }

    [Fact]
    public async Task Reports_HttpClientAfterAddHttpClient()
    {
        await Analyze.DiagnosticsAsync(Worker("""
                        var client = {|#0:_provider.GetRequiredService<System.Net.Http.HttpClient>()|};
                        _logger.LogInformation("{Timeout}", client.Timeout);
            """, """
                public static void Register(IServiceCollection services) => services.AddHttpClient();
            """), Transient(0, "HttpClient"));
    }

    [Fact]
    public async Task Reports_GetServicesWhenOneRegistrationIsScoped()
    {
        await Analyze.DiagnosticsAsync(Worker("""
                        foreach (var check in [|_provider.GetServices<IHealthCheck>()|])
                            _logger.LogInformation("{Healthy}", check.IsHealthy());
            """, """
                public static void Register(IServiceCollection services)
                {
                    services.AddSingleton<IHealthCheck, DiskCheck>();
                    services.AddScoped<IHealthCheck, DatabaseCheck>();
                }
            """, """
            public interface IHealthCheck
            {
                bool IsHealthy();
            }

            public sealed class DiskCheck : IHealthCheck
            {
                public bool IsHealthy() => true;
            }

            public sealed class DatabaseCheck : IHealthCheck
            {
                public bool IsHealthy() => true;
            }
            """));
    }

    [Fact]
    public async Task Reports_TransientWhoseFactoryHidesADisposableInterface()
    {
        await Analyze.DiagnosticsAsync(Worker("""
                        using var export = [|_provider.GetRequiredService<IExportWriter>()|];
                        export.Write("orders");
            """, """
                public static void Register(IServiceCollection services) => services.AddTransient<IExportWriter>(sp => ExportWriters.Create());
            """, """
            public interface IExportWriter : IDisposable
            {
                void Write(string name);
            }

            public static class ExportWriters
            {
                public static IExportWriter Create() => null!;
            }
            """));
    }

    // ---------------------------------------------------------------- options

    [Fact]
    public async Task Reports_LifetimesNamedInTheOptions()
    {
        // Registered in another project: the options name their lifetimes.
        await Analyze.DiagnosticsAsync(Worker("""
                        var unitOfWork = {|#0:_provider.GetRequiredService<Shop.Data.IUnitOfWork>()|};
                        var export = {|#1:_provider.GetRequiredService<Shop.Data.ExportStream>()|};
                        _logger.LogInformation("{A} {B}", unitOfWork, export);
            """, types: """
            namespace Shop.Data
            {
                public interface IUnitOfWork { }

                public sealed class ExportStream { }
            }
            """),
            new TestSettings
            {
                Options =
                [
                    (ServiceResolvedFromRootProviderAnalyzer.ScopedTypesOption, "Shop.Data.IUnitOfWork"),
                    (ServiceResolvedFromRootProviderAnalyzer.TransientDisposableTypesOption, "Shop.Data.ExportStream"),
                ],
            },
            Scoped(0, "IUnitOfWork"), Transient(1, "ExportStream"));
    }

    // ---------------------------------------------------------------- live analysis

    /// <summary>
    /// The registrations are read when a file is analyzed alone, as the IDE does while you type: the finding is local to
    /// the worker's file although what makes the repository scoped is written in another.
    /// </summary>
    [Fact]
    public async Task Reports_AFileAnalyzedAloneSeesTheRegistrationsOfTheOthers()
    {
        Assert.DoesNotContain(WellKnownDiagnosticTags.CompilationEnd, Descriptors.ServiceResolvedFromRootProvider.CustomTags);
        var worker = Worker("""
                        var repository = _provider.GetRequiredService<IOrderRepository>();
                        _logger.LogInformation("{Count}", repository.Count());
            """).Replace(Registrations, "", StringComparison.Ordinal);
        var compilation = await AllAnalyzers.CompileAsync([("Worker.cs", worker), ("Orders.cs", Usings + Registrations)]);
        var withAnalyzers = compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new ServiceResolvedFromRootProviderAnalyzer()));
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == "Worker.cs");
        var diagnostics = await withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(compilation.GetSemanticModel(tree), null, CancellationToken.None);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("LEAK006", diagnostic.Id);
        Assert.Equal(tree, diagnostic.Location.SourceTree);
    }
}
