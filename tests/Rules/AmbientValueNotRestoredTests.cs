using LeakAnalyzers.Rules;
using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.AmbientValueNotRestoredAnalyzer>;
using VerifyCS = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.AmbientValueNotRestoredAnalyzer, LeakAnalyzers.Rules.AmbientValueNotRestoredFixer>;

namespace LeakAnalyzers.Tests.Rules;

public sealed class AmbientValueNotRestoredTests
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
    public async Task Reports_NestedTypeAndTopLevel()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Threading;

            public static class Outer
            {
                public static void Enter(string tenant) { [|Inner.Tenant.Value = tenant|]; }
                public static class Inner
                {
                    public static readonly AsyncLocal<string?> Tenant = new();
                    public static void Enter(string tenant) { [|Tenant.Value = tenant|]; }
                }
            }
            """);
    }

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
}
