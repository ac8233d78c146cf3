namespace LeakAnalyzers.Model;

/// <summary>What one reference of a field does to the collection it holds.</summary>
internal enum CollectionUseKind
{
    /// <summary>Looks at it: <c>Count</c>, <c>TryGetValue</c>, <c>foreach</c>, <c>lock</c>, LINQ, a read-only parameter, <c>nameof</c>.</summary>
    Read,
    /// <summary><c>Add</c>, <c>TryAdd</c>, <c>GetOrAdd</c>, <c>AddOrUpdate</c>, <c>Enqueue</c>, <c>Push</c>…, or an indexer set of a keyed collection.</summary>
    Growth,
    /// <summary><c>Remove</c>, <c>TryRemove</c>, <c>Clear</c>, <c>TryDequeue</c>, <c>TryTake</c>…</summary>
    Eviction,
    /// <summary>The field itself is written: <c>=</c>, <c>??=</c>, a <c>ref</c>/<c>out</c> argument, deconstruction.</summary>
    Reassignment,
    /// <summary>The collection leaves the analysis: returned, stored, aliased, passed to a method that may mutate it.</summary>
    Escape,
}

/// <summary>
/// What a reference does (<see cref="Kind"/>) and the operation that does it (<see cref="Member"/>): the invocation, the
/// indexer assignment, the property or method reference, the assignment to the field, or the reference itself. For a
/// <see cref="CollectionUseKind.Growth"/>, <see cref="Member"/> is the growth site: its arguments are the key and value
/// the collection grows by, and <see cref="Collections.ReceiverOf"/> the collection it grows.
/// </summary>
internal readonly record struct CollectionUse(CollectionUseKind Kind, IOperation Member);

internal sealed partial class Collections
{
    /// <summary>What <paramref name="reference"/>, a reference of a field of shape <paramref name="shape"/>, does to the collection.</summary>
    public CollectionUse ClassifyUse(IFieldReferenceOperation reference, CollectionShape shape)
    {
        if (reference.Parent is INameOfOperation)
            return new CollectionUse(CollectionUseKind.Read, reference);
        var outer = reference.WalkUpConversions();
        switch (outer.Parent)
        {
            case IAssignmentOperation assignment when assignment.Target == outer:
                return new CollectionUse(CollectionUseKind.Reassignment, assignment);
            case ITupleOperation tuple when IsDeconstructionTarget(tuple):
                return new CollectionUse(CollectionUseKind.Reassignment, tuple);
            case IArgumentOperation argument:
                return ClassifyArgument(argument);
            case IForEachLoopOperation loop when loop.Collection == outer:
            case ILockOperation:
                return new CollectionUse(CollectionUseKind.Read, reference);
            case IConditionalAccessOperation access when access.Operation == outer:
                return MemberOnConditionalAccess(access) is { } conditionalMember
                    ? ClassifyMember(conditionalMember, shape)
                    : new CollectionUse(CollectionUseKind.Escape, reference);
            case IInvocationOperation invocation when invocation.Instance == outer:
                return ClassifyMember(invocation, shape);
            case IMemberReferenceOperation member when member.Instance == outer:
                return ClassifyMember(member, shape);
        }

        var fate = Ownership.Classify(reference);
        return fate.Kind is FateKind.Read or FateKind.Discarded
            ? new CollectionUse(CollectionUseKind.Read, reference)
            : new CollectionUse(CollectionUseKind.Escape, reference);
    }

    /// <summary>
    /// The collection a growth site acts on, conversions stripped: the field reference (or the <c>?.</c> receiver) that
    /// <c>Cache.Add(k)</c>, <c>Cache[k] = v</c>, <c>Cache.TryAdd(k, v)</c> as an extension call, or the method group
    /// <c>Cache.Add</c> is made on. Null for any other operation.
    /// </summary>
    public static IOperation? ReceiverOf(IOperation growth) => growth switch
    {
        IInvocationOperation { Instance: { } instance } => instance.WalkDownConversions(),
        IInvocationOperation { TargetMethod.IsExtensionMethod: true } extension =>
            extension.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Value.WalkDownConversions(),
        ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Instance: { } indexed } } => indexed.WalkDownConversions(),
        IMethodReferenceOperation { Instance: { } target } => target.WalkDownConversions(),
        _ => null,
    };

    /// <summary>
    /// What a growth site adds (<see cref="CollectionUse.Member"/> of a <see cref="CollectionUseKind.Growth"/>): the key of a
    /// keyed collection (<c>Cache[key] = v</c>, <c>TryAdd(key, v)</c>, <c>GetOrAdd(key, …)</c>, an extension's key) or the
    /// item of a set, list, queue or bag (<c>Add(item)</c>, <c>Insert(i, item)</c>, <c>AddRange(items)</c>), and the value
    /// a keyed growth stores when it is given one (not a factory). Both null for a method group.
    /// </summary>
    public static (IOperation? Key, IOperation? Value) GrowthArguments(IOperation growth, CollectionShape shape)
    {
        switch (growth)
        {
            case ISimpleAssignmentOperation { Target: IPropertyReferenceOperation indexer } assignment:
                return (indexer.Arguments.FirstOrDefault()?.Value, assignment.Value);
            case IInvocationOperation invocation:
                var method = invocation.TargetMethod;
                var arguments = invocation.Arguments
                    .Where(a => a.Parameter is { } p && !(method.IsExtensionMethod && p.Ordinal == 0) && a.ArgumentKind != ArgumentKind.DefaultValue)
                    .OrderBy(a => a.Parameter!.Ordinal)
                    .ToList();
                if (arguments.Count == 0)
                    return (null, null);
                if (!shape.Keyed)
                {
                    var item = method.Name.StartsWith("Insert", StringComparison.Ordinal) ? arguments[arguments.Count - 1] : arguments[0];
                    return (item.Value, item.Value);
                }

                var key = arguments.FirstOrDefault(a => a.Parameter!.Name == "key") ?? arguments[0];
                var value = arguments.FirstOrDefault(a => a != key && a.Parameter!.Name is "value" or "addValue");
                return (key.Value, value?.Value);
            default:
                return (null, null);
        }
    }

    /// <summary>A member of the collection, matched by name once the field's type is known to be a tracked collection.</summary>
    private static CollectionUse ClassifyMember(IOperation member, CollectionShape shape)
    {
        switch (member)
        {
            case IInvocationOperation invocation:
                return new CollectionUse(KindOf(invocation.TargetMethod.Name) ?? CollectionUseKind.Read, invocation);
            case IMethodReferenceOperation method:
                return new CollectionUse(KindOf(method.Method.Name) ?? CollectionUseKind.Read, method);
            case IPropertyReferenceOperation { Property.IsIndexer: true } indexer
                when shape.Keyed && indexer.Parent is ISimpleAssignmentOperation assignment && assignment.Target == indexer:
                return new CollectionUse(CollectionUseKind.Growth, assignment);  // a list's indexer replaces; a dictionary's adds
            default:
                return new CollectionUse(CollectionUseKind.Read, member);
        }
    }

    private static CollectionUseKind? KindOf(string name) =>
        Conventions.IsCollectionGrowth(name) ? CollectionUseKind.Growth
        : Conventions.IsCollectionEviction(name) ? CollectionUseKind.Eviction
        : null;

    private CollectionUse ClassifyArgument(IArgumentOperation argument)
    {
        if (argument.Parameter is not { } parameter)
            return new CollectionUse(CollectionUseKind.Escape, argument);
        if (parameter.RefKind is RefKind.Ref or RefKind.Out)
            return new CollectionUse(CollectionUseKind.Reassignment, argument);   // Interlocked.Exchange(ref Cache, new()) and friends
        if (argument.Parent is IInvocationOperation invocation)
        {
            var method = invocation.TargetMethod;
            if (parameter.Ordinal == 0 && Conventions.IsGrowthExtension(method))
                return new CollectionUse(CollectionUseKind.Growth, invocation);         // CollectionExtensions.TryAdd on an IDictionary
            if (parameter.Ordinal == 0 && Conventions.IsEvictionExtension(method))
                return new CollectionUse(CollectionUseKind.Eviction, invocation);
            if (SymbolEqualityComparer.Default.Equals(method.ContainingType, _types.Threading?.Monitor))
                return new CollectionUse(CollectionUseKind.Read, invocation);
        }

        return IsReadOnlyView(parameter.Type)
            ? new CollectionUse(CollectionUseKind.Read, argument)
            : new CollectionUse(CollectionUseKind.Escape, argument);
    }

    private static bool IsDeconstructionTarget(ITupleOperation tuple)
    {
        IOperation current = tuple;
        while (current.Parent is ITupleOperation outer)
            current = outer;
        return current.Parent is IDeconstructionAssignmentOperation deconstruction && deconstruction.Target == current;
    }

    /// <summary>The member that <c>Cache?.Member</c> reaches: the operation whose receiver is the conditional-access instance.</summary>
    private static IOperation? MemberOnConditionalAccess(IConditionalAccessOperation access)
    {
        foreach (var operation in access.WhenNotNull.DescendantsAndSelf())
        {
            if (operation is IConditionalAccessInstanceOperation instance)
                return instance.WalkUpConversions().Parent;
        }

        return null;
    }
}
