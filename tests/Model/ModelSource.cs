using System.Collections.Immutable;
using LeakAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Xunit;

namespace LeakAnalyzers.Tests.Model;

/// <summary>
/// A compilation of one marked source (<see cref="Markup"/>, against .NET 8 and ASP.NET Core 8) and its model
/// (<see cref="Domain"/>), with the operations at the marks: model tests ask the model directly, so that a failure
/// points at the model, not at a rule.
/// </summary>
internal sealed class ModelSource
{
    private ModelSource(Compilation compilation, SemanticModel model, ImmutableArray<SyntaxNode> nodes)
    {
        Compilation = compilation;
        Model = model;
        Nodes = nodes;
        Domain = Domain.Get(compilation);
    }

    public Compilation Compilation { get; }
    public SemanticModel Model { get; }
    public Domain Domain { get; }
    public ImmutableArray<SyntaxNode> Nodes { get; }

    public Work Work => Domain.Work!;
    public RequestScope Scope => Domain.RequestScope!;
    public RequestValues Values => Domain.RequestValues!;

    /// <summary><paramref name="marked"/> compiled as a library, or as <paramref name="outputKind"/> (a program has an entry point).</summary>
    public static async Task<ModelSource> CompileAsync(string marked, OutputKind outputKind = OutputKind.DynamicallyLinkedLibrary)
    {
        var (text, spans) = Markup.Parse(marked);
        var compilation = await AllAnalyzers.CompileAsync([("/0/Test0.cs", text)]);
        compilation = compilation.WithOptions(compilation.Options.WithOutputKind(outputKind));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        var tree = compilation.SyntaxTrees.Single();
        return new ModelSource(compilation, compilation.GetSemanticModel(tree), Markup.Nodes(tree.GetRoot(), spans));
    }

    /// <summary>The operation of the node at mark <paramref name="index"/>.</summary>
    public IOperation Operation(int index = 0) =>
        Model.GetOperation(Nodes[index]) ?? throw new InvalidOperationException($"No operation at mark {index}: {Nodes[index]}");

    /// <summary>The operation at mark <paramref name="index"/>, or the nearest one of kind <typeparamref name="T"/> around it.</summary>
    public T Operation<T>(int index = 0)
        where T : class, IOperation
    {
        for (IOperation? current = Operation(index); current is not null; current = current.Parent)
        {
            if (current is T found)
                return found;
        }

        throw new InvalidOperationException($"No {typeof(T).Name} at mark {index}.");
    }

    /// <summary>
    /// The member whose body holds mark <paramref name="index"/>, as an analyzer's <c>ContainingSymbol</c> sees it: lambdas
    /// and local functions belong to the member they are written in.
    /// </summary>
    public ISymbol Owner(int index = 0) => Owner(Nodes[index]);

    /// <summary>The member whose body holds <paramref name="node"/>, as <see cref="Owner(int)"/> sees it.</summary>
    public ISymbol Owner(SyntaxNode node)
    {
        var symbol = Model.GetEnclosingSymbol(node.SpanStart)!;
        while (symbol is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction })
            symbol = symbol.ContainingSymbol;
        return symbol;
    }

    /// <summary>A type of the compilation by metadata name.</summary>
    public INamedTypeSymbol Type(string metadataName) =>
        Compilation.GetTypeByMetadataName(metadataName) ?? throw new InvalidOperationException($"No type {metadataName}.");

    /// <summary>The method <paramref name="name"/> of <paramref name="metadataName"/> (the first overload).</summary>
    public IMethodSymbol Method(string metadataName, string name) =>
        Type(metadataName).GetMembers(name).OfType<IMethodSymbol>().FirstOrDefault() ?? throw new InvalidOperationException($"No {metadataName}.{name}.");

    /// <summary>The symbol a marked expression's type is.</summary>
    public ITypeSymbol TypeAt(int index) => Model.GetTypeInfo(Nodes[index]).Type ?? throw new InvalidOperationException($"No type at mark {index}.");
}
