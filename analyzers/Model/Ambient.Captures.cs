namespace LeakAnalyzers.Model;

/// <summary>
/// What a capture of the execution context keeps alive: a timer or a registration on a long-lived token captures the
/// context when it is created, with every <c>AsyncLocal</c> value in it, for as long as it lives. In an <c>async</c>
/// method the set itself is fine (the runtime restores the caller's context); the capture is what leaks.
/// </summary>
internal sealed partial class Ambient
{
    /// <summary>
    /// <c>new Timer(…)</c> (<c>System.Threading</c>) kept beyond the method: stored in a field or property, discarded, or
    /// assigned with <c>??=</c> to a member. A <c>using</c> or a local owns it: the method may end it.
    /// </summary>
    public bool IsLongLivedTimer(IObjectCreationOperation creation) =>
        creation.Type?.Name == "Timer" && _threading.ThreadingTimer is { } timer && SymbolEqualityComparer.Default.Equals(creation.Type, timer)
        && (Ownership.Classify(creation).Kind is FateKind.Stored or FateKind.Discarded
            || creation.WalkUpConversions().Parent is ICoalesceAssignmentOperation { Target: IFieldReferenceOperation or IPropertyReferenceOperation });

    /// <summary><c>token.Register(…)</c> on a token that outlives the request (<see cref="Lifetimes.IsLongLivedToken"/>), not disposed by a <c>using</c>.</summary>
    public bool IsLongLivedRegistration(IInvocationOperation invocation) =>
        invocation.TargetMethod.Name == "Register" && invocation.Instance is { } token
        && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, _threading.CancellationToken)
        && _lifetimes.IsLongLivedToken(token) && Ownership.Classify(invocation).Kind != FateKind.Using;

    /// <summary>
    /// The <c>AsyncLocal</c> that holds request data when <paramref name="capture"/> runs: set to request data earlier in
    /// the same function (not in a nested one) and not assigned again since (restored, cleared or replaced). Null inside
    /// <c>using (ExecutionContext.SuppressFlow()) { … }</c>, or after a <c>SuppressFlow()</c> declaration or call earlier
    /// in the function (undone who knows where).
    /// </summary>
    public AmbientSlot? CapturedBy(IOperation capture, ConfiguredTypes configured, CancellationToken cancellationToken)
    {
        if (capture.GetEnclosingBody() is not { } body)
            return null;
        AmbientSlot? set = null;
        foreach (var operation in body.Descendants())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (operation.Syntax.SpanStart >= capture.Syntax.SpanStart)
                continue;                                // only what runs before the capture
            if (operation is IInvocationOperation { TargetMethod.Name: "SuppressFlow" } suppress
                && SymbolEqualityComparer.Default.Equals(suppress.TargetMethod.ContainingType, _threading.ExecutionContext) && Suppresses(suppress, capture))
            {
                return null;
            }

            if (operation is not IAssignmentOperation assignment || operation.IsInsideNestedFunction(body)
                || SlotWrittenBy(assignment.Target, cancellationToken) is not { Kind: AmbientKind.AsyncLocal } slot)
            {
                continue;
            }

            if (set is not null && SymbolEqualityComparer.Default.Equals(set.Key, slot.Key))
                set = null;                              // assigned again (restored or replaced) before the capture
            if (set is null && !IsNullOrDefault(assignment.Value) && _requestValues.Value.CarriesRequestData(assignment.Value, configured, cancellationToken))
                set = slot;
        }

        return set;
    }

    /// <summary><c>using (ExecutionContext.SuppressFlow()) { … }</c> around the capture; a declaration or a bare call (undone who knows where) counts too.</summary>
    private static bool Suppresses(IOperation suppress, IOperation capture)
    {
        for (var current = suppress.Parent; current is not null; current = current.Parent)
        {
            if (current is IUsingOperation usingOperation)
                return usingOperation.Body.Syntax.Span.Contains(capture.Syntax.Span);
            if (current is IBlockOperation or IExpressionStatementOperation or IUsingDeclarationOperation)
                return true;
        }

        return true;
    }
}
