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
        Create((key, document, target, _, cancellationToken) => fixOne(key, document, target, cancellationToken));

    /// <summary>
    /// The same, for a fixer that reads the analyzer's decision from the diagnostic (its properties: the locations it
    /// carries refer to the document before the earlier fixes): <paramref name="fixOne"/> gets the target's diagnostic.
    /// </summary>
    public static FixAllProvider Create(Func<Document, SyntaxNode, Diagnostic, CancellationToken, Task<Document>> fixOne) =>
        Create((_, document, target, diagnostic, cancellationToken) => fixOne(document, target, diagnostic, cancellationToken));

    private static FixAllProvider Create(Func<string?, Document, SyntaxNode, Diagnostic, CancellationToken, Task<Document>> fixOne) =>
        FixAllProvider.Create(async (context, document, diagnostics) =>
        {
            var cancellationToken = context.CancellationToken;
            if (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not { } root)
                return document;

            var targets = new Dictionary<SyntaxNode, Diagnostic>();
            foreach (var diagnostic in diagnostics.Where(d => d.Location.IsInSource).OrderBy(d => d.Location.SourceSpan.Start))
            {
                var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
                if (!targets.ContainsKey(node))
                    targets[node] = diagnostic;
            }

            var annotations = targets.Keys.ToDictionary(t => t, t => new SyntaxAnnotation(Kind, t.SpanStart.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            document = document.WithSyntaxRoot(root.ReplaceNodes(targets.Keys, (original, rewritten) => rewritten.WithAdditionalAnnotations(annotations[original])));

            foreach (var pair in annotations.OrderBy(p => p.Key.SpanStart))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var current = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
                if (current?.GetAnnotatedNodes(pair.Value).FirstOrDefault() is { } target)
                    document = await fixOne(context.CodeActionEquivalenceKey, document, target, targets[pair.Key], cancellationToken).ConfigureAwait(false);
            }

            return document;
        });
}
