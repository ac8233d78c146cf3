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
