using LeakAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Xunit;

namespace LeakAnalyzers.Tests.Model;

/// <summary>
/// Service lifetimes from DI registrations (<see cref="Services"/>, <see cref="ServiceRegistry"/>): which calls register
/// what, with which lifetime, decided by the registration methods' classes rather than by names or namespaces.
/// </summary>
public sealed class ServicesTests
{
    private const string Declarations = """
        using System;
        using Microsoft.Extensions.DependencyInjection;
        using Microsoft.Extensions.DependencyInjection.Extensions;
        using Microsoft.Extensions.Hosting;
        using System.Threading;
        using System.Threading.Tasks;

        public interface IClock { }
        public class Clock : IClock { }
        public sealed class PreciseClock : Clock { }
        public sealed class Worker : IHostedService
        {
            public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
            public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        }

        """;

    [Theory]
    [InlineData("services.AddSingleton<Clock>();", nameof(ServiceLifetime.Singleton), "Clock", "Clock")]
    [InlineData("services.AddSingleton<IClock, Clock>();", nameof(ServiceLifetime.Singleton), "IClock", "Clock")]
    [InlineData("services.AddSingleton(typeof(Clock));", nameof(ServiceLifetime.Singleton), "Clock", "Clock")]
    [InlineData("services.AddSingleton(typeof(IClock), typeof(Clock));", nameof(ServiceLifetime.Singleton), "IClock", "Clock")]
    [InlineData("services.AddSingleton<IClock>(new PreciseClock());", nameof(ServiceLifetime.Singleton), "IClock", "PreciseClock")]
    [InlineData("services.AddSingleton<IClock>(sp => new PreciseClock());", nameof(ServiceLifetime.Singleton), "IClock", "PreciseClock")]
    [InlineData("services.AddSingleton(typeof(IClock), new Clock());", nameof(ServiceLifetime.Singleton), "IClock", "Clock")]
    [InlineData("services.TryAddSingleton<IClock, Clock>();", nameof(ServiceLifetime.Singleton), "IClock", "Clock")]
    [InlineData("services.AddHostedService<Worker>();", nameof(ServiceLifetime.Singleton), "IHostedService", "Worker")]
    [InlineData("services.AddScoped<Clock>();", nameof(ServiceLifetime.Scoped), "Clock", "Clock")]
    [InlineData("services.TryAddScoped<IClock, PreciseClock>();", nameof(ServiceLifetime.Scoped), "IClock", "PreciseClock")]
    [InlineData("services.AddTransient<IClock, Clock>();", nameof(ServiceLifetime.Transient), "IClock", "Clock")]
    [InlineData("services.TryAddTransient(typeof(Clock));", nameof(ServiceLifetime.Transient), "Clock", "Clock")]
    public async Task RegisteredBy_LifetimeServiceAndImplementation(string registration, string lifetime, string service, string implementation)
    {
        var (compilation, services) = await CompileAsync(registration);

        var registered = Assert.Single(services.RegisteredBy(Registration(compilation)));

        Assert.Equal(lifetime, registered.Lifetime.ToString());
        Assert.Equal(service, registered.Service?.Name);
        Assert.Equal(implementation, registered.Implementation?.Name);
    }

    [Fact]
    public async Task RegisteredBy_AFactoryThatHidesItsTypeLeavesTheImplementationUnknown()
    {
        var (compilation, services) = await CompileAsync("services.AddSingleton<IClock>(sp => Create());");

        var registered = Assert.Single(services.RegisteredBy(Registration(compilation)));

        Assert.Equal("IClock", registered.Service?.Name);
        Assert.Null(registered.Implementation);
    }

    [Fact]
    public async Task RegisteredBy_OneRegistrationPerClassTheFactoryReturns()
    {
        var (compilation, services) = await CompileAsync("services.AddSingleton<IClock>(sp => { if (Environment.ProcessorCount > 1) return new PreciseClock(); return new Clock(); });");

        var registered = services.RegisteredBy(Registration(compilation));

        Assert.Equal(["PreciseClock", "Clock"], registered.Select(r => r.Implementation?.Name));
    }

    /// <summary>A method of another class is no registration, whatever its name or namespace.</summary>
    [Theory]
    [InlineData("Fake.AddSingleton<Clock>(services);")]
    [InlineData("services.AddOptions();")]
    public async Task RegisteredBy_OtherCallsRegisterNothing(string call)
    {
        var (compilation, services) = await CompileAsync(call, """
            namespace Microsoft.Extensions.DependencyInjection
            {
                public static class Fake
                {
                    public static IServiceCollection AddSingleton<T>(IServiceCollection services) => services;
                }
            }
            """);

        Assert.Empty(services.RegisteredBy(Registration(compilation)));
    }

    [Fact]
    public async Task Registry_ATypeIsASingletonWhenItOrADerivedClassIsRegisteredAsOne()
    {
        var (compilation, services) = await CompileAsync("""
            services.AddSingleton<IClock, PreciseClock>();
            services.AddScoped<Worker>();
            """);
        var registry = new ServiceRegistry(services);
        foreach (var invocation in Invocations(compilation))
            registry.Record(invocation);
        INamedTypeSymbol Type(string name) => compilation.GetTypeByMetadataName(name)!;

        Assert.Equal(2, registry.Registrations.Count());
        Assert.True(registry.IsRegistered(Type("PreciseClock"), ServiceLifetime.Singleton));
        Assert.True(registry.IsRegistered(Type("Clock"), ServiceLifetime.Singleton));      // the base class of a singleton
        Assert.False(registry.IsRegistered(Type("IClock"), ServiceLifetime.Singleton));    // an interface is no class
        Assert.False(registry.IsRegistered(Type("Worker"), ServiceLifetime.Singleton));
        Assert.True(registry.IsRegistered(Type("Worker"), ServiceLifetime.Scoped));
    }

    [Fact]
    public async Task Create_NullWithoutDependencyInjection()
    {
        var compilation = CSharpCompilation.Create("NoDi", [CSharpSyntaxTree.ParseText("public static class C { }")], References.NetOnly.References);

        Assert.Null(Domain.Get(compilation).Services);
    }

    private static async Task<(Compilation Compilation, Services Services)> CompileAsync(string statements, string extra = "")
    {
        var source = Declarations + $$"""
            public static class Startup
            {
                public static void Configure(IServiceCollection services)
                {
                    {{statements}}
                }

                private static IClock Create() => new Clock();
            }
            """ + extra;
        var compilation = await AllAnalyzers.CompileAsync([("/0/Test.cs", source)]);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return (compilation, Domain.Get(compilation).Services!);
    }

    /// <summary>The call in <c>Configure</c> (the first one, where a statement holds several).</summary>
    private static IInvocationOperation Registration(Compilation compilation) => Invocations(compilation).First();

    private static IEnumerable<IInvocationOperation> Invocations(Compilation compilation)
    {
        var tree = compilation.SyntaxTrees.Single();
        var model = compilation.GetSemanticModel(tree);
        var configure = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single(m => m.Identifier.ValueText == "Configure");
        return configure.Body!.Statements
            .Select(s => model.GetOperation(s))
            .OfType<IExpressionStatementOperation>()
            .Select(s => s.Operation)
            .OfType<IInvocationOperation>();
    }
}
