using LeakAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Xunit;

namespace LeakAnalyzers.Tests.Model;

/// <summary>The name-based conventions LEAK005 relies on (the LEAK005 section of <see cref="Conventions"/>), asked of real method symbols.</summary>
public sealed class AmbientConventionsTests
{
    [Theory]
    [InlineData("Dispose", true)]
    [InlineData("DisposeAsync", true)]
    [InlineData("OnActionExecuted", true)]
    [InlineData("OnPageHandlerExecuted", true)]
    [InlineData("RestoreTenant", true)]
    [InlineData("Reset", true)]
    [InlineData("ClearUser", true)]
    [InlineData("ExitScope", true)]
    [InlineData("Leave", true)]
    [InlineData("PopCulture", true)]
    [InlineData("EndScope", true)]
    [InlineData("Revert", true)]
    [InlineData("UndoChanges", true)]
    [InlineData("Endpoint", false)]
    [InlineData("Ending", false)]
    [InlineData("Restored", false)]
    [InlineData("OnActionExecuting", false)]
    [InlineData("Handle", false)]
    public async Task IsAmbientCleanup_ByName(string name, bool expected)
    {
        var method = await MethodAsync(name);

        Assert.Equal(expected, Conventions.IsAmbientCleanup(method));
    }

    [Fact]
    public async Task IsAmbientCleanup_ExplicitInterfaceImplementationByItsOwnName()
    {
        var compilation = await AllAnalyzers.CompileAsync([("/0/Test0.cs", """
            public sealed class Scope : System.IDisposable
            {
                void System.IDisposable.Dispose() { }
            }
            """)]);
        var dispose = compilation.GetTypeByMetadataName("Scope")!.GetMembers().OfType<IMethodSymbol>()
            .Single(m => m.MethodKind == MethodKind.ExplicitInterfaceImplementation);

        Assert.True(Conventions.IsAmbientCleanup(dispose));
    }

    [Theory]
    [InlineData("Use", true)]
    [InlineData("UseRouting", true)]
    [InlineData("Run", true)]
    [InlineData("MapGet", true)]
    [InlineData("AddEndpointFilter", true)]
    [InlineData("User", false)]
    [InlineData("Mapper", false)]
    [InlineData("Running", false)]
    [InlineData("OnStarting", false)]
    public async Task IsPipelineRegistration_ByVerb(string name, bool expected)
    {
        var method = await MethodAsync(name);

        Assert.Equal(expected, Conventions.IsPipelineRegistration(method));
    }

    [Theory]
    [InlineData("Set", true)]
    [InlineData("SetCurrent", true)]
    [InlineData("Settle", false)]
    [InlineData("Settings", false)]
    [InlineData("Reset", false)]
    public async Task IsSetterName_ByVerb(string name, bool expected)
    {
        var method = await MethodAsync(name);

        Assert.Equal(expected, Conventions.IsSetterName(method));
    }

    [Theory]
    [InlineData("OnActionExecuting", true)]
    [InlineData("BeginScope", true)]
    [InlineData("Enter", true)]
    [InlineData("PushTenant", true)]
    [InlineData("UseCulture", true)]
    [InlineData("SetCurrent", true)]
    [InlineData("Start", true)]
    [InlineData("OpenSession", true)]
    [InlineData("Init", true)]
    [InlineData("Initialize", true)]
    [InlineData("Attach", true)]
    [InlineData("ApplyTenant", true)]
    [InlineData("Activate", true)]
    [InlineData("ChangeCulture", true)]
    [InlineData("Online", false)]
    [InlineData("Entering", false)]
    [InlineData("Render", false)]
    [InlineData("Dispatch", false)]
    public async Task BeginsAmbientScope_ByVerb(string name, bool expected)
    {
        var method = await MethodAsync(name);

        Assert.Equal(expected, Conventions.BeginsAmbientScope(method));
    }

    [Fact]
    public async Task NullableAttributes_ByName()
    {
        var compilation = await AllAnalyzers.CompileAsync([("/0/Test0.cs", """
            namespace Polyfill
            {
                [System.AttributeUsage(System.AttributeTargets.All)] internal sealed class MaybeNullAttribute : System.Attribute { }
            }

            public sealed class Slots
            {
                public System.Threading.AsyncLocal<string> Current { get; } = new();

                [return: Polyfill.MaybeNull]
                public string Read() => "";

                public void Write([System.Diagnostics.CodeAnalysis.AllowNull] string value) { }
            }
            """)]);
        var asyncLocalValue = ((INamedTypeSymbol)compilation.GetTypeByMetadataName("Slots")!.GetMembers("Current").OfType<IPropertySymbol>().Single().Type)
            .GetMembers("Value").OfType<IPropertySymbol>().Single();
        var slots = compilation.GetTypeByMetadataName("Slots")!;
        var read = slots.GetMembers("Read").OfType<IMethodSymbol>().Single();
        var write = slots.GetMembers("Write").OfType<IMethodSymbol>().Single();

        Assert.Contains(asyncLocalValue.GetMethod!.GetReturnTypeAttributes(), Conventions.IsMaybeNullAttribute);
        Assert.Contains(read.GetReturnTypeAttributes(), Conventions.IsMaybeNullAttribute);
        Assert.Contains(write.Parameters[0].GetAttributes(), Conventions.IsAllowNullAttribute);
        Assert.DoesNotContain(write.Parameters[0].GetAttributes(), Conventions.IsMaybeNullAttribute);
    }

    private static async Task<IMethodSymbol> MethodAsync(string name)
    {
        var compilation = await AllAnalyzers.CompileAsync([("/0/Test0.cs", $$"""
            public sealed class Sample
            {
                public void {{name}}() { }
            }
            """)]);
        return compilation.GetTypeByMetadataName("Sample")!.GetMembers(name).OfType<IMethodSymbol>().Single();
    }
}
