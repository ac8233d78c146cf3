using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Model;

/// <summary>Why a value is not disposed on every normal path.</summary>
internal enum Undisposed
{
    /// <summary>No disposal at all.</summary>
    Never,
    /// <summary>Some normal path leaves before any disposal.</summary>
    NotOnEveryPath,
}

/// <summary>
/// Normal-path reasoning over statement structure (LEAK004): is some disposal reached on every path from the producer
/// that does not throw? Exception paths are out of scope by design. Not Roslyn's <c>ControlFlowGraph</c>: building a
/// graph per body is far dearer than reading the few statements between a producer and its disposals, the question
/// is only ever asked about one local in one body, and the statement structure gives the answer for the shapes that
/// occur (straight-line disposal, <c>finally</c>, early returns and breaks, <c>catch</c> around the call).
/// </summary>
internal static class DisposalPaths
{
    /// <summary><paramref name="jumps"/>: the body's return, goto, yield, break and continue statements in source order (<see cref="BodyIndex.Jumps"/>).</summary>
    public static Undisposed? Judge(SyntaxNode producer, List<SyntaxNode> sites, SyntaxNode body, List<StatementSyntax> jumps)
    {
        if (sites.Count == 0)
            return Undisposed.Never;
        if (sites.Any(site => site.Ancestors().TakeWhile(a => a != body).Any(a => a is FinallyClauseSyntax)))
            return null;

        // The first disposal that every normal path after the producer reaches: straight-line in a statement list
        // that encloses the producer, after it.
        SyntaxNode? cover = null;
        foreach (var container in Containers(producer, body))
        {
            foreach (var site in sites)
            {
                if (site.SpanStart > producer.Span.End && IsStraightLineIn(site, container) && (cover is null || site.SpanStart < cover.SpanStart))
                    cover = site;
            }

            if (cover is not null)
                break;
        }

        if (cover is null)
            return Undisposed.NotOnEveryPath;

        foreach (var jump in jumps)
        {
            if (jump.SpanStart <= producer.Span.End)
                continue;
            if (jump.SpanStart >= cover.SpanStart)
                break;
            if (!Leaves(jump, producer) || IsInCatchAround(jump, producer) || sites.Contains(jump))
                continue;                                // a jump that is itself an end (a return that hands on the content)
            var protectedJump = sites.Any(site => site.SpanStart > producer.Span.End && site.SpanStart < jump.SpanStart
                && Containers(jump, body).Any(container => IsStraightLineIn(site, container)));
            if (!protectedJump && !(jump is BreakStatementSyntax && BreakTarget(jump) is { } target && Judge(target, sites, body, jumps) is null))
                return Undisposed.NotOnEveryPath;
        }

        return null;
    }

    /// <summary>A jump that can leave the producer's scope before the disposal: return, yield break, goto, or a break/continue out of an enclosing loop.</summary>
    private static bool Leaves(StatementSyntax statement, SyntaxNode producer)
    {
        switch (statement)
        {
            case ReturnStatementSyntax or GotoStatementSyntax:
            case YieldStatementSyntax { RawKind: (int)SyntaxKind.YieldBreakStatement }:
                return true;
            case BreakStatementSyntax or ContinueStatementSyntax:
                return BreakTarget(statement) is { } target && target.Span.Contains(producer.Span);
            default:
                return false;
        }
    }

    /// <summary>The loop (or, for <c>break</c>, the <c>switch</c>) a <c>break</c>/<c>continue</c> jumps out of.</summary>
    private static SyntaxNode? BreakTarget(StatementSyntax statement) =>
        statement.Ancestors().TakeWhile(a => !BodyIndex.IsFunction(a)).FirstOrDefault(a => a is ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax
            || a is SwitchStatementSyntax && statement is BreakStatementSyntax);

    /// <summary>
    /// A jump in a <c>catch</c> of a <c>try</c> whose block holds the producer: either the producer threw (there is no
    /// response to dispose) or a later statement did (an exception path, out of scope by design).
    /// </summary>
    private static bool IsInCatchAround(StatementSyntax jump, SyntaxNode producer) =>
        jump.Ancestors().TakeWhile(a => !BodyIndex.IsFunction(a)).OfType<CatchClauseSyntax>()
            .Any(c => c.Parent is TryStatementSyntax tryStatement && tryStatement.Block.Span.Contains(producer.Span));

    /// <summary>The statement lists (blocks, switch sections, top-level statements) around <paramref name="node"/>, innermost first.</summary>
    private static IEnumerable<SyntaxNode> Containers(SyntaxNode node, SyntaxNode body)
    {
        foreach (var ancestor in node.Ancestors())
        {
            if (ancestor is BlockSyntax or SwitchSectionSyntax or CompilationUnitSyntax)
                yield return ancestor;
            if (ancestor == body || BodyIndex.IsFunction(ancestor))
                yield break;
        }
    }

    /// <summary>True when reaching the end of <paramref name="container"/> normally means passing <paramref name="statement"/>.</summary>
    private static bool IsStraightLineIn(SyntaxNode statement, SyntaxNode container)
    {
        for (var node = statement; node.Parent is { } parent; node = parent)
        {
            if (parent == container)
                return true;
            switch (parent)
            {
                case BlockSyntax { Parent: BlockSyntax or GlobalStatementSyntax } when parent != container:
                case BlockSyntax { Parent: TryStatementSyntax tryStatement } when tryStatement.Block == parent:
                case BlockSyntax { Parent: LockStatementSyntax or UsingStatementSyntax or CheckedStatementSyntax or FixedStatementSyntax or UnsafeStatementSyntax }:
                case TryStatementSyntax or LockStatementSyntax or UsingStatementSyntax or CheckedStatementSyntax or FixedStatementSyntax or UnsafeStatementSyntax:
                case LabeledStatementSyntax or GlobalStatementSyntax:
                    continue;
                default:
                    return false;
            }
        }

        return false;
    }
}
