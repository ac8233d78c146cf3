using LeakAnalyzers.Rules;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.HttpContextCapturedByClosureAnalyzer>;
using VerifyCS = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.HttpContextCapturedByClosureAnalyzer, LeakAnalyzers.Rules.HttpContextCapturedByClosureFixer>;

namespace LeakAnalyzers.Tests.Rules;

public sealed class HttpContextCapturedByClosureTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Security.Claims;
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
            private static void Audit(object? value) { }
        """;

    // ---------------------------------------------------------------- reports: escaping shapes

    [Theory]
    [InlineData("_ = Task.Run(() => Audit([|context|].Request.Path));")]
    [InlineData("_ = Task.Run(async () => { await Task.Delay(3000); Audit([|context|].Request.Path); });")]
    [InlineData("_ = Task.Factory.StartNew(() => Audit([|context|].TraceIdentifier));")]
    [InlineData("ThreadPool.QueueUserWorkItem(_ => Audit([|context|].Request.Method));")]
    [InlineData("new Thread(() => Audit([|context|].Request.Method)).Start();")]
    [InlineData("_ = new Timer(_ => Audit([|context|].Request.Path), null, 1000, Timeout.Infinite);")]
    [InlineData("var timer = new System.Timers.Timer(1000); timer.Elapsed += (_, _) => Audit([|context|].Request.Path); timer.Start();")]
    [InlineData("_ = Task.Delay(100).ContinueWith(_ => Audit([|context|].Request.Path));")]
    [InlineData("await Task.Delay(100).ContinueWith(async _ => { await Task.Delay(10); Audit([|context|].Request.Path); });")]
    [InlineData("var pending = Task.Run(() => Audit([|context|].Request.Path));")]
    [InlineData("s_callbacks.Add(() => Audit([|context|].Request.Path));")]
    [InlineData("_onShutdown = () => Audit([|context|].Request.Path);")]
    [InlineData("_pending.Add(Task.Run(() => Audit([|context|].Request.Path)));")]
    [InlineData("_cache.Add(() => Audit([|context|].Request.Path));")]
    [InlineData("Shutdown += () => Audit([|context|].Request.Path);")]
    [InlineData("_lifetime.ApplicationStopping.Register(() => Audit([|context|].Request.Path));")]
    [InlineData("Func<Task> work = async () => { await Task.Delay(10); Audit([|context|].Request.Path); }; _ = Task.Run(work);")]
    [InlineData("_ = Task.Run(delegate { Audit([|context|].Request.Path); });")]
    [InlineData("Func<Task> later = async () => { await Task.Delay(1000); Audit([|context|].Request.Path); }; _ = later();")]
    public async Task Reports_CapturedContextInEscapingWork(string statement)
    {
        await Analyze.DiagnosticsAsync(Middleware(statement, """
                private static readonly List<Action> s_callbacks = new();
                private static event Action? Shutdown;
                private readonly List<Task> _pending = new();
                private readonly List<Action> _cache = new();
                private readonly IHostApplicationLifetime _lifetime = null!;
                private Action? _onShutdown;
            """));
    }

    [Theory]
    [InlineData("var request = context.Request; _ = Task.Run(() => Audit([|request|].Path));")]
    [InlineData("var headers = context.Request.Headers; _ = Task.Run(() => Audit([|headers|][\"X-Id\"]));")]
    [InlineData("var query = context.Request.Query; _ = Task.Run(() => Audit([|query|][\"q\"]));")]
    [InlineData("var cookies = context.Request.Cookies; _ = Task.Run(() => Audit([|cookies|][\"id\"]));")]
    [InlineData("var items = context.Items; _ = Task.Run(() => Audit([|items|][\"user\"]));")]
    [InlineData("var features = context.Features; _ = Task.Run(() => Audit([|features|].Revision));")]
    [InlineData("var body = context.Request.Body; _ = Task.Run(() => Audit([|body|].Length));")]
    [InlineData("var services = context.RequestServices; _ = Task.Run(() => Audit([|services|].GetType()));")]
    [InlineData("var connection = context.Connection; _ = Task.Run(() => Audit([|connection|].RemoteIpAddress));")]
    [InlineData("var response = context.Response; _ = Task.Run(() => Audit([|response|].StatusCode));")]
    public async Task Reports_ContextOwnedReferenceInALocal(string statement)
    {
        await Analyze.DiagnosticsAsync(Middleware(statement));
    }

    [Fact]
    public async Task Reports_NamingWhatIsCaptured()
    {
        await Analyze.DiagnosticsAsync(Middleware("var ctx = context; _ = Task.Run(() => Audit({|#0:ctx|}.Request.Path));"),
            Analyze.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("ctx"));
    }

    [Fact]
    public async Task Reports_ControllerPropertiesThroughThis()
    {
        await Analyze.DiagnosticsAsync(Usings + """
            using Microsoft.AspNetCore.Mvc;
            using Microsoft.AspNetCore.Mvc.RazorPages;

            public sealed class OrdersController : ControllerBase
            {
                [HttpPost]
                public IActionResult Create()
                {
                    _ = Task.Run(async () =>
                    {
                        await Task.Delay(1000);
                        Console.WriteLine({|#0:HttpContext|}.Request.Path);
                    });
                    _ = Task.Run(() => Console.WriteLine({|#1:Request|}.Method));
                    _ = Task.Run(() => Console.WriteLine({|#2:User|}.Identity?.Name));
                    _ = Task.Run(() => Console.WriteLine({|#3:Response|}.StatusCode));
                    return Accepted();
                }
            }

            public sealed class IndexModel : PageModel
            {
                public void OnGet() => _ = Task.Run(() => Console.WriteLine({|#4:Request|}.Path));
            }
            """,
            Analyze.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("HttpContext"),
            Analyze.Diagnostic().WithLocation(1).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("Request"),
            Analyze.Diagnostic().WithLocation(2).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("User"),
            Analyze.Diagnostic().WithLocation(3).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("Response"),
            Analyze.Diagnostic().WithLocation(4).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("Request"));
    }

    [Fact]
    public async Task Reports_AccessorReadInsideTheClosure()
    {
        await Analyze.DiagnosticsAsync(Usings + """
            public sealed class AuditService(IHttpContextAccessor accessor)
            {
                public void Audit()
                {
                    _ = Task.Run(async () =>
                    {
                        await Task.Delay(1000);
                        Console.WriteLine({|#0:accessor.HttpContext|}?.TraceIdentifier);
                    });
                    var current = accessor.HttpContext;
                    _ = Task.Run(() => Console.WriteLine({|#1:current|}!.TraceIdentifier));
                }
            }
            """,
            Analyze.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("accessor.HttpContext"),
            Analyze.Diagnostic().WithLocation(1).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("current"));
    }

    [Fact]
    public async Task Reports_AccessorPassedAsStateToATimer()
    {
        // The state parameter is handed over by the timer, in the background: not a function of its caller.
        await Analyze.DiagnosticsAsync(Usings + """
            public sealed class AuditService(IHttpContextAccessor accessor)
            {
                private static readonly List<Func<string?>> s_describers = new();

                public void Audit()
                {
                    _ = new Timer(state => Console.WriteLine({|#0:((IHttpContextAccessor)state!).HttpContext|}?.TraceIdentifier), accessor, 1000, Timeout.Infinite);
                    s_describers.Add(() => {|#1:accessor.HttpContext|}?.TraceIdentifier);
                }
            }
            """,
            Analyze.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("((IHttpContextAccessor)state!).HttpContext"),
            Analyze.Diagnostic().WithLocation(1).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("accessor.HttpContext"));
    }

    [Fact]
    public async Task Reports_InlineMiddlewareAndHandlers()
    {
        await Analyze.DiagnosticsAsync(Usings + """
            public static class Endpoints
            {
                public static void Map(WebApplication app)
                {
                    app.Use(async (context, next) =>
                    {
                        _ = Task.Run(async () => { await Task.Delay(100); Console.WriteLine([|context|].Request.Path); });
                        await next(context);
                    });
                    app.MapGet("/orders", (HttpRequest request) =>
                    {
                        _ = Task.Run(() => Console.WriteLine([|request|].Query["id"]));
                        return Results.Ok();
                    });
                }
            }
            """);
    }

    [Fact]
    public async Task Reports_LocalFunctionStartedAsWork()
    {
        await Analyze.DiagnosticsAsync(Middleware("""
                    _ = Task.Run(LogLater);
                    _ = SendLaterAsync();

                    void LogLater() => Audit([|context|].Request.Path);

                    async Task SendLaterAsync()
                    {
                        await Task.Delay(1000);
                        Audit([|context|].Response.StatusCode);
                    }
            """));
    }

    [Fact]
    public async Task Reports_OnlyTheOutermostEscapingClosure()
    {
        await Analyze.DiagnosticsAsync(Middleware("""
                    _ = Task.Run(() =>
                    {
                        Audit([|context|].Request.Path);
                        _ = Task.Run(() => Audit(context.Request.Method));
                    });
            """));
    }

    // ---------------------------------------------------------------- does not report

    [Theory]
    [InlineData("var path = context.Request.Path; _ = Task.Run(() => Audit(path));")]
    [InlineData("var method = context.Request.Method; var id = context.TraceIdentifier; _ = Task.Run(() => Audit(method + id));")]
    [InlineData("var token = context.RequestAborted; _ = Task.Run(() => Audit(token.IsCancellationRequested));")]
    [InlineData("string header = context.Request.Headers[\"X-Id\"].ToString(); _ = Task.Run(() => Audit(header));")]
    [InlineData("var address = context.Connection.RemoteIpAddress; _ = Task.Run(() => Audit(address));")]
    [InlineData("var user = context.User; _ = Task.Run(() => Audit(user.Identity?.Name));")]
    [InlineData("await Task.Run(() => Audit(context.Request.Path));")]
    [InlineData("var pending = Task.Run(() => Audit(context.Request.Path)); await pending;")]
    [InlineData("await Task.WhenAll(Task.Run(() => Audit(context.Request.Path)), Task.Delay(10));")]
    [InlineData("var upper = new[] { \"a\" }.Where(v => context.Request.Query.ContainsKey(v)).ToList();")]
    [InlineData("new List<string> { \"a\" }.ForEach(v => Audit(context.Request.Query[v]));")]
    [InlineData("context.Response.OnStarting(() => { context.Response.Headers[\"X-Time\"] = \"1\"; return Task.CompletedTask; });")]
    [InlineData("context.Response.OnCompleted(() => { Audit(context.Response.StatusCode); return Task.CompletedTask; });")]
    [InlineData("context.RequestAborted.Register(() => Audit(context.TraceIdentifier));")]
    [InlineData("Enqueue(() => Audit(context.Request.Path.Value));")]
    [InlineData("var actions = new List<Action>(); actions.Add(() => Audit(context.Request.Path)); actions.ForEach(a => a());")]
    [InlineData("using var timer = new Timer(_ => Audit(context.Request.Path), null, 10, Timeout.Infinite); await Task.Delay(100);")]
    [InlineData("_ = Task.Run(() => Audit(_logger));")]
    [InlineData("Func<Task> later = async () => { await Task.Delay(10); Audit(context.Request.Path); }; await later();")]
    [InlineData("Func<string> describe = () => context.Request.Path.Value ?? \"\"; Audit(describe());")]
    public async Task DoesNotReport_CopiedAwaitedSynchronousOrUnknown(string statement)
    {
        await Analyze.NoDiagnosticsAsync(Middleware(statement, """
                private static void Enqueue(System.Linq.Expressions.Expression<Action> job) { }
            """));
    }

    [Fact]
    public async Task DoesNotReport_ContextAsTheClosuresOwnParameter()
    {
        await Analyze.NoDiagnosticsAsync(Usings + """
            public static class Endpoints
            {
                public static void Map(WebApplication app)
                {
                    app.Use(async (context, next) =>
                    {
                        Console.WriteLine(context.Request.Path);
                        await next(context);
                    });
                    app.MapGet("/", (HttpContext ctx) => ctx.Request.Path.Value);
                    app.Run(async context => await context.Response.WriteAsync("hello"));
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_FieldOfAPerRequestController()
    {
        await Analyze.NoDiagnosticsAsync(Usings + """
            using Microsoft.AspNetCore.Mvc;

            public sealed class ReportsController : ControllerBase
            {
                private Func<string?>? _describe;

                [HttpGet]
                public IActionResult Get()
                {
                    _describe = () => HttpContext.Request.Path.Value;
                    return Ok(_describe());
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_AccessorTakenAsTheClosuresOwnParameter()
    {
        // A stored function of the accessor its caller passes: it reads the context whenever it is called.
        await Analyze.NoDiagnosticsAsync(Usings + """
            public static class UserNames
            {
                public static Func<IHttpContextAccessor, string?> Resolve { get; set; } = null!;

                static UserNames()
                {
                    Resolve = accessor => accessor.HttpContext?.User.Identity?.Name;
                    s_resolvers.Add(a => a.HttpContext?.TraceIdentifier);
                }

                private static readonly List<Func<IHttpContextAccessor, string?>> s_resolvers = new();
            }
            """);
    }

    // ---------------------------------------------------------------- fixes

    [Fact]
    public async Task Fixes_CopiesEachMemberChainBeforeTheStatement()
    {
        await VerifyCS.FixAsync(Middleware("""
                    // Audit after the response, off the request path.
                    _ = Task.Run(async () =>
                    {
                        await Task.Delay(3000);
                        Audit([|context|].Request.Method + " " + context.Request.Path);   // what was asked
                        Audit(context.Request.Path.HasValue);
                    });
            """), Middleware("""
                    // Audit after the response, off the request path.
                    var method = context.Request.Method;
                    var path = context.Request.Path;
                    var hasValue = context.Request.Path.HasValue;
                    _ = Task.Run(async () =>
                    {
                        await Task.Delay(3000);
                        Audit(method + " " + path);   // what was asked
                        Audit(hasValue);
                    });
            """));
    }

    [Fact]
    public async Task Fixes_HeaderIndexerAndUniqueNames()
    {
        await VerifyCS.FixAsync(Middleware("""
                    var path = "unrelated";
                    ThreadPool.QueueUserWorkItem(_ =>
                    {
                        Audit([|context|].Request.Headers["X-Request-Id"].ToString());
                        Audit(context.Request.Path.Value?.Length);
                        Audit(path);
                    });
            """), Middleware("""
                    var path = "unrelated";
                    var xRequestId = context.Request.Headers["X-Request-Id"];
                    var length = context.Request.Path.Value?.Length;
                    ThreadPool.QueueUserWorkItem(_ =>
                    {
                        Audit(xRequestId.ToString());
                        Audit(length);
                        Audit(path);
                    });
            """));
    }

    [Fact]
    public async Task Fixes_ControllerPropertiesAndUser()
    {
        await VerifyCS.FixAsync(Usings + """
            using Microsoft.AspNetCore.Mvc;

            public sealed class OrdersController : ControllerBase
            {
                [HttpPost]
                public IActionResult Create()
                {
                    _ = Task.Run(() => Console.WriteLine([|HttpContext|].TraceIdentifier + User.Identity?.Name));
                    return Accepted();
                }
            }
            """, Usings + """
            using Microsoft.AspNetCore.Mvc;

            public sealed class OrdersController : ControllerBase
            {
                [HttpPost]
                public IActionResult Create()
                {
                    var traceIdentifier = HttpContext.TraceIdentifier;
                    var name = User.Identity?.Name;
                    _ = Task.Run(() => Console.WriteLine(traceIdentifier + name));
                    return Accepted();
                }
            }
            """);
    }

    [Fact]
    public async Task Fixes_AccessorChainAndTopLevelHandler()
    {
        await VerifyCS.FixAsync(Usings + """
            public sealed class AuditService(IHttpContextAccessor accessor)
            {
                public void Audit()
                {
                    _ = Task.Run(() => Console.WriteLine([|accessor.HttpContext|]?.Connection.RemoteIpAddress));
                }
            }
            """, Usings + """
            public sealed class AuditService(IHttpContextAccessor accessor)
            {
                public void Audit()
                {
                    var remoteIpAddress = accessor.HttpContext?.Connection.RemoteIpAddress;
                    _ = Task.Run(() => Console.WriteLine(remoteIpAddress));
                }
            }
            """);
    }

    [Fact]
    public async Task Fixes_ValuesReadThroughAContextOwnedLocal()
    {
        await VerifyCS.FixAsync(Middleware("""
                    var query = context.Request.Query;
                    _ = Task.Run(() => Audit([|query|].Count + query["page"].Count));
            """), Middleware("""
                    var query = context.Request.Query;
                    var count = query.Count;
                    var count2 = query["page"].Count;
                    _ = Task.Run(() => Audit(count + count2));
            """));
    }

    [Fact]
    public async Task Fixes_AllClosuresInADocument()
    {
        await VerifyCS.FixAsync(Middleware("""
                    _ = Task.Run(() => Audit([|context|].Request.Path));
                    _ = Task.Run(() => Audit([|context|].Request.Path));
            """), Middleware("""
                    var path = context.Request.Path;
                    _ = Task.Run(() => Audit(path));
                    var path2 = context.Request.Path;
                    _ = Task.Run(() => Audit(path2));
            """));
    }

    [Fact]
    public async Task Fixes_TopLevelStatements()
    {
        await VerifyCS.FixAsync("""
            using System;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Http;

            var app = WebApplication.Create(args);
            app.Use(async (context, next) =>
            {
                _ = Task.Run(async () =>
                {
                    await Task.Delay(1000);
                    Console.WriteLine([|context|].Request.Path);
                });
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
                var path = context.Request.Path;
                _ = Task.Run(async () =>
                {
                    await Task.Delay(1000);
                    Console.WriteLine(path);
                });
                await next(context);
            });
            app.Run();
            """, new TestSettings { OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication });
    }

    [Theory]
    [InlineData("_ = Task.Run(async () => await [|context|].Response.WriteAsync(\"late\"));")]
    [InlineData("_ = Task.Run(() => Audit([|context|]));")]
    [InlineData("_ = Task.Run(() => [|context|].Response.StatusCode = 500);")]
    [InlineData("_ = Task.Run(() => Audit([|context|].Request.Path + context.Request.Query.ContainsKey(\"q\").ToString()));")]
    [InlineData("var headers = context.Request.Headers; _ = Task.Run(() => Audit([|headers|].ContainsKey(\"X-Id\")));")]
    [InlineData("if (context.Request.Path.HasValue) _ = Task.Run(() => Audit([|context|].Request.Path));")]
    public async Task NoFix_WhenAUseIsNotAValueRead(string statement)
    {
        await VerifyCS.NoFixAsync(Middleware(statement));
    }

    [Fact]
    public async Task NoFix_LocalFunction()
    {
        await VerifyCS.NoFixAsync(Middleware("""
                    _ = Task.Run(LogLater);

                    void LogLater() => Audit([|context|].Request.Path);
            """));
    }
}
