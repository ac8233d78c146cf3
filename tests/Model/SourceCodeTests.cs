using LeakAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Xunit;

namespace LeakAnalyzers.Tests.Model;

/// <summary>
/// <see cref="SourceCode"/>: the bound body of another member of the compilation (<see cref="SourceCode.BodyOf"/>) and
/// the one implementation of an interface method (<see cref="SourceCode.SingleImplementation"/>).
/// </summary>
public sealed class SourceCodeTests
{
    private const string Source = """
        using System;

        public interface IClock
        {
            DateTime Now { get; }
        }

        public interface IQueue
        {
            void Enqueue(string item);
        }

        public interface IGeneric<T>
        {
            T Echo(T value);
        }

        public interface IUnused
        {
            void Run();
        }

        public sealed class SystemClock : IClock
        {
            public DateTime Now => DateTime.UtcNow;
        }

        public sealed class MemoryQueue : IQueue
        {
            public void Enqueue(string item) => Console.WriteLine(item);
        }

        public sealed class FileQueue : IQueue
        {
            void IQueue.Enqueue(string item) { Console.WriteLine("file " + item); }
        }

        public abstract class QueueBase : IUnused
        {
            public abstract void Run();
        }

        public sealed class IntEcho : IGeneric<int>
        {
            public int Echo(int value) => value;
        }

        public partial class Parts
        {
            public partial void Declared();

            public static int Block() { var x = 1; return x; }

            public int Property { get => 1; set => Console.WriteLine(value); }
        }

        public partial class Parts
        {
            public partial void Declared() => Console.WriteLine("implemented");
        }
        """;

    // ---------------------------------------------------------------- single implementation

    [Fact]
    public async Task SingleImplementation_TheOneClassThatImplementsTheInterface()
    {
        var source = await ModelSource.CompileAsync(Source);
        var getter = source.Type("IClock").GetMembers("get_Now").OfType<IMethodSymbol>().Single();

        var implementation = source.Domain.Source.SingleImplementation(getter);

        Assert.NotNull(implementation);
        Assert.Equal("SystemClock", implementation!.ContainingType.Name);
        Assert.Equal(MethodKind.PropertyGet, implementation.MethodKind);
    }

    [Fact]
    public async Task SingleImplementation_NullWithTwoImplementations()
    {
        var source = await ModelSource.CompileAsync(Source);

        Assert.Null(source.Domain.Source.SingleImplementation(source.Method("IQueue", "Enqueue")));
    }

    [Fact]
    public async Task SingleImplementation_NullWhenOnlyAnAbstractClassImplementsIt()
    {
        var source = await ModelSource.CompileAsync(Source);

        Assert.Null(source.Domain.Source.SingleImplementation(source.Method("IUnused", "Run")));
    }

    [Fact]
    public async Task SingleImplementation_OfAGenericInterfaceMethod()
    {
        var source = await ModelSource.CompileAsync(Source);

        var implementation = source.Domain.Source.SingleImplementation(source.Method("IGeneric`1", "Echo"));

        Assert.Equal("IntEcho", implementation?.ContainingType.Name);
    }

    [Fact]
    public async Task SingleImplementation_NullForAClassMethodOrAnInterfaceOfAnotherAssembly()
    {
        var source = await ModelSource.CompileAsync(Source);
        var disposable = source.Compilation.GetSpecialType(SpecialType.System_IDisposable);

        Assert.Null(source.Domain.Source.SingleImplementation(source.Method("MemoryQueue", "Enqueue")));
        Assert.Null(source.Domain.Source.SingleImplementation(disposable.GetMembers("Dispose").OfType<IMethodSymbol>().Single()));
    }

    // ---------------------------------------------------------------- bodies

    [Fact]
    public async Task BodyOf_ExpressionAndBlockBodies()
    {
        var source = await ModelSource.CompileAsync(Source);

        var arrow = source.Domain.Source.BodyOf(source.Method("MemoryQueue", "Enqueue"), CancellationToken.None);
        var block = source.Domain.Source.BodyOf(source.Method("Parts", "Block"), CancellationToken.None);

        Assert.Contains(arrow!.DescendantsAndSelf(), o => o is IInvocationOperation { TargetMethod.Name: "WriteLine" });
        Assert.Contains(block!.DescendantsAndSelf(), o => o is IReturnOperation);
    }

    [Fact]
    public async Task BodyOf_AccessorsAndThePartialPartWithABody()
    {
        var source = await ModelSource.CompileAsync(Source);
        var property = (IPropertySymbol)source.Type("Parts").GetMembers("Property").Single();

        var setter = source.Domain.Source.BodyOf(property.SetMethod!, CancellationToken.None);
        var partial = source.Domain.Source.BodyOf(source.Method("Parts", "Declared"), CancellationToken.None);

        Assert.Contains(setter!.DescendantsAndSelf(), o => o is IParameterReferenceOperation { Parameter.Name: "value" });
        Assert.Contains(partial!.DescendantsAndSelf(), o => o is ILiteralOperation { ConstantValue.Value: "implemented" });
    }

    [Fact]
    public async Task BodyOf_NullForAbstractAndMetadataMembers()
    {
        var source = await ModelSource.CompileAsync(Source);
        var writeLine = source.Compilation.GetTypeByMetadataName("System.Console")!.GetMembers("WriteLine").OfType<IMethodSymbol>().First();

        Assert.Null(source.Domain.Source.BodyOf(source.Method("IQueue", "Enqueue"), CancellationToken.None));
        Assert.Null(source.Domain.Source.BodyOf(source.Method("QueueBase", "Run"), CancellationToken.None));
        Assert.Null(source.Domain.Source.BodyOf(writeLine, CancellationToken.None));
    }
}
