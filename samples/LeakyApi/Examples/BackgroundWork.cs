// LEAK002: un-cancelled fire-and-forget work started per request. LEAK003: HttpContext captured by a closure that
// outlives the request. Each leaky member has a clean twin next to it.
using Microsoft.AspNetCore.Mvc;

namespace LeakyApi.Examples;

public static class AuditLog
{
    public static async Task WriteAuditAsync(this ILogger logger, string entry, CancellationToken cancellationToken = default)
    {
        await Task.Delay(50, cancellationToken);   // stands in for a database write
        logger.LogInformation("audit: {Entry}", entry);
    }
}

// Leaky: the audit runs after the response with nothing to stop it (LEAK002), and it reads the pooled HttpContext
// long after the request has ended (LEAK003) - by then the context may serve another request.
public sealed class AuditTrailMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ILogger<AuditTrailMiddleware> _logger;

    public AuditTrailMiddleware(RequestDelegate next, ILogger<AuditTrailMiddleware> logger)
    {
        _next = next;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        await _next(context);
        _ = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2));   // batch with the next requests
            await _logger.WriteAuditAsync($"{context.Request.Method} {context.Request.Path} -> {context.Response.StatusCode}");
        });
    }
}

// Clean twin: values are copied before the work starts, and the work stops with the application.
public sealed class AuditTrailCleanMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ILogger<AuditTrailMiddleware> _logger;
    private readonly IHostApplicationLifetime _lifetime;

    public AuditTrailCleanMiddleware(RequestDelegate next, ILogger<AuditTrailMiddleware> logger, IHostApplicationLifetime lifetime)
    {
        _next = next;
        _logger = logger;
        _lifetime = lifetime;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        await _next(context);
        var entry = $"{context.Request.Method} {context.Request.Path} -> {context.Response.StatusCode}";
        _ = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2), _lifetime.ApplicationStopping);
            await _logger.WriteAuditAsync(entry, _lifetime.ApplicationStopping);
        }, _lifetime.ApplicationStopping);
    }
}

[ApiController]
[Route("reports")]
public sealed class ReportsController(ILogger<ReportsController> logger) : ControllerBase
{
    // Leaky: the controller (and its HttpContext) is captured by work nobody waits for or can cancel.
    [HttpPost("{name}")]
    public IActionResult Generate(string name)
    {
        _ = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5));   // render the report
            await logger.WriteAuditAsync($"report {name} for {HttpContext.TraceIdentifier}");
        });
        return Accepted();
    }

    // Clean twin: the request's trace id is copied, and the work belongs to the request.
    [HttpPost("{name}/now")]
    public async Task<IActionResult> GenerateNow(string name, CancellationToken cancellationToken)
    {
        var traceIdentifier = HttpContext.TraceIdentifier;
        await Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            await logger.WriteAuditAsync($"report {name} for {traceIdentifier}", cancellationToken);
        }, cancellationToken);
        return Ok();
    }
}

public static class BackgroundWorkEndpoints
{
    public static void MapBackgroundWorkExamples(this WebApplication app)
    {
        app.UseMiddleware<AuditTrailMiddleware>();

        // Leaky: the confirmation mail is sent after the response, with no way to cancel it on shutdown.
        app.MapPost("/orders/{id:int}", (int id, ILogger<AuditTrailMiddleware> logger) =>
        {
            _ = logger.WriteAuditAsync($"order {id} confirmed");
            return Results.Accepted();
        });

        // Clean twin: the application's lifetime cancels the work on shutdown.
        app.MapPost("/orders/{id:int}/clean", (int id, ILogger<AuditTrailMiddleware> logger) =>
        {
            _ = logger.WriteAuditAsync($"order {id} confirmed", app.Lifetime.ApplicationStopping);
            return Results.Accepted();
        });
    }
}
