using System.Collections.Concurrent;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Model;

/// <summary>
/// Who calls a method. Rules ask it of a type's own helpers (only its constructors? only async code? only startup?),
/// and stay silent when a use of the method is not a plain call (a method group, <c>nameof</c>, a conditional call).
/// Read from syntax here, for rules that do not visit the type's operations; <see cref="CallGraph"/> is the bound
/// counterpart for a rule that does.
/// </summary>
internal static class Callers
{
    /// <summary>
    /// The calls of <paramref name="method"/> written in <paramref name="roots"/> (a type's declarations, all partial
    /// parts), read from syntax without binding: every name that spells the method's name, with the receiver of the
    /// call it makes (null for <c>M()</c>, the expression for <c>this.M()</c> or <c>x.M()</c>). Null when one of them is
    /// not the invoked expression of a call: the callers cannot be known.
    /// </summary>
    public static List<(SimpleNameSyntax Name, ExpressionSyntax? Receiver)>? InSyntax(IMethodSymbol method, IEnumerable<SyntaxNode> roots, CancellationToken cancellationToken)
    {
        var sites = new List<(SimpleNameSyntax, ExpressionSyntax?)>();
        foreach (var name in roots.SelectMany(root => root.DescendantNodes()).OfType<SimpleNameSyntax>())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (name.Identifier.ValueText != method.Name)
                continue;
            switch (name.Parent)
            {
                case InvocationExpressionSyntax direct when direct.Expression == name:
                    sites.Add((name, null));
                    break;
                case MemberAccessExpressionSyntax access when access.Name == name && access.Parent is InvocationExpressionSyntax call && call.Expression == access:
                    sites.Add((name, access.Expression));
                    break;
                default:
                    return null;
            }
        }

        return sites;
    }

    /// <summary>The calls of <paramref name="method"/> written in its own type (all partial parts); see <see cref="InSyntax"/>.</summary>
    public static List<(SimpleNameSyntax Name, ExpressionSyntax? Receiver)>? InOwnType(IMethodSymbol method, CancellationToken cancellationToken) =>
        InSyntax(method, method.ContainingType.DeclaringSyntaxReferences.Select(reference => reference.GetSyntax(cancellationToken)), cancellationToken);

    /// <summary>
    /// Whether <paramref name="caller"/>'s declarations call <paramref name="callee"/>, read from syntax like
    /// <see cref="InSyntax"/> (unbound: a same-named method counts too). A use of the name that is not a plain call
    /// (a method group, a conditional call) may call it: true, so that a rule stays silent rather than wrong.
    /// </summary>
    public static bool MayCall(ISymbol caller, IMethodSymbol callee, CancellationToken cancellationToken) =>
        InSyntax(callee, caller.DeclaringSyntaxReferences.Select(reference => reference.GetSyntax(cancellationToken)), cancellationToken) is not { Count: 0 };

    /// <summary>
    /// A private method that its type calls, and only from its constructors or instance field initializers (directly,
    /// or in a lambda there): it runs when the object is built. A method group or any other call keeps it out;
    /// helpers of helpers are not followed.
    /// </summary>
    public static bool IsOnlyCalledAtConstruction(IMethodSymbol method, CancellationToken cancellationToken)
    {
        if (method is not { DeclaredAccessibility: Accessibility.Private, MethodKind: MethodKind.Ordinary })
            return false;
        return InOwnType(method, cancellationToken) is { Count: > 0 } sites
            && sites.All(site => (site.Receiver is null or ThisExpressionSyntax)
                && site.Name.Ancestors().Any(a => a is ConstructorDeclarationSyntax || a is FieldDeclarationSyntax field && !field.Modifiers.Any(m => m.ValueText == "static")));
    }
}

/// <summary>
/// Who calls a type's private methods, and where each call runs (<see cref="RunScope"/>): recorded from the type's
/// invocations and method references while an analyzer visits them (<see cref="Record"/>, operation actions of the
/// type's symbol start, which see every <c>partial</c> part but not nested types), read when the type's (or the
/// compilation's) analysis ends. A method group counts as a call at runtime: the delegate runs whenever someone
/// invokes it. LEAK001 asks it whether a private helper that grows a collection runs only during initialization.
/// </summary>
internal sealed class CallGraph(INamedTypeSymbol type, Lifetimes lifetimes)
{
    private readonly ConcurrentDictionary<IMethodSymbol, ConcurrentQueue<RunScope>> _callers = new(SymbolEqualityComparer.Default);

    /// <summary>Records <paramref name="operation"/> (an invocation or a method reference in <paramref name="containingSymbol"/>) when it targets a private method of the type.</summary>
    public void Record(IOperation operation, ISymbol containingSymbol)
    {
        var method = operation switch
        {
            IInvocationOperation invocation => invocation.TargetMethod,
            IMethodReferenceOperation reference => reference.Method,
            _ => null,
        };
        if (method?.OriginalDefinition is not { MethodKind: MethodKind.Ordinary, DeclaredAccessibility: Accessibility.Private } target
            || !SymbolEqualityComparer.Default.Equals(target.ContainingType, type))
        {
            return;
        }

        var scope = operation is IInvocationOperation ? lifetimes.ScopeOf(operation, containingSymbol) : RunScope.Runtime;
        _callers.GetOrAdd(target, static _ => new ConcurrentQueue<RunScope>()).Enqueue(scope);
    }

    /// <summary>Where the recorded calls of <paramref name="method"/> run.</summary>
    public IEnumerable<RunScope> CallersOf(IMethodSymbol method) =>
        _callers.TryGetValue(method, out var scopes) ? scopes : Enumerable.Empty<RunScope>();

    /// <summary>
    /// True when every call of the private <paramref name="method"/> runs in a scope <paramref name="accepted"/> takes,
    /// directly or through other private methods of the type whose own calls all do (<c>static Registry() {
    /// Register("a", …); }</c>). A method nobody calls never runs, so it passes.
    /// </summary>
    public bool OnlyCalledFrom(IMethodSymbol method, Func<RunScope, bool> accepted)
    {
        var visiting = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        return Check(method);

        bool Check(IMethodSymbol current)
        {
            if (!visiting.Add(current))
                return true;                           // recursion adds no new caller
            foreach (var caller in CallersOf(current))
            {
                if (accepted(caller))
                    continue;
                if (caller is { Kind: RunScopeKind.PrivateMethod, Method: { } helper } && SymbolEqualityComparer.Default.Equals(caller.Type, type) && Check(helper))
                    continue;
                return false;
            }

            return true;
        }
    }
}
