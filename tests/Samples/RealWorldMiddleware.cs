// Middleware as it is written in public ASP.NET Core apps and in the framework's own samples: request logging
// scopes, correlation ids echoed through Response.OnStarting, timing reported from Response.OnCompleted, response
// buffering that restores the original body, a ProxyKit-style streaming proxy, a middleware that loads a lookup table
// in the background from its constructor, and an IMiddleware that hands a per-request resource to RegisterForDispose.
// All of it is correct: nothing here outlives the request.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Security.Claims;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Samples.RealWorldMiddleware;

/// <summary>Echoes or creates a correlation id; the header is written just before the response starts.</summary>
public sealed class CorrelationIdMiddleware
{
    private const string HeaderName = "X-Correlation-ID";
    private readonly RequestDelegate _next;
    private readonly ILogger<CorrelationIdMiddleware> _logger;

    public CorrelationIdMiddleware(RequestDelegate next, ILogger<CorrelationIdMiddleware> logger)
    {
        _next = next;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var correlationId = context.Request.Headers.TryGetValue(HeaderName, out var values) && !StringValues.IsNullOrEmpty(values)
            ? values.ToString()
            : context.TraceIdentifier;

        context.Response.OnStarting(() =>
        {
            context.Response.Headers[HeaderName] = correlationId;
            return Task.CompletedTask;
        });

        using (_logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = correlationId }))
        {
            await _next(context);
        }
    }
}

/// <summary>Times the request and logs once the response has been sent (state-passing overload).</summary>
public sealed class RequestTimingMiddleware(RequestDelegate next, ILogger<RequestTimingMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        context.Response.OnCompleted(static state =>
        {
            var (ctx, log, start) = ((HttpContext, ILogger, long))state;
            log.LogInformation("{Method} {Path} answered {Status} in {Elapsed} ms", ctx.Request.Method, ctx.Request.Path,
                ctx.Response.StatusCode, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            return Task.CompletedTask;
        }, (context, (ILogger)logger, started));

        return next(context);
    }
}

/// <summary>Reads the request body once, then lets the rest of the pipeline read it again.</summary>
public sealed class RequestAuditMiddleware(RequestDelegate next, ILogger<RequestAuditMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (HttpMethods.IsPost(context.Request.Method) && context.Request.ContentLength is > 0 and < 64 * 1024)
        {
            context.Request.EnableBuffering();
            using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            context.Request.Body.Position = 0;
            logger.LogDebug("Body of {Path}: {Length} chars", context.Request.Path, body.Length);
        }

        // LINQ over the caller's claims runs right here.
        var roles = context.User.Claims.Where(c => c.Type == ClaimTypes.Role).Select(c => c.Value).ToArray();
        if (roles.Any(r => context.Request.Path.StartsWithSegments("/" + r)))
            context.Items["RoleArea"] = true;

        await next(context);
    }
}

/// <summary>Buffers the response to rewrite it, and always puts the original body stream back.</summary>
public sealed class ResponseRewriteMiddleware
{
    private readonly RequestDelegate _next;

    public ResponseRewriteMiddleware(RequestDelegate next) => _next = next;

    public async Task Invoke(HttpContext context)
    {
        var original = context.Response.Body;
        await using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await _next(context);
            buffer.Position = 0;
            context.Response.ContentLength = buffer.Length;
            await buffer.CopyToAsync(original, context.RequestAborted);
        }
        finally
        {
            context.Response.Body = original;
        }
    }
}

/// <summary>A streaming reverse proxy in the ProxyKit style: the upstream response is disposed when the copy ends.</summary>
public sealed class ForwardingMiddleware
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase) { "Connection", "Transfer-Encoding", "Keep-Alive", "Upgrade" };
    private readonly RequestDelegate _next;
    private readonly IHttpClientFactory _clients;

    public ForwardingMiddleware(RequestDelegate next, IHttpClientFactory clients)
    {
        _next = next;
        _clients = clients;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/upstream", out var rest))
        {
            await _next(context);
            return;
        }

        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), rest + context.Request.QueryString);
        if (context.Request.ContentLength > 0)
            request.Content = new StreamContent(context.Request.Body);
        foreach (var header in context.Request.Headers.Where(h => !HopByHop.Contains(h.Key)))
            request.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());

        var client = _clients.CreateClient("upstream");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var header in response.Headers.Concat(response.Content.Headers).Where(h => !HopByHop.Contains(h.Key)))
            context.Response.Headers[header.Key] = header.Value.ToArray();
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }
}

/// <summary>IMiddleware (created per request by the container) that gives a per-request resource to the response.</summary>
public sealed class ScratchFileMiddleware : IMiddleware
{
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var scratch = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.DeleteOnClose);
        context.Response.RegisterForDispose(scratch);
        context.Features.Set(new ScratchFeature(scratch));
        await next(context);
    }
}

public sealed record ScratchFeature(Stream Stream);

/// <summary>Turns exceptions into problem details, written while the request is still running.</summary>
public sealed class ProblemDetailsMiddleware(RequestDelegate next, ILogger<ProblemDetailsMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            logger.LogError(ex, "Unhandled exception for {TraceId}", context.TraceIdentifier);
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await context.Response.WriteAsJsonAsync(new { title = "Unexpected error", traceId = context.TraceIdentifier }, context.RequestAborted);
        }
    }
}

/// <summary>Loads its lookup table in the background once, when the application builds the pipeline.</summary>
public sealed class GeoIpMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ILogger<GeoIpMiddleware> _logger;
    private Dictionary<string, string> _table = new();

    public GeoIpMiddleware(RequestDelegate next, ILogger<GeoIpMiddleware> logger)
    {
        _next = next;
        _logger = logger;
        StartLoading();
    }

    private void StartLoading() => _ = Task.Run(LoadAsync);

    private async Task LoadAsync()
    {
        await Task.Delay(10);
        _table = new Dictionary<string, string> { ["127.0.0.1"] = "local" };
        _logger.LogInformation("loaded");
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var ip = context.Connection.RemoteIpAddress?.ToString() ?? "";
        context.Items["country"] = _table.GetValueOrDefault(ip);
        await _next(context);
    }
}

public static class MiddlewarePipeline
{
    public static void UseRealWorldMiddleware(this WebApplication app)
    {
        app.UseMiddleware<CorrelationIdMiddleware>();
        app.UseMiddleware<RequestTimingMiddleware>();
        app.UseMiddleware<ProblemDetailsMiddleware>();

        // Inline middleware in the Use(next => context => …) shape: the outer lambda runs once, at build time.
        app.Use(next =>
        {
            var log = app.Logger;
            return async context =>
            {
                var watch = Stopwatch.StartNew();
                await next(context);
                log.LogDebug("{Path} took {Elapsed}", context.Request.Path, watch.Elapsed);
            };
        });

        app.Use(async (context, next) =>
        {
            context.Response.Headers["X-Content-Type-Options"] = "nosniff";
            // Cancellation tied to the request, released when the request ends.
            using var registration = context.RequestAborted.Register(() => context.Items["Aborted"] = true);
            await next(context);
        });

        app.MapWhen(context => context.Request.Query.ContainsKey("ping"), branch => branch.Run(context => context.Response.WriteAsync("pong")));
    }
}
