using LeakAnalyzers.Rules;
using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.AmbientValueNotRestoredAnalyzer>;
using VerifyCS = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.AmbientValueNotRestoredAnalyzer, LeakAnalyzers.Rules.AmbientValueNotRestoredFixer>;

namespace LeakAnalyzers.Tests.Rules;

public sealed partial class AmbientValueNotRestoredTests
{
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
