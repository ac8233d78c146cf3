// Clean, idiomatic ambient state: AsyncLocal set in async code or restored, scope objects, accessors, per-thread caches.
using System;
using System.Security.Claims;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.Hosting;

namespace Samples.AmbientState;

public sealed record Tenant(string Id, string ConnectionString);

/// <summary>The ambient tenant, published the way IHttpContextAccessor.HttpContext is.</summary>
public static class TenantContext
{
    private static readonly AsyncLocal<Tenant?> s_current = new();

    public static Tenant? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }

    /// <summary>Sets the tenant until the returned scope is disposed.</summary>
    public static IDisposable Begin(Tenant tenant)
    {
        var scope = new Scope(s_current.Value);
        s_current.Value = tenant;
        return scope;
    }

    private sealed class Scope : IDisposable
    {
        private readonly Tenant? _previous;

        public Scope(Tenant? previous) => _previous = previous;

        public void Dispose() => s_current.Value = _previous;
    }
}

public interface ITenantStore
{
    Tenant? Find(string host);
}

/// <summary>Async middleware: the state machine restores the caller's context when InvokeAsync returns.</summary>
public sealed class TenantMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ITenantStore _tenants;

    public TenantMiddleware(RequestDelegate next, ITenantStore tenants)
    {
        _next = next;
        _tenants = tenants;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        TenantContext.Current = _tenants.Find(context.Request.Host.Host);
        await _next(context);
    }
}

/// <summary>Synchronous middleware that restores what it set.</summary>
public sealed class CultureMiddleware
{
    private static readonly AsyncLocal<string?> s_culture = new();
    private readonly RequestDelegate _next;

    public CultureMiddleware(RequestDelegate next) => _next = next;

    public static string Culture => s_culture.Value ?? "en";

    public async Task Invoke(HttpContext context)
    {
        var previous = s_culture.Value;
        s_culture.Value = context.Request.Headers.AcceptLanguage.ToString();
        try
        {
            await _next(context);
        }
        finally
        {
            s_culture.Value = previous;
        }
    }
}

/// <summary>A filter whose executed half clears what the executing half set.</summary>
public sealed class AuditUserFilter : IActionFilter
{
    private static readonly AsyncLocal<ClaimsPrincipal?> s_user = new();

    public static ClaimsPrincipal? User => s_user.Value;

    public void OnActionExecuting(ActionExecutingContext context) => s_user.Value = context.HttpContext.User;

    public void OnActionExecuted(ActionExecutedContext context) => s_user.Value = null;
}

/// <summary>Per-thread caches that hold no request data.</summary>
public static class Formatting
{
    private static readonly ThreadLocal<StringBuilder> s_builder = new(() => new StringBuilder(256));
    [ThreadStatic] private static byte[]? t_buffer;
    [ThreadStatic] private static int t_depth;

    public static string Join(string separator, string[] parts)
    {
        var builder = s_builder.Value!;
        builder.Clear();
        t_depth++;
        try
        {
            return builder.AppendJoin(separator, parts).ToString();
        }
        finally
        {
            t_depth--;
        }
    }

    public static byte[] Buffer(int minimumLength)
    {
        if (t_buffer is null || t_buffer.Length < minimumLength)
            t_buffer = new byte[Math.Max(4096, minimumLength)];
        return t_buffer;
    }
}

/// <summary>Long-lived callbacks started from request code without capturing its context.</summary>
public sealed class FlushMiddleware
{
    private static readonly AsyncLocal<string?> s_route = new();
    private static Timer? s_flush;
    private readonly RequestDelegate _next;
    private readonly IHostApplicationLifetime _lifetime;

    public FlushMiddleware(RequestDelegate next, IHostApplicationLifetime lifetime)
    {
        _next = next;
        _lifetime = lifetime;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        s_route.Value = context.Request.Path;
        using (ExecutionContext.SuppressFlow())
        {
            s_flush ??= new Timer(_ => Flush(), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
        }

        using var onStop = _lifetime.ApplicationStopping.UnsafeRegister(_ => Flush(), null);
        await _next(context);
    }

    private static void Flush() => Console.WriteLine("flushed");
}

public static class AmbientStateEndpoints
{
    public static void UseAmbientState(this WebApplication app)
    {
        app.UseMiddleware<TenantMiddleware>();
        app.UseMiddleware<CultureMiddleware>();
        app.Use(async (context, next) =>
        {
            using (TenantContext.Begin(new Tenant("default", "Server=.;Database=default")))
            {
                await next(context);
            }
        });
        app.MapGet("/tenant", () => TenantContext.Current?.Id ?? "none");
    }
}
