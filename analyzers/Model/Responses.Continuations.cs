namespace LeakAnalyzers.Model;

internal sealed partial class Responses
{
    /// <summary>
    /// <c>c.GetAsync(u).ContinueWith(t =&gt; … t.Result …)</c>: the continuation, a lambda given to <c>Task&lt;T&gt;.ContinueWith</c>
    /// on a task that a call creates, owns the response it reads through its task parameter's <c>Result</c>. Returns
    /// the first such read (where the rule reports), or null when the continuation does anything else with the task
    /// than read its members (<c>IsFaulted</c>, <c>Exception</c>, <c>Result</c>) in its own body.
    /// </summary>
    private IPropertyReferenceOperation? ContinuationResultOf(IInvocationOperation invocation, CancellationToken cancellationToken) =>
        IsTaskOfResponse(invocation.TargetMethod.ReturnType)
        && invocation.WalkUpConversions() is { Parent: IInvocationOperation { Instance: { } instance } continuation } outer
        && instance == outer
        && SymbolEqualityComparer.Default.Equals(continuation.TargetMethod.ContainingType.OriginalDefinition, _taskOfT)
        && continuation.TargetMethod.Name == "ContinueWith"
        && IsCreatedTask(invocation, cancellationToken)
        && ContinuationResults(continuation) is { Count: > 0 } results
            ? results[0]
            : null;

    /// <summary>The <c>ContinueWith</c> call whose continuation reads <paramref name="producer"/> (its first <c>t.Result</c>), or null.</summary>
    private IInvocationOperation? ContinuationOf(IOperation producer, CancellationToken cancellationToken)
    {
        if (producer is not IPropertyReferenceOperation { Instance: IParameterReferenceOperation })
            return null;
        for (var current = producer.Parent; current is not null; current = current.Parent)
        {
            if (current is IInvocationOperation { Instance: { } instance } continuation && instance.WalkDownConversions() is IInvocationOperation task
                && ContinuationResultOf(task, cancellationToken) == producer)
            {
                return continuation;
            }
        }

        return null;
    }

    /// <summary>The <c>t.Result</c> reads of a <c>ContinueWith</c> lambda, in source order; null when the task parameter is used otherwise.</summary>
    private static List<IPropertyReferenceOperation>? ContinuationResults(IInvocationOperation continuation)
    {
        var lambda = continuation.Arguments.Select(static a => a.Value.WalkDownConversions())
            .OfType<IDelegateCreationOperation>().Select(static d => d.Target).OfType<IAnonymousFunctionOperation>().FirstOrDefault();
        if (lambda?.Symbol.Parameters.FirstOrDefault() is not { } task)
            return null;
        var results = new List<IPropertyReferenceOperation>();
        foreach (var reference in lambda.Body.Descendants().OfType<IParameterReferenceOperation>())
        {
            if (!SymbolEqualityComparer.Default.Equals(reference.Parameter, task))
                continue;
            if (reference.GetEnclosingBody() != lambda.Body)
                return null;                             // a nested lambda or local function: not followed
            switch (reference.Parent)
            {
                case IPropertyReferenceOperation { Property.Name: "Result" } result:
                    results.Add(result);
                    break;
                case IPropertyReferenceOperation:
                    break;                               // IsFaulted, Exception, Status: looked at
                default:
                    return null;
            }
        }

        return results;
    }

    /// <summary>
    /// The verdict on the response a continuation reads through <c>t.Result</c> (<see cref="ContinuationResultOf"/>):
    /// one read is judged like any produced response; several reads leak only when each of them only reads it.
    /// </summary>
    private ResponseLeak? JudgeContinuation(IInvocationOperation continuation, ImmutableArray<string> transfers, CancellationToken cancellationToken)
    {
        if (ContinuationResults(continuation) is not { Count: > 0 } results)
            return null;
        if (results.Count == 1)
            return JudgeUse(results[0], transfers, cancellationToken) is { } leak ? leak with { NoFix = true } : null;
        foreach (var result in results)
        {
            if (UseOf(result, transfers, cancellationToken).Kind != ResponseUseKind.Read)
                return null;
        }

        return new ResponseLeak(ResponseVerdict.NeverDisposed, results[0], null, ImmutableArray<SyntaxNode>.Empty, Reassigned: false, NoFix: true);
    }
}
