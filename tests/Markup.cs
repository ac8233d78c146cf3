using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace LeakAnalyzers.Tests;

/// <summary>
/// Sources with <c>[|marked|]</c> spans (not nested), for tests that ask about a node rather than about a diagnostic
/// (<c>tests/Model</c>, <c>tests/Editing</c>): the text without the marks, and the spans they enclosed, in order.
/// </summary>
internal static class Markup
{
    public static (string Text, ImmutableArray<TextSpan> Spans) Parse(string marked)
    {
        var text = new System.Text.StringBuilder(marked.Length);
        var spans = ImmutableArray.CreateBuilder<TextSpan>();
        var open = -1;
        for (var i = 0; i < marked.Length; i++)
        {
            if (string.CompareOrdinal(marked, i, "[|", 0, 2) == 0)
            {
                open = text.Length;
                i++;
            }
            else if (string.CompareOrdinal(marked, i, "|]", 0, 2) == 0 && open >= 0)
            {
                spans.Add(TextSpan.FromBounds(open, text.Length));
                open = -1;
                i++;
            }
            else
            {
                text.Append(marked[i]);
            }
        }

        return (text.ToString(), spans.ToImmutable());
    }

    /// <summary>The innermost node at each span of <paramref name="spans"/> (a lambda rather than the argument around it).</summary>
    public static ImmutableArray<SyntaxNode> Nodes(SyntaxNode root, ImmutableArray<TextSpan> spans) =>
        spans.Select(span => root.FindNode(span, getInnermostNodeForTie: true)).ToImmutableArray();
}
