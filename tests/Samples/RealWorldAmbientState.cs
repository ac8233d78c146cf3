// Ambient state as public ASP.NET Core code keeps it: an IHttpContextAccessor-style AsyncLocal holder that is cleared
// rather than restored, multi-tenancy accessors (SetTenant/ClearTenant over a holder, as in public multi-tenant
// samples), tenant middleware that sets the AsyncLocal in an async method, ILogger.BeginScope consumers,
// Activity/OpenTelemetry-style tags and baggage, the runtime's [ThreadStatic] StringBuilderCache, per-thread
// scratch buffers, and ThreadLocal<Random>.
using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.Logging;

namespace Samples.RealWorldAmbientState;

/// <summary>The shape of ASP.NET Core's HttpContextAccessor: the setter clears the old holder, so stale copies see null.</summary>
public sealed class RequestContextAccessor
{
    private static readonly AsyncLocal<ContextHolder> s_current = new();

    public HttpContext? HttpContext
    {
        get => s_current.Value?.Context;
        set
        {
            var holder = s_current.Value;
            if (holder is not null)
                holder.Context = null;
            if (value is not null)
                s_current.Value = new ContextHolder { Context = value };
        }
    }

    private sealed class ContextHolder
    {
        public HttpContext? Context;
    }
}

public sealed class Tenant
{
    public Tenant(string id, string name)
    {
        Id = id;
        Name = name;
    }

    public string Id { get; }

    public string Name { get; }
}

/// <summary>A tenant accessor over a holder: setting clears the previous holder, clearing empties the current one.</summary>
public sealed class TenantAccessor
{
    private static readonly AsyncLocal<TenantHolder> s_holder = new();

    public Tenant? Tenant => s_holder.Value?.Tenant;

    public void SetTenant(Tenant tenant)
    {
        var holder = s_holder.Value;
        if (holder is not null)
            holder.Tenant = null;
        s_holder.Value = new TenantHolder { Tenant = tenant };
    }

    public void ClearTenant()
    {
        var holder = s_holder.Value;
        if (holder is not null)
            holder.Tenant = null;
    }

    private sealed class TenantHolder
    {
        public Tenant? Tenant { get; set; }
    }
}

/// <summary>An accessor with a paired clear: whoever sets the tenant clears it.</summary>
public sealed class CurrentTenant
{
    private static readonly AsyncLocal<Tenant?> s_tenant = new();

    public Tenant? Value => s_tenant.Value;

    public void Change(string id, string name) => s_tenant.Value = new Tenant(id, name);

    public void Clear() => s_tenant.Value = null;
}

public interface ITenantResolver
{
    ValueTask<Tenant?> ResolveAsync(HttpContext context);
}

/// <summary>Async middleware: the AsyncLocal goes back to the caller's value when InvokeAsync completes.</summary>
public sealed class TenantResolutionMiddleware(RequestDelegate next, ITenantResolver resolver, TenantAccessor tenants, ILogger<TenantResolutionMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var tenant = await resolver.ResolveAsync(context);
        if (tenant is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        tenants.SetTenant(tenant);
        try
        {
            using (logger.BeginScope("Tenant {TenantId}", tenant.Id))
            {
                Activity.Current?.SetTag("tenant.id", tenant.Id);
                Activity.Current?.AddBaggage("tenant.id", tenant.Id);
                await next(context);
            }
        }
        finally
        {
            tenants.ClearTenant();
        }
    }
}

/// <summary>An action filter that opens an activity and a logging scope for the action, and ends both.</summary>
public sealed class TracingFilter(ILogger<TracingFilter> logger) : IAsyncActionFilter
{
    private static readonly ActivitySource Source = new("Samples.RealWorld");

    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        using var activity = Source.StartActivity(context.ActionDescriptor.DisplayName ?? "action");
        activity?.SetTag("http.route", context.HttpContext.Request.Path.Value);
        using var scope = logger.BeginScope(new KeyValuePair<string, object?>[] { new("ActionId", context.ActionDescriptor.Id) });
        var executed = await next();
        if (executed.Exception is not null)
            activity?.SetStatus(ActivityStatusCode.Error, executed.Exception.Message);
    }
}

/// <summary>The runtime's StringBuilderCache: one builder per thread, taken out while in use.</summary>
public static class StringBuilderCache
{
    private const int MaxBuilderSize = 360;

    [ThreadStatic]
    private static StringBuilder? t_cachedInstance;

    public static StringBuilder Acquire(int capacity = 16)
    {
        if (capacity <= MaxBuilderSize)
        {
            var cached = t_cachedInstance;
            if (cached is not null && capacity <= cached.Capacity)
            {
                t_cachedInstance = null;
                cached.Clear();
                return cached;
            }
        }

        return new StringBuilder(capacity);
    }

    public static void Release(StringBuilder sb)
    {
        if (sb.Capacity <= MaxBuilderSize)
            t_cachedInstance = sb;
    }

    public static string GetStringAndRelease(StringBuilder sb)
    {
        var result = sb.ToString();
        Release(sb);
        return result;
    }
}

/// <summary>Per-thread scratch buffers sized on demand: memory reused by the thread, no request data.</summary>
public static class Scratch
{
    [ThreadStatic]
    private static byte[]? t_bytes;

    [ThreadStatic]
    private static char[]? t_chars;

    public static byte[] Bytes(int minimumLength)
    {
        var buffer = t_bytes;
        if (buffer is null || buffer.Length < minimumLength)
            t_bytes = buffer = GC.AllocateUninitializedArray<byte>(Math.Max(minimumLength, 1024));
        return buffer;
    }

    public static char[] Chars(int minimumLength)
    {
        if (t_chars is null || t_chars.Length < minimumLength)
        {
            if (t_chars is not null)
                ArrayPool<char>.Shared.Return(t_chars);
            t_chars = ArrayPool<char>.Shared.Rent(minimumLength);
        }

        return t_chars;
    }
}

/// <summary>A random generator per thread (before Random.Shared existed).</summary>
public static class ThreadSafeRandom
{
    private static int s_seed = Environment.TickCount;
    private static readonly ThreadLocal<Random> s_random = new(() => new Random(Interlocked.Increment(ref s_seed)));

    public static int Next(int maxValue) => s_random.Value!.Next(maxValue);
}

public static class AmbientEndpoints
{
    public static void MapAmbient(this WebApplication app)
    {
        app.UseMiddleware<TenantResolutionMiddleware>();
        app.MapGet("/whoami", (TenantAccessor tenants) => tenants.Tenant?.Name ?? "none");
        app.MapGet("/token", () =>
        {
            var sb = StringBuilderCache.Acquire();
            sb.Append(ThreadSafeRandom.Next(1000)).Append('-').Append(Scratch.Bytes(16).Length);
            return StringBuilderCache.GetStringAndRelease(sb);
        });
    }
}
