using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Helpers;

/// <summary>
/// Where a type calls one of its own methods, read from its syntax without binding. Rules ask who calls a private
/// helper (only the constructors? only async code?) and stay silent when a use of its name is not a plain call.
/// </summary>
internal static class CallSites
{
    /// <summary>
    /// Every name in <paramref name="roots"/> that spells <paramref name="method"/>'s name, with the receiver of the call
    /// it makes: null for <c>M()</c>, the expression for <c>this.M()</c> or <c>x.M()</c>. Null when one of them is not
    /// the invoked expression of a call (a method group, <c>nameof</c>, <c>this?.M()</c>): the callers cannot be known.
    /// </summary>
    public static List<(SimpleNameSyntax Name, ExpressionSyntax? Receiver)>? Of(IMethodSymbol method, IEnumerable<SyntaxNode> roots, CancellationToken cancellationToken)
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
}
