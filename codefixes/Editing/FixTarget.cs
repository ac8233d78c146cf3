namespace LeakAnalyzers.Editing;

/// <summary>
/// A diagnostic as a fix reads it, in the document the fix edits: the node it is reported at, the analyzer's decision
/// (<see cref="Properties"/>) and the nodes of its additional locations (<see cref="Additional"/>, null where a node is
/// gone or in another document). The same shape whether the fix is chosen from the light bulb
/// (<see cref="FromAsync"/>) or applied by <see cref="SequentialFixAll"/> to a document earlier fixes have changed,
/// where the nodes are found again by annotation: a fixer reads the decision from here and never re-judges the rule.
/// </summary>
internal sealed record FixTarget(
    Document Document,
    SyntaxNode Node,
    ImmutableDictionary<string, string?> Properties,
    ImmutableArray<SyntaxNode?> Additional,
    string? EquivalenceKey)
{
    /// <summary>The target of <paramref name="diagnostic"/> in <paramref name="document"/>; null when its location is not in it.</summary>
    public static async Task<FixTarget?> FromAsync(Document document, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || !IsIn(diagnostic.Location, root))
            return null;
        var additional = diagnostic.AdditionalLocations.Select(l => IsIn(l, root) ? NodeAt(root, l) : null).ToImmutableArray();
        return new FixTarget(document, NodeAt(root, diagnostic.Location), diagnostic.Properties, additional, EquivalenceKey: null);
    }

    /// <summary>The property <paramref name="key"/>, or null.</summary>
    public string? Property(string key) => Properties.TryGetValue(key, out var value) ? value : null;

    /// <summary>The innermost node at <paramref name="location"/> (a lambda rather than the argument around it).</summary>
    internal static SyntaxNode NodeAt(SyntaxNode root, Location location) =>
        root.FindNode(location.SourceSpan, getInnermostNodeForTie: true);

    internal static bool IsIn(Location location, SyntaxNode root) =>
        location.IsInSource && location.SourceTree == root.SyntaxTree && root.FullSpan.Contains(location.SourceSpan);
}
