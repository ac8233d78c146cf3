using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Model;

/// <summary>
/// One function body's local references, by local, and its jump statements (not those of nested functions), found in
/// one walk and shared by every rule that asks about the body: judging k values in a body costs one walk, not k.
/// <see cref="Of"/> keeps an index as long as the driver keeps the body's operation tree (a weak table), never longer.
/// </summary>
internal sealed class BodyIndex
{
    private static readonly ConditionalWeakTable<IOperation, BodyIndex> Cache = new();

    private readonly IOperation _body;
    private readonly Dictionary<ILocalSymbol, List<ILocalReferenceOperation>> _references = new(SymbolEqualityComparer.Default);
    private List<StatementSyntax>? _jumps;

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

    /// <summary>A lambda or local function: its own body, whose jumps are not the enclosing body's.</summary>
    public static bool IsFunction(SyntaxNode node) =>
        node is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax;
}
