using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.UncancelledFireAndForgetAnalyzer>;

namespace LeakAnalyzers.Tests.Rules;

public sealed partial class UncancelledFireAndForgetTests
{
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
}
