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

    // ---------------------------------------------------------------- does not report: code that does not fully bind

    [Theory]
    [InlineData("await Task.Run(() => {|CS0103:Unknown|}.Log(\"x\"));")]
    [InlineData("_ = Task.Factory.StartNew(() => Audit(\"x\"), {|CS0103:unknownToken|});")]
    [InlineData("_ = Task.Run(() => {|CS0103:Unknown|}.Log(\"x\"), context.RequestAborted);")]
    [InlineData("_ = Task.Run(() => {|CS0103:Unknown|}.Log(\"x\", {|CS0103:stoppingToken|}));")]
    [InlineData("_pending.Add(Task.Run(() => {|CS0103:Unknown|}.Log(\"x\")));")]
    [InlineData("{|CS0103:Unknown|}.Run(() => Audit(\"x\"));")]
    [InlineData("_ = {|CS0103:Unknown|}.Forget(Task.Run(() => Audit(\"x\")));")]
    [InlineData("await Task.WhenAll(Task.Run(() => Audit(\"a\")), {|CS0103:unknown|});")]
    public async Task DoesNotReport_ObservedOrCancellableWorkThatDoesNotBind(string statement)
    {
        await Analyze.NoDiagnosticsAsync(Middleware(statement, """
                private readonly List<Task> _pending = new();
            """));
    }

    // ---------------------------------------------------------------- does not report: work that only stops the application

    [Theory]
    [InlineData("_ = Task.Run(() => _lifetime.StopApplication());")]
    [InlineData("_ = Task.Run(_lifetime.StopApplication);")]
    [InlineData("Task.Factory.StartNew(() => _lifetime.StopApplication());")]
    [InlineData("_ = Task.Delay(3000).ContinueWith(_ => _lifetime.StopApplication());")]
    [InlineData("_ = Task.Delay(500).ContinueWith((_, state) => ((IHostApplicationLifetime)state!).StopApplication(), _lifetime);")]
    [InlineData("_ = Task.Run(async () => { await Task.Delay(500); _lifetime.StopApplication(); });")]
    [InlineData("_ = Task.Run(() => { Thread.Sleep(500); Environment.Exit(0); });")]
    [InlineData("Task.Factory.StartNew(() => _lifecycle.Restart());")]
    [InlineData("_ = _lifecycle.ShutdownAsync();")]
    public async Task DoesNotReport_WorkThatOnlyStopsOrRestartsTheApplication(string statement)
    {
        // Nothing outlives the stop, and a token to cancel it makes no sense.
        await Analyze.NoDiagnosticsAsync(Usings + """
            public interface ILifecycleService
            {
                void Restart();
                Task ShutdownAsync();
            }

            """ + Middleware(statement, """
                private readonly IHostApplicationLifetime _lifetime = null!;
                private readonly ILifecycleService _lifecycle = null!;
            """).Substring(Usings.Length));
    }

    // ---------------------------------------------------------------- does not report: hand-off to an owner that cancels

    [Fact]
    public async Task DoesNotReport_HandOffToASchedulerThatCancelsOrQueuesTheWork()
    {
        // The single implementation of each interface (read a hop or two) owns the work: a token source it cancels at
        // shutdown, the application's stopping token, a token it keeps, or a job queue.
        await Analyze.NoDiagnosticsAsync(Usings + """
            using Microsoft.AspNetCore.Mvc;

            public interface IJobScheduler { Task RunNowAsync(string job); }
            public interface IScanScheduler { Task ScanLibraries(bool force = false); }
            public interface IWarmer { Task WarmAsync(); }
            public interface IExporter { Task ExportAsync(int id); }

            public sealed class JobScheduler : IJobScheduler, IDisposable
            {
                private readonly CancellationTokenSource _stopping = new();

                public Task RunNowAsync(string job) => RunAsync(job);

                private Task RunAsync(string job) => Task.Run(() => ExecuteAsync(job));

                private async Task ExecuteAsync(string job)
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
                    await Task.Delay(60_000, timeout.Token);
                }

                public void Dispose() => _stopping.Cancel();
            }

            public static class BackgroundJob
            {
                public static string Enqueue(Func<Task> job) => "1";
            }

            public sealed class ScanScheduler : IScanScheduler
            {
                public async Task ScanLibraries(bool force = false)
                {
                    await Task.Yield();
                    BackgroundJob.Enqueue(() => Task.Delay(60_000));
                }
            }

            public sealed class Warmer(IHostApplicationLifetime lifetime) : IWarmer
            {
                public Task WarmAsync() => Task.Delay(60_000, lifetime.ApplicationStopping);
            }

            public sealed class Exporter : IExporter
            {
                private readonly CancellationToken _shutdown = CancellationToken.None;

                public Task ExportAsync(int id) => Task.Delay(60_000, _shutdown);
            }

            public sealed class LibraryController(IJobScheduler jobs, IScanScheduler scans, IWarmer warmer, IExporter exporter) : ControllerBase
            {
                [HttpPost]
                public IActionResult Scan(bool force)
                {
                    _ = jobs.RunNowAsync("scan");
                    scans.ScanLibraries(force);
                    _ = warmer.WarmAsync();
                    _ = exporter.ExportAsync(1);
                    return Ok();
                }
            }
            """);
    }

    // ---------------------------------------------------------------- does not report: look-alikes of the new request shapes

    [Fact]
    public async Task DoesNotReport_AccessorParameterOrStartupLocalFunction()
    {
        // The accessor is a singleton that reads whatever request is current: a method taking it may run anywhere. A
        // local function that takes no request context, in startup code, runs once.
        await Analyze.NoDiagnosticsAsync(Usings + """
            public static class Warmup
            {
                public static void Prime(IHttpContextAccessor accessor) => _ = Task.Run(() => Console.WriteLine(accessor.GetType()));

                public static void Configure(WebApplication app)
                {
                    Warm();

                    void Warm() => _ = Task.Run(() => Console.WriteLine("warm"));
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_TaskOfTaskUnwrappedOrKeptWhole()
    {
        await Analyze.NoDiagnosticsAsync(Usings + """
            using Microsoft.AspNetCore.Mvc;

            public sealed class ReportsController : ControllerBase
            {
                [HttpPost]
                public async Task<IActionResult> Build()
                {
                    await RefreshAsync();
                    await ReloadAsync();
                    await StartRefresh().Unwrap();
                    return Ok();
                }

                private Task RefreshAsync() => Task.Factory.StartNew(async () => { await Task.Delay(1000); }).Unwrap();

                private async Task ReloadAsync()
                {
                    var inner = await Task.Factory.StartNew(async () => { await Task.Delay(1000); });
                    await inner;
                }

                private Task<Task> StartRefresh() => Task.Factory.StartNew(async () => { await Task.Delay(1000); });
            }
            """);
    }
}
