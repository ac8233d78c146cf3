namespace LeakAnalyzers.Helpers;

/// <summary>
/// Fix All that applies one fix at a time, each against the document the previous fix produced. Our fixes add locals,
/// constructor parameters and wrap statements, so two fixes in one document may touch the same block or pick the same
/// name; a batch merge of independent edits would drop or collide them. Targets are tracked with annotations, and each
/// fix re-validates its target (it may no longer apply once an earlier fix ran).
/// </summary>
internal static class SequentialFixAll
{
    private const string Kind = "LeakAnalyzers.FixAllTarget";

    public static FixAllProvider Create(Func<Document, SyntaxNode, CancellationToken, Task<Document>> fixOne) =>
        Create((_, document, target, cancellationToken) => fixOne(document, target, cancellationToken));

    /// <summary>The same, for a fixer with several actions: <paramref name="fixOne"/> gets the chosen action's equivalence key.</summary>
    public static FixAllProvider Create(Func<string?, Document, SyntaxNode, CancellationToken, Task<Document>> fixOne) =>
        CreateCore((key, _, document, target, cancellationToken) => fixOne(key, document, target, cancellationToken));

    /// <summary>
    /// The same, for a fixer that applies what its analyzer decided: <paramref name="fixOne"/> gets the target's
    /// diagnostic (its properties) with the current document. The diagnostic was computed on the document before the
    /// earlier fixes, so the fix validates its edit against the current one.
    /// </summary>
    public static FixAllProvider ForDiagnostics(Func<Diagnostic, Document, SyntaxNode, CancellationToken, Task<Document>> fixOne) =>
        CreateCore((_, diagnostic, document, target, cancellationToken) => fixOne(diagnostic, document, target, cancellationToken));

    private static FixAllProvider CreateCore(Func<string?, Diagnostic, Document, SyntaxNode, CancellationToken, Task<Document>> fixOne) =>
        FixAllProvider.Create(async (context, document, diagnostics) =>
        {
            var cancellationToken = context.CancellationToken;
            if (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not { } root)
                return document;

            var targets = diagnostics
                .Where(d => d.Location.IsInSource)
                .OrderBy(d => d.Location.SourceSpan.Start)
                .Select(d => (Node: root.FindNode(d.Location.SourceSpan, getInnermostNodeForTie: true), Diagnostic: d))
                .GroupBy(t => t.Node)
                .Select(g => g.First())
                .ToList();
            var annotations = targets.ToDictionary(t => t.Node, t => new SyntaxAnnotation(Kind, t.Node.SpanStart.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            document = document.WithSyntaxRoot(root.ReplaceNodes(annotations.Keys, (original, rewritten) => rewritten.WithAdditionalAnnotations(annotations[original])));

            foreach (var (node, diagnostic) in targets)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var current = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
                if (current?.GetAnnotatedNodes(annotations[node]).FirstOrDefault() is { } target)
                    document = await fixOne(context.CodeActionEquivalenceKey, diagnostic, document, target, cancellationToken).ConfigureAwait(false);
            }

            return document;
        });
}
