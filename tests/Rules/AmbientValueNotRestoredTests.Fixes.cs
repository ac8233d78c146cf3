using Xunit;
using VerifyCS = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.AmbientValueNotRestoredAnalyzer, LeakAnalyzers.Rules.AmbientValueNotRestoredFixer>;

namespace LeakAnalyzers.Tests.Rules;

public sealed partial class AmbientValueNotRestoredTests
{
    [Fact]
    public async Task Fixes_MiddlewareReturningNext()
    {
        await VerifyCS.FixAsync("""
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed class TenantMiddleware
            {
                private static readonly AsyncLocal<string?> Tenant = new();
                private readonly RequestDelegate _next;

                public TenantMiddleware(RequestDelegate next) => _next = next;

                public Task Invoke(HttpContext context)
                {
                    if (!context.Request.Headers.TryGetValue("X-Tenant", out var tenant))
                        return _next(context);

                    // The tenant for everything downstream.
                    [|Tenant.Value = tenant.ToString()|];

                    return _next(context); // run the rest of the pipeline
                }
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed class TenantMiddleware
            {
                private static readonly AsyncLocal<string?> Tenant = new();
                private readonly RequestDelegate _next;

                public TenantMiddleware(RequestDelegate next) => _next = next;

                public async Task Invoke(HttpContext context)
                {
                    if (!context.Request.Headers.TryGetValue("X-Tenant", out var tenant))
                    {
                        await _next(context);
                        return;
                    }

                    var previousTenant = Tenant.Value;
                    // The tenant for everything downstream.
                    Tenant.Value = tenant.ToString();

                    try
                    {
                        await _next(context); // run the rest of the pipeline
                    }
                    finally
                    {
                        Tenant.Value = previousTenant;
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task Fixes_SynchronousMethod()
    {
        await VerifyCS.FixAsync("""
            #nullable enable
            using System.Threading;

            public sealed record Job(string Tenant, string Payload);

            public interface IJobHandler { void Handle(Job job); }

            public sealed class JobDispatcher
            {
                private static readonly AsyncLocal<string> CurrentTenant = new();
                private readonly IJobHandler _handler;

                public JobDispatcher(IJobHandler handler) => _handler = handler;

                public int Dispatch(Job job)
                {
                    [|CurrentTenant.Value = job.Tenant|];
                    _handler.Handle(job);
                    return job.Payload.Length;
                }
            }
            """, """
            #nullable enable
            using System.Threading;

            public sealed record Job(string Tenant, string Payload);

            public interface IJobHandler { void Handle(Job job); }

            public sealed class JobDispatcher
            {
                private static readonly AsyncLocal<string> CurrentTenant = new();
                private readonly IJobHandler _handler;

                public JobDispatcher(IJobHandler handler) => _handler = handler;

                public int Dispatch(Job job)
                {
                    var previousTenant = CurrentTenant.Value;
                    CurrentTenant.Value = job.Tenant;
                    try
                    {
                        _handler.Handle(job);
                        return job.Payload.Length;
                    }
                    finally
                    {
                        CurrentTenant.Value = previousTenant!;
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task Fixes_ThreadStatic()
    {
        await VerifyCS.FixAsync("""
            using System;
            using Microsoft.AspNetCore.Http;

            public sealed class LegacyReport
            {
                [ThreadStatic] private static HttpRequest? t_request;

                public string Render(HttpContext context)
                {
                    [|t_request = context.Request|];
                    var title = Title();
                    return $"<h1>{title}</h1>";
                }

                private static string Title() => t_request?.Query["title"].ToString() ?? "Report";
            }
            """, """
            using System;
            using Microsoft.AspNetCore.Http;

            public sealed class LegacyReport
            {
                [ThreadStatic] private static HttpRequest? t_request;

                public string Render(HttpContext context)
                {
                    var previousRequest = t_request;
                    t_request = context.Request;
                    try
                    {
                        var title = Title();
                        return $"<h1>{title}</h1>";
                    }
                    finally
                    {
                        t_request = previousRequest;
                    }
                }

                private static string Title() => t_request?.Query["title"].ToString() ?? "Report";
            }
            """);
    }

    [Fact]
    public async Task Fixes_ThreadLocal()
    {
        await VerifyCS.FixAsync("""
            using System.Security.Claims;
            using System.Threading;
            using Microsoft.AspNetCore.Mvc;

            public sealed class ReportController : ControllerBase
            {
                private static readonly ThreadLocal<ClaimsPrincipal?> s_principal = new();

                [HttpGet("/report")]
                public IActionResult Get()
                {
                    [|s_principal.Value = User|];
                    return Ok(Render());
                }

                private static string Render() => "report for " + s_principal.Value?.Identity?.Name;
            }
            """, """
            using System.Security.Claims;
            using System.Threading;
            using Microsoft.AspNetCore.Mvc;

            public sealed class ReportController : ControllerBase
            {
                private static readonly ThreadLocal<ClaimsPrincipal?> s_principal = new();

                [HttpGet("/report")]
                public IActionResult Get()
                {
                    var previousPrincipal = s_principal.Value;
                    s_principal.Value = User;
                    try
                    {
                        return Ok(Render());
                    }
                    finally
                    {
                        s_principal.Value = previousPrincipal;
                    }
                }

                private static string Render() => "report for " + s_principal.Value?.Identity?.Name;
            }
            """);
    }

    [Fact]
    public async Task Fixes_ThreadStaticInTaskReturningMethodWithoutMakingItAsync()
    {
        await VerifyCS.FixAsync("""
            using System;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed class UserMiddleware
            {
                [ThreadStatic] private static HttpContext? t_context;
                private readonly RequestDelegate _next;

                public UserMiddleware(RequestDelegate next) => _next = next;

                public Task Invoke(HttpContext context)
                {
                    [|t_context = context|];
                    return _next(context);
                }
            }
            """, """
            using System;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed class UserMiddleware
            {
                [ThreadStatic] private static HttpContext? t_context;
                private readonly RequestDelegate _next;

                public UserMiddleware(RequestDelegate next) => _next = next;

                public Task Invoke(HttpContext context)
                {
                    var previousContext = t_context;
                    t_context = context;
                    try
                    {
                        return _next(context);
                    }
                    finally
                    {
                        t_context = previousContext;
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task Fixes_EndpointFilterReturningValueTaskOfT()
    {
        await VerifyCS.FixAsync("""
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed class TenantFilter : IEndpointFilter
            {
                public static readonly AsyncLocal<string?> Tenant = new();

                public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
                {
                    if (context.HttpContext.Request.Query.ContainsKey("ping"))
                        return ValueTask.FromResult<object?>("pong");
                    [|Tenant.Value = context.HttpContext.Request.Host.Host|];
                    return next(context);
                }
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed class TenantFilter : IEndpointFilter
            {
                public static readonly AsyncLocal<string?> Tenant = new();

                public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
                {
                    if (context.HttpContext.Request.Query.ContainsKey("ping"))
                        return "pong";
                    var previousTenant = Tenant.Value;
                    Tenant.Value = context.HttpContext.Request.Host.Host;
                    try
                    {
                        return await next(context);
                    }
                    finally
                    {
                        Tenant.Value = previousTenant;
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task Fixes_TaskOfTWithCompletedBranches()
    {
        await VerifyCS.FixAsync("""
            using System.Threading;
            using System.Threading.Tasks;

            public interface IPriceList { Task<decimal> PriceAsync(string sku); }

            public sealed class PriceService
            {
                private static readonly AsyncLocal<string?> Currency = new();
                private readonly IPriceList _prices;

                public PriceService(IPriceList prices) => _prices = prices;

                public Task<decimal> PriceAsync(string sku, string currency)
                {
                    if (sku.Length == 0)
                        return Task.FromResult(0m);
                    [|Currency.Value = currency|];
                    return _prices.PriceAsync(sku);
                }
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;

            public interface IPriceList { Task<decimal> PriceAsync(string sku); }

            public sealed class PriceService
            {
                private static readonly AsyncLocal<string?> Currency = new();
                private readonly IPriceList _prices;

                public PriceService(IPriceList prices) => _prices = prices;

                public async Task<decimal> PriceAsync(string sku, string currency)
                {
                    if (sku.Length == 0)
                        return 0m;
                    var previousCurrency = Currency.Value;
                    Currency.Value = currency;
                    try
                    {
                        return await _prices.PriceAsync(sku);
                    }
                    finally
                    {
                        Currency.Value = previousCurrency;
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task Fixes_PipelineLambda()
    {
        await VerifyCS.FixAsync("""
            using System.Threading;
            using Microsoft.AspNetCore.Builder;

            public static class CorrelationPipeline
            {
                public static readonly AsyncLocal<string?> CorrelationId = new();

                public static void UseCorrelation(this IApplicationBuilder app)
                {
                    app.Use((context, next) =>
                    {
                        [|CorrelationId.Value = context.TraceIdentifier|];
                        return next(context);
                    });
                }
            }
            """, """
            using System.Threading;
            using Microsoft.AspNetCore.Builder;

            public static class CorrelationPipeline
            {
                public static readonly AsyncLocal<string?> CorrelationId = new();

                public static void UseCorrelation(this IApplicationBuilder app)
                {
                    app.Use(async (context, next) =>
                    {
                        var previousCorrelationId = CorrelationId.Value;
                        CorrelationId.Value = context.TraceIdentifier;
                        try
                        {
                            await next(context);
                        }
                        finally
                        {
                            CorrelationId.Value = previousCorrelationId;
                        }
                    });
                }
            }
            """);
    }

    [Fact]
    public async Task Fixes_PipelineLambdaInTopLevelStatements()
    {
        await VerifyCS.FixAsync("""
            using System.Threading;
            using Microsoft.AspNetCore.Builder;

            var app = WebApplication.Create(args);
            app.Use(next => context =>
            {
                [|Ambient.Tenant.Value = context.Request.Host.Host|];
                return next(context);
            });
            app.MapGet("/", () => Ambient.Tenant.Value);
            app.Run();

            static class Ambient
            {
                public static readonly AsyncLocal<string?> Tenant = new();
            }
            """, """
            using System.Threading;
            using Microsoft.AspNetCore.Builder;

            var app = WebApplication.Create(args);
            app.Use(next => async context =>
            {
                var previousTenant = Ambient.Tenant.Value;
                Ambient.Tenant.Value = context.Request.Host.Host;
                try
                {
                    await next(context);
                }
                finally
                {
                    Ambient.Tenant.Value = previousTenant;
                }
            });
            app.MapGet("/", () => Ambient.Tenant.Value);
            app.Run();

            static class Ambient
            {
                public static readonly AsyncLocal<string?> Tenant = new();
            }
            """, new TestSettings { OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication });
    }

    [Fact]
    public async Task Fixes_AdjacentAssignmentsTogether()
    {
        await VerifyCS.FixAsync("""
            using System.Security.Claims;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed class ContextMiddleware
            {
                private static readonly AsyncLocal<string?> s_tenant = new();
                private static readonly AsyncLocal<ClaimsPrincipal?> s_user = new();
                private readonly RequestDelegate _next;

                public ContextMiddleware(RequestDelegate next) => _next = next;

                public Task Invoke(HttpContext context)
                {
                    [|s_tenant.Value = context.Request.Host.Host|];
                    [|s_user.Value = context.User|];
                    return _next(context);
                }
            }
            """, """
            using System.Security.Claims;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed class ContextMiddleware
            {
                private static readonly AsyncLocal<string?> s_tenant = new();
                private static readonly AsyncLocal<ClaimsPrincipal?> s_user = new();
                private readonly RequestDelegate _next;

                public ContextMiddleware(RequestDelegate next) => _next = next;

                public async Task Invoke(HttpContext context)
                {
                    var previousTenant = s_tenant.Value;
                    var previousUser = s_user.Value;
                    s_tenant.Value = context.Request.Host.Host;
                    s_user.Value = context.User;
                    try
                    {
                        await _next(context);
                    }
                    finally
                    {
                        s_tenant.Value = previousTenant;
                        s_user.Value = previousUser;
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task Fixes_SeveralMethodsInOneDocument()
    {
        await VerifyCS.FixAsync("""
            using System;
            using System.Threading;
            using Microsoft.AspNetCore.Http;

            public sealed class Renderer
            {
                private static readonly AsyncLocal<string?> s_culture = new();
                [ThreadStatic] private static HttpRequest? t_request;
                private string? previousRequest;

                public string Page(HttpContext context)
                {
                    [|t_request = context.Request|];
                    [|s_culture.Value = context.Request.Headers.AcceptLanguage.ToString()|];
                    return Build();
                }

                public string Fragment(HttpRequest request, string culture)
                {
                    [|s_culture.Value = culture|];
                    var html = Build();
                    return html.Trim();
                }

                private static string Build() => $"{t_request?.Path} in {s_culture.Value}";
            }
            """, """
            using System;
            using System.Threading;
            using Microsoft.AspNetCore.Http;

            public sealed class Renderer
            {
                private static readonly AsyncLocal<string?> s_culture = new();
                [ThreadStatic] private static HttpRequest? t_request;
                private string? previousRequest;

                public string Page(HttpContext context)
                {
                    var previousRequest2 = t_request;
                    t_request = context.Request;
                    try
                    {
                        var previousCulture = s_culture.Value;
                        s_culture.Value = context.Request.Headers.AcceptLanguage.ToString();
                        try
                        {
                            return Build();
                        }
                        finally
                        {
                            s_culture.Value = previousCulture;
                        }
                    }
                    finally
                    {
                        t_request = previousRequest2;
                    }
                }

                public string Fragment(HttpRequest request, string culture)
                {
                    var previousCulture = s_culture.Value;
                    s_culture.Value = culture;
                    try
                    {
                        var html = Build();
                        return html.Trim();
                    }
                    finally
                    {
                        s_culture.Value = previousCulture;
                    }
                }

                private static string Build() => $"{t_request?.Path} in {s_culture.Value}";
            }
            """);
    }

    [Fact]
    public async Task Fixes_TabIndentedCode()
    {
        // The formatter lays out the new code with the project's settings (a tab-indented project says so in
        // .editorconfig); the statements moved into the try keep their continuation lines' relative indentation.
        await VerifyCS.FixAsync(
            "using System.Threading;\n\npublic sealed class Worker\n{\n\tprivate static readonly AsyncLocal<string?> s_job = new();\n\n\tpublic void Run(string job)\n\t{\n\t\t[|s_job.Value = job|];\n\t\tSystem.Console.WriteLine(\n\t\t\ts_job.Value);\n\t}\n}\n",
            "using System.Threading;\n\npublic sealed class Worker\n{\n\tprivate static readonly AsyncLocal<string?> s_job = new();\n\n\tpublic void Run(string job)\n\t{\n\t\tvar previousJob = s_job.Value;\n\t\ts_job.Value = job;\n\t\ttry\n\t\t{\n\t\t\tSystem.Console.WriteLine(\n\t\t\t\ts_job.Value);\n\t\t}\n\t\tfinally\n\t\t{\n\t\t\ts_job.Value = previousJob;\n\t\t}\n\t}\n}\n", new TestSettings { Options = [("indent_style", "tab")] });
    }

    [Fact]
    public async Task Fixes_RegisterBecomesUnsafeRegister()
    {
        await VerifyCS.FixAsync("""
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;
            using Microsoft.Extensions.Hosting;

            public sealed class SessionMiddleware
            {
                private static readonly AsyncLocal<string?> Session = new();
                private readonly RequestDelegate _next;
                private readonly IHostApplicationLifetime _lifetime;

                public SessionMiddleware(RequestDelegate next, IHostApplicationLifetime lifetime)
                {
                    _next = next;
                    _lifetime = lifetime;
                }

                public async Task InvokeAsync(HttpContext context)
                {
                    Session.Value = context.Request.Cookies["session"];
                    [|_lifetime.ApplicationStopping.Register(() => Log("stopping"))|]; // flush on shutdown
                    [|_lifetime.ApplicationStopped.Register(state => Log((string)state!), "stopped")|];
                    await _next(context);
                }

                private static void Log(string message) { }
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;
            using Microsoft.Extensions.Hosting;

            public sealed class SessionMiddleware
            {
                private static readonly AsyncLocal<string?> Session = new();
                private readonly RequestDelegate _next;
                private readonly IHostApplicationLifetime _lifetime;

                public SessionMiddleware(RequestDelegate next, IHostApplicationLifetime lifetime)
                {
                    _next = next;
                    _lifetime = lifetime;
                }

                public async Task InvokeAsync(HttpContext context)
                {
                    Session.Value = context.Request.Cookies["session"];
                    _lifetime.ApplicationStopping.UnsafeRegister(_ => Log("stopping"), null); // flush on shutdown
                    _lifetime.ApplicationStopped.UnsafeRegister(state => Log((string)state!), "stopped");
                    await _next(context);
                }

                private static void Log(string message) { }
            }
            """);
    }

    [Fact]
    public async Task Fixes_TimerCreationWithSuppressedFlow()
    {
        await VerifyCS.FixAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed class MetricsMiddleware
            {
                private static readonly AsyncLocal<string?> Route = new();
                private static Timer? s_flush;
                private readonly RequestDelegate _next;

                public MetricsMiddleware(RequestDelegate next) => _next = next;

                public async Task InvokeAsync(HttpContext context)
                {
                    Route.Value = context.Request.Path;

                    // Flush every ten seconds, started by the first request.
                    s_flush ??= [|new Timer(_ => Flush(), null,
                        TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10))|];
                    await _next(context);
                }

                private static void Flush() { }
            }
            """, """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed class MetricsMiddleware
            {
                private static readonly AsyncLocal<string?> Route = new();
                private static Timer? s_flush;
                private readonly RequestDelegate _next;

                public MetricsMiddleware(RequestDelegate next) => _next = next;

                public async Task InvokeAsync(HttpContext context)
                {
                    Route.Value = context.Request.Path;

                    using (ExecutionContext.SuppressFlow())
                    {
                        // Flush every ten seconds, started by the first request.
                        s_flush ??= new Timer(_ => Flush(), null,
                            TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
                    }
                    await _next(context);
                }

                private static void Flush() { }
            }
            """);
    }

    [Fact]
    public async Task Fixes_SuppressedFlowImportsItsNamespace()
    {
        await VerifyCS.FixAsync("""
            using System;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed class MetricsMiddleware
            {
                private static readonly System.Threading.AsyncLocal<string?> Route = new();
                private static System.Threading.Timer? s_flush;
                private readonly RequestDelegate _next;

                public MetricsMiddleware(RequestDelegate next) => _next = next;

                public async Task InvokeAsync(HttpContext context)
                {
                    Route.Value = context.Request.Path;
                    s_flush ??= [|new System.Threading.Timer(_ => { }, null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10))|];
                    await _next(context);
                }
            }
            """, """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed class MetricsMiddleware
            {
                private static readonly System.Threading.AsyncLocal<string?> Route = new();
                private static System.Threading.Timer? s_flush;
                private readonly RequestDelegate _next;

                public MetricsMiddleware(RequestDelegate next) => _next = next;

                public async Task InvokeAsync(HttpContext context)
                {
                    Route.Value = context.Request.Path;
                    using (ExecutionContext.SuppressFlow())
                    {
                        s_flush ??= new System.Threading.Timer(_ => { }, null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
                    }
                    await _next(context);
                }
            }
            """);
    }

    [Fact]
    public async Task Fixes_AllThreeActionsInOneFixAll()
    {
        await VerifyCS.FixAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;
            using Microsoft.Extensions.Hosting;

            public sealed class MetricsMiddleware
            {
                private static readonly AsyncLocal<string?> Route = new();
                private static Timer? s_flush;
                private readonly RequestDelegate _next;
                private readonly IHostApplicationLifetime _lifetime;

                public MetricsMiddleware(RequestDelegate next, IHostApplicationLifetime lifetime)
                {
                    _next = next;
                    _lifetime = lifetime;
                }

                public Task Invoke(HttpContext context)
                {
                    [|Route.Value = context.Request.Path|];
                    return _next(context);
                }

                public async Task InvokeAsync(HttpContext context)
                {
                    Route.Value = context.Request.Path;
                    s_flush ??= [|new Timer(_ => Flush(), null, 10_000, 10_000)|];
                    [|_lifetime.ApplicationStopping.Register(() => Flush())|];
                    await _next(context);
                }

                private static void Flush() { }
            }
            """, """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;
            using Microsoft.Extensions.Hosting;

            public sealed class MetricsMiddleware
            {
                private static readonly AsyncLocal<string?> Route = new();
                private static Timer? s_flush;
                private readonly RequestDelegate _next;
                private readonly IHostApplicationLifetime _lifetime;

                public MetricsMiddleware(RequestDelegate next, IHostApplicationLifetime lifetime)
                {
                    _next = next;
                    _lifetime = lifetime;
                }

                public async Task Invoke(HttpContext context)
                {
                    var previousRoute = Route.Value;
                    Route.Value = context.Request.Path;
                    try
                    {
                        await _next(context);
                    }
                    finally
                    {
                        Route.Value = previousRoute;
                    }
                }

                public async Task InvokeAsync(HttpContext context)
                {
                    Route.Value = context.Request.Path;
                    using (ExecutionContext.SuppressFlow())
                    {
                        s_flush ??= new Timer(_ => Flush(), null, 10_000, 10_000);
                    }
                    _lifetime.ApplicationStopping.UnsafeRegister(_ => Flush(), null);
                    await _next(context);
                }

                private static void Flush() { }
            }
            """);
    }

    [Fact]
    public async Task NoFix_RegistrationKeptInALocal()
    {
        await VerifyCS.NoFixAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;
            using Microsoft.Extensions.Hosting;

            public sealed class SessionMiddleware
            {
                private static readonly AsyncLocal<string?> Session = new();
                private readonly RequestDelegate _next;
                private readonly IHostApplicationLifetime _lifetime;

                public SessionMiddleware(RequestDelegate next, IHostApplicationLifetime lifetime)
                {
                    _next = next;
                    _lifetime = lifetime;
                }

                public async Task InvokeAsync(HttpContext context)
                {
                    Session.Value = context.Request.Cookies["session"];
                    var registration = [|_lifetime.ApplicationStopping.Register(Flush)|];
                    await _next(context);
                    GC.KeepAlive(registration);
                }

                private static void Flush() { }
            }
            """);
    }

    [Fact]
    public async Task NoFix_AssignmentIsTheLastStatement()
    {
        await VerifyCS.NoFixAsync("""
            using System.Threading;

            public static class TenantContext
            {
                private static readonly AsyncLocal<string?> s_current = new();

                public static void Remember(string tenant)
                {
                    System.Console.WriteLine("remembering " + tenant);
                    [|s_current.Value = tenant|];
                }
            }
            """);
    }

    [Fact]
    public async Task NoFix_ScopeBeginningCallback()
    {
        await VerifyCS.NoFixAsync("""
            using System.Security.Claims;
            using System.Threading;
            using Microsoft.AspNetCore.Mvc.Filters;
            using Microsoft.Extensions.Logging;

            public sealed class AuditUserFilter : ActionFilterAttribute
            {
                internal static readonly AsyncLocal<ClaimsPrincipal?> CurrentUser = new();

                public override void OnActionExecuting(ActionExecutingContext context)
                {
                    [|CurrentUser.Value = context.HttpContext.User|];
                    System.Console.WriteLine("user set");
                }
            }
            """);
    }

    [Fact]
    public async Task NoFix_ThreadStaticAcrossAnAwait()
    {
        await VerifyCS.NoFixAsync("""
            using System;
            using System.Security.Claims;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed class UserMiddleware
            {
                [ThreadStatic] private static ClaimsPrincipal? t_user;
                private readonly RequestDelegate _next;

                public UserMiddleware(RequestDelegate next) => _next = next;

                public async Task InvokeAsync(HttpContext context)
                {
                    [|t_user = context.User|];
                    await _next(context);
                }
            }
            """);
    }

    [Fact]
    public async Task NoFix_AssignmentInsideAnExpression()
    {
        await VerifyCS.NoFixAsync("""
            using System;
            using Microsoft.AspNetCore.Http;

            public static class RequestCache
            {
                [ThreadStatic] private static HttpContext? t_context;

                public static string Path(HttpContext context) => ([|t_context = context|]).Request.Path;
            }
            """);
    }

    [Fact]
    public async Task NoFix_AsyncConversionWouldNotCompile()
    {
        await VerifyCS.NoFixAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            public sealed class Parser
            {
                private static readonly AsyncLocal<string?> s_source = new();

                public Task<int> ParseAsync(string source, Func<int, Task<int>> next)
                {
                    [|s_source.Value = source|];
                    Span<char> scratch = stackalloc char[16];
                    source.AsSpan(0, Math.Min(16, source.Length)).CopyTo(scratch);
                    return next(scratch.Length);
                }
            }
            """);
    }

    [Fact]
    public async Task NoFix_ReturnInsideLock()
    {
        await VerifyCS.NoFixAsync("""
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed class SerialMiddleware
            {
                private static readonly AsyncLocal<string?> Tenant = new();
                private readonly object _gate = new();
                private readonly RequestDelegate _next;

                public SerialMiddleware(RequestDelegate next) => _next = next;

                public Task Invoke(HttpContext context)
                {
                    [|Tenant.Value = context.Request.Host.Host|];
                    lock (_gate)
                    {
                        return _next(context);
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task Fixes_ActionFilterClearsInItsExecutedCallback()
    {
        await VerifyCS.FixAsync("""
            using System.Security.Claims;
            using System.Threading;
            using Microsoft.AspNetCore.Mvc.Filters;
            using Microsoft.Extensions.Logging;

            public sealed class AuditUserFilter : IActionFilter
            {
                internal static readonly AsyncLocal<ClaimsPrincipal?> CurrentUser = new();
                private readonly ILogger<AuditUserFilter> _logger;

                public AuditUserFilter(ILogger<AuditUserFilter> logger) => _logger = logger;

                public void OnActionExecuting(ActionExecutingContext context)
                {
                    [|CurrentUser.Value = context.HttpContext.User|];
                    _logger.LogInformation("Action {Action} starting", context.ActionDescriptor.DisplayName);
                }

                public void OnActionExecuted(ActionExecutedContext context)
                {
                    _logger.LogInformation("Action {Action} done", context.ActionDescriptor.DisplayName);
                }
            }
            """, """
            using System.Security.Claims;
            using System.Threading;
            using Microsoft.AspNetCore.Mvc.Filters;
            using Microsoft.Extensions.Logging;

            public sealed class AuditUserFilter : IActionFilter
            {
                internal static readonly AsyncLocal<ClaimsPrincipal?> CurrentUser = new();
                private readonly ILogger<AuditUserFilter> _logger;

                public AuditUserFilter(ILogger<AuditUserFilter> logger) => _logger = logger;

                public void OnActionExecuting(ActionExecutingContext context)
                {
                    CurrentUser.Value = context.HttpContext.User;
                    _logger.LogInformation("Action {Action} starting", context.ActionDescriptor.DisplayName);
                }

                public void OnActionExecuted(ActionExecutedContext context)
                {
                    _logger.LogInformation("Action {Action} done", context.ActionDescriptor.DisplayName);
                    CurrentUser.Value = null;
                }
            }
            """);
    }

    [Fact]
    public async Task Fixes_PageAndResultFiltersInOneFixAll()
    {
        await VerifyCS.FixAsync("""
            #nullable enable
            using System.Threading;
            using Microsoft.AspNetCore.Mvc.Filters;

            public sealed class PageTenantFilter : IPageFilter
            {
                private static readonly AsyncLocal<string> s_tenant = new();

                public static string Tenant => s_tenant.Value ?? "";

                public void OnPageHandlerSelected(PageHandlerSelectedContext context) { }

                public void OnPageHandlerExecuting(PageHandlerExecutingContext context)
                {
                    [|s_tenant.Value = context.HttpContext.Request.Host.Host|];
                }

                public void OnPageHandlerExecuted(PageHandlerExecutedContext context)
                {
                }
            }

            public sealed class ResultUserFilter : IResultFilter
            {
                private readonly AsyncLocal<string?> _user = new();

                public string? User => _user.Value;

                public void OnResultExecuting(ResultExecutingContext context) => [|_user.Value = context.HttpContext.User.Identity?.Name|];

                void IResultFilter.OnResultExecuted(ResultExecutedContext context)
                {
                    System.Console.WriteLine("result written");
                }
            }
            """, """
            #nullable enable
            using System.Threading;
            using Microsoft.AspNetCore.Mvc.Filters;

            public sealed class PageTenantFilter : IPageFilter
            {
                private static readonly AsyncLocal<string> s_tenant = new();

                public static string Tenant => s_tenant.Value ?? "";

                public void OnPageHandlerSelected(PageHandlerSelectedContext context) { }

                public void OnPageHandlerExecuting(PageHandlerExecutingContext context)
                {
                    s_tenant.Value = context.HttpContext.Request.Host.Host;
                }

                public void OnPageHandlerExecuted(PageHandlerExecutedContext context)
                {
                    s_tenant.Value = null!;
                }
            }

            public sealed class ResultUserFilter : IResultFilter
            {
                private readonly AsyncLocal<string?> _user = new();

                public string? User => _user.Value;

                public void OnResultExecuting(ResultExecutingContext context) => _user.Value = context.HttpContext.User.Identity?.Name;

                void IResultFilter.OnResultExecuted(ResultExecutedContext context)
                {
                    System.Console.WriteLine("result written");
                    _user.Value = null;
                }
            }
            """);
    }

    [Fact]
    public async Task NoFix_ExecutedCallbackThatReturnsEarly()
    {
        await VerifyCS.NoFixAsync("""
            using System.Security.Claims;
            using System.Threading;
            using Microsoft.AspNetCore.Mvc.Filters;

            public sealed class AuditUserFilter : IActionFilter
            {
                internal static readonly AsyncLocal<ClaimsPrincipal?> CurrentUser = new();

                public void OnActionExecuting(ActionExecutingContext context)
                {
                    [|CurrentUser.Value = context.HttpContext.User|];
                }

                public void OnActionExecuted(ActionExecutedContext context)
                {
                    if (context.Exception is null)
                        return;
                    System.Console.WriteLine(context.Exception.Message);
                }
            }
            """);
    }

    [Fact]
    public async Task NoFix_ThreadStaticSetInAFilter()
    {
        await VerifyCS.NoFixAsync("""
            using System;
            using Microsoft.AspNetCore.Mvc.Filters;

            public sealed class CultureResultFilter : IResultFilter
            {
                [ThreadStatic] internal static string? t_culture;

                public void OnResultExecuting(ResultExecutingContext context)
                {
                    [|t_culture = context.HttpContext.Request.Headers.AcceptLanguage.ToString()|];
                }

                public void OnResultExecuted(ResultExecutedContext context)
                {
                }
            }
            """);
    }

    [Fact]
    public async Task Fixes_ScopeMethodsReturnARestoreScopeInOneFixAll()
    {
        await VerifyCS.FixAsync("""
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed record Tenant(string Id, string ConnectionString);

            public static class TenantContext
            {
                private static readonly AsyncLocal<Tenant?> s_current = new();
                private static readonly AsyncLocal<string?> s_user = new();

                public static Tenant? Current => s_current.Value;

                public static string? User => s_user.Value;

                public static void BeginScope(Tenant tenant)
                {
                    System.Console.WriteLine("tenant " + tenant.Id);
                    [|s_current.Value = tenant|];
                }

                public static void EnterUser(string? user) => [|s_user.Value = user|];
            }

            public sealed class TenantMiddleware
            {
                private readonly RequestDelegate _next;

                public TenantMiddleware(RequestDelegate next) => _next = next;

                public async Task InvokeAsync(HttpContext context)
                {
                    TenantContext.BeginScope(new Tenant(context.Request.Host.Host, ""));
                    TenantContext.EnterUser(context.User.Identity?.Name);
                    await _next(context);
                }
            }
            """, """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed record Tenant(string Id, string ConnectionString);

            public static class TenantContext
            {
                private static readonly AsyncLocal<Tenant?> s_current = new();
                private static readonly AsyncLocal<string?> s_user = new();

                public static Tenant? Current => s_current.Value;

                public static string? User => s_user.Value;

                public static IDisposable BeginScope(Tenant tenant)
                {
                    System.Console.WriteLine("tenant " + tenant.Id);
                    var previousCurrent = s_current.Value;
                    s_current.Value = tenant;
                    return new RestoreScope(() => s_current.Value = previousCurrent);
                }

                public static IDisposable EnterUser(string? user)
                {
                    var previousUser = s_user.Value;
                    s_user.Value = user;
                    return new RestoreScope(() => s_user.Value = previousUser);
                }

                private sealed class RestoreScope : IDisposable
                {
                    private readonly Action _restore;

                    public RestoreScope(Action restore)
                    {
                        _restore = restore;
                    }

                    public void Dispose()
                    {
                        _restore();
                    }
                }
            }

            public sealed class TenantMiddleware
            {
                private readonly RequestDelegate _next;

                public TenantMiddleware(RequestDelegate next) => _next = next;

                public async Task InvokeAsync(HttpContext context)
                {
                    TenantContext.BeginScope(new Tenant(context.Request.Host.Host, ""));
                    TenantContext.EnterUser(context.User.Identity?.Name);
                    await _next(context);
                }
            }
            """);
    }

    [Fact]
    public async Task NoFix_ScopeMethodThatImplementsAnInterface()
    {
        await VerifyCS.NoFixAsync("""
            using System.Threading;

            public interface ITenantScopes
            {
                void BeginScope(string tenant);
            }

            public sealed class TenantScopes : ITenantScopes
            {
                private static readonly AsyncLocal<string?> s_current = new();

                public static string? Current => s_current.Value;

                public void BeginScope(string tenant)
                {
                    [|s_current.Value = tenant|];
                }
            }
            """);
    }

    [Fact]
    public async Task Fixes_SetterCallRestoredThroughItsGetter()
    {
        await VerifyCS.FixAsync("""
            #nullable enable
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed record Tenant(string Id);

            public static class TenantContext
            {
                private static readonly AsyncLocal<Tenant?> s_current = new();

                public static Tenant? Current => s_current.Value;

                public static void SetTenant(Tenant? tenant) => s_current.Value = tenant;
            }

            public sealed class TenantMiddleware
            {
                private readonly RequestDelegate _next;

                public TenantMiddleware(RequestDelegate next) => _next = next;

                public Task Invoke(HttpContext context)
                {
                    [|TenantContext.SetTenant(new Tenant(context.Request.Host.Host))|];
                    return _next(context);
                }
            }
            """, """
            #nullable enable
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed record Tenant(string Id);

            public static class TenantContext
            {
                private static readonly AsyncLocal<Tenant?> s_current = new();

                public static Tenant? Current => s_current.Value;

                public static void SetTenant(Tenant? tenant) => s_current.Value = tenant;
            }

            public sealed class TenantMiddleware
            {
                private readonly RequestDelegate _next;

                public TenantMiddleware(RequestDelegate next) => _next = next;

                public async Task Invoke(HttpContext context)
                {
                    var previousCurrent = TenantContext.Current;
                    TenantContext.SetTenant(new Tenant(context.Request.Host.Host));
                    try
                    {
                        await _next(context);
                    }
                    finally
                    {
                        TenantContext.SetTenant(previousCurrent);
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task Fixes_ThreadStaticSetterCallOnAnInstanceWithANotNullParameter()
    {
        await VerifyCS.FixAsync("""
            #nullable enable
            using System;
            using Microsoft.AspNetCore.Mvc;

            public sealed class CultureAccessor
            {
                [ThreadStatic] private static string? t_culture;

                public string? Culture => t_culture;

                public void SetCulture(string culture)
                {
                    t_culture = culture;
                }
            }

            public sealed class ReportsController : ControllerBase
            {
                private readonly CultureAccessor _culture;

                public ReportsController(CultureAccessor culture) => _culture = culture;

                [HttpGet("reports")]
                public IActionResult Index()
                {
                    [|_culture.SetCulture(Request.Headers.AcceptLanguage.ToString())|];
                    var title = string.Format("{0}: {1}", _culture.Culture, DateTime.UtcNow);
                    return Ok(title);
                }
            }
            """, """
            #nullable enable
            using System;
            using Microsoft.AspNetCore.Mvc;

            public sealed class CultureAccessor
            {
                [ThreadStatic] private static string? t_culture;

                public string? Culture => t_culture;

                public void SetCulture(string culture)
                {
                    t_culture = culture;
                }
            }

            public sealed class ReportsController : ControllerBase
            {
                private readonly CultureAccessor _culture;

                public ReportsController(CultureAccessor culture) => _culture = culture;

                [HttpGet("reports")]
                public IActionResult Index()
                {
                    var previousCulture = _culture.Culture;
                    _culture.SetCulture(Request.Headers.AcceptLanguage.ToString());
                    try
                    {
                        var title = string.Format("{0}: {1}", _culture.Culture, DateTime.UtcNow);
                        return Ok(title);
                    }
                    finally
                    {
                        _culture.SetCulture(previousCulture!);
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task NoFix_SetterCallWhoseTypeHasNoGetterOfTheSlot()
    {
        // TenantAccessor.Current reads another property, not the slot: the fix cannot tell it returns what SetCurrent
        // wrote, so it saves nothing.
        await VerifyCS.NoFixAsync("""
            using System;
            using Microsoft.AspNetCore.Mvc;

            public sealed record Tenant(string Id);

            internal static class TenantContext
            {
                [ThreadStatic] private static Tenant? t_current;

                public static Tenant? Current => t_current;

                public static void SetTenant(Tenant? tenant) => t_current = tenant;
            }

            public sealed class TenantAccessor
            {
                public Tenant? Current => TenantContext.Current ?? new Tenant("default");

                public void SetCurrent(Tenant? tenant) => TenantContext.SetTenant(tenant);
            }

            public sealed class OrdersController : ControllerBase
            {
                private readonly TenantAccessor _tenants;

                public OrdersController(TenantAccessor tenants) => _tenants = tenants;

                [HttpGet("orders")]
                public IActionResult List()
                {
                    [|_tenants.SetCurrent(new Tenant(Request.Headers["X-Tenant"].ToString()))|];
                    return Ok(_tenants.Current?.Id);
                }
            }
            """);
    }
}
