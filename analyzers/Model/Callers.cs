using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Model;

/// <summary>
/// Who calls a method. Rules ask it of a type's own helpers (only its constructors? only async code? only startup?),
/// and stay silent when a use of the method is not a plain call (a method group, <c>nameof</c>, a conditional call).
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
