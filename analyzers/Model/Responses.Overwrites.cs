using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace LeakAnalyzers.Model;

internal sealed partial class Responses
{
    /// <summary>
    /// A retry or polling loop that assigns each response to a local declared before the loop (at
    /// <paramref name="declaration"/>) and never disposes it in the loop: the next iteration overwrites a response
    /// nobody disposed (only the last one can be judged after the loop). Returning the local from inside the loop
    /// leaves the loop; any other use that may dispose or hand it over (<c>Dispose</c>, <c>using</c>, storage, a
    /// method that takes it) answers no.
    /// </summary>
    private bool IsOverwrittenInLoop(IOperation producer, TextSpan declaration, IReadOnlyList<ILocalReferenceOperation> references,
        IOperation body, ImmutableArray<string> transfers, CancellationToken cancellationToken)
    {
        var loop = producer.Syntax.Ancestors().TakeWhile(a => a != body.Syntax && !BodyIndex.IsFunction(a))
            .FirstOrDefault(static a => a is ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax);
        if (loop is null || loop.Span.Contains(declaration) || !Repeats(loop))
            return false;
        foreach (var reference in references)
        {
            if (!loop.Span.Contains(reference.Syntax.Span) || reference.Parent is IAssignmentOperation assignment && assignment.Target == reference)
                continue;
            if (Ownership.Classify(reference).Kind == FateKind.Returned)
                continue;                                // leaves the loop with it
            if (UseOf(reference, transfers, cancellationToken).Kind != ResponseUseKind.Read)
                return false;
        }

        return true;
    }

    /// <summary>
    /// The local is assigned again after the producer (outside a loop's next iteration, which
    /// <see cref="IsOverwrittenInLoop"/> judges) and only read in between: the response is overwritten before anyone
    /// disposed it, whatever happens to the next one. The assignment must follow the producer in a statement list that
    /// holds both (so that it is reached after it on some path, not in another branch of an <c>if</c>, <c>try</c> or
    /// <c>switch</c>), and must not mention the local itself (<c>r = Wrap(r)</c>).
    /// </summary>
    private bool IsOverwritten(IOperation producer, IReadOnlyList<ILocalReferenceOperation> references, ImmutableArray<string> transfers,
        CancellationToken cancellationToken)
    {
        var overwrite = references
            .Where(r => r.Syntax.SpanStart > producer.Syntax.Span.End && r.Parent is ISimpleAssignmentOperation assignment && assignment.Target == r)
            .OrderBy(static r => r.Syntax.SpanStart)
            .Select(static r => (ISimpleAssignmentOperation)r.Parent!)
            .FirstOrDefault();
        if (overwrite is null || !InOneStatementList(producer.Syntax, overwrite.Syntax))
            return false;
        foreach (var reference in references)
        {
            var start = reference.Syntax.SpanStart;
            if (start <= producer.Syntax.Span.End || reference.Parent == overwrite)
                continue;
            if (overwrite.Value.Syntax.Span.Contains(reference.Syntax.Span))
                return false;                            // r = Wrap(r): the old response goes into the new value
            if (start < overwrite.Syntax.SpanStart && UseOf(reference, transfers, cancellationToken).Kind != ResponseUseKind.Read)
                return false;
        }

        return true;
    }

    /// <summary>
    /// <paramref name="later"/> sits in a later statement of a statement list (block, switch section, top level) that
    /// also holds <paramref name="earlier"/>'s statement, in the same function.
    /// </summary>
    private static bool InOneStatementList(SyntaxNode earlier, SyntaxNode later)
    {
        var common = earlier.Ancestors().FirstOrDefault(a => a.Span.Contains(later.Span));
        if (common is null || earlier.Ancestors().TakeWhile(a => a != common).Any(BodyIndex.IsFunction)
            || later.Ancestors().TakeWhile(a => a != common).Any(BodyIndex.IsFunction))
        {
            return false;
        }

        return common is BlockSyntax or SwitchSectionSyntax or CompilationUnitSyntax;
    }

    /// <summary>False when the loop's body always leaves at its end (<c>return</c>, <c>break</c>, <c>throw</c>, <c>goto</c>): it runs once.</summary>
    private static bool Repeats(SyntaxNode loop)
    {
        var statement = loop switch
        {
            ForStatementSyntax f => f.Statement,
            CommonForEachStatementSyntax f => f.Statement,
            WhileStatementSyntax w => w.Statement,
            DoStatementSyntax d => d.Statement,
            _ => null,
        };
        var last = statement is BlockSyntax block ? block.Statements.LastOrDefault() : statement;
        return last is not (ReturnStatementSyntax or BreakStatementSyntax or ThrowStatementSyntax or GotoStatementSyntax);
    }
}
