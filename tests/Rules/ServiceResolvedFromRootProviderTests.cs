using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.ServiceResolvedFromRootProviderAnalyzer>;

namespace LeakAnalyzers.Tests.Rules;

/// <summary>
/// LEAK006: scoped and disposable transient services resolved from the root provider. The sources are a small order
/// service as an application would write it: registrations in an extension method (<see cref="Registrations"/>), a
/// scoped repository, a disposable transient renderer, a plain transient formatter and a singleton, used from hosted
/// services, middleware, minimal-API endpoints, controllers and startup code. Reports, non-reports and fixes live in
/// the partial files of this class.
/// </summary>
public sealed partial class ServiceResolvedFromRootProviderTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.AspNetCore.Builder;
        using Microsoft.AspNetCore.Http;
        using Microsoft.Extensions.DependencyInjection;
        using Microsoft.Extensions.Hosting;
        using Microsoft.Extensions.Logging;

        """;

    /// <summary>The services of the order domain, and how the application registers them.</summary>
    private const string Registrations = """
        public sealed record Order(int Id, decimal Total);

        public interface IOrderRepository
        {
            Task<IReadOnlyList<Order>> PendingAsync(CancellationToken cancellationToken);
            Task MarkSentAsync(int id, CancellationToken cancellationToken);
            int Count();
        }

        public sealed class OrderRepository : IOrderRepository, IDisposable
        {
            private readonly List<Order> _tracked = new();
            public Task<IReadOnlyList<Order>> PendingAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<Order>>(_tracked);
            public Task MarkSentAsync(int id, CancellationToken cancellationToken) => Task.CompletedTask;
            public int Count() => _tracked.Count;
            public void Dispose() => _tracked.Clear();
        }

        public sealed class InvoiceRenderer : IDisposable
        {
            public byte[] Render(Order order) => BitConverter.GetBytes(order.Id);
            public void Dispose() { }
        }

        public sealed class PriceFormatter
        {
            public string Format(decimal amount) => amount.ToString("C");
        }

        public sealed class ExchangeRates : IDisposable
        {
            public decimal Rate(string currency) => 1m;
            public void Dispose() { }
        }

        public static class OrdersModule
        {
            public static IServiceCollection AddOrders(this IServiceCollection services)
            {
                services.AddScoped<IOrderRepository, OrderRepository>();
                services.AddTransient<InvoiceRenderer>();
                services.AddTransient<PriceFormatter>();
                services.AddSingleton<ExchangeRates>();
                return services;
            }
        }

        """;

    /// <summary>A minimal copy of EF Core's public surface (the test references hold only the shared framework).</summary>
    private const string EntityFramework = """
        namespace Microsoft.EntityFrameworkCore
        {
            public class DbContextOptionsBuilder { }

            public class DbContext : System.IDisposable, System.IAsyncDisposable
            {
                public int SaveChanges() => 0;
                public void Dispose() { }
                public System.Threading.Tasks.ValueTask DisposeAsync() => default;
            }
        }

        namespace Microsoft.Extensions.DependencyInjection
        {
            using Microsoft.EntityFrameworkCore;

            public static class EntityFrameworkServiceCollectionExtensions
            {
                public static IServiceCollection AddDbContext<TContext>(this IServiceCollection serviceCollection, System.Action<DbContextOptionsBuilder>? optionsAction = null,
                    ServiceLifetime contextLifetime = ServiceLifetime.Scoped, ServiceLifetime optionsLifetime = ServiceLifetime.Scoped)
                    where TContext : DbContext => serviceCollection;
            }
        }
        """;

    /// <summary>The usings, the order domain and its registrations, then <paramref name="code"/>.</summary>
    private static string App(string code) => Usings + Registrations + code;

    /// <summary>
    /// A background service with an injected provider (the root one: hosted services are singletons), registered with
    /// <c>AddHostedService</c>; <paramref name="body"/> is the body of its polling loop, <paramref name="members"/> more
    /// members of the worker, <paramref name="types"/> more types after it.
    /// </summary>
    private static string Worker(string body, string members = "", string types = "") => App($$"""
        public static class WorkerModule
        {
            public static IServiceCollection AddWorker(this IServiceCollection services) => services.AddHostedService<OrderSyncWorker>();
        }

        public sealed class OrderSyncWorker : BackgroundService
        {
            private readonly IServiceProvider _provider;
            private readonly ILogger<OrderSyncWorker> _logger;

            public OrderSyncWorker(IServiceProvider provider, ILogger<OrderSyncWorker> logger)
            {
                _provider = provider;
                _logger = logger;
            }

            protected override async Task ExecuteAsync(CancellationToken stoppingToken)
            {
                using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30));
                while (await timer.WaitForNextTickAsync(stoppingToken))
                {
        {{body}}
                }
            }
        {{members}}
        }

        {{types}}
        """);

    private static DiagnosticResult Scoped(int location, string service) =>
        Analyze.Diagnostic().WithLocation(location).WithArguments(service, "scoped", "so one instance lives as long as the application");

    private static DiagnosticResult Transient(int location, string service) =>
        Analyze.Diagnostic().WithLocation(location).WithArguments(service, "a disposable transient", "which keeps every instance until the application stops");

    private static TestSettings Executable { get; } = new() { OutputKind = OutputKind.ConsoleApplication };
}
