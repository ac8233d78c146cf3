using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using VerifyCS = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.ServiceResolvedFromRootProviderAnalyzer, LeakAnalyzers.Rules.ServiceResolvedFromRootProviderFixer>;

namespace LeakAnalyzers.Tests.Rules;

public sealed partial class ServiceResolvedFromRootProviderTests
{
    [Fact]
    public async Task Fixes_AsyncLoopBody_AwaitUsingAsyncScope()
    {
        await VerifyCS.FixAsync(Worker("""
                        // Send what is pending.
                        var repository = [|_provider.GetRequiredService<IOrderRepository>()|];
                        foreach (var order in await repository.PendingAsync(stoppingToken))
                            await repository.MarkSentAsync(order.Id, stoppingToken);
            """), Worker("""
                        // Send what is pending.
                        await using var scope = _provider.CreateAsyncScope();
                        var repository = scope.ServiceProvider.GetRequiredService<IOrderRepository>();
                        foreach (var order in await repository.PendingAsync(stoppingToken))
                            await repository.MarkSentAsync(order.Id, stoppingToken);
            """));
    }

    [Fact]
    public async Task Fixes_SynchronousMethod_UsingScope()
    {
        await VerifyCS.FixAsync(Worker("", """

                public int Render(Order order)
                {
                    var renderer = [|_provider.GetRequiredService<InvoiceRenderer>()|];
                    return renderer.Render(order).Length;
                }
            """), Worker("", """

                public int Render(Order order)
                {
                    using var scope = _provider.CreateScope();
                    var renderer = scope.ServiceProvider.GetRequiredService<InvoiceRenderer>();
                    return renderer.Render(order).Length;
                }
            """));
    }

    [Fact]
    public async Task Fixes_TwoResolutionsInOneBlock_ShareOneScope()
    {
        await VerifyCS.FixAsync(Worker("""
                        var repository = [|_provider.GetRequiredService<IOrderRepository>()|];
                        var renderer = [|_provider.GetRequiredService<InvoiceRenderer>()|];
                        foreach (var order in await repository.PendingAsync(stoppingToken))
                            renderer.Render(order);
            """), Worker("""
                        await using var scope = _provider.CreateAsyncScope();
                        var repository = scope.ServiceProvider.GetRequiredService<IOrderRepository>();
                        var renderer = scope.ServiceProvider.GetRequiredService<InvoiceRenderer>();
                        foreach (var order in await repository.PendingAsync(stoppingToken))
                            renderer.Render(order);
            """));
    }

    [Fact]
    public async Task Fixes_EmbeddedStatement_GetsABlockPerIteration()
    {
        await VerifyCS.FixAsync(Worker("", """

                public void RenderAll(IEnumerable<Order> orders)
                {
                    foreach (var order in orders)
                        [|_provider.GetRequiredService<InvoiceRenderer>()|].Render(order);
                }
            """), Worker("", """

                public void RenderAll(IEnumerable<Order> orders)
                {
                    foreach (var order in orders)
                    {
                        using var scope = _provider.CreateScope();
                        scope.ServiceProvider.GetRequiredService<InvoiceRenderer>().Render(order);
                    }
                }
            """));
    }

    [Fact]
    public async Task Fixes_ExpressionBodiedEndpoint_BecomesABlock()
    {
        await VerifyCS.FixAsync(App("""
            public static class OrderEndpoints
            {
                public static void MapOrderEndpoints(this WebApplication app)
                {
                    app.MapGet("/orders/count", () => [|app.Services.GetRequiredService<IOrderRepository>()|].Count());
                }
            }
            """), App("""
            public static class OrderEndpoints
            {
                public static void MapOrderEndpoints(this WebApplication app)
                {
                    app.MapGet("/orders/count", () =>
                    {
                        using var scope = app.Services.CreateScope();
                        return scope.ServiceProvider.GetRequiredService<IOrderRepository>().Count();
                    });
                }
            }
            """));
    }

    [Fact]
    public async Task Fixes_ExpressionBodiedAsyncVoidishLambdaAndMethod()
    {
        await VerifyCS.FixAsync(Worker("", """

                public int Count() => [|_provider.GetRequiredService<IOrderRepository>()|].Count();

                public Func<Order, Task> Sender => async order => await [|_provider.GetRequiredService<IOrderRepository>()|].MarkSentAsync(order.Id, default);
            """), Worker("", """

                public int Count()
                {
                    using var scope = _provider.CreateScope();
                    return scope.ServiceProvider.GetRequiredService<IOrderRepository>().Count();
                }

                public Func<Order, Task> Sender => async order =>
                {
                    await using var scope = _provider.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<IOrderRepository>().MarkSentAsync(order.Id, default);
                };
            """));
    }

    [Fact]
    public async Task Fixes_ExpressionBodiedProperty_BecomesAGetter()
    {
        await VerifyCS.FixAsync(Worker("", """

                public int Pending => [|_provider.GetRequiredService<IOrderRepository>()|].Count();
            """), Worker("", """

                public int Pending
                {
                    get
                    {
                        using var scope = _provider.CreateScope();
                        return scope.ServiceProvider.GetRequiredService<IOrderRepository>().Count();
                    }
                }
            """));
    }

    [Fact]
    public async Task Fixes_StatementInASwitchSection_GetsABlock()
    {
        await VerifyCS.FixAsync(Worker("", """

                public int Size(Order order, string format)
                {
                    switch (format)
                    {
                        case "pdf":
                            return [|_provider.GetRequiredService<InvoiceRenderer>()|].Render(order).Length;
                        default:
                            return 0;
                    }
                }
            """), Worker("", """

                public int Size(Order order, string format)
                {
                    switch (format)
                    {
                        case "pdf":
                            {
                                using var scope = _provider.CreateScope();
                                return scope.ServiceProvider.GetRequiredService<InvoiceRenderer>().Render(order).Length;
                            }
                        default:
                            return 0;
                    }
                }
            """));
    }

    [Fact]
    public async Task Fixes_StaticForm_ReplacesTheArgument()
    {
        await VerifyCS.FixAsync(Worker("""
                        var repository = [|ServiceProviderServiceExtensions.GetRequiredService<IOrderRepository>(_provider)|];
                        _logger.LogInformation("{Count}", repository.Count());
            """), Worker("""
                        await using var scope = _provider.CreateAsyncScope();
                        var repository = ServiceProviderServiceExtensions.GetRequiredService<IOrderRepository>(scope.ServiceProvider);
                        _logger.LogInformation("{Count}", repository.Count());
            """));
    }

    [Fact]
    public async Task Fixes_NameTaken_PicksAnother()
    {
        await VerifyCS.FixAsync(Worker("""
                        var scope = "orders";
                        var repository = [|_provider.GetRequiredService<IOrderRepository>()|];
                        _logger.LogInformation("{Scope} {Count}", scope, repository.Count());
            """), Worker("""
                        var scope = "orders";
                        await using var scope2 = _provider.CreateAsyncScope();
                        var repository = scope2.ServiceProvider.GetRequiredService<IOrderRepository>();
                        _logger.LogInformation("{Scope} {Count}", scope, repository.Count());
            """));
    }

    [Fact]
    public async Task Fixes_AddsTheDependencyInjectionNamespace()
    {
        const string Worker = """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.Extensions.Hosting;

            public sealed class CountingWorker : BackgroundService
            {
                private readonly IServiceProvider _provider;

                public CountingWorker(IServiceProvider provider) => _provider = provider;

                protected override async Task ExecuteAsync(CancellationToken stoppingToken)
                {
                    while (!stoppingToken.IsCancellationRequested)
                    {
                        var repository = (IOrderRepository)[|_provider.GetService(typeof(IOrderRepository))|];
                        Console.WriteLine(repository.Count());
                        await Task.Delay(1000, stoppingToken);
                    }
                }
            }
            """;
        await VerifyCS.FixAsync([Worker, Usings + Registrations], [Worker.Replace("using Microsoft.Extensions.Hosting;\n", "using Microsoft.Extensions.DependencyInjection;\nusing Microsoft.Extensions.Hosting;\n", StringComparison.Ordinal)
            .Replace("            var repository = (IOrderRepository)[|_provider.GetService(typeof(IOrderRepository))|];", "            await using var scope = _provider.CreateAsyncScope();\n            var repository = (IOrderRepository)scope.ServiceProvider.GetService(typeof(IOrderRepository));", StringComparison.Ordinal),
            Usings + Registrations]);
    }

    // ---------------------------------------------------------------- no fix

    [Fact]
    public async Task NoFix_ServiceKeptInAField()
    {
        await VerifyCS.NoFixAsync(Worker("", """

                private IOrderRepository? _repository;

                public int Pending() => (_repository ??= [|_provider.GetRequiredService<IOrderRepository>()|]).Count();
            """));
    }

    [Fact]
    public async Task NoFix_ServiceReturned()
    {
        await VerifyCS.NoFixAsync(Worker("", """

                public IOrderRepository Repository()
                {
                    return [|_provider.GetRequiredService<IOrderRepository>()|];
                }
            """));
    }

    [Fact]
    public async Task NoFix_ResolvedInALoopCondition()
    {
        await VerifyCS.NoFixAsync(Worker("", """

                public void Drain()
                {
                    while ([|_provider.GetRequiredService<IOrderRepository>()|].Count() > 0)
                        Thread.Sleep(100);
                }
            """));
    }

    [Fact]
    public async Task NoFix_LocalCapturedByALambda()
    {
        await VerifyCS.NoFixAsync(Worker("", """

                public Func<int> Counter()
                {
                    var repository = [|_provider.GetRequiredService<IOrderRepository>()|];
                    Func<int> count = () => repository.Count();
                    return count;
                }
            """));
    }

    [Fact]
    public async Task NoFix_CSharp7()
    {
        // No using declarations before C# 8: the scope would need a using statement around the rest of the block.
        await VerifyCS.NoFixAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.Extensions.DependencyInjection;
            using Microsoft.Extensions.Hosting;

            public sealed class Renderer : IDisposable
            {
                public int Render() { return 1; }
                public void Dispose() { }
            }

            public static class RenderingModule
            {
                public static IServiceCollection AddRendering(this IServiceCollection services) { return services.AddTransient<Renderer>(); }
            }

            public sealed class RenderWorker : BackgroundService
            {
                private readonly IServiceProvider _provider;

                public RenderWorker(IServiceProvider provider) { _provider = provider; }

                protected override async Task ExecuteAsync(CancellationToken stoppingToken)
                {
                    while (!stoppingToken.IsCancellationRequested)
                    {
                        var renderer = [|_provider.GetRequiredService<Renderer>()|];
                        Console.WriteLine(renderer.Render());
                        await Task.Delay(1000, stoppingToken);
                    }
                }
            }
            """, new TestSettings { LanguageVersion = LanguageVersion.CSharp7_3 });
    }
}
