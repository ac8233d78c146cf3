using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.AmbientValueNotRestoredAnalyzer>;

namespace LeakAnalyzers.Tests.Rules;

public sealed partial class AmbientValueNotRestoredTests
{
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
                    var restore = new Restore(s_culture.Value);
                    s_culture.Value = culture;
                    return restore;
                }

                public static Action Push(string culture)
                {
                    s_culture.Value = culture;
                    return () => Console.WriteLine("restore is the caller's job");
                }

                private sealed class Restore(string? previous) : IDisposable
                {
                    public void Dispose() => s_culture.Value = previous;
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

    [Fact]
    public async Task DoesNotReport_RestoreHelperWithItsParameterCalledFromFinally()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Security.Claims;
            using Microsoft.AspNetCore.Http;

            public sealed class AuditWriter
            {
                [System.ThreadStatic] private static ClaimsPrincipal? t_user;

                public void Write(HttpContext context)
                {
                    var previous = t_user;
                    t_user = context.User;
                    try
                    {
                        Flush();
                    }
                    finally
                    {
                        RestoreUser(previous);
                    }
                }

                private static void RestoreUser(ClaimsPrincipal? previous) => t_user = previous;

                private static void Flush() => System.Console.WriteLine(t_user?.Identity?.Name);
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_ResetMethodThatClearsWithoutItsParameter()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Threading;
            using Microsoft.AspNetCore.Http;

            public sealed class TenantFeature
            {
                private static readonly AsyncLocal<string?> s_tenant = new();

                public void Enter(HttpContext context) => s_tenant.Value = context.Request.Host.Host;

                public void Reset(HttpContext context) => s_tenant.Value = null;
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_ScopeWhoseDisposeCallsARestoreHelper()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System;
            using System.Threading;

            public sealed record Tenant(string Id);

            public static class TenantScopes
            {
                private static readonly AsyncLocal<Tenant?> s_current = new();

                public static IDisposable Enter(Tenant tenant)
                {
                    var scope = new Scope(s_current.Value);
                    s_current.Value = tenant;
                    return scope;
                }

                public static IDisposable Push(Tenant tenant)
                {
                    s_current.Value = tenant;
                    return EmptyScope.Instance;
                }

                private static void RestoreCurrent(Tenant? tenant) => s_current.Value = tenant;

                private sealed class Scope(Tenant? previous) : IDisposable
                {
                    public void Dispose() => RestoreCurrent(previous);
                }

                private sealed class EmptyScope : IDisposable
                {
                    public static readonly EmptyScope Instance = new();

                    public void Dispose() { }
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_HolderFilledAndEmptied()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed class RequestInfoMiddleware
            {
                private static readonly AsyncLocal<RequestInfo?> s_info = new();
                private static readonly ThreadLocal<Counter> s_counter = new(() => new Counter());
                private readonly RequestDelegate _next;

                public RequestInfoMiddleware(RequestDelegate next) => _next = next;

                public Task Invoke(HttpContext context)
                {
                    s_info.Value ??= new RequestInfo();
                    s_info.Value.Path = context.Request.Path.Value;
                    try
                    {
                        return _next(context);
                    }
                    finally
                    {
                        s_info.Value.Path = null;
                    }
                }

                public void Count(HttpContext context) => s_counter.Value!.Last = context.Request.Path.Value;

                private sealed class RequestInfo
                {
                    public string? Path { get; set; }
                }

                private sealed class Counter
                {
                    public string? Last { get; set; }
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_InterfacePropertyWithTwoImplementations()
    {
        await Analyze.NoDiagnosticsAsync("""
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

            public sealed class FixedCorrelationAccessor : ICorrelationAccessor
            {
                public string? Id { get; set; }
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
                    _accessor.Id = context.Request.Headers["X-Correlation-Id"].ToString();
                    return _next(context);
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_InterfacePropertyNotBackedByAnAsyncLocal()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public interface ICorrelationAccessor
            {
                string? Id { get; set; }
            }

            public sealed class CorrelationAccessor : ICorrelationAccessor
            {
                private string? _id;

                public string? Id
                {
                    get => _id;
                    set => _id = value;
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
                    _accessor.Id = context.Request.Headers["X-Correlation-Id"].ToString();
                    return _next(context);
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_InterfacePropertyRestoredInFinally()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Threading;
            using Microsoft.Extensions.Hosting;

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

            public sealed class ImportJob
            {
                private readonly ICorrelationAccessor _accessor;

                public ImportJob(ICorrelationAccessor accessor) => _accessor = accessor;

                public void Run(string batchId)
                {
                    var previous = _accessor.Id;
                    _accessor.Id = batchId;
                    try
                    {
                        Import();
                    }
                    finally
                    {
                        _accessor.Id = previous;
                    }
                }

                private static void Import() { }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_WrapperChainRestoredThroughTheSameChain()
    {
        await Analyze.NoDiagnosticsAsync("""
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
                    var previous = TenantContext.Current;
                    TenantContext.Current = new Tenant(context.Request.Host.Host);
                    try
                    {
                        Audit();
                    }
                    finally
                    {
                        TenantContext.Current = previous;
                    }

                    return _next(context);
                }

                private static void Audit() { }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_SetterMethodRestoredInFinallyThroughTheSameSetter()
    {
        await Analyze.NoDiagnosticsAsync("""
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

            public sealed class TenantAccessor
            {
                public void SetCurrent(Tenant? tenant) => TenantContext.SetTenant(tenant);
            }

            public sealed class TenantMiddleware
            {
                private readonly RequestDelegate _next;
                private readonly TenantAccessor _tenants;

                public TenantMiddleware(RequestDelegate next, TenantAccessor tenants)
                {
                    _next = next;
                    _tenants = tenants;
                }

                public Task Invoke(HttpContext context)
                {
                    var previous = TenantContext.Current;
                    _tenants.SetCurrent(new Tenant(context.Request.Host.Host));
                    try
                    {
                        Audit();
                    }
                    finally
                    {
                        TenantContext.SetTenant(previous);
                    }

                    return _next(context);
                }

                private static void Audit() { }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_SetterMethodClearedByAResetMethodOrThePairedCallback()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;
            using Microsoft.AspNetCore.Mvc.Filters;

            public sealed record Tenant(string Id);

            public static class TenantContext
            {
                private static readonly AsyncLocal<Tenant?> s_current = new();

                public static Tenant? Current => s_current.Value;

                public static void SetTenant(Tenant? tenant) => s_current.Value = tenant;

                public static void ResetTenant() => s_current.Value = null;
            }

            public sealed class TenantMiddleware
            {
                private readonly RequestDelegate _next;

                public TenantMiddleware(RequestDelegate next) => _next = next;

                public Task Invoke(HttpContext context)
                {
                    TenantContext.SetTenant(new Tenant(context.Request.Host.Host));
                    try
                    {
                        return _next(context);
                    }
                    finally
                    {
                        TenantContext.ResetTenant();
                    }
                }
            }

            public sealed class TenantFilter : IActionFilter
            {
                public void OnActionExecuting(ActionExecutingContext context) =>
                    TenantContext.SetTenant(new Tenant(context.HttpContext.Request.Host.Host));

                public void OnActionExecuted(ActionExecutedContext context) => TenantContext.SetTenant(null);
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_SetMethodsThatDoNotPublishTheirParameterIntoASlot()
    {
        // SetTenant logs its parameter, SetFallback keeps it in a plain field, ClearTenant clears the slot, and a setter
        // called with null clears it too: none of these calls puts request data into ambient state.
        await Analyze.NoDiagnosticsAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;
            using Microsoft.Extensions.Logging;

            public sealed record Tenant(string Id);

            public sealed class TenantContext
            {
                private static readonly AsyncLocal<Tenant?> s_current = new();
                private readonly ILogger<TenantContext> _logger;
                private Tenant? _fallback;

                public TenantContext(ILogger<TenantContext> logger) => _logger = logger;

                public Tenant? Current => s_current.Value ?? _fallback;

                public void SetTenant(Tenant tenant) => _logger.LogInformation("Tenant {Id}", tenant.Id);

                public void SetFallback(Tenant tenant) => _fallback = tenant;

                public void SetCurrent(Tenant? tenant) => s_current.Value = tenant;

                public void ClearTenant() => s_current.Value = null;
            }

            public sealed class TenantMiddleware
            {
                private readonly RequestDelegate _next;
                private readonly TenantContext _tenants;

                public TenantMiddleware(RequestDelegate next, TenantContext tenants)
                {
                    _next = next;
                    _tenants = tenants;
                }

                public Task Invoke(HttpContext context)
                {
                    var tenant = new Tenant(context.Request.Host.Host);
                    _tenants.SetTenant(tenant);
                    _tenants.SetFallback(tenant);
                    _tenants.ClearTenant();
                    _tenants.SetCurrent(null);
                    return _next(context);
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_SetterMethodCalledAtStartup()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System;
            using System.Threading;

            public static class Settings
            {
                private static readonly AsyncLocal<string?> s_environment = new();

                public static string? Environment => s_environment.Value;

                public static void SetEnvironment(string? environment) => s_environment.Value = environment;
            }

            public static class Program
            {
                public static void Main(string[] args)
                {
                    Settings.SetEnvironment(args.Length > 0 ? args[0] : "Production");
                    Console.WriteLine(Settings.Environment);
                }
            }
            """, new TestSettings { OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication });
    }

    [Fact]
    public async Task DoesNotReport_CallThatDoesNotBindWhoseCandidatesAreNotAllSetters()
    {
        // One SetTenant overload publishes into the slot, the other keeps options in a plain field: with an argument of an
        // unknown type the call binds to neither, and the rule cannot tell which one runs.
        await Analyze.NoDiagnosticsAsync("""
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed record Tenant(string Id);

            public sealed record TenantOptions(string DefaultId);

            public static class TenantContext
            {
                private static readonly AsyncLocal<Tenant?> s_current = new();
                private static TenantOptions? s_options;

                public static Tenant? Current => s_current.Value ?? (s_options is null ? null : new Tenant(s_options.DefaultId));

                public static void SetTenant(Tenant? tenant) => s_current.Value = tenant;

                public static void SetTenant(TenantOptions options) => s_options = options;
            }

            public sealed class TenantMiddleware(RequestDelegate next, {|CS0246:ITenantResolver|} resolver)
            {
                public Task Invoke(HttpContext context)
                {
                    TenantContext.SetTenant(resolver.Resolve(context));
                    return next(context);
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_PropertyWhoseSetterCallsASetterMethodRestoredInFinally()
    {
        // The same wrapper, restored through itself; and a property whose setter hands the value to a method that only
        // logs it.
        await Analyze.NoDiagnosticsAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed record Tenant(string Id);

            internal static class TenantStore
            {
                private static readonly AsyncLocal<Tenant?> s_current = new();

                public static Tenant? Current => s_current.Value;

                public static void SetTenant(Tenant? tenant) => s_current.Value = tenant;

                public static void SetAudited(Tenant? tenant) => Console.WriteLine(tenant?.Id);
            }

            public static class TenantContext
            {
                public static Tenant? Current
                {
                    get => TenantStore.Current;
                    set => TenantStore.SetTenant(value);
                }

                public static Tenant? Audited
                {
                    get => null;
                    set => TenantStore.SetAudited(value);
                }
            }

            public sealed class TenantMiddleware
            {
                private readonly RequestDelegate _next;

                public TenantMiddleware(RequestDelegate next) => _next = next;

                public Task Invoke(HttpContext context)
                {
                    var tenant = new Tenant(context.Request.Host.Host);
                    TenantContext.Audited = tenant;
                    var previous = TenantContext.Current;
                    TenantContext.Current = tenant;
                    try
                    {
                        return _next(context);
                    }
                    finally
                    {
                        TenantContext.Current = previous;
                    }
                }
            }
            """);
    }
}
