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

    /// <summary>
    /// The same, for a fixer that reads what the analyzer decided from the diagnostic (its properties): <paramref name="fixOne"/>
    /// gets the diagnostic of each target.
    /// </summary>
    public static FixAllProvider CreateWithDiagnostics(Func<Diagnostic, Document, SyntaxNode, CancellationToken, Task<Document>> fixOne) =>
        FixAllProvider.Create(async (context, document, diagnostics) =>
        {
            var cancellationToken = context.CancellationToken;
            if (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not { } root)
                return document;

            var targets = new Dictionary<SyntaxNode, (Diagnostic Diagnostic, SyntaxAnnotation Annotation)>();
            foreach (var diagnostic in diagnostics.Where(d => d.Location.IsInSource).OrderBy(d => d.Location.SourceSpan.Start))
            {
                var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
                if (!targets.ContainsKey(node))
                    targets[node] = (diagnostic, new SyntaxAnnotation(Kind, diagnostic.Location.SourceSpan.Start.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            document = document.WithSyntaxRoot(root.ReplaceNodes(targets.Keys, (original, rewritten) => rewritten.WithAdditionalAnnotations(targets[original].Annotation)));
            foreach (var (diagnostic, annotation) in targets.Values.OrderBy(t => t.Diagnostic.Location.SourceSpan.Start).ToList())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var current = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
                if (current?.GetAnnotatedNodes(annotation).FirstOrDefault() is { } target)
                    document = await fixOne(diagnostic, document, target, cancellationToken).ConfigureAwait(false);
            }

            return document;
        });

    /// <summary>The same, for a fixer with several actions: <paramref name="fixOne"/> gets the chosen action's equivalence key.</summary>
    public static FixAllProvider Create(Func<string?, Document, SyntaxNode, CancellationToken, Task<Document>> fixOne) =>
        FixAllProvider.Create(async (context, document, diagnostics) =>
        {
            var cancellationToken = context.CancellationToken;
            if (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not { } root)
                return document;

            var targets = diagnostics
                .Where(d => d.Location.IsInSource)
                .OrderBy(d => d.Location.SourceSpan.Start)
                .Select(d => root.FindNode(d.Location.SourceSpan, getInnermostNodeForTie: true))
                .Distinct()
                .ToList();
            var annotations = targets.ToDictionary(t => t, t => new SyntaxAnnotation(Kind, t.SpanStart.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            document = document.WithSyntaxRoot(root.ReplaceNodes(targets, (original, rewritten) => rewritten.WithAdditionalAnnotations(annotations[original])));

            foreach (var annotation in annotations.Values)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var current = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
                if (current?.GetAnnotatedNodes(annotation).FirstOrDefault() is { } target)
                    document = await fixOne(context.CodeActionEquivalenceKey, document, target, cancellationToken).ConfigureAwait(false);
            }

            return document;
        });
}
