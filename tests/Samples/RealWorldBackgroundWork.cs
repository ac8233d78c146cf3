// Background work as the ASP.NET Core docs and public apps write it: the Channel-backed IBackgroundTaskQueue with its
// QueuedHostedService, the timed hosted service (System.Threading.Timer started in StartAsync, PeriodicTimer in a
// BackgroundService), controllers that fan out with Task.WhenAll, a request that hands work to the queue with an
// IServiceScopeFactory (davidfowl's AspNetCoreDiagnosticScenarios guidance), fire-and-forget bounded by
// ApplicationStopping with an error-logging continuation, and startup work in Main.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Samples.RealWorldBackgroundWork;

public interface IBackgroundTaskQueue
{
    ValueTask QueueBackgroundWorkItemAsync(Func<CancellationToken, ValueTask> workItem);

    ValueTask<Func<CancellationToken, ValueTask>> DequeueAsync(CancellationToken cancellationToken);
}

public sealed class BackgroundTaskQueue : IBackgroundTaskQueue
{
    private readonly Channel<Func<CancellationToken, ValueTask>> _queue;

    public BackgroundTaskQueue(int capacity) =>
        _queue = Channel.CreateBounded<Func<CancellationToken, ValueTask>>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.Wait });

    public async ValueTask QueueBackgroundWorkItemAsync(Func<CancellationToken, ValueTask> workItem)
    {
        ArgumentNullException.ThrowIfNull(workItem);
        await _queue.Writer.WriteAsync(workItem);
    }

    public ValueTask<Func<CancellationToken, ValueTask>> DequeueAsync(CancellationToken cancellationToken) => _queue.Reader.ReadAsync(cancellationToken);
}

public sealed class QueuedHostedService(IBackgroundTaskQueue queue, ILogger<QueuedHostedService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            Func<CancellationToken, ValueTask> workItem;
            try
            {
                workItem = await queue.DequeueAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            try
            {
                await workItem(stoppingToken);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Error occurred executing {WorkItem}.", nameof(workItem));
            }
        }
    }
}

/// <summary>The docs' timed hosted service: the timer lives as long as the service and is disposed with it.</summary>
public sealed class TimedHostedService(ILogger<TimedHostedService> logger) : IHostedService, IDisposable
{
    private int _executionCount;
    private Timer? _timer;

    public Task StartAsync(CancellationToken stoppingToken)
    {
        _timer = new Timer(DoWork, null, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        return Task.CompletedTask;
    }

    private void DoWork(object? state)
    {
        var count = Interlocked.Increment(ref _executionCount);
        logger.LogInformation("Timed Hosted Service is working. Count: {Count}", count);
    }

    public Task StopAsync(CancellationToken stoppingToken)
    {
        _timer?.Change(Timeout.Infinite, 0);
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();
}

/// <summary>A PeriodicTimer loop with scoped services resolved per tick.</summary>
public sealed class CleanupWorker(IServiceScopeFactory scopes, ILogger<CleanupWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await using var scope = scopes.CreateAsyncScope();
            var sweeper = scope.ServiceProvider.GetRequiredService<ISweeper>();
            var removed = await sweeper.SweepAsync(stoppingToken);
            logger.LogInformation("Removed {Count} expired sessions", removed);
        }
    }
}

public interface ISweeper
{
    Task<int> SweepAsync(CancellationToken cancellationToken);
}

public interface IOrderStore
{
    Task<Order?> FindAsync(int id, CancellationToken cancellationToken);

    Task<IReadOnlyList<OrderLine>> LinesAsync(int id, CancellationToken cancellationToken);

    Task<Customer?> CustomerAsync(int id, CancellationToken cancellationToken);
}

public sealed record Order(int Id, int CustomerId);

public sealed record OrderLine(int OrderId, string Sku, int Quantity);

public sealed record Customer(int Id, string Email);

public interface IMailer
{
    Task SendAsync(string to, string subject, CancellationToken cancellationToken);
}

[ApiController]
[Route("api/orders")]
public sealed class OrdersController(IOrderStore store, IBackgroundTaskQueue queue, IServiceScopeFactory scopes,
    IHostApplicationLifetime lifetime, ILogger<OrdersController> logger) : ControllerBase
{
    // Fan-out inside the request: every task is awaited before the action returns.
    [HttpGet("{id:int}")]
    public async Task<IActionResult> Get(int id, CancellationToken cancellationToken)
    {
        var orderTask = store.FindAsync(id, cancellationToken);
        var linesTask = store.LinesAsync(id, cancellationToken);
        await Task.WhenAll(orderTask, linesTask);
        var order = await orderTask;
        if (order is null)
            return NotFound();
        return Ok(new { order, lines = await linesTask });
    }

    [HttpGet("batch")]
    public async Task<IActionResult> Batch([FromQuery] int[] ids, CancellationToken cancellationToken)
    {
        var lookups = ids.Distinct().Select(id => store.FindAsync(id, cancellationToken)).ToList();
        var orders = await Task.WhenAll(lookups);
        return Ok(orders.Where(o => o is not null));
    }

    [HttpGet("{id:int}/first")]
    public async Task<IActionResult> FirstAnswer(int id, CancellationToken cancellationToken)
    {
        var tasks = new List<Task<Customer?>>();
        for (var replica = 0; replica < 2; replica++)
            tasks.Add(store.CustomerAsync(id, cancellationToken));
        var first = await Task.WhenAny(tasks);
        return Ok(await first);
    }

    // Post-response work handed to the queue; the work item gets its own scope and the application's token.
    [HttpPost("{id:int}/confirm")]
    public async Task<IActionResult> Confirm(int id)
    {
        var requestedBy = User.Identity?.Name ?? "anonymous";
        await queue.QueueBackgroundWorkItemAsync(async token =>
        {
            await using var scope = scopes.CreateAsyncScope();
            var mailer = scope.ServiceProvider.GetRequiredService<IMailer>();
            await mailer.SendAsync(requestedBy, $"Order {id} confirmed", token);
        });
        return Accepted();
    }

    // Fire-and-forget bounded by the application's lifetime, failures logged by a continuation.
    [HttpPost("{id:int}/reindex")]
    public IActionResult Reindex(int id)
    {
        var stopping = lifetime.ApplicationStopping;
        var traceId = HttpContext.TraceIdentifier;
        _ = Task.Run(() => ReindexAsync(id, stopping), stopping)
            .ContinueWith(t => logger.LogError(t.Exception, "Reindex {Trace} failed", traceId), TaskContinuationOptions.OnlyOnFaulted);
        return Accepted();
    }

    private static Task ReindexAsync(int id, CancellationToken cancellationToken) => Task.Delay(id, cancellationToken);
}

/// <summary>Minimal API endpoints that write to a channel drained by a hosted service.</summary>
public static class ImportEndpoints
{
    public static void MapImports(this WebApplication app)
    {
        var imports = Channel.CreateBounded<string>(128);
        app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => imports.Writer.TryComplete());

        app.MapPost("/imports", async (HttpRequest request, CancellationToken cancellationToken) =>
        {
            var name = request.Query["name"].ToString();
            await imports.Writer.WriteAsync(name, cancellationToken);
            return Results.Accepted();
        });

        app.MapGet("/imports/slow", async (IHttpClientFactory clients, CancellationToken cancellationToken) =>
        {
            var client = clients.CreateClient("imports");
            var pages = await Task.WhenAll(Enumerable.Range(1, 3).Select(page => client.GetStringAsync($"page/{page}", cancellationToken)));
            return Results.Ok(pages.Sum(p => p.Length));
        });
    }
}

public static class Program
{
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddSingleton<IBackgroundTaskQueue>(_ => new BackgroundTaskQueue(100));
        builder.Services.AddHostedService<QueuedHostedService>();
        builder.Services.AddHostedService<TimedHostedService>();
        var app = builder.Build();

        // Startup work: runs once, not per request.
        _ = Task.Run(() => app.Logger.LogInformation("warming caches"));
        app.Lifetime.ApplicationStarted.Register(() => _ = Task.Run(() => app.Logger.LogInformation("started")));

        app.MapImports();
        app.MapControllers();
        await app.RunAsync();
    }
}
