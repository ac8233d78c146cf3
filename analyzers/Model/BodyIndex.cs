using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Model;

/// <summary>
/// One function body's local references, by local, its jump statements (not those of nested functions), and what flows
/// into each local (<see cref="DefinitionsOf"/>, and <see cref="ValuesOf"/> read from it), each found in one walk and shared by every rule that asks about the body:
/// judging k values in a body costs one walk, not k. <see cref="Of"/> keeps an index as long as the driver keeps the
/// body's operation tree (a weak table), never longer.
/// </summary>
internal sealed class BodyIndex
{
    private static readonly ConditionalWeakTable<IOperation, BodyIndex> Cache = new();

    private readonly IOperation _body;
    private readonly Dictionary<ILocalSymbol, List<ILocalReferenceOperation>> _references = new(SymbolEqualityComparer.Default);
    private List<StatementSyntax>? _jumps;
    private Dictionary<ILocalSymbol, List<IOperation>>? _definitions;

    private BodyIndex(IOperation body)
    {
        _body = body;
        foreach (var operation in body.Descendants())
        {
            if (operation is not ILocalReferenceOperation reference)
                continue;
            if (!_references.TryGetValue(reference.Local, out var list))
                _references[reference.Local] = list = new List<ILocalReferenceOperation>();
            list.Add(reference);
        }
    }

    /// <summary>The index of <paramref name="body"/> (a member body, lambda body or local function body: <see cref="Helpers.OperationExtensions.GetEnclosingBody"/>).</summary>
    public static BodyIndex Of(IOperation body) => Cache.GetValue(body, static b => new BodyIndex(b));

    public IOperation Body => _body;

    /// <summary>The body's return, goto, yield, break and continue statements in source order, nested functions excluded.</summary>
    public List<StatementSyntax> Jumps => _jumps ??= _body.Syntax.DescendantNodes(n => n == _body.Syntax || !IsFunction(n))
        .OfType<StatementSyntax>()
        .Where(s => s is ReturnStatementSyntax or GotoStatementSyntax or YieldStatementSyntax or BreakStatementSyntax or ContinueStatementSyntax)
        .ToList();

    /// <summary>Every reference to <paramref name="local"/> in the body, nested functions included, in operation-tree order.</summary>
    public IReadOnlyList<ILocalReferenceOperation> ReferencesTo(ILocalSymbol local) =>
        _references.TryGetValue(local, out var list) ? list : (IReadOnlyList<ILocalReferenceOperation>)Array.Empty<ILocalReferenceOperation>();

    /// <summary>
    /// The reads of <paramref name="local"/> (references that are not the target of an assignment); null when a nested
    /// function uses it: who reads it then cannot be told.
    /// </summary>
    public List<ILocalReferenceOperation>? ReadsOf(ILocalSymbol local, CancellationToken cancellationToken)
    {
        var reads = new List<ILocalReferenceOperation>();
        foreach (var reference in ReferencesTo(local))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (reference.Parent is IAssignmentOperation assignment && assignment.Target == reference)
                continue;
            if (reference.IsInsideNestedFunction(_body))
                return null;
            reads.Add(reference);
        }

        return reads;
    }

    /// <summary>
    /// What flows into <paramref name="local"/> anywhere in the body (nested functions included), in operation-tree order:
    /// its initializer, the values assigned to it (compound assignments give their right operand), the call that fills it
    /// as an <c>out</c> argument, the input of the pattern that declares it, the collection of the <c>foreach</c> that
    /// declares it. Read from <see cref="DefinitionsOf"/> (one index of the body's writes); the writes that bring no
    /// value of their own (a declarator without initializer, an increment, a <c>ref</c> argument, a deconstruction, a
    /// <c>catch</c> variable) are left out.
    /// </summary>
    public IReadOnlyList<IOperation> ValuesOf(ILocalSymbol local, CancellationToken cancellationToken)
    {
        var definitions = DefinitionsOf(local);
        if (definitions.Count == 0)
            return definitions;
        var values = new List<IOperation>(definitions.Count);
        foreach (var definition in definitions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (ValueOf(definition, local) is { } value)
                values.Add(value);
        }

        return values;
    }

    /// <summary>The value a definition (<see cref="DefinitionsOf"/>) puts into <paramref name="local"/>, or null when it brings none of its own.</summary>
    private static IOperation? ValueOf(IOperation definition, ILocalSymbol local) => definition switch
    {
        IVariableDeclaratorOperation declarator => declarator.Initializer?.Value,
        IAssignmentOperation { Target: ILocalReferenceOperation target } assignment when SymbolEqualityComparer.Default.Equals(target.Local, local) => assignment.Value,
        IArgumentOperation { Parameter.RefKind: RefKind.Out, Parent: IInvocationOperation call } => call,
        IDeclarationPatternOperation pattern => PatternInput(pattern),
        IForEachLoopOperation loop => loop.Collection,
        _ => null,
    };

    /// <summary>The local an <c>out</c> argument fills: <c>out var x</c> or <c>out x</c>.</summary>
    private static ILocalSymbol? OutLocal(IOperation value) => value.WalkDownConversions() switch
    {
        IDeclarationExpressionOperation { Expression: ILocalReferenceOperation declared } => declared.Local,
        ILocalReferenceOperation reference => reference.Local,
        _ => null,
    };

    /// <summary>The value a pattern tests: the operand of <c>is</c> or the switch's value.</summary>
    private static IOperation? PatternInput(IPatternOperation pattern)
    {
        for (var current = pattern.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case IIsPatternOperation isPattern:
                    return isPattern.Value;
                case ISwitchExpressionOperation switchExpression:
                    return switchExpression.Value;
                case ISwitchOperation switchStatement:
                    return switchStatement.Value;
                case IPatternOperation or IPatternCaseClauseOperation or ISwitchExpressionArmOperation or ISwitchCaseOperation:
                    continue;
                default:
                    return null;
            }
        }

        return null;
    }

    /// <summary>
    /// The operations that give <paramref name="local"/> a value, in operation-tree order (found in one walk of the body,
    /// on first use): its declarator (<c>var x = …</c>), assignments (<c>x = …</c>, <c>x += …</c>, <c>x++</c>,
    /// deconstruction), the <c>foreach</c> loop that declares it, the <c>out</c> argument that fills it, the pattern
    /// (<c>is T x</c>) or the <c>catch</c> clause that declares it. Empty when the body does not write it.
    /// </summary>
    public IReadOnlyList<IOperation> DefinitionsOf(ILocalSymbol local)
    {
        if (_definitions is null)
        {
            var definitions = new Dictionary<ILocalSymbol, List<IOperation>>(SymbolEqualityComparer.Default);
            foreach (var operation in _body.Descendants())
            {
                switch (operation)
                {
                    case IVariableDeclaratorOperation declarator:
                        Add(declarator.Symbol, declarator);
                        break;
                    case IForEachLoopOperation loop:
                        foreach (var declared in loop.Locals)
                            Add(declared, loop);
                        break;
                    case IDeclarationPatternOperation { DeclaredSymbol: ILocalSymbol declared } pattern:
                        Add(declared, pattern);
                        break;
                    case ICatchClauseOperation catchClause:
                        foreach (var declared in catchClause.Locals)
                            Add(declared, catchClause);
                        break;
                    case ILocalReferenceOperation reference when WriteOf(reference) is { } write:
                        Add(reference.Local, write);
                        break;
                }
            }

            Interlocked.CompareExchange(ref _definitions, definitions, null);

            void Add(ILocalSymbol symbol, IOperation definition)
            {
                if (!definitions.TryGetValue(symbol, out var list))
                    definitions[symbol] = list = new List<IOperation>();
                list.Add(definition);
            }
        }

        return _definitions.TryGetValue(local, out var found) ? found : (IReadOnlyList<IOperation>)Array.Empty<IOperation>();
    }

    /// <summary>
    /// The operation that writes through <paramref name="reference"/>: the assignment it is the target of, the
    /// <c>out</c>/<c>ref</c> argument it is (<c>out var x</c> included), the increment, or the deconstruction whose target
    /// holds it. Null for a read.
    /// </summary>
    private static IOperation? WriteOf(ILocalReferenceOperation reference)
    {
        IOperation current = reference;
        while (current.Parent is ITupleOperation or IDeclarationExpressionOperation)
            current = current.Parent;
        return current.Parent switch
        {
            IAssignmentOperation assignment when assignment.Target == current => assignment,
            IArgumentOperation { Parameter.RefKind: RefKind.Out or RefKind.Ref } argument => argument,
            IIncrementOrDecrementOperation increment when current == reference => increment,
            _ => null,
        };
    }

    /// <summary>A lambda or local function: its own body, whose jumps are not the enclosing body's.</summary>
    public static bool IsFunction(SyntaxNode node) =>
        node is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax;
}
