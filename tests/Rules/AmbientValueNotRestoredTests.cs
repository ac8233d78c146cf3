using LeakAnalyzers.Rules;
using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.AmbientValueNotRestoredAnalyzer>;
using VerifyCS = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.AmbientValueNotRestoredAnalyzer, LeakAnalyzers.Rules.AmbientValueNotRestoredFixer>;

namespace LeakAnalyzers.Tests.Rules;

public sealed class AmbientValueNotRestoredTests
{
    // ------------------------------------------------------------------------------------------------ reports

    [Fact]
    public async Task Reports_AsyncLocalInSynchronousMiddlewareReturningNext()
    {
        await Analyze.DiagnosticsAsync("""
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
                    {|#0:Tenant.Value = context.Request.Headers["X-Tenant"].ToString()|};
                    return _next(context);
                }
            }
            """, Analyze.Diagnostic().WithLocation(0).WithArguments("Tenant", AmbientValueNotRestoredAnalyzer.FlowsToCaller));
    }

    [Fact]
    public async Task Reports_ActionFilterWhoseExecutedHalfDoesNotRestore()
    {
        await Analyze.DiagnosticsAsync("""
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
                }

                public void OnActionExecuted(ActionExecutedContext context)
                {
                    _logger.LogInformation("Action {Action} done", context.ActionDescriptor.DisplayName);
                }
            }
            """);
    }

    [Theory]
    [InlineData("BeginScope")]
    [InlineData("Enter")]
    [InlineData("Push")]
    [InlineData("UseTenant")]
    public async Task Reports_ScopeMethodThatReturnsNothingToEndIt(string name)
    {
        await Analyze.DiagnosticsAsync($$"""
            using System.Threading;

            public sealed record Tenant(string Id, string ConnectionString);

            public static class TenantContext
            {
                private static readonly AsyncLocal<Tenant?> s_current = new();

                public static Tenant? Current => s_current.Value;

                public static void {{name}}(Tenant tenant)
                {
                    {|#0:s_current.Value = tenant|};
                }
            }
            """, Analyze.Diagnostic().WithLocation(0).WithArguments("s_current", AmbientValueNotRestoredAnalyzer.FlowsToCaller));
    }

    [Fact]
    public async Task Reports_ThreadStaticSetInAsyncMiddleware()
    {
        await Analyze.DiagnosticsAsync("""
            using System;
            using System.Security.Claims;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed class UserMiddleware
            {
                [ThreadStatic] private static ClaimsPrincipal? t_user;
                private readonly RequestDelegate _next;

                public UserMiddleware(RequestDelegate next) => _next = next;

                public static ClaimsPrincipal? User => t_user;

                public async Task InvokeAsync(HttpContext context)
                {
                    {|#0:t_user = context.User|};
                    await _next(context);
                }
            }
            """, Analyze.Diagnostic().WithLocation(0).WithArguments("t_user", AmbientValueNotRestoredAnalyzer.StaysOnThread));
    }

    [Fact]
    public async Task Reports_ThreadLocalSetFromRequest()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Threading;
            using Microsoft.AspNetCore.Http;
            using Microsoft.AspNetCore.Mvc;

            public sealed class ReportController : ControllerBase
            {
                private static readonly ThreadLocal<string?> Culture = new();

                [HttpGet("/report")]
                public IActionResult Get()
                {
                    [|Culture.Value = Request.Headers.AcceptLanguage.ToString()|];
                    return Ok(Render());
                }

                private static string Render() => "report in " + Culture.Value;
            }
            """);
    }

    [Fact]
    public async Task Reports_ThreadStaticSetInsideTaskRun()
    {
        await Analyze.DiagnosticsAsync("""
            using System;
            using System.Threading.Tasks;

            public sealed record Order(int Id, string Customer);

            public sealed class OrderExporter
            {
                [ThreadStatic] private static Order? t_order;

                public Task ExportAsync(Order order) => Task.Run(() =>
                {
                    [|t_order = order|];
                    Write();
                });

                private static void Write() => Console.WriteLine(t_order?.Customer);
            }
            """);
    }

    [Fact]
    public async Task Reports_PipelineLambdas()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Threading;
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Http;

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
                    app.Use(next => context =>
                    {
                        [|CorrelationId.Value = context.Request.Headers["X-Correlation-Id"].ToString()|];
                        return next(context);
                    });
                }
            }
            """);
    }

    [Fact]
    public async Task Reports_ValueTracedThroughLocals()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed record Tenant(string Id);

            public sealed class TenantMiddleware
            {
                private static readonly AsyncLocal<Tenant?> Current = new();
                private readonly RequestDelegate _next;

                public TenantMiddleware(RequestDelegate next) => _next = next;

                public Task Invoke(HttpContext context)
                {
                    var host = context.Request.Host.Host;
                    var tenant = new Tenant(host.Split('.')[0]);
                    [|Current.Value = tenant|];
                    return _next(context);
                }
            }
            """);
    }

    [Fact]
    public async Task Reports_AssignmentThroughAWrapperProperty()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed record Tenant(string Id);

            public static class TenantContext
            {
                private static readonly AsyncLocal<Tenant?> s_current = new();

                public static Tenant? Current
                {
                    get => s_current.Value;
                    set => s_current.Value = value;
                }
            }

            public sealed class TenantMiddleware
            {
                private readonly RequestDelegate _next;

                public TenantMiddleware(RequestDelegate next) => _next = next;

                public Task Invoke(HttpContext context)
                {
                    {|#0:TenantContext.Current = new Tenant(context.Request.Host.Host)|};
                    return _next(context);
                }
            }
            """, Analyze.Diagnostic().WithLocation(0).WithArguments("TenantContext.Current", AmbientValueNotRestoredAnalyzer.FlowsToCaller));
    }

    [Fact]
    public async Task Reports_LazyGetterFillingTheSlotFromTheRequest()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Threading;
            using Microsoft.AspNetCore.Http;

            public sealed record SecurityToken(string Value);

            public sealed class SecurityTokenAccessor
            {
                private static readonly AsyncLocal<SecurityToken?> s_token = new();
                private readonly IHttpContextAccessor _http;

                public SecurityTokenAccessor(IHttpContextAccessor http) => _http = http;

                public SecurityToken? Token
                {
                    get
                    {
                        if (s_token.Value is null)
                            [|s_token.Value = new SecurityToken(_http.HttpContext!.Request.Headers.Authorization.ToString())|];
                        return s_token.Value;
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task Reports_ThreadStaticLazyCaptureOfTheRequest()
    {
        await Analyze.DiagnosticsAsync("""
            using System;
            using Microsoft.AspNetCore.Http;

            public static class RequestCache
            {
                [ThreadStatic] private static HttpContext? t_context;

                public static string Path(HttpContext context)
                {
                    [|t_context ??= context|];
                    return t_context.Request.Path;
                }
            }
            """);
    }

    [Fact]
    public async Task Reports_PrivateHelperCalledFromASynchronousMethod()
    {
        await Analyze.DiagnosticsAsync("""
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
                    Resolve(context);
                    return _next(context);
                }

                private static void Resolve(HttpContext context) => [|Tenant.Value = context.Request.Host.Host|];
            }
            """);
    }

    [Fact]
    public async Task Reports_SiblingMethodDoesNotBorrowAnotherMethodsFinally()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Threading;
            using Microsoft.AspNetCore.Http;

            public sealed class Renderer
            {
                private static readonly AsyncLocal<string?> s_culture = new();

                public string Page(HttpContext context)
                {
                    var previous = s_culture.Value;
                    s_culture.Value = context.Request.Headers.AcceptLanguage.ToString();
                    try
                    {
                        return Build();
                    }
                    finally
                    {
                        s_culture.Value = previous;
                    }
                }

                public string Fragment(string culture)
                {
                    [|s_culture.Value = culture|];
                    return Build();
                }

                private static string Build() => "in " + s_culture.Value;
            }
            """);
    }

    [Fact]
    public async Task Reports_ConfiguredRequestDataType()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            namespace Shop;

            public sealed record Tenant(string Id);

            public interface ITenantResolver { Tenant Resolve(); }

            public sealed class TenantMiddleware
            {
                private static readonly AsyncLocal<Tenant?> Current = new();
                private readonly RequestDelegate _next;
                private readonly ITenantResolver _resolver;

                public TenantMiddleware(RequestDelegate next, ITenantResolver resolver)
                {
                    _next = next;
                    _resolver = resolver;
                }

                public Task Invoke(HttpContext context)
                {
                    [|Current.Value = _resolver.Resolve()|];
                    return _next(context);
                }
            }
            """, new TestSettings { Options = [(AmbientValueNotRestoredAnalyzer.RequestDataTypesOption, "Shop.Tenant")] });
    }

    [Fact]
    public async Task Reports_TimerStartedAfterSettingAnAsyncLocal()
    {
        await Analyze.DiagnosticsAsync("""
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
                    s_flush ??= {|#0:new Timer(_ => Flush(), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10))|};
                    await _next(context);
                }

                private static void Flush() { }
            }
            """, Analyze.Diagnostic().WithLocation(0).WithArguments("Route", AmbientValueNotRestoredAnalyzer.CapturedByTimer));
    }

    [Fact]
    public async Task Reports_RegistrationOnALongLivedToken()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;
            using Microsoft.Extensions.Hosting;

            public sealed class SessionMiddleware
            {
                private static readonly AsyncLocal<string?> Session = new();
                private static readonly CancellationTokenSource s_shutdown = new();
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
                    using (ExecutionContext.SuppressFlow())
                    {
                        _lifetime.ApplicationStarted.Register(() => Log("started"));
                    }

                    {|#0:_lifetime.ApplicationStopping.Register(() => Log("stopping"))|};
                    {|#1:s_shutdown.Token.Register(state => Log((string)state!), "bye")|};
                    await _next(context);
                }

                private static void Log(string message) { }
            }
            """,
            Analyze.Diagnostic().WithLocation(0).WithArguments("Session", AmbientValueNotRestoredAnalyzer.CapturedByRegistration),
            Analyze.Diagnostic().WithLocation(1).WithArguments("Session", AmbientValueNotRestoredAnalyzer.CapturedByRegistration));
    }

    [Theory]
    [InlineData("Encoding.UTF8.GetBytes(name)")]
    [InlineData("Avatars.Load(userId)")]
    public async Task Reports_ThreadStaticBufferFilledWithRequestData(string value)
    {
        // Bytes of the request (or loaded for its user) are data, not a scratch buffer.
        await Analyze.DiagnosticsAsync($$"""
            using System;
            using System.Text;

            public static class Avatars
            {
                public static byte[] Load(int userId) => new byte[userId];
            }

            public static class Cache
            {
                [ThreadStatic] private static byte[]? t_bytes;

                public static int Remember(string name, int userId)
                {
                    [|t_bytes = {{value}}|];
                    return t_bytes.Length;
                }
            }
            """);
    }

    [Fact]
    public async Task Reports_HolderSetButNeverCleared()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Threading;

            public sealed class TenantAccessor
            {
                private static readonly AsyncLocal<TenantHolder> s_holder = new();

                public string? Tenant => s_holder.Value?.Tenant;

                public void Enter(string tenant) => [|s_holder.Value = new TenantHolder { Tenant = tenant }|];

                private sealed class TenantHolder
                {
                    public string? Tenant { get; set; }
                }
            }
            """);
    }

    // ------------------------------------------------------------------------------------------------ silent

    [Fact]
    public async Task DoesNotReport_AsyncLocalInAsyncMethodsAndLambdas()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Http;

            public sealed class TenantMiddleware
            {
                private static readonly AsyncLocal<string?> Tenant = new();
                private readonly RequestDelegate _next;

                public TenantMiddleware(RequestDelegate next) => _next = next;

                // The async state machine restores the caller's ExecutionContext when InvokeAsync returns.
                public async Task InvokeAsync(HttpContext context)
                {
                    Tenant.Value = context.Request.Headers["X-Tenant"].ToString();
                    await _next(context);
                }

                public static void Map(IApplicationBuilder app) =>
                    app.Use(async (context, next) =>
                    {
                        Tenant.Value = context.Request.Host.Host;
                        await next(context);
                    });
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_SaveSetTryFinallyRestore()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed class TenantMiddleware
            {
                private static readonly AsyncLocal<string?> Tenant = new();
                [ThreadStatic] private static HttpContext? t_context;
                private readonly RequestDelegate _next;

                public TenantMiddleware(RequestDelegate next) => _next = next;

                public Task Invoke(HttpContext context)
                {
                    var previous = Tenant.Value;
                    var previousContext = t_context;
                    Tenant.Value = context.Request.Host.Host;
                    t_context = context;
                    try
                    {
                        return _next(context);
                    }
                    finally
                    {
                        Tenant.Value = previous;
                        t_context = previousContext;
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_RestoredByAScopeObject()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System;
            using System.Threading;

            public sealed record Tenant(string Id);

            public static class TenantContext
            {
                private static readonly AsyncLocal<Tenant?> s_current = new();

                public static Tenant? Current => s_current.Value;

                // A void Enter, restored by the nested scope's Dispose.
                public static void Enter(Tenant tenant) => s_current.Value = tenant;

                public static Scope Begin(Tenant tenant)
                {
                    var scope = new Scope(s_current.Value);
                    s_current.Value = tenant;
                    return scope;
                }

                public sealed class Scope : IDisposable
                {
                    private readonly Tenant? _previous;
                    public Scope(Tenant? previous) => _previous = previous;

                    public void Dispose()
                    {
                        try { Console.WriteLine("leaving"); }
                        finally { s_current.Value = _previous; }
                    }
                }
            }

            public sealed class UserScope : IDisposable
            {
                private static readonly AsyncLocal<string?> s_user = new();
                private readonly string? _previous;

                // The scope object sets in its constructor and restores in Dispose.
                public UserScope(string user)
                {
                    _previous = s_user.Value;
                    s_user.Value = user;
                }

                public void Dispose() => s_user.Value = _previous;
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_MethodThatReturnsARestoreToken()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System;
            using System.Threading;

            public static class Culture
            {
                private static readonly AsyncLocal<string?> s_culture = new();

                public static IDisposable Use(string culture)
                {
                    s_culture.Value = culture;
                    return new Restore();
                }

                public static Action Push(string culture)
                {
                    s_culture.Value = culture;
                    return () => Console.WriteLine("restore is the caller's job");
                }

                private sealed class Restore : IDisposable
                {
                    public void Dispose() { }
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_PairedFilterCallbackRestores()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Security.Claims;
            using System.Threading;
            using Microsoft.AspNetCore.Mvc.Filters;

            public sealed class AuditUserFilter : IActionFilter
            {
                internal static readonly AsyncLocal<ClaimsPrincipal?> CurrentUser = new();

                public void OnActionExecuting(ActionExecutingContext context) => CurrentUser.Value = context.HttpContext.User;

                public void OnActionExecuted(ActionExecutedContext context) => CurrentUser.Value = null;
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_RestoreHelperCalledFromFinally()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Threading;
            using Microsoft.AspNetCore.Http;

            public sealed class Renderer
            {
                private static readonly AsyncLocal<HttpContext?> s_context = new();

                public string Render(HttpContext context)
                {
                    var previous = s_context.Value;
                    Apply(context);
                    try
                    {
                        return Build();
                    }
                    finally
                    {
                        Apply(previous);
                    }
                }

                private static void Apply(HttpContext? context) => s_context.Value = context;

                private static string Build() => s_context.Value?.Request.Path ?? "/";
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_PerThreadCaches()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System;
            using System.Text;
            using System.Threading;

            public static class Formatting
            {
                private static readonly ThreadLocal<StringBuilder> s_builder = new(() => new StringBuilder(256));
                private static readonly ThreadLocal<Random> s_random = new();
                [ThreadStatic] private static byte[]? t_buffer;
                [ThreadStatic] private static StringBuilder? t_cachedBuilder;

                public static string Join(string[] parts, int minimumLength)
                {
                    t_buffer ??= new byte[4096];
                    if (t_buffer.Length < minimumLength)
                        t_buffer = new byte[minimumLength];
                    s_random.Value ??= new Random(minimumLength);
                    var builder = t_cachedBuilder ?? new StringBuilder(minimumLength);
                    t_cachedBuilder = null;
                    foreach (var part in parts)
                        builder.Append(part);
                    var text = builder.ToString();
                    builder.Clear();
                    t_cachedBuilder = builder;
                    return text + s_builder.Value!.Length;
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_ValueTypesOnAThread()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System;
            using System.Threading;

            public sealed record Job(int TenantId, DateTime Due);

            public static class JobRunner
            {
                [ThreadStatic] private static int t_tenantId;
                private static readonly ThreadLocal<DateTime> s_due = new();

                public static void Run(Job job)
                {
                    t_tenantId = job.TenantId;
                    s_due.Value = job.Due;
                    Console.WriteLine(t_tenantId);
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_NullAndDefaultAssignments()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System;
            using System.Threading;
            using Microsoft.AspNetCore.Http;

            public static class Ambient
            {
                private static readonly AsyncLocal<HttpContext?> s_context = new();
                [ThreadStatic] private static HttpContext? t_context;

                public static void Clear()
                {
                    s_context.Value = null;
                    t_context = default;
                }

                public static void Forget() => s_context.Value = default(HttpContext);
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_Accessors()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System;
            using System.Threading;
            using Microsoft.AspNetCore.Http;

            // Published the way IHttpContextAccessor.HttpContext is: the caller that sets it clears it.
            public sealed class RequestContextAccessor
            {
                private static readonly AsyncLocal<HttpContext?> s_current = new();
                [ThreadStatic] private static string? t_route;

                public HttpContext? Current
                {
                    get => s_current.Value;
                    set => s_current.Value = value;
                }

                public static string? Route
                {
                    get => t_route;
                    set { t_route = value; }
                }

                public void SetCurrent(HttpContext? context) => s_current.Value = context;
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_PrivateHelperOnlyCalledFromAsyncMethods()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed class TenantMiddleware
            {
                private static readonly AsyncLocal<string?> Tenant = new();
                private readonly RequestDelegate _next;

                public TenantMiddleware(RequestDelegate next) => _next = next;

                public async Task InvokeAsync(HttpContext context)
                {
                    Resolve(context);
                    await _next(context);
                }

                private static void Resolve(HttpContext context) => Tenant.Value = context.Request.Host.Host;
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_AsyncLocalInLambdasRunByOthers()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;

            public static class Batch
            {
                private static readonly AsyncLocal<string?> Item = new();

                // The thread pool runs the work item in its own copy of the context and resets it afterwards.
                public static Task RunAsync(string item) => Task.Run(() =>
                {
                    Item.Value = item;
                    System.Console.WriteLine(Item.Value);
                });

                public static void Each(List<string> items)
                {
                    void Process(string item) => Item.Value = item;
                    items.ForEach(Process);
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_ResponseCallbacks()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public static class Timing
            {
                private static readonly AsyncLocal<string?> s_phase = new();

                public static void Track(HttpContext context) =>
                    context.Response.OnStarting(() =>
                    {
                        s_phase.Value = context.Request.Path;
                        context.Response.Headers["X-Phase"] = s_phase.Value;
                        return Task.CompletedTask;
                    });
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_ValuesThatCarryNoRequestData()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed class Defaults
            {
                private static readonly AsyncLocal<string?> s_region = new();
                private static readonly AsyncLocal<bool> s_inScope = new();
                private readonly string _fallback = "eu-west";

                public void Reset() => s_region.Value = _fallback;

                public void Mark() => s_inScope.Value = true;

                public void Nest() => s_region.Value = s_region.Value + "/child";
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_RestoredInAnotherPartOfTheType()
    {
        await Analyze.NoDiagnosticsAsync(["""
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed partial class TenantMiddleware
            {
                private static readonly AsyncLocal<string?> Tenant = new();

                public Task Invoke(HttpContext context)
                {
                    Tenant.Value = context.Request.Host.Host;
                    return Continue(context);
                }
            }
            """, """
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed partial class TenantMiddleware
            {
                private readonly RequestDelegate _next;

                public TenantMiddleware(RequestDelegate next) => _next = next;

                private async Task Continue(HttpContext context)
                {
                    try { await _next(context); }
                    finally { Tenant.Value = null; }
                }
            }
            """]);
    }

    [Fact]
    public async Task DoesNotReport_EntryPoint()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System;
            using System.Threading;

            public static class Settings
            {
                public static readonly AsyncLocal<string?> Environment = new();
                [ThreadStatic] public static string[]? t_arguments;
            }

            public static class Program
            {
                public static void Main(string[] args)
                {
                    Settings.Environment.Value = args.Length > 0 ? args[0] : "Production";
                    Settings.t_arguments = args;
                    Console.WriteLine(Settings.Environment.Value);
                }
            }
            """, new TestSettings { OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication });
    }

    [Fact]
    public async Task DoesNotReport_TopLevelStatements()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System;
            using System.Threading;

            Settings.Environment.Value = args.Length > 0 ? args[0] : "Production";
            Console.WriteLine(Settings.Environment.Value);

            public static class Settings
            {
                public static readonly AsyncLocal<string?> Environment = new();
            }
            """, new TestSettings { OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication });
    }

    [Fact]
    public async Task DoesNotReport_WithoutTheOptionAValueFromAServiceIsUnknown()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            namespace Shop;

            public sealed record Tenant(string Id);

            public interface ITenantResolver { Tenant Resolve(); }

            public sealed class TenantMiddleware
            {
                private static readonly AsyncLocal<Tenant?> Current = new();
                private readonly RequestDelegate _next;
                private readonly ITenantResolver _resolver;

                public TenantMiddleware(RequestDelegate next, ITenantResolver resolver)
                {
                    _next = next;
                    _resolver = resolver;
                }

                public Task Invoke(HttpContext context)
                {
                    Current.Value = _resolver.Resolve();
                    return _next(context);
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_ShortLivedOrUnrelatedCaptures()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed class PollingMiddleware
            {
                private static readonly AsyncLocal<string?> Route = new();
                private static Timer? s_beforeSet;
                private static Timer? s_suppressed;
                private static Timer? s_cleared;
                private readonly RequestDelegate _next;

                public PollingMiddleware(RequestDelegate next) => _next = next;

                public async Task InvokeAsync(HttpContext context, CancellationToken stopping)
                {
                    s_beforeSet ??= new Timer(_ => { }, null, 1000, 1000);
                    Route.Value = context.Request.Path;

                    // Owned by the request: disposed here, or a token that ends with the request.
                    using var poll = new Timer(_ => { }, null, 100, 100);
                    using var onAbort = context.RequestAborted.Register(() => Console.WriteLine("aborted"));
                    stopping.Register(() => Console.WriteLine("stopping"));
                    using (var cts = new CancellationTokenSource())
                        cts.Token.Register(() => Console.WriteLine("local"));

                    using (ExecutionContext.SuppressFlow())
                    {
                        s_suppressed ??= new Timer(_ => { }, null, 1000, 1000);
                    }

                    await _next(context);
                    Route.Value = null;
                    s_cleared ??= new Timer(_ => { }, null, 1000, 1000);
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_HolderClearedThroughTheSlot()
    {
        // The IHttpContextAccessor technique: emptying the shared holder releases the value in every context that has it.
        await Analyze.NoDiagnosticsAsync("""
            using System.Threading;

            public sealed class TenantAccessor
            {
                private static readonly AsyncLocal<TenantHolder> s_holder = new();

                public string? Tenant => s_holder.Value?.Tenant;

                public void SetTenant(string tenant)
                {
                    var holder = s_holder.Value;
                    if (holder is not null)
                        holder.Tenant = null;
                    s_holder.Value = new TenantHolder { Tenant = tenant };
                }

                public void ClearTenant()
                {
                    var holder = s_holder.Value;
                    if (holder != null)
                        holder.Tenant = null;
                }

                private sealed class TenantHolder
                {
                    public string? Tenant { get; set; }
                }
            }

            public sealed class UserAccessor
            {
                private static readonly AsyncLocal<UserHolder> s_holder = new();

                public void SetUser(string user, string role) => s_holder.Value = new UserHolder { User = user, Role = role };

                public void Forget()
                {
                    if (s_holder.Value is { } holder)
                        holder.User = null;
                }

                private sealed class UserHolder
                {
                    public string? User;
                    public string? Role;
                }
            }

            public sealed class RequestIdAccessor
            {
                private static readonly AsyncLocal<IdHolder> s_holder = new();

                public void Start(string id, int attempt) => s_holder.Value = new IdHolder { Id = id, Attempt = attempt };

                public void Stop() => s_holder.Value.Id = null;

                private sealed class IdHolder
                {
                    public string? Id;
                    public int Attempt;
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_PerThreadBuffersFromTheRuntime()
    {
        // Sized from a parameter, but a buffer: nothing of the request is in it.
        await Analyze.NoDiagnosticsAsync("""
            using System;
            using System.Buffers;

            public static class Scratch
            {
                [ThreadStatic] private static byte[]? t_bytes;
                [ThreadStatic] private static char[]? t_chars;

                public static byte[] Bytes(int minimumLength)
                {
                    if (t_bytes is null || t_bytes.Length < minimumLength)
                        t_bytes = GC.AllocateUninitializedArray<byte>(Math.Max(minimumLength, 1024));
                    return t_bytes;
                }

                public static char[] Chars(int minimumLength)
                {
                    if (t_chars is null || t_chars.Length < minimumLength)
                        t_chars = ArrayPool<char>.Shared.Rent(minimumLength);
                    return t_chars;
                }
            }
            """);
    }

    // ------------------------------------------------------------------------------------------------ fixes

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

                public static void Enter(string tenant)
                {
                    System.Console.WriteLine("entering " + tenant);
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

    // ------------------------------------------------------------------------------------------------ options

    [Fact]
    public async Task Option_RequestDataTypes_FixesAServiceValue()
    {
        await VerifyCS.FixAsync("""
            using System.Threading;

            namespace Shop;

            public sealed record Tenant(string Id);

            public interface ITenantResolver { Tenant Resolve(); }

            public sealed class ReportJob
            {
                private static readonly AsyncLocal<Tenant?> Current = new();
                private readonly ITenantResolver _resolver;

                public ReportJob(ITenantResolver resolver) => _resolver = resolver;

                public string Run()
                {
                    [|Current.Value = _resolver.Resolve()|];
                    return Current.Value.Id.ToUpperInvariant();
                }
            }
            """, """
            using System.Threading;

            namespace Shop;

            public sealed record Tenant(string Id);

            public interface ITenantResolver { Tenant Resolve(); }

            public sealed class ReportJob
            {
                private static readonly AsyncLocal<Tenant?> Current = new();
                private readonly ITenantResolver _resolver;

                public ReportJob(ITenantResolver resolver) => _resolver = resolver;

                public string Run()
                {
                    var previousCurrent = Current.Value;
                    Current.Value = _resolver.Resolve();
                    try
                    {
                        return Current.Value.Id.ToUpperInvariant();
                    }
                    finally
                    {
                        Current.Value = previousCurrent;
                    }
                }
            }
            """, new TestSettings { Options = [(AmbientValueNotRestoredAnalyzer.RequestDataTypesOption, "Shop.Tenant")] });
    }
}
