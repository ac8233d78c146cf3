// SignalR hubs and MVC/endpoint filters as the ASP.NET Core docs and chat/notification apps write them: a hub that
// streams through a ChannelReader written by a background producer bound to the caller's token (the docs' streaming
// hub), group management in OnConnectedAsync, Context.ConnectionAborted, the connection's HttpContext read by a
// hub method, an IHubFilter, an authorization handler reading claims with LINQ, an exception filter, a result filter
// that adds headers through Response.OnStarting, and an endpoint filter.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace Samples.RealWorldHubsAndFilters;

public sealed class NotificationHub(ILogger<NotificationHub> logger) : Hub
{
    public override async Task OnConnectedAsync()
    {
        var tenant = Context.User?.FindFirst("tenant")?.Value;
        if (tenant is not null)
            await Groups.AddToGroupAsync(Context.ConnectionId, "tenant:" + tenant, Context.ConnectionAborted);
        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        if (exception is not null)
            logger.LogWarning(exception, "Connection {ConnectionId} dropped", Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    public Task Broadcast(string message) => Clients.Others.SendAsync("notify", message, Context.ConnectionAborted);

    public async Task Whisper(string user, string message)
    {
        var http = Context.GetHttpContext();
        var from = http?.Request.Headers.UserAgent.ToString() ?? "unknown";
        await Clients.User(user).SendAsync("whisper", from, message, Context.ConnectionAborted);
    }

    // The docs' channel streaming: the producer runs in the background, stopped by the caller's token.
    public ChannelReader<int> Counter(int count, int delay, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<int>();
        _ = WriteItemsAsync(channel.Writer, count, delay, cancellationToken);
        return channel.Reader;
    }

    private static async Task WriteItemsAsync(ChannelWriter<int> writer, int count, int delay, CancellationToken cancellationToken)
    {
        Exception? localException = null;
        try
        {
            for (var i = 0; i < count; i++)
            {
                await writer.WriteAsync(i, cancellationToken);
                await Task.Delay(delay, cancellationToken);
            }
        }
        catch (Exception ex)
        {
            localException = ex;
        }
        finally
        {
            writer.Complete(localException);
        }
    }

    // The async-enumerable form of the same.
    public async IAsyncEnumerable<int> Ticks(int count, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Delay(100, cancellationToken);
            yield return i;
        }
    }
}

/// <summary>A hub filter that logs every invocation.</summary>
public sealed class HubLoggingFilter(ILogger<HubLoggingFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        logger.LogDebug("Calling {Method}", invocationContext.HubMethodName);
        try
        {
            return await next(invocationContext);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "{Method} failed", invocationContext.HubMethodName);
            throw;
        }
    }
}

public sealed class SameTenantRequirement : IAuthorizationRequirement
{
}

/// <summary>Reads the user's claims synchronously.</summary>
public sealed class SameTenantHandler(IHttpContextAccessor accessor) : AuthorizationHandler<SameTenantRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, SameTenantRequirement requirement)
    {
        var routeTenant = accessor.HttpContext?.Request.RouteValues["tenant"] as string;
        var tenants = context.User.Claims.Where(c => c.Type == "tenant").Select(c => c.Value);
        if (routeTenant is not null && tenants.Any(t => string.Equals(t, routeTenant, StringComparison.OrdinalIgnoreCase)))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

/// <summary>Maps domain errors to status codes.</summary>
public sealed class DomainExceptionFilter(ILogger<DomainExceptionFilter> logger) : IExceptionFilter
{
    public void OnException(ExceptionContext context)
    {
        if (context.Exception is not KeyNotFoundException notFound)
            return;
        logger.LogInformation("Not found: {Message} ({Trace})", notFound.Message, context.HttpContext.TraceIdentifier);
        context.Result = new NotFoundObjectResult(new { error = notFound.Message });
        context.ExceptionHandled = true;
    }
}

/// <summary>Adds server timing headers just before the response starts.</summary>
public sealed class ServerTimingFilter : IAsyncResultFilter
{
    public async Task OnResultExecutionAsync(ResultExecutingContext context, ResultExecutionDelegate next)
    {
        var started = DateTime.UtcNow;
        var response = context.HttpContext.Response;
        response.OnStarting(() =>
        {
            response.Headers["Server-Timing"] = $"app;dur={(DateTime.UtcNow - started).TotalMilliseconds:0}";
            return Task.CompletedTask;
        });
        await next();
    }
}

/// <summary>An action filter whose synchronous halves read and write the request's items.</summary>
public sealed class AuditActionFilter(ILogger<AuditActionFilter> logger) : IActionFilter
{
    public void OnActionExecuting(ActionExecutingContext context) => context.HttpContext.Items["audit.started"] = DateTime.UtcNow;

    public void OnActionExecuted(ActionExecutedContext context)
    {
        var user = context.HttpContext.User;
        var roles = user.Claims.Where(c => c.Type == ClaimTypes.Role).Select(c => c.Value).ToList();
        logger.LogInformation("{User} ({Roles}) ran {Action}", user.Identity?.Name, string.Join(",", roles), context.ActionDescriptor.DisplayName);
    }
}

/// <summary>An endpoint filter that validates the argument and awaits the rest of the pipeline.</summary>
public sealed class NonEmptyNameFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var name = context.GetArgument<string>(0);
        if (string.IsNullOrWhiteSpace(name))
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["name"] = new[] { "required" } });
        return await next(context);
    }
}

public static class HubEndpoints
{
    public static void MapRealTime(this WebApplication app)
    {
        app.MapHub<NotificationHub>("/hubs/notifications");
        app.MapGet("/hello/{name}", (string name) => $"Hello {name}").AddEndpointFilter<NonEmptyNameFilter>();
        app.MapGet("/claims", (ClaimsPrincipal user) => user.Claims.Select(c => new { c.Type, c.Value }))
            .AddEndpointFilter(async (context, next) =>
            {
                context.HttpContext.Response.Headers.CacheControl = "no-store";
                return await next(context);
            });
    }
}
