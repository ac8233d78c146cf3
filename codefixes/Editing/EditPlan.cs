using Microsoft.CodeAnalysis.Editing;

namespace LeakAnalyzers.Editing;

/// <summary>
/// "Plan, then apply": a fix is decided while the light bulb is computed (a fixer's <c>Plan</c> returns null when the
/// edit does not apply, and then nothing is registered, so a user never gets a fix that does nothing), and applied only
/// when chosen. The edits are recorded against the nodes of <see cref="Document"/>, the document the plan was made on,
/// through a <see cref="SyntaxEditor"/> (edits of nested nodes compose, whatever their order); the code action's
/// cleanup then adds imports, simplifies names and formats what carries the annotations.
/// </summary>
internal sealed class EditPlan(Document document, ImmutableArray<Action<SyntaxEditor>> edits)
{
    public EditPlan(Document document, Action<SyntaxEditor> edit)
        : this(document, ImmutableArray.Create(edit))
    {
    }

    public Document Document { get; } = document;

    /// <summary>The document with every edit applied, in the order recorded.</summary>
    public async Task<Document> ApplyAsync(CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(Document, cancellationToken).ConfigureAwait(false);
        foreach (var edit in edits)
            edit(editor);
        return editor.GetChangedDocument();
    }

    /// <summary>The code action that applies the plan; <paramref name="title"/> is also its equivalence key (Fix All groups by it).</summary>
    public CodeAction ToCodeAction(string title) => CodeAction.Create(title, ApplyAsync, equivalenceKey: title);
}
