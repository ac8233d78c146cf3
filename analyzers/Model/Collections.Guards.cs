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

    /// <summary>
    /// The key was checked against a registry before the write, and the code leaves (or skips the write) when it is not
    /// there: an earlier <c>if (!Known.Contains(key)) return;</c> (<c>throw</c>, <c>break</c>…),
    /// <c>if (!Registry.TryGetValue(key, out _)) throw …;</c>, <c>var p = Providers.GetValueOrDefault(name); if (p is null)
    /// return NotFound();</c>, or the write inside <c>if (Known.Contains(key)) { … }</c>. The registry is configuration or
    /// an in-memory collection other than the field (a database query, <c>IQueryable</c>, is not one); the lookup is one
    /// of <see cref="Conventions.IsLookup"/> and names one of the key's locals or parameters. The keys that get through
    /// are the registry's: bounded by it. A call of the project's own lookup-or-throw helper with the key counts as such a
    /// check when it runs before the write (an earlier statement, or the write's own arguments):
    /// <c>static T Get(string key) { if (!Registry.TryGetValue(key, out var v)) throw …; return v; }</c> — the helper's
    /// last statement returns, and an earlier <c>if</c> that checks its parameter against a registry throws (one call deep).
    /// </summary>
    public bool IsCheckedAgainstARegistry(IOperation growth, IFieldSymbol field, IOperation key, CancellationToken cancellationToken) =>
        IsCheckedAgainstARegistry(growth, field, key, helper: false, cancellationToken);

    private bool IsCheckedAgainstARegistry(IOperation growth, IFieldSymbol field, IOperation key, bool helper, CancellationToken cancellationToken)
    {
        var roots = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (var operation in key.DescendantsAndSelf())
        {
            switch (operation)
            {
                case ILocalReferenceOperation local:
                    roots.Add(local.Local);
                    break;
                case IParameterReferenceOperation parameter:
                    roots.Add(parameter.Parameter);
                    break;
            }
        }

        if (roots.Count == 0)
            return false;
        if (!helper && CallsLookupOrThrow(growth))
            return true;
        var child = growth;
        for (var current = growth.Parent; current is not null; child = current, current = current.Parent)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (current)
            {
                case IConditionalOperation conditional when child == conditional.WhenTrue && Asserts(conditional.Condition, found: true):
                    return true;
                case IBlockOperation block:
                    foreach (var statement in block.Operations)
                    {
                        if (statement == child)
                            break;
                        if (statement is IConditionalOperation { WhenTrue: var whenTrue } earlier && (helper ? Throws(whenTrue) : Exits(whenTrue))
                            && Asserts(earlier.Condition, found: false))
                        {
                            return true;
                        }

                        if (!helper && CallsLookupOrThrow(statement))
                            return true;
                    }

                    break;
                case IAnonymousFunctionOperation or ILocalFunctionOperation:
                    return false;
            }
        }

        return false;

        // Registry.Get(key) before the write, where Get is the project's lookup-or-throw helper (not inside a lambda: it runs later).
        bool CallsLookupOrThrow(IOperation code)
        {
            foreach (var operation in code.DescendantsAndSelf())
            {
                if (operation is not IInvocationOperation { TargetMethod: var method } call || Conventions.IsLookup(method)
                    || operation.Ancestors().TakeWhile(a => a != code).Any(a => a is IAnonymousFunctionOperation or ILocalFunctionOperation))
                {
                    continue;
                }

                foreach (var argument in call.Arguments)
                {
                    if (argument.Parameter is { } parameter && NamesARoot(argument.Value) && ThrowsWhenMissing(method, parameter, field, cancellationToken))
                        return true;
                }
            }

            return false;
        }

        bool NamesARoot(IOperation value)
        {
            foreach (var operation in value.DescendantsAndSelf())
            {
                if (operation is ILocalReferenceOperation l && roots.Contains(l.Local) || operation is IParameterReferenceOperation p && roots.Contains(p.Parameter))
                    return true;
            }

            return false;
        }

        // The condition, when true, says the key is (found) or is not (!found) in a registry.
        bool Asserts(IOperation condition, bool found)
        {
            switch (condition.WalkDownConversions())
            {
                case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                    return Asserts(not.Operand, !found);
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalOr } or:
                    return found ? Asserts(or.LeftOperand, found) && Asserts(or.RightOperand, found) : Asserts(or.LeftOperand, found) || Asserts(or.RightOperand, found);
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } and:
                    return found ? Asserts(and.LeftOperand, found) || Asserts(and.RightOperand, found) : Asserts(and.LeftOperand, found) && Asserts(and.RightOperand, found);
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } comparison:
                    var equals = comparison.OperatorKind == BinaryOperatorKind.Equals;
                    if (comparison.RightOperand.ConstantValue is { HasValue: true } right)
                        return Compared(comparison.LeftOperand, right.Value, equals, found);
                    return comparison.LeftOperand.ConstantValue is { HasValue: true } left && Compared(comparison.RightOperand, left.Value, equals, found);
                case IIsPatternOperation { Pattern: var pattern } test:
                    return pattern switch
                    {
                        IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: null } } => !found && IsLookupResult(test.Value),
                        INegatedPatternOperation { Pattern: IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: null } } } => found && IsLookupResult(test.Value),
                        IRecursivePatternOperation or IDeclarationPatternOperation => found && IsLookupResult(test.Value),
                        _ => false,
                    };
                case IInvocationOperation invocation:
                    return found && IsLookup(invocation);
                default:
                    return false;
            }
        }

        // lookup == false, lookup != true, result == null, result != null.
        bool Compared(IOperation operand, object? constant, bool equals, bool found) => constant switch
        {
            bool flag => Asserts(operand, equals == flag ? found : !found),
            null => (equals ? !found : found) && IsLookupResult(operand),
            _ => false,
        };

        // A local (or value) that a lookup gave: var p = Providers.GetValueOrDefault(name); TryGetValue(name, out var p).
        bool IsLookupResult(IOperation value)
        {
            value = value.WalkDownConversions();
            if (value is IInvocationOperation direct)
                return IsLookup(direct);
            if (value is not ILocalReferenceOperation local)
                return false;
            var root = value;
            while (root.Parent is not null)
                root = root.Parent;
            foreach (var definition in BodyIndex.Of(root).DefinitionsOf(local.Local))
            {
                var source = definition switch
                {
                    IVariableDeclaratorOperation declarator => (declarator.Initializer ?? (declarator.Parent as IVariableDeclarationOperation)?.Initializer)?.Value,
                    IArgumentOperation { Parent: IInvocationOperation call } => call,
                    ISimpleAssignmentOperation assignment => assignment.Value,
                    _ => null,
                };
                if (source?.WalkDownConversions() is IInvocationOperation lookup && IsLookup(lookup))
                    return true;
            }

            return false;
        }

        // Known.Contains(key), Registry.TryGetValue(key, out _), Options.Value.Names.Any(n => n == key), Enum.IsDefined(typeof(T), key).
        bool IsLookup(IInvocationOperation invocation)
        {
            var method = invocation.TargetMethod;
            if (!Conventions.IsLookup(method))
                return false;
            var receiver = invocation.Instance ?? (method.IsExtensionMethod ? invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Value : null);
            if (receiver is null)
            {
                if (method.ContainingType?.SpecialType != SpecialType.System_Enum)
                    return false;
            }
            else
            {
                receiver = receiver.WalkDownConversions();
                if (receiver is IFieldReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Field.OriginalDefinition, field))
                    return false;                      // the cache itself: a hit or a miss, not a registry
                if (!_provenance.IsConfiguration(receiver.Type) && !IsInMemoryCollection(receiver.Type))
                    return false;
            }

            foreach (var argument in invocation.Arguments)
            {
                if (argument.Value.WalkDownConversions() == receiver)
                    continue;
                foreach (var operation in argument.Value.DescendantsAndSelf())
                {
                    if (operation is ILocalReferenceOperation l && roots.Contains(l.Local) || operation is IParameterReferenceOperation p && roots.Contains(p.Parameter))
                        return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// <paramref name="method"/> is the project's lookup-or-throw helper for <paramref name="parameter"/>: its body's last
    /// statement returns, and before it an <c>if</c> that finds the parameter missing from a registry (not
    /// <paramref name="field"/>) throws.
    /// </summary>
    private bool ThrowsWhenMissing(IMethodSymbol method, IParameterSymbol parameter, IFieldSymbol field, CancellationToken cancellationToken)
    {
        if (method.MethodKind != MethodKind.Ordinary || method.ReturnsVoid || _source.BodyOf(method, cancellationToken) is not { } body)
            return false;
        var block = body switch
        {
            IMethodBodyBaseOperation { BlockBody: { } blockBody } => blockBody,
            IBlockOperation direct => direct,
            _ => null,
        };
        if (block is not { Operations: { Length: > 1 } statements } || statements[statements.Length - 1] is not IReturnOperation last)
            return false;
        var key = block.Descendants().OfType<IParameterReferenceOperation>()
            .FirstOrDefault(p => SymbolEqualityComparer.Default.Equals(p.Parameter, parameter.OriginalDefinition) || SymbolEqualityComparer.Default.Equals(p.Parameter, parameter));
        return key is not null && IsCheckedAgainstARegistry(last, field, key, helper: true, cancellationToken);
    }

    private static bool Throws(IOperation operation) => operation switch
    {
        IThrowOperation or IExpressionStatementOperation { Operation: IThrowOperation } => true,
        IBlockOperation { Operations: { Length: > 0 } operations } => Throws(operations[operations.Length - 1]),
        _ => false,
    };

    /// <summary>A collection the application holds in memory: enumerable, and neither a string nor a query a database runs.</summary>
    private bool IsInMemoryCollection(ITypeSymbol? type) =>
        type is { SpecialType: not SpecialType.System_String }
        && (type is IArrayTypeSymbol || type.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_Collections_IEnumerable))
        && !type.Implements(_types.Values.IQueryable);

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
