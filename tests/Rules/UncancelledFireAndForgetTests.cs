using LeakAnalyzers.Rules;
using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.UncancelledFireAndForgetAnalyzer>;

namespace LeakAnalyzers.Tests.Rules;

public sealed class UncancelledFireAndForgetTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.AspNetCore.Builder;
        using Microsoft.AspNetCore.Http;
        using Microsoft.Extensions.Hosting;
        using Microsoft.Extensions.Logging;

        """;

    /// <summary>A conventional middleware whose <c>InvokeAsync</c> body is <paramref name="body"/>.</summary>
    private static string Middleware(string body, string members = "") => Usings + $$"""
        public sealed class AuditMiddleware
        {
            private readonly RequestDelegate _next;
            private readonly ILogger<AuditMiddleware> _logger;

            public AuditMiddleware(RequestDelegate next, ILogger<AuditMiddleware> logger)
            {
                _next = next;
                _logger = logger;
            }

            public async Task InvokeAsync(HttpContext context)
            {
        {{body}}
                await _next(context);
            }

            private static Task AuditAsync(string path, CancellationToken cancellationToken = default) => Task.Delay(10, cancellationToken);
            private static void Audit(string path) { }
        {{members}}
        }
        """;

    // ---------------------------------------------------------------- reports: escaping shapes

    [Theory]
    [InlineData("_ = [|Task.Run(() => Audit(\"x\"))|];")]
    [InlineData("[|Task.Run(() => Audit(\"x\"))|];")]
    [InlineData("_ = [|Task.Run(async () => { await Task.Delay(1000); Audit(\"x\"); })|];")]
    [InlineData("_ = [|Task.Run(() => Audit(\"x\"), CancellationToken.None)|];")]
    [InlineData("_ = [|Task.Run(() => Audit(\"x\"), default)|];")]
    [InlineData("_ = [|Task.Factory.StartNew(() => Audit(\"x\"))|];")]
    [InlineData("_ = [|Task.Factory.StartNew(() => Audit(\"x\"), TaskCreationOptions.LongRunning)|];")]
    [InlineData("[|ThreadPool.QueueUserWorkItem(_ => Audit(\"x\"))|];")]
    [InlineData("[|ThreadPool.UnsafeQueueUserWorkItem(_ => Audit(\"x\"), null)|];")]
    [InlineData("[|new Thread(() => Audit(\"x\"))|].Start();")]
    [InlineData("var thread = [|new Thread(() => Audit(\"x\")) { IsBackground = true }|]; thread.Start();")]
    [InlineData("_ = [|new Timer(_ => Audit(\"x\"), null, 1000, Timeout.Infinite)|];")]
    [InlineData("var timer = [|new Timer(_ => Audit(\"x\"), null, 1000, Timeout.Infinite)|];")]
    [InlineData("_ = [|Task.Delay(100).ContinueWith(_ => Audit(\"x\"))|];")]
    [InlineData("await [|Task.Delay(100).ContinueWith(async _ => { await Task.Delay(1000); Audit(\"x\"); })|];")]
    [InlineData("await [|Task.Factory.StartNew(async () => { await Task.Delay(1000); Audit(\"x\"); })|];")]
    [InlineData("_ = [|AuditAsync(\"x\")|];")]
    [InlineData("[|AuditAsync(\"x\")|];")]
    [InlineData("_ = [|AuditAsync(\"x\", CancellationToken.None)|];")]
    [InlineData("var pending = [|Task.Run(() => Audit(\"x\"))|];")]
    [InlineData("var pending = [|Task.Run(() => Audit(\"x\"))|]; if (pending.IsCompleted) Audit(\"done\");")]
    [InlineData("_ = [|Task.Run(() => Audit(\"x\"))|].ConfigureAwait(false);")]
    [InlineData("_ = Task.WhenAll([|Task.Run(() => Audit(\"a\"))|], [|Task.Run(() => Audit(\"b\"))|]);")]
    public async Task Reports_EscapingWorkInMiddleware(string statement)
    {
        await Analyze.DiagnosticsAsync(Middleware(statement));
    }

    [Fact]
    public async Task Reports_MethodGroupWithoutToken()
    {
        await Analyze.DiagnosticsAsync(Middleware("_ = [|Task.Run(Flush)|];", "private void Flush() => Audit(\"flush\");"));
    }

    [Fact]
    public async Task Reports_WithTheStartingCallInTheMessage()
    {
        await Analyze.DiagnosticsAsync(Middleware("_ = {|#0:Task.Factory.StartNew(() => Audit(\"x\"))|};"),
            Analyze.Diagnostic().WithLocation(0).WithArguments("Task.Factory.StartNew"));
    }

    // ---------------------------------------------------------------- reports: request-scoped shapes

    [Fact]
    public async Task Reports_IMiddleware()
    {
        await Analyze.DiagnosticsAsync(Usings + """
            public sealed class TimingMiddleware : IMiddleware
            {
                public async Task InvokeAsync(HttpContext context, RequestDelegate next)
                {
                    _ = [|Task.Run(() => Console.WriteLine("request"))|];
                    await next(context);
                }
            }
            """);
    }

    [Fact]
    public async Task Reports_HelperMethodOfConventionalMiddleware()
    {
        await Analyze.DiagnosticsAsync(Middleware("Schedule();", """
                private void Schedule() => _ = [|Task.Run(() => Audit("later"))|];
            """));
    }

    [Fact]
    public async Task Reports_InlineMiddlewareAndEndpoints()
    {
        await Analyze.DiagnosticsAsync(Usings + """
            public static class Endpoints
            {
                public static void Map(WebApplication app)
                {
                    app.Use(async (context, next) =>
                    {
                        _ = [|Task.Run(() => Console.WriteLine("use"))|];
                        await next(context);
                    });
                    app.Run(context =>
                    {
                        [|ThreadPool.QueueUserWorkItem(_ => Console.WriteLine("run"))|];
                        return Task.CompletedTask;
                    });
                    app.MapGet("/orders", () =>
                    {
                        _ = [|Task.Run(() => Console.WriteLine("get"))|];
                        return Results.Ok();
                    });
                    app.MapPost("/orders", (HttpContext http) =>
                    {
                        _ = [|Task.Run(() => Console.WriteLine("post"))|];
                        return Results.Accepted();
                    });
                    app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), branch => branch.Use(async (context, next) =>
                    {
                        _ = [|Task.Run(() => Console.WriteLine("branch"))|];
                        await next(context);
                    }));
                }
            }
            """);
    }

    [Fact]
    public async Task Reports_ControllerPageModelHubFiltersAndHandlers()
    {
        await Analyze.DiagnosticsAsync(Usings + """
            using Microsoft.AspNetCore.Authorization;
            using Microsoft.AspNetCore.Mvc;
            using Microsoft.AspNetCore.Mvc.Filters;
            using Microsoft.AspNetCore.Mvc.RazorPages;
            using Microsoft.AspNetCore.SignalR;

            public sealed class OrdersController : ControllerBase
            {
                [HttpPost]
                public IActionResult Create()
                {
                    _ = [|Task.Run(() => Console.WriteLine("created"))|];
                    return Accepted();
                }
            }

            public sealed class IndexModel : PageModel
            {
                public void OnGet() => _ = [|Task.Run(() => Console.WriteLine("page"))|];
            }

            public sealed class ChatHub : Hub
            {
                public Task Send(string message)
                {
                    _ = [|Task.Run(() => Console.WriteLine(message))|];
                    return Task.CompletedTask;
                }
            }

            public sealed class AuditFilter : IAsyncActionFilter
            {
                public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
                {
                    _ = [|Task.Run(() => Console.WriteLine("filter"))|];
                    await next();
                }
            }

            public sealed class LogEndpointFilter : IEndpointFilter
            {
                public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
                {
                    _ = [|Task.Run(() => Console.WriteLine("endpoint filter"))|];
                    return next(context);
                }
            }

            public sealed class MinimumAgeHandler : AuthorizationHandler<MinimumAgeRequirement>
            {
                protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, MinimumAgeRequirement requirement)
                {
                    _ = [|Task.Run(() => Console.WriteLine("authorize"))|];
                    return Task.CompletedTask;
                }
            }

            public sealed class MinimumAgeRequirement : IAuthorizationRequirement { }

            public static class ContextHelpers
            {
                public static void Track(HttpContext context) => _ = [|Task.Run(() => Console.WriteLine("helper"))|];
            }
            """);
    }

    // ---------------------------------------------------------------- does not report

    [Theory]
    [InlineData("await Task.Run(() => Audit(\"x\"));")]
    [InlineData("_ = await Task.Run(() => 42);")]
    [InlineData("await Task.Run(() => Audit(\"x\")).ConfigureAwait(false);")]
    [InlineData("var a = Task.Run(() => Audit(\"a\")); var b = Task.Run(() => Audit(\"b\")); await Task.WhenAll(a, b);")]
    [InlineData("await Task.WhenAll(Task.Run(() => Audit(\"a\")), Task.Run(() => Audit(\"b\")));")]
    [InlineData("var pending = Task.Run(() => Audit(\"x\")); await pending;")]
    [InlineData("Task.Run(() => Audit(\"x\")).Wait();")]
    [InlineData("await Task.Factory.StartNew(async () => { await Task.Delay(1000); Audit(\"x\"); }).Unwrap();")]
    [InlineData("await await Task.Factory.StartNew(async () => { await Task.Delay(1000); Audit(\"x\"); });")]
    [InlineData("await Task.Delay(100).ContinueWith(_ => Audit(\"x\"));")]
    [InlineData("_ = Task.Run(() => Audit(\"x\"), context.RequestAborted);")]
    [InlineData("_ = Task.Run(async () => await AuditAsync(\"x\", context.RequestAborted));")]
    [InlineData("var token = context.RequestAborted; _ = Task.Run(async () => { while (!token.IsCancellationRequested) await Task.Delay(1000); });")]
    [InlineData("_ = AuditAsync(\"x\", context.RequestAborted);")]
    [InlineData("_pending.Add(Task.Run(() => Audit(\"x\")));")]
    [InlineData("_last = Task.Run(() => Audit(\"x\"));")]
    [InlineData("Track(Task.Run(() => Audit(\"x\")));")]
    [InlineData("using var timer = new Timer(_ => Audit(\"x\"), null, 1000, Timeout.Infinite); await Task.Delay(10);")]
    [InlineData("var thread = new Thread(() => Audit(\"x\")); thread.Start(); thread.Join();")]
    [InlineData("var paths = new[] { \"a\" }.Select(p => p.ToUpperInvariant()).ToList();")]
    [InlineData("new List<string> { \"a\" }.ForEach(p => Audit(p));")]
    [InlineData("context.Response.OnCompleted(() => AuditAsync(\"x\"));")]
    [InlineData("await context.Response.WriteAsync(\"hello\");")]
    public async Task DoesNotReport_ObservedOrCancellableWork(string statement)
    {
        await Analyze.NoDiagnosticsAsync(Middleware(statement, """
                private readonly List<Task> _pending = new();
                private Task? _last;
                private static void Track(Task task) { }
            """));
    }

    [Fact]
    public async Task DoesNotReport_WorkThatObservesTheLifetimeToken()
    {
        await Analyze.NoDiagnosticsAsync(Usings + """
            public sealed class WarmupMiddleware(RequestDelegate next, IHostApplicationLifetime lifetime)
            {
                public async Task InvokeAsync(HttpContext context)
                {
                    _ = Task.Run(async () => await Task.Delay(1000, lifetime.ApplicationStopping));
                    _ = Task.Run(WarmAsync);
                    await next(context);
                }

                private async Task WarmAsync() => await Task.Delay(1000, lifetime.ApplicationStopping);
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_OutsideRequestCode()
    {
        await Analyze.NoDiagnosticsAsync(Usings + """
            public sealed class Worker : BackgroundService
            {
                protected override Task ExecuteAsync(CancellationToken stoppingToken)
                {
                    _ = Task.Run(() => Console.WriteLine("tick"), stoppingToken);
                    _ = Task.Run(() => Console.WriteLine("tick"));
                    return Task.CompletedTask;
                }
            }

            public sealed class Cache
            {
                public void Refresh() => _ = Task.Run(() => Console.WriteLine("refresh"));
            }

            public sealed class StartupMiddleware
            {
                private readonly RequestDelegate _next;

                public StartupMiddleware(RequestDelegate next)
                {
                    _next = next;
                    _ = Task.Run(() => Console.WriteLine("constructed once"));
                }

                public Task InvokeAsync(HttpContext context) => _next(context);
            }

            public static class Startup
            {
                public static void Configure(WebApplication app)
                {
                    _ = Task.Run(() => Console.WriteLine("startup"));
                    app.Map("/branch", branch => { _ = Task.Run(() => Console.WriteLine("configured once")); });
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_WorkHandedToAQueueOrChannel()
    {
        await Analyze.NoDiagnosticsAsync(Usings + """
            using System.Threading.Channels;

            public interface IBackgroundTaskQueue
            {
                ValueTask QueueBackgroundWorkItemAsync(Func<CancellationToken, ValueTask> workItem);
            }

            public sealed class QueueMiddleware(RequestDelegate next, IBackgroundTaskQueue queue, Channel<Task> channel)
            {
                public async Task InvokeAsync(HttpContext context)
                {
                    await queue.QueueBackgroundWorkItemAsync(async token => await Task.Delay(1000, token));
                    _ = queue.QueueBackgroundWorkItemAsync(async token => await Task.Delay(1000, token));
                    channel.Writer.TryWrite(Task.Run(() => Console.WriteLine("queued")));
                    await next(context);
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_NestedWorkInsideBackgroundWork()
    {
        // Only the outer start is reported: the inner one runs in the background already.
        await Analyze.DiagnosticsAsync(Middleware("""
                    _ = [|Task.Run(() => { _ = Task.Run(() => Audit("inner")); })|];
            """));
    }

    [Fact]
    public async Task DoesNotReport_ReturnedWork()
    {
        await Analyze.NoDiagnosticsAsync(Usings + """
            public static class Endpoints
            {
                public static void Map(WebApplication app)
                {
                    app.MapGet("/compute", () => Task.Run(() => 42));
                    app.Run(context => Task.Run(() => Console.WriteLine("returned")));
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_WithoutAspNetCore()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System;
            using System.Threading.Tasks;

            public static class Program
            {
                public static void Main() => _ = Task.Run(() => Console.WriteLine("hello"));
            }
            """, new TestSettings { References = References.NetOnly });
    }
}
