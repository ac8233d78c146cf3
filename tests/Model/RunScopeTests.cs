using LeakAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Operations;
using Xunit;

namespace LeakAnalyzers.Tests.Model;

/// <summary>
/// When code runs (<see cref="Lifetimes.ScopeOf"/>: once during initialization, in a private helper, or at runtime) and
/// who calls a type's private methods from where (<see cref="CallGraph"/>). Each source marks the code asked about with a
/// call of <c>Here()</c>.
/// </summary>
public sealed class RunScopeTests
{
    [Theory]
    [InlineData("static Sample() { Here(); }", nameof(RunScopeKind.StaticInitialization))]
    [InlineData("private static readonly int Field = Here();", nameof(RunScopeKind.StaticInitialization))]
    [InlineData("private static int Property { get; } = Here();", nameof(RunScopeKind.StaticInitialization))]
    [InlineData("[System.Runtime.CompilerServices.ModuleInitializer] internal static void Init() => Here();", nameof(RunScopeKind.StaticInitialization))]
    [InlineData("static Sample() { new List<int> { 1 }.ForEach(_ => Here()); }", nameof(RunScopeKind.StaticInitialization))]
    [InlineData("static Sample() { _ = new[] { 1 }.Select(_ => Here()).ToList(); }", nameof(RunScopeKind.StaticInitialization))]
    [InlineData("public Sample() { Here(); }", nameof(RunScopeKind.InstanceInitialization))]
    [InlineData("private readonly int _field = Here();", nameof(RunScopeKind.InstanceInitialization))]
    [InlineData("private static void Helper() { Here(); }", nameof(RunScopeKind.PrivateMethod))]
    [InlineData("public static void Handle() { Here(); }", nameof(RunScopeKind.Runtime))]
    [InlineData("static Sample() { AppDomain.CurrentDomain.ProcessExit += (_, _) => Here(); }", nameof(RunScopeKind.Runtime))]
    [InlineData("static Sample() { _ = new Timer(_ => Here(), null, 0, 1000); }", nameof(RunScopeKind.Runtime))]
    public async Task ScopeOf_WhereTheCodeRuns(string member, string expected)
    {
        var (compilation, lifetimes) = await CompileAsync($$"""
            public sealed class Sample
            {
                {{member}}

                private static int Here() => 0;
            }
            """);
        var (here, containing) = Here(compilation);

        var scope = lifetimes.ScopeOf(here, containing);

        Assert.Equal(expected, scope.Kind.ToString());
        if (scope.Kind is RunScopeKind.InstanceInitialization)
            Assert.Equal("Sample", scope.Type?.Name);
        if (scope.Kind is RunScopeKind.PrivateMethod)
            Assert.Equal("Helper", scope.Method?.Name);
    }

    [Theory]
    [InlineData(OutputKind.ConsoleApplication, nameof(RunScopeKind.StaticInitialization))]
    [InlineData(OutputKind.DynamicallyLinkedLibrary, nameof(RunScopeKind.Runtime))]
    public async Task ScopeOf_TheEntryPointRunsOnceAtStartup(OutputKind kind, string expected)
    {
        var (compilation, lifetimes) = await CompileAsync("""
            public static class Program
            {
                public static void Main() => Here();

                private static int Here() => 0;
            }
            """, kind);
        var (here, containing) = Here(compilation);

        Assert.Equal(expected, lifetimes.ScopeOf(here, containing).Kind.ToString());
    }

    [Fact]
    public async Task Initializes_StaticFieldsByStaticCode_InstanceFieldsByTheirTypesConstructors()
    {
        var (compilation, _) = await CompileAsync("""
            public class Base { public static int Shared; public int Own; }
            public sealed class Derived : Base { }
            public sealed class Other { }
            """);
        IFieldSymbol Field(string name) => compilation.GetTypeByMetadataName("Base")!.GetMembers(name).OfType<IFieldSymbol>().Single();
        INamedTypeSymbol Type(string name) => compilation.GetTypeByMetadataName(name)!;

        Assert.True(new RunScope(RunScopeKind.StaticInitialization).Initializes(Field("Shared")));
        Assert.False(new RunScope(RunScopeKind.InstanceInitialization, Type("Base")).Initializes(Field("Shared")));
        Assert.True(new RunScope(RunScopeKind.InstanceInitialization, Type("Derived")).Initializes(Field("Own")));
        Assert.False(new RunScope(RunScopeKind.InstanceInitialization, Type("Other")).Initializes(Field("Own")));
        Assert.False(RunScope.Runtime.Initializes(Field("Own")));
    }

    [Theory]
    [InlineData("static Sample() { Register(); }", true)]
    [InlineData("static Sample() { Outer(); } private static void Outer() => Register();", true)]
    [InlineData("static Sample() { Register(); } public static void Later() => Register();", false)]
    [InlineData("static Sample() { Action a = Register; a(); }", false)]
    [InlineData("", true)]                                  // never called: it never runs
    public async Task OnlyCalledFrom_FollowsPrivateHelpersToTheirCallers(string members, bool onlyInitialization)
    {
        var (compilation, lifetimes) = await CompileAsync($$"""
            public sealed class Sample
            {
                {{members}}

                private static void Register() { }
            }
            """);
        var type = compilation.GetTypeByMetadataName("Sample")!;
        var calls = new CallGraph(type, lifetimes);
        foreach (var (operation, containing) in MemberOperations.All(compilation))
        {
            if (operation is IInvocationOperation or IMethodReferenceOperation)
                calls.Record(operation, containing);
        }

        var register = (IMethodSymbol)type.GetMembers("Register").Single();

        Assert.Equal(onlyInitialization, calls.OnlyCalledFrom(register, scope => scope.Kind == RunScopeKind.StaticInitialization));
    }

    /// <summary>
    /// Concurrent analysis records calls in any order; the graph gives them back in source order, so that a judgement
    /// that names the first call it meets names the same one in every build.
    /// </summary>
    [Fact]
    public async Task CallsOf_InSourceOrderWhateverTheRecordingOrder()
    {
        var (compilation, lifetimes) = await CompileAsync("""
            public sealed class Sample
            {
                public static void First() => Register();
                public static void Second() => Register();
                public static void Third() => Register();

                private static void Register() { }
            }
            """);
        var type = compilation.GetTypeByMetadataName("Sample")!;
        var calls = new CallGraph(type, lifetimes);
        foreach (var (operation, containing) in MemberOperations.All(compilation).Reverse())
        {
            if (operation is IInvocationOperation)
                calls.Record(operation, containing);
        }

        var register = (IMethodSymbol)type.GetMembers("Register").Single();

        Assert.Equal(["First", "Second", "Third"], calls.CallsOf(register).Select(call => call.Caller?.Name));
    }

    private static async Task<(Compilation Compilation, Lifetimes Lifetimes)> CompileAsync(string source, OutputKind kind = OutputKind.DynamicallyLinkedLibrary)
    {
        var compilation = (await AllAnalyzers.CompileAsync([("/0/Test.cs", """
            using System;
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading;

            """ + source)])).WithOptions(new CSharpCompilationOptions(kind));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return (compilation, Domain.Get(compilation).Lifetimes);
    }

    /// <summary>The call of <c>Here()</c>, and the member that holds it.</summary>
    private static (IOperation Here, ISymbol Containing) Here(Compilation compilation) =>
        MemberOperations.All(compilation).Single(o => o.Operation is IInvocationOperation { TargetMethod.Name: "Here" });
}
