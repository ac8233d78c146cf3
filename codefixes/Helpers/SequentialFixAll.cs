using System.Globalization;

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

    /// <summary>
    /// The same, for a fixer that reads the analyzer's decision (<see cref="Diagnostic.Properties"/>, additional
    /// locations): <paramref name="fixOne"/> gets each diagnostic moved to the document the previous fix produced. Its
    /// location and its additional locations are tracked like the targets; one whose node an earlier fix removed becomes
    /// <see cref="Location.None"/>.
    /// </summary>
    public static FixAllProvider ForDiagnostics(Func<Document, Diagnostic, CancellationToken, Task<Document>> fixOne) =>
        FixAllProvider.Create(async (context, document, diagnostics) =>
        {
            var cancellationToken = context.CancellationToken;
            if (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not { } root)
                return document;

            var ordered = diagnostics
                .Where(d => d.Location.IsInSource && d.Location.SourceTree == root.SyntaxTree)
                .OrderBy(d => d.Location.SourceSpan.Start)
                .ToList();
            var nodes = ordered
                .SelectMany(d => d.AdditionalLocations.Prepend(d.Location))
                .Where(l => l.IsInSource && l.SourceTree == root.SyntaxTree)
                .Select(l => l.SourceSpan)
                .Distinct()
                .ToDictionary(span => span, span => root.FindNode(span, getInnermostNodeForTie: true));
            var annotations = nodes.Values.Distinct().ToDictionary(n => n, n => new SyntaxAnnotation(Kind));
            document = document.WithSyntaxRoot(root.ReplaceNodes(annotations.Keys, (original, rewritten) => rewritten.WithAdditionalAnnotations(annotations[original])));

            foreach (var diagnostic in ordered)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not { } current)
                    break;
                Location Move(Location location) =>
                    location.IsInSource && nodes.TryGetValue(location.SourceSpan, out var node)
                        ? current.GetAnnotatedNodes(annotations[node]).FirstOrDefault()?.GetLocation() ?? Location.None
                        : location;
                var location = Move(diagnostic.Location);
                if (location.Kind == LocationKind.None)
                    continue;
                var moved = Diagnostic.Create(diagnostic.Id, diagnostic.Descriptor.Category, diagnostic.GetMessage(CultureInfo.InvariantCulture),
                    diagnostic.Severity, diagnostic.DefaultSeverity, diagnostic.Descriptor.IsEnabledByDefault, diagnostic.WarningLevel,
                    diagnostic.Descriptor.Title, diagnostic.Descriptor.Description, diagnostic.Descriptor.HelpLinkUri, location,
                    diagnostic.AdditionalLocations.Select(Move), diagnostic.Descriptor.CustomTags, diagnostic.Properties);
                document = await fixOne(document, moved, cancellationToken).ConfigureAwait(false);
            }

            return document;
        });
}
