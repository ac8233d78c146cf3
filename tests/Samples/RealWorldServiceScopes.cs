// Service resolution as the ASP.NET Core docs and public apps write it: a queued hosted service and a timed one that
// create a scope per work item (IServiceScopeFactory, IServiceProvider.CreateAsyncScope), conventional middleware that
// takes scoped services as InvokeAsync parameters or reads HttpContext.RequestServices, factory-based middleware and
// controllers and hubs that resolve from their request's provider, a scoped service with a lazy service locator, a
// singleton that resolves only singletons and a plain transient, registration factories, and startup code that
// migrates through a scope before the application runs.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Samples.RealWorldServiceScopes;

public sealed record Shipment(int Id, string Carrier);

public sealed class ShippingOptions
{
    public int BatchSize { get; set; } = 50;
}

/// <summary>A unit of work: scoped, disposed with its scope.</summary>
public interface IShipmentStore
{
    Task<IReadOnlyList<Shipment>> PendingAsync(int take, CancellationToken cancellationToken);

    Task MarkDispatchedAsync(int id, CancellationToken cancellationToken);
}

public sealed class ShipmentStore : IShipmentStore, IAsyncDisposable
{
    private readonly List<Shipment> _tracked = new();

    public Task<IReadOnlyList<Shipment>> PendingAsync(int take, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Shipment>>(_tracked.Take(take).ToList());

    public Task MarkDispatchedAsync(int id, CancellationToken cancellationToken)
    {
        _tracked.RemoveAll(s => s.Id == id);
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _tracked.Clear();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Transient and disposable: always resolved from a scope.</summary>
public sealed class LabelPrinter : IDisposable
{
    public string Print(Shipment shipment) => $"{shipment.Carrier}:{shipment.Id}";

    public void Dispose()
    {
    }
}

/// <summary>Transient, not disposable: nothing to track.</summary>
public sealed class CarrierFormatter
{
    public string Format(Shipment shipment) => shipment.Carrier.ToUpperInvariant();
}

public interface IShipmentQueue
{
    ValueTask EnqueueAsync(int shipmentId, CancellationToken cancellationToken);

    IAsyncEnumerable<int> ReadAllAsync(CancellationToken cancellationToken);
}

public sealed class ShipmentQueue : IShipmentQueue
{
    private readonly Channel<int> _channel = Channel.CreateBounded<int>(1000);

    public ValueTask EnqueueAsync(int shipmentId, CancellationToken cancellationToken) => _channel.Writer.WriteAsync(shipmentId, cancellationToken);

    public IAsyncEnumerable<int> ReadAllAsync(CancellationToken cancellationToken) => _channel.Reader.ReadAllAsync(cancellationToken);
}

/// <summary>The queued hosted service of the docs: one scope per work item.</summary>
public sealed class ShipmentDispatcher : BackgroundService
{
    private readonly IShipmentQueue _queue;
    private readonly IServiceScopeFactory _scopeFactory;
    private readonly ILogger<ShipmentDispatcher> _logger;

    public ShipmentDispatcher(IShipmentQueue queue, IServiceScopeFactory scopeFactory, ILogger<ShipmentDispatcher> logger)
    {
        _queue = queue;
        _scopeFactory = scopeFactory;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var id in _queue.ReadAllAsync(stoppingToken))
        {
            await using var scope = _scopeFactory.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<IShipmentStore>();
            using var printer = scope.ServiceProvider.GetRequiredService<LabelPrinter>();
            await store.MarkDispatchedAsync(id, stoppingToken);
            _logger.LogInformation("Dispatched {Label}", printer.Print(new Shipment(id, "post")));
        }
    }
}

/// <summary>The timed hosted service: its own provider is the root, so it creates a scope per tick.</summary>
public sealed class ShipmentSweeper(IServiceProvider services, IOptionsMonitor<ShippingOptions> options, ILogger<ShipmentSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(5));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await using var scope = services.CreateAsyncScope();
            var provider = scope.ServiceProvider;
            var store = provider.GetRequiredService<IShipmentStore>();
            var formatter = services.GetRequiredService<CarrierFormatter>();
            foreach (var shipment in await store.PendingAsync(options.CurrentValue.BatchSize, stoppingToken))
                logger.LogDebug("Still pending: {Carrier}", formatter.Format(shipment));
        }
    }
}

/// <summary>Conventional middleware: scoped services come as InvokeAsync parameters or from the request's provider.</summary>
public sealed class ShipmentTrackingMiddleware
{
    private readonly RequestDelegate _next;
    private readonly IServiceProvider _applicationServices;

    public ShipmentTrackingMiddleware(RequestDelegate next, IServiceProvider applicationServices)
    {
        _next = next;
        _applicationServices = applicationServices;
    }

    public async Task InvokeAsync(HttpContext context, IShipmentStore store, IOptionsSnapshot<ShippingOptions> options)
    {
        var formatter = _applicationServices.GetRequiredService<CarrierFormatter>();
        var logger = _applicationServices.GetRequiredService<ILogger<ShipmentTrackingMiddleware>>();
        using var printer = context.RequestServices.GetRequiredService<LabelPrinter>();
        var pending = await store.PendingAsync(options.Value.BatchSize, context.RequestAborted);
        logger.LogDebug("{Count} pending, first {Label} {Carrier}", pending.Count, pending.Select(printer.Print).FirstOrDefault(),
            pending.Select(formatter.Format).FirstOrDefault());
        await _next(context);
    }
}

/// <summary>Factory-based middleware is created per request, from the request's scope.</summary>
public sealed class ShipmentAuditMiddleware(IServiceProvider services) : IMiddleware
{
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var store = services.GetRequiredService<IShipmentStore>();
        await store.PendingAsync(1, context.RequestAborted);
        await next(context);
    }
}

[ApiController]
[Route("api/shipments")]
public sealed class ShipmentsController(IServiceProvider services) : ControllerBase
{
    [HttpGet("pending")]
    public async Task<ActionResult<IReadOnlyList<Shipment>>> Pending(CancellationToken cancellationToken)
    {
        var store = services.GetRequiredService<IShipmentStore>();
        return Ok(await store.PendingAsync(20, cancellationToken));
    }

    [HttpGet("{id:int}/label")]
    public string Label(int id) => HttpContext.RequestServices.GetRequiredService<LabelPrinter>().Print(new Shipment(id, "post"));
}

public sealed class ShipmentHub(IServiceProvider services) : Hub
{
    public Task<IReadOnlyList<Shipment>> Pending() => services.GetRequiredService<IShipmentStore>().PendingAsync(10, Context.ConnectionAborted);
}

/// <summary>A scoped service that resolves what it needs lazily, from its own (scoped) provider.</summary>
public sealed class ShipmentWorkflow
{
    private readonly IServiceProvider _services;

    public ShipmentWorkflow(IServiceProvider services) => _services = services;

    public async Task DispatchAsync(int id, CancellationToken cancellationToken)
    {
        var store = _services.GetRequiredService<IShipmentStore>();
        using var printer = _services.GetRequiredService<LabelPrinter>();
        await store.MarkDispatchedAsync(id, cancellationToken);
        printer.Print(new Shipment(id, "post"));
    }
}

/// <summary>A singleton that resolves singletons and a plain transient from the root: nothing is tracked.</summary>
public sealed class CarrierDirectory
{
    private readonly IServiceProvider _services;

    public CarrierDirectory(IServiceProvider services) => _services = services;

    public string Describe(Shipment shipment)
    {
        var options = _services.GetRequiredService<IOptionsMonitor<ShippingOptions>>();
        var formatter = _services.GetRequiredService<CarrierFormatter>();
        var lifetime = _services.GetRequiredService<IHostApplicationLifetime>();
        return lifetime.ApplicationStopping.IsCancellationRequested ? "" : formatter.Format(shipment) + options.CurrentValue.BatchSize;
    }
}

public static class ShippingModule
{
    public static IServiceCollection AddShipping(this IServiceCollection services)
    {
        services.AddOptions<ShippingOptions>();
        services.AddSingleton<IShipmentQueue, ShipmentQueue>();
        services.AddScoped<IShipmentStore, ShipmentStore>();
        services.AddScoped<ShipmentWorkflow>();
        services.AddTransient<LabelPrinter>();
        services.AddTransient<CarrierFormatter>();
        services.AddTransient<ShipmentAuditMiddleware>();
        services.AddSingleton<CarrierDirectory>();
        services.AddSingleton<Func<Shipment, string>>(sp => sp.GetRequiredService<CarrierFormatter>().Format);
        services.AddHostedService<ShipmentDispatcher>();
        services.AddHostedService<ShipmentSweeper>();
        services.AddSignalR();
        return services;
    }

    public static void MapShipping(this WebApplication app)
    {
        app.UseMiddleware<ShipmentTrackingMiddleware>();
        app.UseMiddleware<ShipmentAuditMiddleware>();
        app.MapGet("/shipments/pending", async (IShipmentStore store, CancellationToken cancellationToken) => await store.PendingAsync(20, cancellationToken));
        app.MapPost("/shipments/{id:int}/dispatch", async (int id, IShipmentQueue queue, CancellationToken cancellationToken) =>
        {
            await queue.EnqueueAsync(id, cancellationToken);
            return Results.Accepted();
        });
        app.MapGet("/shipments/{id:int}/label", (int id, HttpContext context) =>
            context.RequestServices.GetRequiredService<LabelPrinter>().Print(new Shipment(id, "post")));
        app.MapHub<ShipmentHub>("/hubs/shipments");
    }
}

public static class ShippingProgram
{
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddShipping();
        var app = builder.Build();

        // Seed before the application runs: one scope, disposed.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<IShipmentStore>();
            await store.PendingAsync(1, CancellationToken.None);
        }

        var queue = app.Services.GetRequiredService<IShipmentQueue>();
        await queue.EnqueueAsync(1, CancellationToken.None);
        app.MapShipping();
        await app.RunAsync();
    }
}
