// Subscriptions as real services write them, all correct: a hub and a controller that unsubscribe when the framework
// disposes them, a scoped service whose container disposes its options listener, a singleton cache and a hosted
// service that subscribe once for the application, a middleware that follows configuration reloads, a page model
// that registers on a token only for the duration of a handler, and an in-process event bus whose handlers are static.
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Samples.RealWorldSubscriptions;

public sealed class StockOptions
{
    public int LowStockThreshold { get; set; } = 5;
}

public sealed class StockChangedEventArgs(string sku, int quantity) : EventArgs
{
    public string Sku { get; } = sku;
    public int Quantity { get; } = quantity;
}

public interface IStockFeed
{
    event EventHandler<StockChangedEventArgs>? StockChanged;
    void Publish(string sku, int quantity);
}

public sealed class StockFeed : IStockFeed
{
    public event EventHandler<StockChangedEventArgs>? StockChanged;

    public void Publish(string sku, int quantity) => StockChanged?.Invoke(this, new StockChangedEventArgs(sku, quantity));
}

/// <summary>Hub: the per-invocation instance unsubscribes in the dispose pattern SignalR calls.</summary>
public sealed class StockHub : Hub
{
    private readonly IStockFeed _feed;
    private readonly ILogger<StockHub> _logger;

    public StockHub(IStockFeed feed, ILogger<StockHub> logger)
    {
        _feed = feed;
        _logger = logger;
        _feed.StockChanged += OnStockChanged;
    }

    public Task Watch(string sku) => Groups.AddToGroupAsync(Context.ConnectionId, sku, Context.ConnectionAborted);

    private void OnStockChanged(object? sender, StockChangedEventArgs e) => _logger.LogDebug("{Sku}: {Quantity}", e.Sku, e.Quantity);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _feed.StockChanged -= OnStockChanged;
        base.Dispose(disposing);
    }
}

/// <summary>Controller: implements IDisposable, which MVC calls when the request ends.</summary>
[ApiController]
[Route("stock")]
public sealed class StockController : ControllerBase, IDisposable
{
    private readonly IDisposable? _optionsListener;
    private readonly CancellationTokenRegistration _stopping;
    private StockOptions _options;
    private bool _shuttingDown;

    public StockController(IOptionsMonitor<StockOptions> options, IHostApplicationLifetime lifetime)
    {
        _options = options.CurrentValue;
        _optionsListener = options.OnChange(updated => _options = updated);
        _stopping = lifetime.ApplicationStopping.Register(() => _shuttingDown = true);
    }

    [HttpGet("{sku}/low")]
    public IActionResult IsLow(string sku, int quantity) =>
        _shuttingDown ? StatusCode(503) : Ok(quantity <= _options.LowStockThreshold);

    public void Dispose()
    {
        _optionsListener?.Dispose();
        _stopping.Dispose();
    }
}

/// <summary>Scoped service: the container disposes it at the end of the request scope.</summary>
public sealed class ReorderPolicy : IDisposable
{
    private readonly IDisposable? _listener;
    private StockOptions _options;

    public ReorderPolicy(IOptionsMonitor<StockOptions> options)
    {
        _options = options.CurrentValue;
        _listener = options.OnChange(o => _options = o);
    }

    public bool ShouldReorder(int quantity) => quantity <= _options.LowStockThreshold;

    public void Dispose() => _listener?.Dispose();
}

/// <summary>Singleton: subscribes once, for the application.</summary>
public sealed class StockCache
{
    private readonly ConcurrentDictionary<string, int> _levels = new();

    public StockCache(IStockFeed feed, IConfiguration configuration)
    {
        feed.StockChanged += (sender, e) => _levels[e.Sku] = e.Quantity;
        ChangeToken.OnChange(configuration.GetReloadToken, () => _levels.Clear());
    }

    public int LevelOf(string sku) => _levels.TryGetValue(sku, out var level) ? level : 0;
}

/// <summary>Hosted service: one per application.</summary>
public sealed class StockAuditor(IStockFeed feed, ILogger<StockAuditor> logger, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        feed.StockChanged += (sender, e) => logger.LogInformation("Audit {Sku}", e.Sku);
        lifetime.ApplicationStopping.Register(() => logger.LogInformation("Audit stopping"));
        DiagnosticListener.AllListeners.Subscribe(new ListenerLogger(logger));
        return Task.Delay(Timeout.Infinite, stoppingToken);
    }

    private sealed class ListenerLogger(ILogger logger) : IObserver<DiagnosticListener>
    {
        public void OnNext(DiagnosticListener value) => logger.LogDebug("Listener {Name}", value.Name);
        public void OnError(Exception error) { }
        public void OnCompleted() { }
    }
}

/// <summary>Conventional middleware: created once, follows configuration reloads for the application.</summary>
public sealed class MaintenanceMiddleware
{
    private readonly RequestDelegate _next;
    private volatile bool _maintenance;

    public MaintenanceMiddleware(RequestDelegate next, IConfiguration configuration)
    {
        _next = next;
        _maintenance = configuration.GetValue<bool>("Maintenance");
        ChangeToken.OnChange(() => configuration.GetReloadToken(), () => _maintenance = configuration.GetValue<bool>("Maintenance"));
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (!_maintenance)
            return _next(context);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        return Task.CompletedTask;
    }
}

/// <summary>Page model: the registration lives only as long as the handler.</summary>
public sealed class ExportModel(IHostApplicationLifetime lifetime) : PageModel
{
    public bool Interrupted { get; private set; }

    public async Task OnPostAsync(CancellationToken cancellationToken)
    {
        using var stopping = lifetime.ApplicationStopping.Register(() => Interrupted = true);
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
    }
}

/// <summary>An in-process event bus with static handlers: nothing of an instance is kept.</summary>
public static class StockEvents
{
    public static event EventHandler<StockChangedEventArgs>? Changed;

    public static void Raise(string sku, int quantity) => Changed?.Invoke(null, new StockChangedEventArgs(sku, quantity));
}

public sealed class StockMetricsController : ControllerBase
{
    private static int s_changes;

    public StockMetricsController() => StockEvents.Changed += static (sender, e) => Interlocked.Increment(ref s_changes);

    [HttpGet("stock/metrics")]
    public int Changes() => Volatile.Read(ref s_changes);
}

public static class StockRegistration
{
    public static IServiceCollection AddStock(this IServiceCollection services)
    {
        services.AddSingleton<IStockFeed, StockFeed>();
        services.AddSingleton<StockCache>();
        services.AddScoped<ReorderPolicy>();
        services.AddHostedService<StockAuditor>();
        services.AddSignalR();
        return services;
    }

    public static WebApplication MapStock(this WebApplication app)
    {
        app.UseMiddleware<MaintenanceMiddleware>();
        app.MapHub<StockHub>("/hubs/stock");
        app.MapGet("/reorder/{quantity:int}", (int quantity, ReorderPolicy policy) => policy.ShouldReorder(quantity));
        return app;
    }
}
