// Clean, idiomatic request code that starts work: awaited, cancellable with the application's lifetime, handed to a
// queue, or run synchronously; closures keep copied values, never the pooled HttpContext.
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
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Samples.BackgroundWork;

public interface IBackgroundTaskQueue
{
    ValueTask QueueBackgroundWorkItemAsync(Func<CancellationToken, ValueTask> workItem);
}

public sealed class BackgroundTaskQueue : IBackgroundTaskQueue
{
    private readonly Channel<Func<CancellationToken, ValueTask>> _queue = Channel.CreateBounded<Func<CancellationToken, ValueTask>>(100);

    public ValueTask QueueBackgroundWorkItemAsync(Func<CancellationToken, ValueTask> workItem) => _queue.Writer.WriteAsync(workItem);

    public ValueTask<Func<CancellationToken, ValueTask>> DequeueAsync(CancellationToken cancellationToken) => _queue.Reader.ReadAsync(cancellationToken);
}

// The hosted service drains the queue with its own stopping token: not request code.
public sealed class QueuedWorker(BackgroundTaskQueue queue, ILogger<QueuedWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _ = Task.Run(() => logger.LogInformation("worker started"), stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var work = await queue.DequeueAsync(stoppingToken);
            await work(stoppingToken);
        }
    }
}

public sealed class AuditMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ILogger<AuditMiddleware> _logger;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly IBackgroundTaskQueue _queue;

    public AuditMiddleware(RequestDelegate next, ILogger<AuditMiddleware> logger, IHostApplicationLifetime lifetime, IBackgroundTaskQueue queue)
    {
        _next = next;
        _logger = logger;
        _lifetime = lifetime;
        _queue = queue;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        // Values copied out of the request; the work stops with the application.
        var path = context.Request.Path;
        var method = context.Request.Method;
        var user = context.User;
        _ = Task.Run(async () =>
        {
            await Task.Delay(1000, _lifetime.ApplicationStopping);
            _logger.LogInformation("{Method} {Path} by {User}", method, path, user.Identity?.Name);
        }, _lifetime.ApplicationStopping);

        // Handed to a queue that a hosted service drains with its own token.
        var traceIdentifier = context.TraceIdentifier;
        await _queue.QueueBackgroundWorkItemAsync(async token =>
        {
            await Task.Delay(10, token);
            _logger.LogInformation("Queued for {Trace}", traceIdentifier);
        });

        // Awaited work belongs to the request and may use it.
        var hash = await Task.Run(() => context.Request.Path.Value?.GetHashCode() ?? 0, context.RequestAborted);
        var a = Task.Run(() => hash + 1);
        var b = Task.Run(() => hash + 2);
        await Task.WhenAll(a, b);
        await Task.Factory.StartNew(async () => await Task.Delay(1, context.RequestAborted)).Unwrap();

        // Synchronous closures and request-bound callbacks.
        var wanted = new[] { "a", "b" }.Where(k => context.Request.Query.ContainsKey(k)).ToList();
        wanted.ForEach(k => context.Items[k] = true);
        context.Response.OnStarting(() =>
        {
            context.Response.Headers["X-Trace"] = context.TraceIdentifier;
            return Task.CompletedTask;
        });

        await _next(context);
    }
}

public static class InlineEndpoints
{
    public static void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var stopping = app.Lifetime.ApplicationStopping;
            var path = context.Request.Path;
            _ = Task.Run(async () => await Task.Delay(100, stopping), stopping);
            _ = Task.Run(() => Console.WriteLine(path), stopping);
            await next(context);
        });

        app.MapGet("/compute", () => Task.Run(() => 42));
        app.MapGet("/context", (HttpContext context) => context.Request.Path.Value);
    }
}

[ApiController]
[Route("orders")]
public sealed class OrdersController(IHostApplicationLifetime lifetime, ILogger<OrdersController> logger) : ControllerBase
{
    [HttpPost]
    public async Task<IActionResult> Create(CancellationToken cancellationToken)
    {
        await Task.Run(() => logger.LogInformation("created for {User}", User.Identity?.Name), cancellationToken);
        var trace = HttpContext.TraceIdentifier;
        _ = Task.Run(() => logger.LogInformation("audited {Trace}", trace), lifetime.ApplicationStopping);
        return Accepted();
    }
}

public sealed class ChatHub(ILogger<ChatHub> logger) : Hub
{
    public async Task Send(string message)
    {
        await Clients.All.SendAsync("message", message, Context.ConnectionAborted);
        logger.LogInformation("sent");
    }
}
