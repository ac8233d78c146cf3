namespace LeakAnalyzers.Model;

/// <summary>Where a value ends up, one step up from where it is produced.</summary>
internal enum FateKind
{
    /// <summary>The analysis cannot tell (tuples, deconstruction, by-value parameters, unusual parents): rules stay silent.</summary>
    Unknown,
    /// <summary>An expression statement or <c>_ = …</c>: nobody keeps it.</summary>
    Discarded,
    /// <summary><c>return</c>, <c>yield return</c>, or a lambda's expression body.</summary>
    Returned,
    /// <summary>A field, property, indexer, array element, <c>ref</c>/<c>out</c> parameter or array/collection initializer.</summary>
    Stored,
    /// <summary>Assigned to (or declared as) a plain local: <see cref="Fate.Local"/>.</summary>
    Local,
    /// <summary>A <c>using</c> declaration or statement owns it.</summary>
    Using,
    /// <summary>Passed as an argument: <see cref="Fate.At"/> is the <see cref="IArgumentOperation"/>.</summary>
    Argument,
    /// <summary>Used as the receiver of a member access: <see cref="Fate.At"/> is that access.</summary>
    Receiver,
    /// <summary>Only read by an operator (comparison, pattern test, interpolation).</summary>
    Read,
}

/// <summary>Where a value stops (<see cref="At"/>: the statement, argument, assignment or member access), and the local it flows into.</summary>
internal readonly record struct Fate(FateKind Kind, IOperation? At, ILocalSymbol? Local = null);

/// <summary>
/// Who owns a value: where it flows one step up from where it is produced (<see cref="Classify"/>, decided by the shape of
/// the operation tree alone), and which calls take it over (<see cref="IsKnownTransfer"/>, decided by symbol). Bounded and
/// local by design: no interprocedural data flow.
/// </summary>
internal sealed class Ownership
{
    private readonly KnownTypes.ThreadingTypes? _threading;

    public Ownership(KnownTypes types)
    {
        _threading = types.Threading;
    }

    /// <summary>
    /// The outermost operation that still carries <paramref name="value"/>: up through conversions, conditional
    /// branches, coalescing and switch-expression arms. Its parent is where the value ends (<see cref="Classify"/>).
    /// </summary>
    public static IOperation Carrier(IOperation value)
    {
        var current = value;
        while (true)
        {
            switch (current.Parent)
            {
                case IConversionOperation or IParenthesizedOperation:
                case IConditionalOperation conditional when conditional.Condition != current:
                case ICoalesceOperation:
                    current = current.Parent;
                    continue;
                case ISwitchExpressionArmOperation arm when arm.Value == current && arm.Parent is not null:
                    current = arm.Parent;
                    continue;
                default:
                    return current;
            }
        }
    }

    /// <summary>Where <paramref name="value"/> ends: the parent of its <see cref="Carrier"/>.</summary>
    public static Fate Classify(IOperation value)
    {
        var current = Carrier(value);
        var parent = current.Parent;
        switch (parent)
        {
            case IExpressionStatementOperation:
                return new Fate(FateKind.Discarded, parent);
            case ISimpleAssignmentOperation assignment when assignment.Value == current:
                return ClassifyAssignmentTarget(assignment);
            case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                return declarator.Parent?.Parent is IVariableDeclarationGroupOperation { Parent: IUsingDeclarationOperation or IUsingOperation } group
                    ? new Fate(FateKind.Using, group.Parent)
                    : new Fate(FateKind.Local, declarator, declarator.Symbol);
            case IFieldInitializerOperation or IPropertyInitializerOperation or IArrayInitializerOperation:
                return new Fate(FateKind.Stored, parent);
            case IReturnOperation:
                return new Fate(FateKind.Returned, parent);
            case IUsingOperation:
                return new Fate(FateKind.Using, parent);
            case IArgumentOperation:
                return new Fate(FateKind.Argument, parent);
            case IInvocationOperation invocation when invocation.Instance == current:
                return new Fate(FateKind.Receiver, parent);
            case IMemberReferenceOperation member when member.Instance == current:
                return new Fate(FateKind.Receiver, parent);
            case IConditionalAccessOperation access when access.Operation == current:
                return new Fate(FateKind.Receiver, parent);
            case IBinaryOperation or IIsTypeOperation or IInterpolationOperation or IUnaryOperation:
            case IIsPatternOperation pattern when !DeclaresVariable(pattern.Pattern):
                return new Fate(FateKind.Read, parent);
            default:
                return new Fate(FateKind.Unknown, parent);
        }
    }

    /// <summary>
    /// For a <see cref="FateKind.Stored"/> fate that is really an element of a compiler-made <c>params</c> array
    /// (<c>Task.WhenAll(a, b)</c>), the argument that array is passed as; null otherwise.
    /// </summary>
    public static IArgumentOperation? ParamsArgument(Fate fate) =>
        fate is { Kind: FateKind.Stored, At: IArrayInitializerOperation { Parent: IArrayCreationOperation { IsImplicit: true, Parent: IArgumentOperation { ArgumentKind: ArgumentKind.ParamArray } argument } } }
            ? argument
            : null;

    private static Fate ClassifyAssignmentTarget(ISimpleAssignmentOperation assignment)
    {
        switch (assignment.Target)
        {
            case IDiscardOperation:
                return new Fate(FateKind.Discarded, assignment);
            case ILocalReferenceOperation local:
                return new Fate(FateKind.Local, assignment, local.Local);
            case IParameterReferenceOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out }:
            case IFieldReferenceOperation or IPropertyReferenceOperation or IArrayElementReferenceOperation or IEventReferenceOperation:
                return new Fate(FateKind.Stored, assignment);
            default:
                return new Fate(FateKind.Unknown, assignment);
        }
    }

    private static bool DeclaresVariable(IPatternOperation pattern) =>
        pattern is IDeclarationPatternOperation { DeclaredSymbol: not null } or IRecursivePatternOperation { DeclaredSymbol: not null }
        || pattern.Descendants().Any(static d => d is IDeclarationPatternOperation { DeclaredSymbol: not null } or IRecursivePatternOperation { DeclaredSymbol: not null });

    /// <summary>
    /// Calls that take over a value handed to them: <c>Task.FromResult</c>, a task completion source's result,
    /// <c>Interlocked</c> swaps, channel writers, additions to a collection (composite disposables included), and the
    /// conventions of <see cref="Conventions.IsRegisterForDispose"/> and <see cref="Conventions.IsMockReturnSetup"/>.
    /// </summary>
    public bool IsKnownTransfer(IMethodSymbol method)
    {
        var type = method.ContainingType?.OriginalDefinition;
        if (type is null)
            return false;
        if (Conventions.IsRegisterForDispose(method) || Conventions.IsMockReturnSetup(method))
            return true;
        switch (method.Name)
        {
            case "FromResult":
                return _threading is not null && (SymbolEqualityComparer.Default.Equals(type, _threading.Task) || SymbolEqualityComparer.Default.Equals(type, _threading.ValueTask));
            case "SetResult" or "TrySetResult":
                return _threading is not null
                    && (SymbolEqualityComparer.Default.Equals(type, _threading.TaskCompletionSource) || SymbolEqualityComparer.Default.Equals(type, _threading.TaskCompletionSourceOfT));
            case "Exchange" or "CompareExchange":
                return _threading is not null && SymbolEqualityComparer.Default.Equals(type, _threading.Interlocked);
            case "TryWrite" or "WriteAsync":
                return _threading is not null && SymbolEqualityComparer.Default.Equals(type, _threading.ChannelWriterOfT);
            default:
                return Conventions.IsCollectionAdd(method) && type.AllInterfaces.Any(static i => i.SpecialType == SpecialType.System_Collections_IEnumerable);
        }
    }

    /// <summary>"Namespace.Type.Method", the form users write in transfer-method options.</summary>
    public static string QualifiedName(IMethodSymbol method) =>
        method.ContainingType is { } type ? Helpers.SymbolNames.QualifiedName(type.OriginalDefinition) + "." + method.Name : method.Name;
}
