using LeakAnalyzers.Rules;
using Xunit;
using VerifyCS = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.UncancelledFireAndForgetAnalyzer, LeakAnalyzers.Rules.UncancelledFireAndForgetFixer>;

namespace LeakAnalyzers.Tests.Rules;

public sealed partial class UncancelledFireAndForgetTests
{
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

    [Theory]
    [InlineData("_ = [|Task.Run(() => {|CS0103:Unknown|}.Log(\"x\"))|];")]
    [InlineData("[|SaveAsync({|CS0103:unknown|})|];")]
    public async Task NoFix_CodeThatDoesNotBind(string statement)
    {
        // The overload the call will bind to is not known yet: no edit of its arguments can be checked.
        await VerifyCS.NoFixAsync(Middleware(statement, """
                private static Task SaveAsync(int id) => Task.CompletedTask;
                private static Task SaveAsync(string name, int id) => Task.CompletedTask;
            """));
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
                _ = {|LEAK002:{|LEAK003:Task.Run(async () =>
                {
                    await Task.Delay(3000);
                    _logger.LogInformation("Audited {Path}", context.Request.Path);
                })|}|};
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

    private static string ClassicMiddleware(string body, bool injected) => Sources.MiddlewareWithLifetime(Usings, body, injected);
}
