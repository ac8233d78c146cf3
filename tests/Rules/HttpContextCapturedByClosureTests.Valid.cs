using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.HttpContextCapturedByClosureAnalyzer>;

namespace LeakAnalyzers.Tests.Rules;

public sealed partial class HttpContextCapturedByClosureTests
{
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

    [Fact]
    public async Task DoesNotReport_HelperPropertyThatDoesNotReadTheRequest()
    {
        await Analyze.NoDiagnosticsAsync(Usings + """
            using Microsoft.AspNetCore.Mvc;

            public sealed class OrdersController(ILogger<OrdersController> logger) : ControllerBase
            {
                private static int s_created;
                private string Prefix => "orders:" + s_created;
                private ILogger Log => logger;

                [HttpPost]
                public IActionResult Create()
                {
                    var userId = User.FindFirstValue(ClaimTypes.NameIdentifier);
                    _ = Task.Run(() => Log.LogInformation("{Prefix} {User}", Prefix, userId));
                    return Accepted();
                }
            }
            """);
    }

    [Theory]
    [InlineData("await Task.Run(() => {|CS0103:Unknown|}.Log(context.Request.Path));")]
    [InlineData("var upper = new[] { \"a\" }.Where(v => {|CS0103:Unknown|}.Has(context.Request.Query, v)).ToList();")]
    [InlineData("{|CS0103:Unknown|}.Run(() => Audit(context.Request.Path));")]
    public async Task DoesNotReport_AwaitedOrUnknownCallsThatDoNotBind(string statement)
    {
        await Analyze.NoDiagnosticsAsync(Middleware(statement));
    }
}
