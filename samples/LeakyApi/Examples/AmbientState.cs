// LEAK005: ambient values (AsyncLocal, ThreadLocal, [ThreadStatic]) set from a request and never restored.
// Each leaky type has a clean twin below it.
using System.Security.Claims;

namespace LeakyApi.Examples;

/// <summary>The tenant of the current request, for code far from the HttpContext.</summary>
public static class RequestTenant
{
    internal static readonly AsyncLocal<string?> Slot = new();

    public static string Current => Slot.Value ?? "default";
}

// Leaky: a synchronous Invoke sets the AsyncLocal and returns; the value flows back into the caller's context
// and everything it starts afterwards.
public sealed class TenantMiddleware(RequestDelegate next)
{
    public Task Invoke(HttpContext context)
    {
        if (!context.Request.Headers.TryGetValue("X-Tenant", out var tenant))
            return next(context);

        RequestTenant.Slot.Value = tenant.ToString();
        return next(context);
    }
}

// Clean twin: an async InvokeAsync; the state machine restores the caller's context when it returns.
public sealed class TenantCleanMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        RequestTenant.Slot.Value = context.Request.Headers["X-Tenant"].ToString();
        await next(context);
    }
}

// Leaky: a [ThreadStatic] request kept on the pool thread after the invoice is rendered; the next request that runs
// on that thread still reaches the previous caller's request (and its user).
public static class InvoiceRenderer
{
    [ThreadStatic] private static HttpRequest? t_request;

    public static string Render(HttpContext context, int id)
    {
        t_request = context.Request;
        var currency = Currency();
        return $"Invoice {id} in {currency}";
    }

    private static string Currency() => t_request?.Query["currency"].ToString() is { Length: > 0 } currency ? currency : "EUR";
}

// Clean twin: the request goes where it is needed as an argument.
public static class InvoiceCleanRenderer
{
    public static string Render(HttpContext context, int id)
    {
        var currency = context.Request.Query["currency"].ToString() is { Length: > 0 } requested ? requested : "EUR";
        return $"Invoice {id} in {currency}";
    }
}

// Leaky: the caller's principal stays in a ThreadLocal on the pool thread.
public static class AuditTrail
{
    private static readonly ThreadLocal<ClaimsPrincipal?> s_principal = new();

    public static string Describe(HttpContext context, string action)
    {
        s_principal.Value = context.User;
        return Line(action);
    }

    private static string Line(string action) => $"{s_principal.Value?.Identity?.Name ?? "anonymous"} {action}";
}

// Leaky: the first request starts a timer and registers a shutdown callback; both capture the execution context,
// and with it the request's route, for the life of the application.
public sealed class MetricsMiddleware(RequestDelegate next, IHostApplicationLifetime lifetime)
{
    private static readonly AsyncLocal<string?> s_route = new();
    private static Timer? s_flush;
    private static int s_registered;

    public async Task InvokeAsync(HttpContext context)
    {
        s_route.Value = context.Request.Path;

        // Flush the counters every ten seconds, started by the first request.
        s_flush ??= new Timer(_ => Flush(), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
        if (Interlocked.Exchange(ref s_registered, 1) == 0)
            lifetime.ApplicationStopping.Register(() => Flush());
        await next(context);
    }

    private static void Flush() => Console.WriteLine("metrics flushed");
}

// Clean twin: the timer and the registration do not capture the request's context.
public sealed class MetricsCleanMiddleware(RequestDelegate next, IHostApplicationLifetime lifetime)
{
    private static readonly AsyncLocal<string?> s_route = new();
    private static Timer? s_flush;
    private static int s_registered;

    public async Task InvokeAsync(HttpContext context)
    {
        s_route.Value = context.Request.Path;
        using (ExecutionContext.SuppressFlow())
        {
            s_flush ??= new Timer(_ => Flush(), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
        }

        if (Interlocked.Exchange(ref s_registered, 1) == 0)
            lifetime.ApplicationStopping.UnsafeRegister(_ => Flush(), null);
        await next(context);
    }

    private static void Flush() => Console.WriteLine("metrics flushed");
}

public static class AmbientStateEndpoints
{
    public static void UseAmbientStateExamples(this WebApplication app)
    {
        app.UseMiddleware<TenantMiddleware>();
        app.UseMiddleware<TenantCleanMiddleware>();
        app.UseMiddleware<MetricsMiddleware>();
        app.UseMiddleware<MetricsCleanMiddleware>();
        app.MapGet("/tenant", () => RequestTenant.Current);
        app.MapGet("/invoices/{id:int}", (HttpContext context, int id) => InvoiceRenderer.Render(context, id));
        app.MapGet("/invoices/{id:int}/clean", (HttpContext context, int id) => InvoiceCleanRenderer.Render(context, id));
        app.MapPost("/audit/{action}", (HttpContext context, string action) => AuditTrail.Describe(context, action));
    }
}
