using Microsoft.CodeAnalysis.Testing;
using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.HttpContextCapturedByClosureAnalyzer>;

namespace LeakAnalyzers.Tests.Rules;

public sealed partial class HttpContextCapturedByClosureTests
{
    // ---------------------------------------------------------------- reports: escaping shapes

    [Theory]
    [InlineData("_ = [|Task.Run(() => Audit(context.Request.Path))|];")]
    [InlineData("_ = [|Task.Run(async () => { await Task.Delay(3000); Audit(context.Request.Path); })|];")]
    [InlineData("_ = [|Task.Factory.StartNew(() => Audit(context.TraceIdentifier))|];")]
    [InlineData("[|ThreadPool.QueueUserWorkItem(_ => Audit(context.Request.Method))|];")]
    [InlineData("[|new Thread(() => Audit(context.Request.Method))|].Start();")]
    [InlineData("_ = [|new Timer(_ => Audit(context.Request.Path), null, 1000, Timeout.Infinite)|];")]
    [InlineData("var timer = new System.Timers.Timer(1000); [|timer.Elapsed += (_, _) => Audit(context.Request.Path)|]; timer.Start();")]
    [InlineData("_ = [|Task.Delay(100).ContinueWith(_ => Audit(context.Request.Path))|];")]
    [InlineData("await [|Task.Delay(100).ContinueWith(async _ => { await Task.Delay(10); Audit(context.Request.Path); })|];")]
    [InlineData("var pending = [|Task.Run(() => Audit(context.Request.Path))|];")]
    [InlineData("[|s_callbacks.Add(() => Audit(context.Request.Path))|];")]
    [InlineData("[|_onShutdown = () => Audit(context.Request.Path)|];")]
    [InlineData("_pending.Add([|Task.Run(() => Audit(context.Request.Path))|]);")]
    [InlineData("[|_cache.Add(() => Audit(context.Request.Path))|];")]
    [InlineData("[|Shutdown += () => Audit(context.Request.Path)|];")]
    [InlineData("[|_lifetime.ApplicationStopping.Register(() => Audit(context.Request.Path))|];")]
    [InlineData("Func<Task> work = async () => { await Task.Delay(10); Audit(context.Request.Path); }; _ = [|Task.Run(work)|];")]
    [InlineData("_ = [|Task.Run(delegate { Audit(context.Request.Path); })|];")]
    [InlineData("Func<Task> later = async () => { await Task.Delay(1000); Audit(context.Request.Path); }; _ = [|later()|];")]
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
    [InlineData("var request = context.Request; _ = [|Task.Run(() => Audit(request.Path))|];")]
    [InlineData("var headers = context.Request.Headers; _ = [|Task.Run(() => Audit(headers[\"X-Id\"]))|];")]
    [InlineData("var query = context.Request.Query; _ = [|Task.Run(() => Audit(query[\"q\"]))|];")]
    [InlineData("var cookies = context.Request.Cookies; _ = [|Task.Run(() => Audit(cookies[\"id\"]))|];")]
    [InlineData("var items = context.Items; _ = [|Task.Run(() => Audit(items[\"user\"]))|];")]
    [InlineData("var features = context.Features; _ = [|Task.Run(() => Audit(features.Revision))|];")]
    [InlineData("var body = context.Request.Body; _ = [|Task.Run(() => Audit(body.Length))|];")]
    [InlineData("var services = context.RequestServices; _ = [|Task.Run(() => Audit(services.GetType()))|];")]
    [InlineData("var connection = context.Connection; _ = [|Task.Run(() => Audit(connection.RemoteIpAddress))|];")]
    [InlineData("var response = context.Response; _ = [|Task.Run(() => Audit(response.StatusCode))|];")]
    public async Task Reports_ContextOwnedReferenceInALocal(string statement)
    {
        await Analyze.DiagnosticsAsync(Middleware(statement));
    }

    [Fact]
    public async Task Reports_NamingWhatIsCaptured()
    {
        await Analyze.DiagnosticsAsync(Middleware("var ctx = context; _ = {|#0:Task.Run(() => Audit(ctx.Request.Path))|};"),
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
                    _ = {|#0:Task.Run(async () =>
                    {
                        await Task.Delay(1000);
                        Console.WriteLine(HttpContext.Request.Path);
                    })|};
                    _ = {|#1:Task.Run(() => Console.WriteLine(Request.Method))|};
                    _ = {|#2:Task.Run(() => Console.WriteLine(User.Identity?.Name))|};
                    _ = {|#3:Task.Run(() => Console.WriteLine(Response.StatusCode))|};
                    return Accepted();
                }
            }

            public sealed class IndexModel : PageModel
            {
                public void OnGet() => _ = {|#4:Task.Run(() => Console.WriteLine(Request.Path))|};
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
                    _ = {|#0:Task.Run(async () =>
                    {
                        await Task.Delay(1000);
                        Console.WriteLine(accessor.HttpContext?.TraceIdentifier);
                    })|};
                    var current = accessor.HttpContext;
                    _ = {|#1:Task.Run(() => Console.WriteLine(current!.TraceIdentifier))|};
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
                    _ = {|#0:new Timer(state => Console.WriteLine(((IHttpContextAccessor)state!).HttpContext?.TraceIdentifier), accessor, 1000, Timeout.Infinite)|};
                    {|#1:s_describers.Add(() => accessor.HttpContext?.TraceIdentifier)|};
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
                        _ = [|Task.Run(async () => { await Task.Delay(100); Console.WriteLine(context.Request.Path); })|];
                        await next(context);
                    });
                    app.MapGet("/orders", (HttpRequest request) =>
                    {
                        _ = [|Task.Run(() => Console.WriteLine(request.Query["id"]))|];
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
                    _ = [|Task.Run(LogLater)|];
                    _ = [|SendLaterAsync()|];

                    void LogLater() => Audit(context.Request.Path);

                    async Task SendLaterAsync()
                    {
                        await Task.Delay(1000);
                        Audit(context.Response.StatusCode);
                    }
            """));
    }

    [Fact]
    public async Task Reports_OnlyTheOutermostEscapingClosure()
    {
        await Analyze.DiagnosticsAsync(Middleware("""
                    _ = [|Task.Run(() =>
                    {
                        Audit(context.Request.Path);
                        _ = Task.Run(() => Audit(context.Request.Method));
                    })|];
            """));
    }

    [Fact]
    public async Task Reports_ControllerHelperPropertyReadInTheClosure()
    {
        // Helper properties of the controller (and of its base) that read User, Request or HttpContext, a hop or two deep.
        await Analyze.DiagnosticsAsync(Usings + """
            using Microsoft.AspNetCore.Mvc;
            using Microsoft.AspNetCore.Mvc.RazorPages;

            public abstract class ApiControllerBase : ControllerBase
            {
                protected string? CurrentUserId => User.FindFirstValue(ClaimTypes.NameIdentifier);
                protected string Tenant => ReadTenant();

                private string ReadTenant() => Request.Headers["X-Tenant"].ToString();
            }

            public sealed class OrdersController : ApiControllerBase
            {
                private string Owner => CurrentUserId ?? "anonymous";

                [HttpPost]
                public IActionResult Create()
                {
                    _ = {|#0:Task.Run(async () =>
                    {
                        await Task.Delay(1000);
                        Console.WriteLine(CurrentUserId);
                    })|};
                    _ = {|#1:Task.Delay(100).ContinueWith(_ => Console.WriteLine(Tenant))|};
                    _ = {|#2:Task.Run(() => Console.WriteLine(this.Owner))|};
                    return Accepted();
                }
            }

            public sealed class IndexModel : PageModel
            {
                private string Path => HttpContext.Request.Path.Value ?? "";

                public void OnGet() => _ = {|#3:Task.Run(() => Console.WriteLine(Path))|};
            }
            """,
            Analyze.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("CurrentUserId"),
            Analyze.Diagnostic().WithLocation(1).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("Tenant"),
            Analyze.Diagnostic().WithLocation(2).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("this.Owner"),
            Analyze.Diagnostic().WithLocation(3).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments("Path"));
    }

    [Fact]
    public async Task Reports_TheEscapeWithTheClosureAndUsesAsAdditionalLocations()
    {
        // The fixer reads the closure and every use from the additional locations, in this order.
        await Analyze.DiagnosticsAsync(Middleware("""
                    _ = {|#0:Task.Run({|#1:() => Audit({|#2:context|}.Request.Path + {|#3:context|}.TraceIdentifier)|})|};
            """),
            Analyze.Diagnostic().WithLocation(0).WithLocation(1).WithLocation(2).WithLocation(3).WithArguments("context"));
    }

    // ---------------------------------------------------------------- code that does not fully bind

    [Theory]
    [InlineData("_ = [|Task.Run(() => {|CS0103:Unknown|}.Log(context.Request.Path))|];")]
    [InlineData("_ = [|Task.Run(async () => { await Task.Delay(100); await {|CS0103:Unknown|}.LogAsync(context.Request.Path); })|];")]
    [InlineData("_ = [|Task.Delay(100).ContinueWith(_ => {|CS0103:Unknown|}.Log(context.Request.Path))|];")]
    [InlineData("[|ThreadPool.QueueUserWorkItem(_ => {|CS0103:Unknown|}.Log(context.TraceIdentifier))|];")]
    [InlineData("[|new Thread(() => {|CS0103:Unknown|}.Log(context))|].Start();")]
    [InlineData("_ = [|new Timer(_ => {|CS0103:Unknown|}.Log(context.Request.Path), null, 1000, Timeout.Infinite)|];")]
    [InlineData("var pending = [|Task.Run(() => {|CS0103:Unknown|}.Log(context.Request.Path))|];")]
    public async Task Reports_ClosureGivenToAStartThatDoesNotBind(string statement)
    {
        // A lambda that uses an unknown name makes the whole start an invalid operation: judged as the start it is.
        await Analyze.DiagnosticsAsync(Middleware(statement));
    }

    [Fact]
    public async Task Reports_ClosureUsingAServiceOfAnUnresolvedType()
    {
        await Analyze.DiagnosticsAsync(Usings + """
            public sealed class AuditMiddleware(RequestDelegate next, {|CS0246:IAuditStore|} store)
            {
                public async Task InvokeAsync(HttpContext context)
                {
                    _ = [|Task.Run(() => store.Save(context.Request.Path))|];
                    await next(context);
                }
            }
            """);
    }
}
