using System.Collections.Immutable;
using LeakAnalyzers.Editing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.Editing;
using Xunit;

namespace LeakAnalyzers.Tests.Editing;

/// <summary>
/// A document of one marked source (<see cref="Markup"/>) in the project the rule tests use, the nodes at its marks, and
/// <see cref="ApplyAsync"/>, which applies edits the way a chosen fix is applied: through a code action, whose cleanup
/// adds imports, simplifies names and formats, so that the tests see the exact text a user gets.
/// </summary>
internal sealed class EditingSource
{
    private EditingSource(Document document, SyntaxNode root, SemanticModel model, ImmutableArray<SyntaxNode> nodes)
    {
        Document = document;
        Root = root;
        Model = model;
        Nodes = nodes;
    }

    public Document Document { get; }
    public SyntaxNode Root { get; }
    public SemanticModel Model { get; }
    public ImmutableArray<SyntaxNode> Nodes { get; }
    public SyntaxGenerator Generator => SyntaxGenerator.GetGenerator(Document);
    public KnownTypes.ThreadingTypes Threading => KnownTypes.Get(Model.Compilation).Threading!;

    public static async Task<EditingSource> CreateAsync(string marked, OutputKind outputKind = OutputKind.DynamicallyLinkedLibrary)
    {
        var (text, spans) = Markup.Parse(marked);
        var project = await FixChecks.CreateProjectAsync([text], new TestSettings { OutputKind = outputKind });
        var document = project.Documents.Single();
        var root = (await document.GetSyntaxRootAsync())!;
        var model = (await document.GetSemanticModelAsync())!;
        Assert.Empty(model.Compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return new EditingSource(document, root, model, Markup.Nodes(root, spans));
    }

    /// <summary>The node of kind <typeparamref name="T"/> at (or around) mark <paramref name="index"/>.</summary>
    public T Node<T>(int index = 0)
        where T : SyntaxNode =>
        Nodes[index].FirstAncestorOrSelf<T>() ?? throw new InvalidOperationException($"No {typeof(T).Name} at mark {index}.");

    /// <summary>The text after <paramref name="edit"/>, applied through a code action.</summary>
    public Task<string> ApplyAsync(Action<SyntaxEditor> edit) => ApplyAsync(new EditPlan(Document, edit));

    public async Task<string> ApplyAsync(EditPlan plan)
    {
        var operations = await plan.ToCodeAction("test").GetOperationsAsync(CancellationToken.None);
        var changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution.GetDocument(Document.Id)!;
        var result = (await changed.GetTextAsync()).ToString();
        var errors = (await changed.GetSemanticModelAsync())!.Compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, $"The edit does not compile:\n{result}\n{string.Join("\n", errors)}");
        return result;
    }
}
