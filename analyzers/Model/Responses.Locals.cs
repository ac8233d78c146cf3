namespace LeakAnalyzers.Model;

/// <summary>Why a response the code owns leaks.</summary>
internal enum ResponseVerdict
{
    /// <summary>Thrown away where it is produced.</summary>
    Discarded,
    /// <summary>Read, or kept in a local, and never disposed.</summary>
    NeverDisposed,
    /// <summary>Kept in a local that some normal path leaves without disposing.</summary>
    NotOnEveryPath,
    /// <summary>Kept in a local declared before a loop that assigns the next response before anyone disposed this one.</summary>
    OverwrittenInLoop,
    /// <summary>Kept in a local that is assigned the next response (outside a loop) before anyone disposed this one.</summary>
    Overwritten,
}

/// <summary>
/// A produced response that leaks: why (<see cref="Verdict"/>); the outermost operation that carries it where its
/// fate was decided (<see cref="Value"/>, see <see cref="ResponseUse.Value"/>); and, when it is kept in a local
/// (<see cref="Local"/>), the statements that do dispose it (<see cref="Disposals"/>: <c>Dispose()</c> calls and
/// <c>using</c> statements, on some paths only) and whether the local is assigned anywhere besides its declaration
/// (<see cref="Reassigned"/>). <see cref="NoFix"/>: a shape no <c>using</c> rewrite can fix correctly (a dropped task
/// of a response: a <c>using</c> over the task would dispose the task, not the response; a local a loop overwrites: a
/// <c>using</c> local cannot take the next attempt's response), or one it cannot check (code that does not fully bind).
/// </summary>
internal readonly record struct ResponseLeak(ResponseVerdict Verdict, IOperation Value, ILocalSymbol? Local, ImmutableArray<SyntaxNode> Disposals, bool Reassigned,
    bool NoFix = false);

internal sealed partial class Responses
{
    /// <summary>
    /// The verdict on the response <paramref name="producer"/> yields (<see cref="ProducedBy"/>): null when someone
    /// disposes or owns it on every normal path, or when the analysis cannot follow it.
    /// </summary>
    public ResponseLeak? Judge(IOperation producer, ImmutableArray<string> transfers, CancellationToken cancellationToken)
    {
        var leak = ContinuationOf(producer, cancellationToken) is { } continuation
            ? JudgeContinuation(continuation, transfers, cancellationToken)
            : JudgeUse(producer, transfers, cancellationToken);
        return leak is { NoFix: false } found && IsUnbound(producer) && !(found.Local is { } local && IsResponse(local.Type))
            ? found with { NoFix = true }
            : leak;
    }

    /// <summary>
    /// A producer in code that does not fully bind (an unknown name in its arguments, an <c>await</c> without a type):
    /// a <c>using</c> rewrite can only be checked on a local whose declared type is a response, so only that one is fixed.
    /// </summary>
    private static bool IsUnbound(IOperation producer) =>
        producer.Type is null or { TypeKind: TypeKind.Error } || producer.DescendantsAndSelf().Any(static d => d is IInvalidOperation);

    private ResponseLeak? JudgeUse(IOperation producer, ImmutableArray<string> transfers, CancellationToken cancellationToken)
    {
        var use = UseOf(producer, transfers, cancellationToken);
        return use.Kind switch
        {
            ResponseUseKind.Dropped => new ResponseLeak(ResponseVerdict.Discarded, use.Value, null, ImmutableArray<SyntaxNode>.Empty, Reassigned: false,
                NoFix: IsTaskOfResponse(producer.Type)),
            ResponseUseKind.Read => new ResponseLeak(ResponseVerdict.NeverDisposed, use.Value, null, ImmutableArray<SyntaxNode>.Empty, Reassigned: false),
            ResponseUseKind.Local => JudgeLocal(use.Local!, producer, use.Value, transfers, cancellationToken),
            _ => null,
        };
    }

    /// <summary>
    /// A response kept in a local: overwritten in a loop (<see cref="IsOverwrittenInLoop"/>), or judged by every use of
    /// the local in its body and then by the normal paths from the producer (<see cref="DisposalPaths"/>). Any use that
    /// may hand the response over, or one inside a lambda or local function, keeps the verdict null.
    /// </summary>
    private ResponseLeak? JudgeLocal(ILocalSymbol local, IOperation producer, IOperation value, ImmutableArray<string> transfers, CancellationToken cancellationToken)
    {
        if (producer.GetEnclosingBody() is not { } body
            || local.DeclaringSyntaxReferences.FirstOrDefault() is not { } declaration
            || !body.Syntax.Span.Contains(declaration.Span))
        {
            return null;                                 // declared outside the function that fills it: cannot follow
        }

        var index = BodyIndex.Of(body);
        var references = index.ReferencesTo(local);
        var reassigned = references.Any(static r => r.Parent is IAssignmentOperation assignment && assignment.Target == r);
        if (IsOverwrittenInLoop(producer, declaration.Span, references, body, transfers, cancellationToken))
            return new ResponseLeak(ResponseVerdict.OverwrittenInLoop, value, local, ImmutableArray<SyntaxNode>.Empty, reassigned, NoFix: true);
        if (index.ReadsOf(local, cancellationToken) is not { } reads)
            return null;                                 // a lambda or local function may own it
        if (IsOverwritten(producer, references, transfers, cancellationToken))
            return new ResponseLeak(ResponseVerdict.Overwritten, value, local, ImmutableArray<SyntaxNode>.Empty, reassigned, NoFix: true);

        var sites = new List<SyntaxNode>();
        var escapes = new List<SyntaxNode>();
        foreach (var read in reads)
        {
            var use = UseOf(read, transfers, cancellationToken);
            switch (use.Kind)
            {
                case ResponseUseKind.Disposed:
                    sites.Add(use.Site!);
                    break;
                case ResponseUseKind.ContentEscapes:
                    escapes.Add(use.Site!);
                    break;
                case ResponseUseKind.Settled or ResponseUseKind.Local:
                    return null;
            }
        }

        // A content stream that leaves (returned, stored, wrapped, kept) ends the response on its path the way a
        // disposal does: the stream's owner ends both. The other paths must still dispose it.
        ResponseVerdict? verdict = DisposalPaths.Judge(producer.Syntax, escapes.Count == 0 ? sites : sites.Concat(escapes).ToList(), body.Syntax, index.Jumps) switch
        {
            Undisposed.Never => ResponseVerdict.NeverDisposed,
            Undisposed.NotOnEveryPath => ResponseVerdict.NotOnEveryPath,
            _ => null,
        };
        // With an escaping stream a using local would dispose the response under the stream: no fix.
        return verdict is { } leak ? new ResponseLeak(leak, value, local, sites.ToImmutableArray(), reassigned, NoFix: escapes.Count > 0) : null;
    }
}
