// Everyday API code modelled on public ASP.NET Core apps and the docs: a typed API client (switch on the status inside
// a using, a helper that takes over and disposes the response, a streamed IAsyncEnumerable download, a linked
// timeout token, try/catch/finally disposal), middleware that keeps only copied values in fire-and-forget work bound
// to ApplicationStopping and reads the request inside IMemoryCache.GetOrCreateAsync and Response.OnCompleted, a
// resource filter pairing its AsyncLocal set and clear, a correlation accessor set from async middleware, a message
// pump setting an AsyncLocal per message in async code, a controller with server-sent events, a SignalR hub
// receiving a client stream, minimal API endpoints (SSE loop, upload proxy, Results.Stream), a resolver delegate
// over IHttpContextAccessor kept in a static property, and parallel downloads awaited with Task.WhenAll.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Samples.RealWorldApiPatterns;

public sealed class ApiClient(HttpClient http, ILogger<ApiClient> logger)
{
    public async Task<T?> SendAsync<T>(HttpRequestMessage request, CancellationToken ct)
    {
        using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
        switch (response.StatusCode)
        {
            case HttpStatusCode.NotFound:
                return default;
            case HttpStatusCode.OK:
                return await response.Content.ReadFromJsonAsync<T>(ct);
            default:
                throw new HttpRequestException(await response.Content.ReadAsStringAsync(ct));
        }
    }

    public async Task<T?> GetAsync<T>(string url, CancellationToken ct)
    {
        var response = await http.GetAsync(url, ct);
        return await HandleAsync<T>(response, ct);
    }

    private static async Task<T?> HandleAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        using (response)
        {
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadFromJsonAsync<T>(ct);
        }
    }

    public async Task<string?> GetOrNullAsync(string url, CancellationToken ct)
    {
        var response = await http.GetAsync(url, ct);
        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            return null;
        }

        using (response)
            return await response.Content.ReadAsStringAsync(ct);
    }

    public async IAsyncEnumerable<T> StreamAsync<T>(string url, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        await foreach (var item in JsonSerializer.DeserializeAsyncEnumerable<T>(stream, cancellationToken: ct))
        {
            if (item is not null)
                yield return item;
        }
    }

    public async Task<bool> PostWithTimeoutAsync(string url, object body, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            using var response = await http.PostAsJsonAsync(url, body, cts.Token);
            return response.IsSuccessStatusCode;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning("timeout");
            return false;
        }
    }

    public async Task<HttpStatusCode> StatusAsync(string url)
    {
        HttpResponseMessage? response = null;
        try
        {
            response = await http.GetAsync(url);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return HttpStatusCode.ServiceUnavailable;
        }
        finally
        {
            response?.Dispose();
        }
    }
}

public sealed class AuditMiddleware(RequestDelegate next, IHostApplicationLifetime lifetime, ILogger<AuditMiddleware> logger, IMemoryCache cache)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var token = lifetime.ApplicationStopping;
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(100, token);
                logger.LogInformation("audited {Path}", path);
            }
            catch (OperationCanceledException)
            {
            }
        });

        var item = await cache.GetOrCreateAsync(path, async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1);
            await Task.Delay(1, context.RequestAborted);
            return context.Request.Headers.UserAgent.ToString();
        });

        context.Response.OnCompleted(async () =>
        {
            await Task.Delay(1, token);
            logger.LogInformation("completed {Item}", item);
        });

        await next(context);
    }
}

public sealed class TenantFilter : IResourceFilter
{
    private static readonly AsyncLocal<string?> s_tenant = new();

    public static string? Tenant => s_tenant.Value;

    public void OnResourceExecuting(ResourceExecutingContext context) => s_tenant.Value = context.HttpContext.Request.Headers["X-Tenant"].ToString();

    public void OnResourceExecuted(ResourceExecutedContext context) => s_tenant.Value = null;
}

public sealed class CorrelationContext
{
    private static readonly AsyncLocal<string?> s_id = new();

    public static string? Current => s_id.Value;

    public static void Set(string id) => s_id.Value = id;
}

public sealed class CorrelationMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        CorrelationContext.Set(context.TraceIdentifier);
        await next(context);
    }
}

public sealed class MessagePump(ILogger<MessagePump> logger) : BackgroundService
{
    private static readonly AsyncLocal<string?> s_messageId = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var id = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            await HandleAsync((++id).ToString(), stoppingToken);
        }
    }

    private async Task HandleAsync(string messageId, CancellationToken ct)
    {
        s_messageId.Value = messageId;
        logger.LogInformation("handling {Id}", s_messageId.Value);
        await Task.Delay(1000, ct);
    }
}

[ApiController]
[Route("reports")]
public sealed class ReportsController(IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, ILogger<ReportsController> logger) : ControllerBase
{
    [HttpPost]
    public IActionResult Generate([FromBody] string name)
    {
        var user = User.Identity?.Name;
        var stopping = lifetime.ApplicationStopping;
        _ = Task.Run(async () =>
        {
            await using var scope = scopes.CreateAsyncScope();
            var log = scope.ServiceProvider.GetRequiredService<ILogger<ReportsController>>();
            using (log.BeginScope("report {Name} for {User}", name, user))
            {
                await Task.Delay(1000, stopping);
            }
        }, stopping);
        return Accepted();
    }

    [HttpGet("admins")]
    public IActionResult Admins([FromQuery] string[] roles) =>
        Ok(roles.Where(r => User.IsInRole(r)).Select(r => new { r, Name = HttpContext.User.Identity?.Name }).ToList());

    [HttpGet("live")]
    public async Task Live(CancellationToken cancellationToken)
    {
        Response.ContentType = "text/event-stream";
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            await Response.WriteAsync($"data: {DateTime.UtcNow:O}\n\n", cancellationToken);
            await Response.Body.FlushAsync(cancellationToken);
        }
    }
}

public sealed class ChatHub(ILogger<ChatHub> logger) : Hub
{
    public async Task Join(string room)
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, room, Context.ConnectionAborted);
        await Clients.Group(room).SendAsync("joined", Context.User?.Identity?.Name, Context.ConnectionAborted);
    }

    public async Task Upload(IAsyncEnumerable<string> stream)
    {
        await foreach (var item in stream.WithCancellation(Context.ConnectionAborted))
            logger.LogInformation("{Item}", item);
    }
}

public static class ApiPatternEndpoints
{
    public static void MapApiPatterns(this WebApplication app)
    {
        app.MapGet("/sse", async (HttpContext context, CancellationToken ct) =>
        {
            context.Response.Headers.ContentType = "text/event-stream";
            while (!ct.IsCancellationRequested)
            {
                await context.Response.WriteAsync("data: ping\n\n", ct);
                await Task.Delay(1000, ct);
            }
        });

        app.MapPost("/upload", async (HttpRequest request, IHttpClientFactory clients, CancellationToken ct) =>
        {
            using var content = new StreamContent(request.Body);
            using var response = await clients.CreateClient("store").PostAsync("files", content, ct);
            return Results.StatusCode((int)response.StatusCode);
        });

        app.MapGet("/stream", (HttpContext context) => Results.Stream(async body =>
        {
            await body.WriteAsync(new byte[] { 1, 2, 3 }, context.RequestAborted);
        }));
    }
}

/// <summary>A resolver the app swaps at startup: a function of the accessor its caller passes.</summary>
public static class UserNames
{
    public static Func<IHttpContextAccessor, string?> Resolve { get; set; } = null!;

    static UserNames()
    {
        Resolve = accessor => accessor.HttpContext?.User.Identity?.Name;
    }
}

/// <summary>Parallel downloads, each disposed inside its own async lambda, all awaited.</summary>
[ApiController]
[Route("export")]
public sealed class ExportController(IHttpClientFactory clients, ILogger<ExportController> logger) : ControllerBase
{
    [HttpGet("export")]
    public async Task<IActionResult> Export(CancellationToken cancellationToken)
    {
        var client = clients.CreateClient();
        var tasks = new[] { "a", "b" }.Select(async name =>
        {
            using var response = await client.GetAsync(name, cancellationToken);
            return response.StatusCode;
        });
        var codes = await Task.WhenAll(tasks);
        logger.LogInformation("{Count}", codes.Length);
        return Ok(codes);
    }

    [HttpGet("user")]
    public IActionResult CurrentUser([FromServices] IHttpContextAccessor accessor) => Ok(UserNames.Resolve(accessor));
}
