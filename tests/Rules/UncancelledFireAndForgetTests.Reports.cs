using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.UncancelledFireAndForgetAnalyzer>;

namespace LeakAnalyzers.Tests.Rules;

public sealed partial class UncancelledFireAndForgetTests
{
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

    [Theory]
    [InlineData("_ = [|AuditAsync(\"x\").ContinueWith(t => Audit(\"failed\"), TaskContinuationOptions.OnlyOnFaulted)|];")]
    [InlineData("_ = [|Task.Run(() => Audit(\"x\"), _stopping).ContinueWith(async t => { await Task.Delay(1000); Audit(\"later\"); })|];")]
    public async Task Reports_ContinuationOfUncancelledWorkOrStartingMoreWork(string statement)
    {
        // The continuation of a call no token reaches; a continuation that starts work of its own after cancellable work.
        await Analyze.DiagnosticsAsync(Middleware(statement, "private readonly CancellationToken _stopping = CancellationToken.None;"));
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
    public async Task Reports_MiddlewareHelperAlsoCalledPerRequestAndControllerConstructorHelper()
    {
        // Called from InvokeAsync too, it runs per request; a controller is built per request.
        await Analyze.DiagnosticsAsync(Usings + """
            using Microsoft.AspNetCore.Mvc;

            public sealed class WarmupMiddleware
            {
                private readonly RequestDelegate _next;

                public WarmupMiddleware(RequestDelegate next)
                {
                    _next = next;
                    Warm();
                }

                public async Task InvokeAsync(HttpContext context)
                {
                    Warm();
                    await _next(context);
                }

                private void Warm() => _ = [|Task.Run(() => Console.WriteLine("warm"))|];
            }

            public sealed class ReportsController : ControllerBase
            {
                public ReportsController() => Prefetch();

                private void Prefetch() => _ = [|Task.Run(() => Console.WriteLine("prefetch"))|];
            }
            """);
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
}
