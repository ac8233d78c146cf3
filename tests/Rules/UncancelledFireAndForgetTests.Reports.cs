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

    // ---------------------------------------------------------------- reports: code that does not fully bind

    [Theory]
    [InlineData("_ = [|Task.Run(() => {|CS0103:Unknown|}.Log(\"x\"))|];")]
    [InlineData("[|Task.Run(async () => { await Task.Delay(1000); await {|CS0103:Unknown|}.LogAsync(\"x\"); })|];")]
    [InlineData("_ = [|Task.Factory.StartNew(() => {|CS0103:Unknown|}.Log(\"x\"))|];")]
    [InlineData("_ = [|Task.Delay(100).ContinueWith(_ => {|CS0103:Unknown|}.Log(\"x\"))|];")]
    [InlineData("[|ThreadPool.QueueUserWorkItem(_ => {|CS0103:Unknown|}.Log(\"x\"))|];")]
    [InlineData("[|new Thread(() => {|CS0103:Unknown|}.Log(\"x\"))|].Start();")]
    [InlineData("var pending = [|Task.Run(() => {|CS0103:Unknown|}.Log(\"x\"))|];")]
    [InlineData("_ = [|SaveAsync({|CS0103:unknown|})|];")]
    [InlineData("_ = [|Task.Run(() => Audit(\"x\"))|].ConfigureAwait({|CS0103:unknown|});")]
    public async Task Reports_StartsThatDoNotFullyBind(string statement)
    {
        // Every candidate of the call is the same kind of work start: it is judged as that start.
        await Analyze.DiagnosticsAsync(Middleware(statement, """
                private static Task SaveAsync(int id) => Task.CompletedTask;
                private static Task SaveAsync(string name, int id) => Task.CompletedTask;
            """));
    }

    [Fact]
    public async Task Reports_StartThatDoesNotBindNamedAsTheCall()
    {
        await Analyze.DiagnosticsAsync(Middleware("_ = {|#0:Task.Factory.StartNew(() => {|CS0103:Unknown|}.Log(\"x\"))|};"),
            Analyze.Diagnostic().WithLocation(0).WithArguments("Task.Factory.StartNew"));
    }

    [Fact]
    public async Task Reports_WorkInAServiceOfAnUnresolvedType()
    {
        await Analyze.DiagnosticsAsync(Usings + """
            using Microsoft.AspNetCore.Mvc;

            public sealed class ImportController({|CS0246:IImportService|} imports) : ControllerBase
            {
                [HttpPost]
                public IActionResult Import()
                {
                    _ = [|Task.Run(() => imports.ImportAll())|];
                    return Accepted();
                }
            }
            """);
    }

    // ---------------------------------------------------------------- reports: more request-scoped shapes

    [Fact]
    public async Task Reports_RequestScopePassedInAWrapper()
    {
        // A method taking an object that exposes the request's HttpContext runs for that request; so does an
        // authentication event, whose context carries the HttpContext.
        await Analyze.DiagnosticsAsync(Usings + """
            using Microsoft.AspNetCore.Authentication.Cookies;
            using Microsoft.AspNetCore.Mvc;

            public sealed class RequestContext(HttpContext httpContext)
            {
                public HttpContext HttpContext { get; } = httpContext;
                public string Tenant => HttpContext.Request.Headers["X-Tenant"].ToString();
            }

            public static class Audits
            {
                public static void Track(RequestContext request) => _ = [|Task.Run(() => Console.WriteLine("track"))|];

                public static void Log(ActionContext action) => [|ThreadPool.QueueUserWorkItem(_ => Console.WriteLine("log"))|];
            }

            public static class Authentication
            {
                public static void Configure(CookieAuthenticationOptions options)
                {
                    options.Events.OnSigningIn = context =>
                    {
                        _ = [|Task.Run(() => Console.WriteLine("signed in"))|];
                        return Task.CompletedTask;
                    };
                }
            }
            """);
    }

    [Fact]
    public async Task Reports_LocalFunctionTakingTheContext()
    {
        // Wired as middleware at startup, the local function runs per request.
        await Analyze.DiagnosticsAsync(Usings + """
            public static class Pipeline
            {
                public static void Configure(WebApplication app)
                {
                    app.Use(Audit);

                    Task Audit(HttpContext context, RequestDelegate next)
                    {
                        _ = [|Task.Run(() => Console.WriteLine(context.TraceIdentifier.Length))|];
                        return next(context);
                    }
                }
            }
            """);
    }

    [Theory]
    [InlineData("Task pending = [|Task.Factory.StartNew(async () => { await Task.Delay(1000); Audit(\"x\"); })|]; await pending;")]
    [InlineData("await Task.WhenAll([|Task.Factory.StartNew(async () => { await Task.Delay(1000); Audit(\"x\"); })|], Task.Delay(10));")]
    [InlineData("await (Task)[|Task.Delay(10).ContinueWith(async _ => { await Task.Delay(1000); Audit(\"x\"); })|];")]
    [InlineData("await RefreshAsync();")]
    public async Task Reports_TaskOfTaskSeenAsAPlainTask(string statement)
    {
        // Awaiting or returning a Task<Task> as a Task waits for the start only: the inner task, the work, is dropped.
        await Analyze.DiagnosticsAsync(Middleware(statement, """
                private Task RefreshAsync() => [|Task.Factory.StartNew(async () => { await Task.Delay(1000); Audit("x"); })|];
            """));
    }

    [Theory]
    [InlineData("_ = [|Task.Run(async () => { await ReindexAsync(); _lifetime.StopApplication(); })|];")]
    [InlineData("_ = [|Task.Delay(1000).ContinueWith(_ => { Audit(\"x\"); _lifetime.StopApplication(); })|];")]
    public async Task Reports_WorkThatDoesMoreThanStopTheApplication(string statement)
    {
        await Analyze.DiagnosticsAsync(Middleware(statement, """
                private readonly IHostApplicationLifetime _lifetime = null!;
                private static Task ReindexAsync() => Task.Delay(60_000);
            """));
    }

    [Fact]
    public async Task Reports_HandOffWhoseImplementationDoesNotCancel()
    {
        // One implementation that does the work itself with no token; an interface with two implementations; one
        // implemented nowhere in the compilation: nothing shows that an owner cancels the work.
        await Analyze.DiagnosticsAsync(Usings + """
            using Microsoft.AspNetCore.Mvc;

            public interface IReindexer { Task ReindexAsync(int id); }
            public interface IJobRunner { Task RunAsync(string job); }
            public interface IRemoteScheduler { Task TriggerAsync(string job); }

            public sealed class Reindexer : IReindexer
            {
                public async Task ReindexAsync(int id) => await Task.Delay(60_000);
            }

            public sealed class LocalJobRunner : IJobRunner, IDisposable
            {
                private readonly CancellationTokenSource _stopping = new();
                public Task RunAsync(string job) => Task.Delay(60_000, _stopping.Token);
                public void Dispose() => _stopping.Cancel();
            }

            public sealed class InlineJobRunner : IJobRunner
            {
                public Task RunAsync(string job) => Task.Delay(60_000);
            }

            public sealed class ProductsController(IReindexer reindexer, IJobRunner jobs, IRemoteScheduler scheduler) : ControllerBase
            {
                [HttpPost]
                public IActionResult Save(int id)
                {
                    _ = [|reindexer.ReindexAsync(id)|];
                    _ = [|jobs.RunAsync("reindex")|];
                    _ = [|scheduler.TriggerAsync("reindex")|];
                    return Ok();
                }
            }
            """);
    }
}
