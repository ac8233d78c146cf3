namespace LeakAnalyzers.Editing;

/// <summary>
/// Fix All that applies one fix at a time, each against the document the previous fix produced. Our fixes add locals,
/// constructor parameters and wrap statements, so two fixes in one document may touch the same block or pick the same
/// name; a batch merge of independent edits would drop or collide them. Targets (and the nodes of their diagnostics'
/// additional locations) are tracked with annotations, and each fix re-validates its target: it may no longer apply once
/// an earlier fix ran.
/// </summary>
internal static class SequentialFixAll
{
    private const string TargetKind = "LeakAnalyzers.FixAllTarget";
    private const string AdditionalKind = "LeakAnalyzers.FixAllAdditional";

    /// <summary>
    /// Fix All for a fixer with one action: <paramref name="fixOne"/> gets the node each diagnostic is reported at.
    /// Prefer <see cref="Create(Func{FixTarget, CancellationToken, Task{Document}})"/>, which also hands over the
    /// analyzer's decision (properties, additional locations), so that the fix need not judge the rule again.
    /// </summary>
    public static FixAllProvider Create(Func<Document, SyntaxNode, CancellationToken, Task<Document>> fixOne) =>
        Create((target, cancellationToken) => fixOne(target.Document, target.Node, cancellationToken));

    /// <summary>
    /// The same, for a fixer with several actions: <paramref name="fixOne"/> gets the chosen action's equivalence key.
    /// Prefer <see cref="Create(Func{FixTarget, CancellationToken, Task{Document}})"/> (<see cref="FixTarget.EquivalenceKey"/>).
    /// </summary>
    public static FixAllProvider Create(Func<string?, Document, SyntaxNode, CancellationToken, Task<Document>> fixOne) =>
        Create((target, cancellationToken) => fixOne(target.EquivalenceKey, target.Document, target.Node, cancellationToken));

    /// <summary>
    /// Fix All for a fixer that reads the analyzer's decision: <paramref name="fixOne"/> gets the whole diagnostic as a
    /// <see cref="FixTarget"/> (its node, properties and additional locations, found again in the current document) and
    /// the chosen action's equivalence key.
    /// </summary>
    public static FixAllProvider Create(Func<FixTarget, CancellationToken, Task<Document>> fixOne) =>
        FixAllProvider.Create(async (context, document, diagnostics) =>
        {
            var cancellationToken = context.CancellationToken;
            if (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not { } root)
                return document;

            // One diagnostic per node, in source order; each gets an annotation for its node and one per additional location.
            var marks = new Dictionary<SyntaxNode, List<SyntaxAnnotation>>();
            var planned = new List<(Diagnostic Diagnostic, SyntaxAnnotation Target, ImmutableArray<SyntaxAnnotation?> Additional)>();
            var seen = new HashSet<SyntaxNode>();
            foreach (var diagnostic in diagnostics.Where(d => FixTarget.IsIn(d.Location, root)).OrderBy(d => d.Location.SourceSpan.Start))
            {
                var node = FixTarget.NodeAt(root, diagnostic.Location);
                if (!seen.Add(node))
                    continue;
                var target = Mark(node, TargetKind);
                var additional = diagnostic.AdditionalLocations
                    .Select(l => FixTarget.IsIn(l, root) ? Mark(FixTarget.NodeAt(root, l), AdditionalKind) : null)
                    .ToImmutableArray();
                planned.Add((diagnostic, target, additional));
            }

            document = document.WithSyntaxRoot(root.ReplaceNodes(marks.Keys, (original, rewritten) => rewritten.WithAdditionalAnnotations(marks[original])));

            foreach (var (diagnostic, target, additional) in planned)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var current = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
                if (current?.GetAnnotatedNodes(target).FirstOrDefault() is not { } node)
                    continue;
                var nodes = additional.Select(a => a is null ? null : current.GetAnnotatedNodes(a).FirstOrDefault()).ToImmutableArray();
                document = await fixOne(new FixTarget(document, node, diagnostic.Properties, nodes, context.CodeActionEquivalenceKey), cancellationToken).ConfigureAwait(false);
            }

            return document;

            SyntaxAnnotation Mark(SyntaxNode node, string kind)
            {
                var annotation = new SyntaxAnnotation(kind);
                if (!marks.TryGetValue(node, out var list))
                    marks[node] = list = new List<SyntaxAnnotation>();
                list.Add(annotation);
                return annotation;
            }
        });
}
