using LeakAnalyzers.Rules;
using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.UncancelledFireAndForgetAnalyzer>;
using VerifyCS = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.UncancelledFireAndForgetAnalyzer, LeakAnalyzers.Rules.UncancelledFireAndForgetFixer>;

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

    /// <summary>A conventional middleware whose <c>InvokeAsync</c> body is <paramref name="body"/> (<see cref="Sources.Middleware"/>).</summary>
    private static string Middleware(string body, string members = "") => Sources.Middleware(Usings, body, Helpers, members);

    private const string Helpers = """
            private static Task AuditAsync(string path, CancellationToken cancellationToken = default) => Task.Delay(10, cancellationToken);
            private static void Audit(string path) { }
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
    public async Task DoesNotReport_ContinuationOfCancellableWork()
    {
        // Errors of cancellable work logged by a continuation: the callback runs once the work ends.
        await Analyze.NoDiagnosticsAsync(Usings + """
            public sealed class ReindexMiddleware(RequestDelegate next, IHostApplicationLifetime lifetime, ILogger<ReindexMiddleware> logger)
            {
                public async Task InvokeAsync(HttpContext context)
                {
                    var stopping = lifetime.ApplicationStopping;
                    _ = Task.Run(() => Task.Delay(1000, stopping), stopping)
                        .ContinueWith(t => logger.LogError(t.Exception, "reindex failed"), TaskContinuationOptions.OnlyOnFaulted);
                    _ = Task.Delay(1000, stopping).ContinueWith(t => logger.LogInformation("done"), TaskScheduler.Default);
                    _ = ReindexAsync(stopping)
                        .ContinueWith(t => logger.LogError(t.Exception, "failed"), TaskContinuationOptions.OnlyOnFaulted)
                        .ContinueWith(t => logger.LogDebug("logged"), TaskContinuationOptions.None);
                    await next(context);
                }

                private static Task ReindexAsync(CancellationToken cancellationToken) => Task.Delay(10, cancellationToken);
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_MiddlewareHelperOnlyItsConstructorCalls()
    {
        // A conventional middleware is built once per application: its constructor's helpers are startup code.
        await Analyze.NoDiagnosticsAsync(Usings + """
            public sealed class GeoIpMiddleware
            {
                private readonly RequestDelegate _next;
                private readonly Task _loaded = Load();
                private volatile string[] _table = Array.Empty<string>();

                public GeoIpMiddleware(RequestDelegate next)
                {
                    _next = next;
                    StartLoading();
                    this.StartWatching();
                }

                private void StartLoading() => _ = Task.Run(LoadAsync);

                private void StartWatching() => _ = Task.Run(() => Console.WriteLine("watching"));

                private async Task LoadAsync()
                {
                    await Task.Delay(10);
                    _table = new[] { "127.0.0.1" };
                }

                private static Task Load() => Task.CompletedTask;

                public async Task InvokeAsync(HttpContext context)
                {
                    context.Items["known"] = _table.Length > 0;
                    await _next(context);
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

    // ---------------------------------------------------------------- fix 1: cancel when the application stops

    private static readonly TestSettings Cancel = new() { CodeAction = UncancelledFireAndForgetFixer.CancelTitle };
    private static readonly TestSettings Await = new() { CodeAction = UncancelledFireAndForgetFixer.AwaitTitle };

    [Fact]
    public async Task Fixes_ConventionalMiddlewareGetsTheLifetimeThroughItsConstructor()
    {
        await VerifyCS.FixAsync(Usings + """
            public sealed class AuditMiddleware
            {
                private readonly RequestDelegate _next;

                public AuditMiddleware(RequestDelegate next)
                {
                    _next = next;
                }

                public async Task InvokeAsync(HttpContext context)
                {
                    var path = context.Request.Path.Value;
                    // Audit off the request path.
                    _ = [|Task.Run(async () =>
                    {
                        await Task.Delay(3000);   // let the burst settle
                        Console.WriteLine(path);
                    })|];
                    await _next(context);
                }
            }
            """, Usings + """
            public sealed class AuditMiddleware
            {
                private readonly RequestDelegate _next;
                private readonly IHostApplicationLifetime _lifetime;

                public AuditMiddleware(RequestDelegate next, IHostApplicationLifetime lifetime)
                {
                    _next = next;
                    _lifetime = lifetime;
                }

                public async Task InvokeAsync(HttpContext context)
                {
                    var path = context.Request.Path.Value;
                    // Audit off the request path.
                    _ = Task.Run(async () =>
                    {
                        await Task.Delay(3000, _lifetime.ApplicationStopping);   // let the burst settle
                        Console.WriteLine(path);
                    }, _lifetime.ApplicationStopping);
                    await _next(context);
                }
            }
            """, Cancel);
    }

    [Fact]
    public async Task Fixes_FixAllInjectsOneLifetimeForSeveralStarts()
    {
        await VerifyCS.FixAsync(Usings + """
            public sealed class WarmupMiddleware
            {
                private readonly RequestDelegate _next;

                public WarmupMiddleware(RequestDelegate next) => _next = next;

                public Task InvokeAsync(HttpContext context)
                {
                    _ = [|Task.Run(() => Console.WriteLine("warm"))|];
                    _ = [|Task.Factory.StartNew(() => Console.WriteLine("warm"))|];
                    [|RefreshAsync()|];
                    return _next(context);
                }

                private static Task RefreshAsync(CancellationToken cancellationToken = default) => Task.Delay(10, cancellationToken);
            }
            """, Usings + """
            public sealed class WarmupMiddleware
            {
                private readonly RequestDelegate _next;
                private readonly IHostApplicationLifetime _lifetime;

                public WarmupMiddleware(RequestDelegate next, IHostApplicationLifetime lifetime)
                {
                    _next = next;
                    _lifetime = lifetime;
                }

                public Task InvokeAsync(HttpContext context)
                {
                    _ = Task.Run(() => Console.WriteLine("warm"), _lifetime.ApplicationStopping);
                    _ = Task.Factory.StartNew(() => Console.WriteLine("warm"), _lifetime.ApplicationStopping);
                    RefreshAsync(_lifetime.ApplicationStopping);
                    return _next(context);
                }

                private static Task RefreshAsync(CancellationToken cancellationToken = default) => Task.Delay(10, cancellationToken);
            }
            """, Cancel);
    }

    [Fact]
    public async Task Fixes_PrimaryConstructorGetsAParameterAndAnExistingOneIsReused()
    {
        await VerifyCS.FixAsync(Usings + """
            public sealed class TimingMiddleware(RequestDelegate next, ILogger<TimingMiddleware> logger) : IMiddleware
            {
                public async Task InvokeAsync(HttpContext context, RequestDelegate _)
                {
                    [|ThreadPool.QueueUserWorkItem(async _ => await Task.Delay(100))|];
                    logger.LogInformation("queued");
                    await next(context);
                }
            }

            public sealed class CountingMiddleware(RequestDelegate next, IHostApplicationLifetime appLifetime)
            {
                public bool Stopping => appLifetime.ApplicationStopping.IsCancellationRequested;

                public async Task InvokeAsync(HttpContext context)
                {
                    _ = [|Task.Run(() => Console.WriteLine("count"))|];
                    await next(context);
                }
            }
            """, Usings + """
            public sealed class TimingMiddleware(RequestDelegate next, ILogger<TimingMiddleware> logger, IHostApplicationLifetime lifetime) : IMiddleware
            {
                public async Task InvokeAsync(HttpContext context, RequestDelegate _)
                {
                    ThreadPool.QueueUserWorkItem(async _ => await Task.Delay(100, lifetime.ApplicationStopping));
                    logger.LogInformation("queued");
                    await next(context);
                }
            }

            public sealed class CountingMiddleware(RequestDelegate next, IHostApplicationLifetime appLifetime)
            {
                public bool Stopping => appLifetime.ApplicationStopping.IsCancellationRequested;

                public async Task InvokeAsync(HttpContext context)
                {
                    _ = Task.Run(() => Console.WriteLine("count"), appLifetime.ApplicationStopping);
                    await next(context);
                }
            }
            """, Cancel);
    }

    [Fact]
    public async Task Fixes_FixAllInjectsIntoEachClassOfADocument()
    {
        await VerifyCS.FixAsync(Usings + """
            public sealed class FirstMiddleware(RequestDelegate next)
            {
                public async Task InvokeAsync(HttpContext context)
                {
                    _ = [|Task.Run(() => Console.WriteLine("first"))|];
                    await next(context);
                }
            }

            public sealed class SecondMiddleware(RequestDelegate next)
            {
                public async Task InvokeAsync(HttpContext context)
                {
                    _ = [|Task.Run(() => Console.WriteLine("second"))|];
                    await next(context);
                }
            }
            """, Usings + """
            public sealed class FirstMiddleware(RequestDelegate next, IHostApplicationLifetime lifetime)
            {
                public async Task InvokeAsync(HttpContext context)
                {
                    _ = Task.Run(() => Console.WriteLine("first"), lifetime.ApplicationStopping);
                    await next(context);
                }
            }

            public sealed class SecondMiddleware(RequestDelegate next, IHostApplicationLifetime lifetime)
            {
                public async Task InvokeAsync(HttpContext context)
                {
                    _ = Task.Run(() => Console.WriteLine("second"), lifetime.ApplicationStopping);
                    await next(context);
                }
            }
            """, Cancel);
    }

    [Fact]
    public async Task Fixes_ControllerWithoutConstructorGetsOne()
    {
        await VerifyCS.FixAsync(Usings + """
            using Microsoft.AspNetCore.Mvc;

            public sealed class OrdersController : ControllerBase
            {
                [HttpPost]
                public IActionResult Create()
                {
                    _ = [|Task.Run(() => Console.WriteLine("created"))|];
                    return Accepted();
                }
            }
            """, Usings + """
            using Microsoft.AspNetCore.Mvc;

            public sealed class OrdersController : ControllerBase
            {
                private readonly IHostApplicationLifetime _lifetime;

                public OrdersController(IHostApplicationLifetime lifetime)
                {
                    _lifetime = lifetime;
                }

                [HttpPost]
                public IActionResult Create()
                {
                    _ = Task.Run(() => Console.WriteLine("created"), _lifetime.ApplicationStopping);
                    return Accepted();
                }
            }
            """, Cancel);
    }

    [Fact]
    public async Task Fixes_InlineMiddlewareUsesTheApplicationsLifetime()
    {
        await VerifyCS.FixAsync("""
            using System;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Http;

            var app = WebApplication.Create(args);
            app.Use(async (context, next) =>
            {
                // Fire and forget.
                _ = [|Task.Run(async () => await Task.Delay(1000))|];
                _ = [|Task.Run(() => Console.WriteLine("second"))|];
                await next(context);
            });
            app.Run();
            """, """
            using System;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Http;

            var app = WebApplication.Create(args);
            app.Use(async (context, next) =>
            {
                // Fire and forget.
                var stopping = app.Lifetime.ApplicationStopping;
                _ = Task.Run(async () => await Task.Delay(1000, stopping), stopping);
                _ = Task.Run(() => Console.WriteLine("second"), stopping);
                await next(context);
            });
            app.Run();
            """, new TestSettings { CodeAction = UncancelledFireAndForgetFixer.CancelTitle, OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication });
    }

    [Fact]
    public async Task Fixes_EndpointLambdaPassesTheTokenToAnExtensionCall()
    {
        await VerifyCS.FixAsync(Usings + """
            public static class AuditLog
            {
                public static Task WriteAuditAsync(this ILogger logger, string entry, CancellationToken cancellationToken = default) => Task.Delay(1, cancellationToken);
            }

            public static class Endpoints
            {
                public static void Map(WebApplication app)
                {
                    app.MapPost("/orders/{id:int}", (int id, ILogger<WebApplication> logger) =>
                    {
                        _ = [|logger.WriteAuditAsync($"order {id} confirmed")|];
                        return Results.Accepted();
                    });
                }
            }
            """, Usings + """
            public static class AuditLog
            {
                public static Task WriteAuditAsync(this ILogger logger, string entry, CancellationToken cancellationToken = default) => Task.Delay(1, cancellationToken);
            }

            public static class Endpoints
            {
                public static void Map(WebApplication app)
                {
                    app.MapPost("/orders/{id:int}", (int id, ILogger<WebApplication> logger) =>
                    {
                        var stopping = app.Lifetime.ApplicationStopping;
                        _ = logger.WriteAuditAsync($"order {id} confirmed", stopping);
                        return Results.Accepted();
                    });
                }
            }
            """, Cancel);
    }

    [Fact]
    public async Task Fixes_StaticHandlerUsesTheRequestServices()
    {
        await VerifyCS.FixAsync("""
            using System;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public static class Handlers
            {
                public static IResult Accept(HttpContext http)
                {
                    _ = [|Task.Run(() => Console.WriteLine("accepted"))|];
                    return Results.Accepted();
                }
            }
            """, """
            using System;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;
            using Microsoft.Extensions.DependencyInjection;
            using Microsoft.Extensions.Hosting;

            public static class Handlers
            {
                public static IResult Accept(HttpContext http)
                {
                    var stopping = http.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
                    _ = Task.Run(() => Console.WriteLine("accepted"), stopping);
                    return Results.Accepted();
                }
            }
            """, Cancel);
    }

    [Fact]
    public async Task NoFix_NothingCouldObserveTheToken()
    {
        await VerifyCS.NoFixAsync(Middleware("""new Thread(() => Audit("x")).Start();""").Replace("new Thread", "[|new Thread").Replace("Audit(\"x\"))", "Audit(\"x\"))|]"));
    }

    [Fact]
    public async Task NoFix_TimerCallbackWithNothingToCancel()
    {
        await VerifyCS.NoFixAsync(Middleware("""_ = [|new Timer(_ => Audit("poll"), null, 1000, Timeout.Infinite)|];"""));
    }

    [Fact]
    public async Task Fixes_SeveralConstructorsFallBackToTheRequestServices()
    {
        await VerifyCS.FixAsync(Usings + """
            public sealed class PollMiddleware
            {
                private readonly RequestDelegate _next;

                public PollMiddleware(RequestDelegate next) => _next = next;
                public PollMiddleware(RequestDelegate next, string name) => _next = next;

                public Task InvokeAsync(HttpContext context)
                {
                    _ = [|Task.Run(() => Console.WriteLine("poll"))|];
                    return _next(context);
                }
            }
            """, Usings.Replace("using Microsoft.AspNetCore.Http;\n", "using Microsoft.AspNetCore.Http;\nusing Microsoft.Extensions.DependencyInjection;\n") + """
            public sealed class PollMiddleware
            {
                private readonly RequestDelegate _next;

                public PollMiddleware(RequestDelegate next) => _next = next;
                public PollMiddleware(RequestDelegate next, string name) => _next = next;

                public Task InvokeAsync(HttpContext context)
                {
                    var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
                    _ = Task.Run(() => Console.WriteLine("poll"), stopping);
                    return _next(context);
                }
            }
            """, Cancel);
    }

    // ---------------------------------------------------------------- fix 2: await

    [Fact]
    public async Task Fixes_AwaitInAsyncMiddlewareForwardsRequestAborted()
    {
        await VerifyCS.FixAsync(Middleware("""
                    _ = [|Task.Run(async () => await AuditAsync("x"))|];   // fire and forget
            """), Middleware("""
                    await Task.Run(async () => await AuditAsync("x", context.RequestAborted), context.RequestAborted);   // fire and forget
            """), Await);
    }

    [Fact]
    public async Task Fixes_AwaitMakesATaskReturningMethodAsync()
    {
        await VerifyCS.FixAsync(Usings + """
            public sealed class WarmupMiddleware
            {
                private readonly RequestDelegate _next;

                public WarmupMiddleware(RequestDelegate next) => _next = next;

                public Task InvokeAsync(HttpContext context)
                {
                    if (context.Request.Path == "/health")
                        return Task.CompletedTask;
                    [|Task.Run(() => Console.WriteLine("warm"))|];
                    return _next(context);
                }
            }
            """, Usings + """
            public sealed class WarmupMiddleware
            {
                private readonly RequestDelegate _next;

                public WarmupMiddleware(RequestDelegate next) => _next = next;

                public async Task InvokeAsync(HttpContext context)
                {
                    if (context.Request.Path == "/health")
                        return;
                    await Task.Run(() => Console.WriteLine("warm"), context.RequestAborted);
                    await _next(context);
                }
            }
            """, Await);
    }

    [Fact]
    public async Task Fixes_AwaitInEndpointLambdaAndUnwrapsTaskOfTask()
    {
        await VerifyCS.FixAsync(Usings + """
            public static class Endpoints
            {
                public static void Map(WebApplication app)
                {
                    app.MapPost("/orders", (HttpContext http) =>
                    {
                        _ = [|Task.Factory.StartNew(async () => await Task.Delay(100))|];
                        return Results.Accepted();
                    });
                }
            }
            """, Usings + """
            public static class Endpoints
            {
                public static void Map(WebApplication app)
                {
                    app.MapPost("/orders", async (HttpContext http) =>
                    {
                        await Task.Factory.StartNew(async () => await Task.Delay(100, http.RequestAborted), http.RequestAborted).Unwrap();
                        return Results.Accepted();
                    });
                }
            }
            """, Await);
    }

    [Fact]
    public async Task Fixes_AwaitMakesAControllerActionAsync()
    {
        await VerifyCS.FixAsync(Usings + """
            using Microsoft.AspNetCore.Mvc;

            public sealed class OrdersController : ControllerBase
            {
                [HttpPost]
                public IActionResult Create()
                {
                    _ = [|Task.Run(async () => await Task.Delay(100))|];
                    return Accepted();
                }
            }
            """, Usings + """
            using Microsoft.AspNetCore.Mvc;

            public sealed class OrdersController : ControllerBase
            {
                [HttpPost]
                public async Task<IActionResult> Create()
                {
                    await Task.Run(async () => await Task.Delay(100, HttpContext.RequestAborted), HttpContext.RequestAborted);
                    return Accepted();
                }
            }
            """, Await);
    }

    // ---------------------------------------------------------------- both rules on one statement

    private const string ClassicBefore = """
                _ = {|LEAK002:Task.Run(async () =>
                {
                    await Task.Delay(3000);
                    _logger.LogInformation("Audited {Path}", {|LEAK003:context|}.Request.Path);
                })|};
        """;

    private const string ClassicCopied = """
                var path = context.Request.Path;
                _ = {|LEAK002:Task.Run(async () =>
                {
                    await Task.Delay(3000);
                    _logger.LogInformation("Audited {Path}", path);
                })|};
        """;

    [Fact]
    public async Task Fixes_BothRulesOnTheClassicStatementInTurn()
    {
        // LEAK003's fix first: the closure reads a copied PathString instead of the pooled HttpContext.
        await Verify<HttpContextCapturedByClosureAnalyzer, UncancelledFireAndForgetAnalyzer, HttpContextCapturedByClosureFixer>.FixAsync(
            ClassicMiddleware(ClassicBefore, injected: false), ClassicMiddleware(ClassicCopied, injected: false));

        // Then LEAK002's: the work stops with the application, not with the request.
        await Verify<UncancelledFireAndForgetAnalyzer, HttpContextCapturedByClosureAnalyzer, UncancelledFireAndForgetFixer>.FixAsync(
            ClassicMiddleware(ClassicCopied, injected: false), ClassicMiddleware("""
                var path = context.Request.Path;
                _ = Task.Run(async () =>
                {
                    await Task.Delay(3000, _lifetime.ApplicationStopping);
                    _logger.LogInformation("Audited {Path}", path);
                }, _lifetime.ApplicationStopping);
        """, injected: true), Cancel);
    }

    [Fact]
    public async Task Fixes_AwaitingTheClassicStatementSettlesBothRules()
    {
        await Verify<UncancelledFireAndForgetAnalyzer, HttpContextCapturedByClosureAnalyzer, UncancelledFireAndForgetFixer>.FixAsync(
            ClassicMiddleware(ClassicBefore, injected: false), ClassicMiddleware("""
                await Task.Run(async () =>
                {
                    await Task.Delay(3000, context.RequestAborted);
                    _logger.LogInformation("Audited {Path}", context.Request.Path);
                }, context.RequestAborted);
        """, injected: false), Await);
    }

    private static string ClassicMiddleware(string body, bool injected) => Usings + $$"""
        public sealed class AuditMiddleware
        {
            private readonly RequestDelegate _next;
            private readonly ILogger<AuditMiddleware> _logger;{{(injected ? "\n    private readonly IHostApplicationLifetime _lifetime;" : "")}}

            public AuditMiddleware(RequestDelegate next, ILogger<AuditMiddleware> logger{{(injected ? ", IHostApplicationLifetime lifetime" : "")}})
            {
                _next = next;
                _logger = logger;{{(injected ? "\n        _lifetime = lifetime;" : "")}}
            }

            public async Task InvokeAsync(HttpContext context)
            {
        {{body}}
                await _next(context);
            }
        }
        """;
}
