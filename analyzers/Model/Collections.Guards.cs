namespace LeakAnalyzers.Model;

/// <summary>
/// The capacity checks around a growth site: <see cref="Direct"/> when a condition around it (or an early exit before
/// it) compares the field's <c>Count</c>; otherwise the <see cref="Members"/> of this compilation those conditions call,
/// which guard when their own bodies compare the <c>Count</c> (<c>if (!IsFull) Cache[k] = v;</c>).
/// </summary>
internal readonly record struct CapacityGuard(bool Direct, ImmutableArray<ISymbol> Members);

internal sealed partial class Collections
{
    /// <summary>
    /// Looks for a <c>Count</c> check of <paramref name="field"/> guarding <paramref name="growth"/>: an enclosing
    /// <c>if</c>/<c>?:</c>/<c>&amp;&amp;</c>/<c>||</c>/<c>while</c> condition, or an earlier <c>if (…) return;</c>
    /// (<c>throw</c>, <c>break</c>…) in an enclosing block.
    /// </summary>
    public static CapacityGuard FindGuard(IOperation growth, IFieldSymbol field, CancellationToken cancellationToken)
    {
        var members = ImmutableArray.CreateBuilder<ISymbol>();
        var direct = false;
        var child = growth;
        for (var current = growth.Parent; current is not null && !direct; child = current, current = current.Parent)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (current)
            {
                case IConditionalOperation conditional when child != conditional.Condition:
                    Examine(conditional.Condition);
                    break;
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr } binary when child == binary.RightOperand:
                    Examine(binary.LeftOperand);
                    break;
                case IWhileLoopOperation { Condition: { } condition } when child != condition:
                    Examine(condition);
                    break;
                case IBlockOperation block:
                    foreach (var statement in block.Operations)
                    {
                        if (statement == child)
                            break;
                        if (statement is IConditionalOperation { WhenTrue: var whenTrue } earlier && Exits(whenTrue))
                            Examine(earlier.Condition);
                    }

                    break;
            }
        }

        return new CapacityGuard(direct, members.ToImmutable());

        void Examine(IOperation condition)
        {
            foreach (var operation in condition.DescendantsAndSelf())
            {
                switch (operation)
                {
                    case IFieldReferenceOperation reference when SymbolEqualityComparer.Default.Equals(reference.Field.OriginalDefinition, field) && IsCountComparison(reference):
                        direct = true;
                        return;
                    case IInvocationOperation { TargetMethod: var method } when method.Locations.Any(static l => l.IsInSource):
                        members.Add(method.OriginalDefinition);
                        break;
                    case IPropertyReferenceOperation { Property: var property } when property.Locations.Any(static l => l.IsInSource):
                        members.Add(property.OriginalDefinition);
                        break;
                }
            }
        }
    }

    /// <summary>The symbol a guard condition names for code in <paramref name="containingSymbol"/>: a property for its accessors, else the method.</summary>
    public static ISymbol GuardMember(ISymbol containingSymbol) =>
        containingSymbol is IMethodSymbol { AssociatedSymbol: IPropertySymbol property } ? property.OriginalDefinition : containingSymbol.OriginalDefinition;

    /// <summary>
    /// <c>Cache.Count &gt;= Max</c>, <c>Cache.Count() &lt; Max</c>, <c>Cache.Keys.Count == Max</c>, <c>Cache.Count + 1 &gt; Max</c>,
    /// <c>Cache.Count is &gt; Max</c>: the reference is the collection whose size is compared.
    /// </summary>
    public static bool IsCountComparison(IFieldReferenceOperation reference)
    {
        var outer = reference.WalkUpConversions();
        IOperation? count = outer.Parent switch
        {
            IPropertyReferenceOperation { Property.Name: "Count" or "LongCount" } property when property.Instance == outer => property,
            IPropertyReferenceOperation { Property.Name: "Keys" or "Values" } view when view.Instance == outer
                && view.WalkUpConversions().Parent is IPropertyReferenceOperation { Property.Name: "Count" } viewCount => viewCount,
            IArgumentOperation { Parent: IInvocationOperation { Arguments.Length: 1 } call } when Conventions.IsCountExtension(call.TargetMethod) => call,
            _ => null,
        };
        if (count is null)
            return false;
        var value = count.WalkUpConversions();
        while (value.Parent is IBinaryOperation { OperatorKind: BinaryOperatorKind.Add or BinaryOperatorKind.Subtract or BinaryOperatorKind.Multiply or BinaryOperatorKind.Divide } arithmetic)
            value = arithmetic.WalkUpConversions();
        return value.Parent is IBinaryOperation
        {
            OperatorKind: BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan
                or BinaryOperatorKind.GreaterThanOrEqual or BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals,
        } || value.Parent is IIsPatternOperation;
    }

    private static bool Exits(IOperation operation) => operation switch
    {
        IReturnOperation or IThrowOperation or IBranchOperation => true,
        IExpressionStatementOperation { Operation: IThrowOperation } => true,
        IBlockOperation { Operations: { Length: > 0 } operations } => Exits(operations[operations.Length - 1]),
        _ => false,
    };
}
