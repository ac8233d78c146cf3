using LeakAnalyzers.Rules;
using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.AmbientValueNotRestoredAnalyzer>;

namespace LeakAnalyzers.Tests.Rules;

public sealed partial class AmbientValueNotRestoredTests
{
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

    [Fact]
    public async Task Reports_ResetMethodThatPublishesItsParameter()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Security.Claims;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed class CurrentUserMiddleware
            {
                private static readonly AsyncLocal<ClaimsPrincipal?> s_user = new();
                private readonly RequestDelegate _next;

                public CurrentUserMiddleware(RequestDelegate next) => _next = next;

                public static ClaimsPrincipal? User => s_user.Value;

                public Task Invoke(HttpContext context)
                {
                    ResetUser(context.User);
                    return _next(context);
                }

                private static void ResetUser(ClaimsPrincipal user) => {|#0:s_user.Value = user|};
            }
            """, Analyze.Diagnostic().WithLocation(0).WithArguments("s_user", AmbientValueNotRestoredAnalyzer.FlowsToCaller));
    }

    [Fact]
    public async Task Reports_SetWhoseOnlyOtherWriteIsARestoreNamedSetter()
    {
        await Analyze.DiagnosticsAsync("""
            using System;
            using System.Threading;
            using Microsoft.AspNetCore.Http;

            public sealed class TenantResolver
            {
                [ThreadStatic] private static string? t_tenant;

                public static string? Tenant => t_tenant;

                public void Resolve(HttpContext context)
                {
                    {|#0:t_tenant = context.Request.Headers["X-Tenant"].ToString()|};
                }

                public void RestoreTenant(string tenant)
                {
                    {|#1:t_tenant = tenant|};
                }
            }
            """,
            Analyze.Diagnostic().WithLocation(0).WithArguments("t_tenant", AmbientValueNotRestoredAnalyzer.StaysOnThread),
            Analyze.Diagnostic().WithLocation(1).WithArguments("t_tenant", AmbientValueNotRestoredAnalyzer.StaysOnThread));
    }

    [Fact]
    public async Task Reports_ScopeMethodWhoseDisposableDoesNotRestore()
    {
        await Analyze.DiagnosticsAsync("""
            using System;
            using System.Threading;
            using Microsoft.Extensions.Logging;

            public sealed record Tenant(string Id);

            public sealed class TenantScopes
            {
                private static readonly AsyncLocal<Tenant?> s_current = new();
                private readonly ILogger<TenantScopes> _logger;

                public TenantScopes(ILogger<TenantScopes> logger) => _logger = logger;

                public static Tenant? Current => s_current.Value;

                public IDisposable Enter(Tenant tenant)
                {
                    {|#0:s_current.Value = tenant|};
                    var scope = new TenantScope();
                    return scope;
                }

                private sealed class TenantScope : IDisposable
                {
                    private bool _disposed;

                    public void Dispose() => _disposed = true;
                }
            }
            """, Analyze.Diagnostic().WithLocation(0).WithArguments("s_current", AmbientValueNotRestoredAnalyzer.FlowsToCaller));
    }

    [Fact]
    public async Task Reports_ScopeConstructorWhoseDisposeDoesNotRestore()
    {
        await Analyze.DiagnosticsAsync("""
            using System;
            using System.Security.Claims;

            public sealed class ImpersonationScope : IDisposable
            {
                [ThreadStatic] private static ClaimsPrincipal? t_user;

                public ImpersonationScope(ClaimsPrincipal user) => {|#0:t_user = user|};

                public static ClaimsPrincipal? User => t_user;

                public void Dispose() { }
            }
            """, Analyze.Diagnostic().WithLocation(0).WithArguments("t_user", AmbientValueNotRestoredAnalyzer.StaysOnThread));
    }

    [Fact]
    public async Task Reports_HolderSetInTwoSteps()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed class RequestInfoMiddleware
            {
                private static readonly AsyncLocal<RequestInfo?> s_info = new();
                private readonly RequestDelegate _next;

                public RequestInfoMiddleware(RequestDelegate next) => _next = next;

                public static string? CurrentPath => s_info.Value?.Path;

                public Task Invoke(HttpContext context)
                {
                    s_info.Value ??= new RequestInfo();
                    {|#0:s_info.Value.Path = context.Request.Path.Value|};
                    return _next(context);
                }

                private sealed class RequestInfo
                {
                    public string? Path { get; set; }
                }
            }
            """, Analyze.Diagnostic().WithLocation(0).WithArguments("s_info", AmbientValueNotRestoredAnalyzer.FlowsToCaller));
    }

    [Fact]
    public async Task Reports_SlotBehindAnInterfacePropertyWithOneAsyncLocalImplementation()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public interface ICorrelationAccessor
            {
                string? Id { get; set; }
            }

            public sealed class CorrelationAccessor : ICorrelationAccessor
            {
                private static readonly AsyncLocal<string?> s_id = new();

                public string? Id
                {
                    get => s_id.Value;
                    set => s_id.Value = value;
                }
            }

            public sealed class CorrelationMiddleware
            {
                private readonly RequestDelegate _next;
                private readonly ICorrelationAccessor _accessor;

                public CorrelationMiddleware(RequestDelegate next, ICorrelationAccessor accessor)
                {
                    _next = next;
                    _accessor = accessor;
                }

                public Task Invoke(HttpContext context)
                {
                    {|#0:_accessor.Id = context.Request.Headers["X-Correlation-Id"].ToString()|};
                    return _next(context);
                }
            }
            """, Analyze.Diagnostic().WithLocation(0).WithArguments("ICorrelationAccessor.Id", AmbientValueNotRestoredAnalyzer.FlowsToCaller));
    }

    [Fact]
    public async Task Reports_WrapperChainOfPropertiesAndAHelper()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed record Tenant(string Id);

            internal static class TenantSlot
            {
                private static readonly AsyncLocal<Tenant?> s_current = new();

                public static Tenant? Value
                {
                    get => s_current.Value;
                    set => s_current.Value = value;
                }
            }

            public static class TenantContext
            {
                public static Tenant? Current
                {
                    get => TenantSlot.Value;
                    set => TenantSlot.Value = value;
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
    public async Task Reports_ThreadStaticSetInAResultFilter()
    {
        await Analyze.DiagnosticsAsync("""
            using System;
            using Microsoft.AspNetCore.Mvc.Filters;

            public sealed class CultureResultFilter : IResultFilter
            {
                [ThreadStatic] internal static string? t_culture;

                public void OnResultExecuting(ResultExecutingContext context)
                {
                    {|#0:t_culture = context.HttpContext.Request.Headers.AcceptLanguage.ToString()|};
                }

                public void OnResultExecuted(ResultExecutedContext context)
                {
                }
            }
            """, Analyze.Diagnostic().WithLocation(0).WithArguments("t_culture", AmbientValueNotRestoredAnalyzer.StaysOnThread));
    }

    [Fact]
    public async Task Reports_CallOfASetterMethod()
    {
        await Analyze.DiagnosticsAsync("""
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
                    {|#0:TenantContext.SetTenant(new Tenant(context.Request.Host.Host))|};
                    return _next(context);
                }
            }
            """, Analyze.Diagnostic().WithLocation(0).WithArguments("TenantContext.SetTenant", AmbientValueNotRestoredAnalyzer.FlowsToCaller));
    }

    [Fact]
    public async Task Reports_ChainOfSetterMethodsAtItsOutermostCall()
    {
        // SetCurrent only forwards its parameter to SetTenant: both are accessors, their callers are judged. Use is no
        // setter: it is the outermost call site, judged like a direct set in it.
        await Analyze.DiagnosticsAsync("""
            using System;
            using System.Threading;
            using Microsoft.AspNetCore.Http;
            using Microsoft.AspNetCore.Mvc;

            public sealed record Tenant(string Id);

            internal static class TenantContext
            {
                [ThreadStatic] private static Tenant? t_current;

                public static Tenant? Current => t_current;

                public static void SetTenant(Tenant? tenant)
                {
                    t_current = tenant;
                }
            }

            public sealed class TenantAccessor
            {
                public Tenant? Current => TenantContext.Current;

                public void SetCurrent(Tenant? tenant) => TenantContext.SetTenant(tenant);

                public void Use(Tenant tenant) => {|#1:SetCurrent(tenant)|};
            }

            public sealed class OrdersController : ControllerBase
            {
                private readonly TenantAccessor _tenants;

                public OrdersController(TenantAccessor tenants) => _tenants = tenants;

                [HttpGet("orders")]
                public IActionResult List()
                {
                    {|#0:_tenants.SetCurrent(new Tenant(Request.Headers["X-Tenant"].ToString()))|};
                    return Ok(_tenants.Current?.Id);
                }
            }
            """,
            Analyze.Diagnostic().WithLocation(0).WithArguments("TenantAccessor.SetCurrent", AmbientValueNotRestoredAnalyzer.StaysOnThread),
            Analyze.Diagnostic().WithLocation(1).WithArguments("SetCurrent", AmbientValueNotRestoredAnalyzer.StaysOnThread));
    }

    [Fact]
    public async Task Reports_InterfaceSetterMethodWithOneAsyncLocalImplementation()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Threading;
            using Microsoft.AspNetCore.Mvc.Filters;

            public interface ICorrelationAccessor
            {
                string? Id { get; }

                void SetId(string? id);
            }

            public sealed class CorrelationAccessor : ICorrelationAccessor
            {
                private static readonly AsyncLocal<string?> s_id = new();

                public string? Id => s_id.Value;

                public void SetId(string? id) => s_id.Value = id;
            }

            public sealed class CorrelationFilter : IActionFilter
            {
                private readonly ICorrelationAccessor _accessor;

                public CorrelationFilter(ICorrelationAccessor accessor) => _accessor = accessor;

                public void OnActionExecuting(ActionExecutingContext context)
                {
                    {|#0:_accessor.SetId(context.HttpContext.Request.Headers["X-Correlation-Id"].ToString())|};
                }

                public void OnActionExecuted(ActionExecutedContext context)
                {
                    System.Console.WriteLine(_accessor.Id);
                }
            }
            """, Analyze.Diagnostic().WithLocation(0).WithArguments("ICorrelationAccessor.SetId", AmbientValueNotRestoredAnalyzer.FlowsToCaller));
    }

    [Fact]
    public async Task Reports_SetterMethodCallThatDoesNotFullyBind()
    {
        // The resolver's type is unknown: the argument does not bind, nor does the call; its only candidate is a setter.
        await Analyze.DiagnosticsAsync("""
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

            public sealed class TenantMiddleware(RequestDelegate next, {|CS0246:ITenantResolver|} resolver)
            {
                public Task Invoke(HttpContext context)
                {
                    {|#0:TenantContext.SetTenant(resolver.Resolve(context))|};
                    return next(context);
                }
            }
            """, Analyze.Diagnostic().WithLocation(0).WithArguments("TenantContext.SetTenant", AmbientValueNotRestoredAnalyzer.FlowsToCaller));
    }

    [Fact]
    public async Task Reports_ResetMethodThatPassesItsParameterToTheSetter()
    {
        // ResetTenant is named as a cleanup but puts back whatever its caller gives: not a restore of the middleware's set,
        // and itself a set of its parameter.
        await Analyze.DiagnosticsAsync("""
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
                    {|#0:TenantContext.SetTenant(new Tenant(context.Request.Host.Host))|};
                    return _next(context);
                }

                public void ResetTenant(Tenant tenant) => {|#1:TenantContext.SetTenant(tenant)|};
            }
            """,
            Analyze.Diagnostic().WithLocation(0).WithArguments("TenantContext.SetTenant", AmbientValueNotRestoredAnalyzer.FlowsToCaller),
            Analyze.Diagnostic().WithLocation(1).WithArguments("TenantContext.SetTenant", AmbientValueNotRestoredAnalyzer.FlowsToCaller));
    }

    [Fact]
    public async Task Reports_PropertyWhoseSetterCallsASetterMethod()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed record Tenant(string Id);

            internal static class TenantStore
            {
                private static readonly AsyncLocal<Tenant?> s_current = new();

                public static Tenant? Current => s_current.Value;

                public static void SetTenant(Tenant? tenant) => s_current.Value = tenant;
            }

            public static class TenantContext
            {
                public static Tenant? Current
                {
                    get => TenantStore.Current;
                    set => TenantStore.SetTenant(value);
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
}
