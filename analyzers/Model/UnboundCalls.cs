using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Model;

/// <summary>
/// Calls that do not fully bind (<see cref="IInvalidOperation"/>: an argument of an unknown type, a lambda that uses an
/// unknown name, a type from a package the compilation cannot see). Roslyn keeps the receiver and the arguments as
/// children and overload resolution's candidates in the symbol info: a rule judges such a call as the call every
/// candidate would be, and stays silent when they disagree.
/// </summary>
internal static class UnboundCalls
{
    /// <summary>The methods an invocation that does not bind could have called (overload resolution's candidates); empty when unknown.</summary>
    public static ImmutableArray<IMethodSymbol> CandidateMethods(IInvalidOperation invalid)
    {
        if (invalid.Syntax is not InvocationExpressionSyntax || invalid.SemanticModel is not { } model)
            return ImmutableArray<IMethodSymbol>.Empty;
        var info = model.GetSymbolInfo(invalid.Syntax);
        var symbols = info.Symbol is { } symbol ? ImmutableArray.Create(symbol) : info.CandidateSymbols;
        return symbols.All(static s => s is IMethodSymbol)
            ? symbols.Cast<IMethodSymbol>().ToImmutableArray()
            : ImmutableArray<IMethodSymbol>.Empty;
    }

    /// <summary>The receiver of an invocation that does not bind (<c>x</c> in <c>x.M(…)</c>), or null.</summary>
    public static IOperation? ReceiverOf(IInvalidOperation invalid) =>
        invalid.Syntax is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access }
            ? invalid.ChildOperations.FirstOrDefault(c => c.Syntax == access.Expression)
            : null;

    /// <summary>The arguments of an invocation or creation that does not bind: its children but the receiver.</summary>
    public static IEnumerable<IOperation> ArgumentsOf(IInvalidOperation invalid)
    {
        var receiver = ReceiverOf(invalid);
        var type = invalid.Syntax is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access }
            ? access.Expression
            : null;
        return invalid.ChildOperations.Where(c => c != receiver && c.Syntax != type);
    }

    /// <summary>
    /// The methods an invocation that does not bind may call once its arguments bind: overload resolution's candidates
    /// and, for <c>x.M(…)</c>, every method <c>M</c> in scope for the type of <c>x</c> (extension methods are not
    /// candidates while an instance method of that name exists, yet one of them may be the target), keeping only those
    /// that take as many arguments as the call passes. Empty when none does: the target is then a method the
    /// compilation cannot see (an extension from a package it does not reference), and nothing can be said.
    /// </summary>
    public static ImmutableArray<IMethodSymbol> PlausibleTargets(IInvalidOperation invalid)
    {
        var candidates = CandidateMethods(invalid);
        if (candidates.IsEmpty || invalid.Syntax is not InvocationExpressionSyntax { ArgumentList.Arguments.Count: var count } call)
            return ImmutableArray<IMethodSymbol>.Empty;
        var methods = candidates.ToList();
        if (call.Expression is MemberAccessExpressionSyntax access && ReceiverOf(invalid)?.Type is { TypeKind: not TypeKind.Error } receiver
            && invalid.SemanticModel is { } model)
        {
            var scope = model.LookupSymbols(call.SpanStart, receiver, access.Name.Identifier.ValueText, includeReducedExtensionMethods: true);
            methods.AddRange(scope.OfType<IMethodSymbol>().Where(m => !methods.Contains(m, SymbolEqualityComparer.Default)));
        }

        return methods.Where(m => Takes(m, count, Shift(invalid, m))).ToImmutableArray();
    }

    /// <summary>
    /// The parameter of <paramref name="candidate"/> that <paramref name="argument"/>, a child of an invocation that does
    /// not bind, would land in: by name when it is named, by position otherwise (an extension method not in its reduced
    /// form counts the receiver as its first parameter); null when that cannot be told (<c>params</c>, <c>ref</c>/<c>out</c>,
    /// no such parameter).
    /// </summary>
    public static IParameterSymbol? ParameterOf(IInvalidOperation invalid, IOperation argument, IMethodSymbol candidate)
    {
        if (argument.Syntax.Parent is not ArgumentSyntax { Parent: ArgumentListSyntax list } syntax || syntax.RefKindKeyword != default)
            return null;
        var parameter = syntax.NameColon is { } name
            ? candidate.Parameters.FirstOrDefault(p => p.Name == name.Name.Identifier.ValueText)
            : list.Arguments.IndexOf(syntax) + Shift(invalid, candidate) is var position && position < candidate.Parameters.Length ? candidate.Parameters[position] : null;
        return parameter is { IsParams: false, RefKind: RefKind.None } ? parameter : null;
    }

    /// <summary>1 for an extension method in its static form called on a receiver (<c>x.M(a)</c> fills <c>M(this X x, A a)</c>), else 0.</summary>
    private static int Shift(IInvalidOperation invalid, IMethodSymbol method) =>
        method is { IsExtensionMethod: true, MethodKind: not MethodKind.ReducedExtension } && ReceiverOf(invalid) is { Type: not null } ? 1 : 0;

    /// <summary>A method can be called with <paramref name="count"/> arguments (after <paramref name="shift"/> parameters filled by the receiver).</summary>
    private static bool Takes(IMethodSymbol method, int count, int shift)
    {
        var parameters = method.Parameters.Skip(shift).ToList();
        var required = parameters.Count(static p => !p.IsOptional && !p.IsParams);
        return count >= required && (count <= parameters.Count || parameters.Count > 0 && parameters[parameters.Count - 1].IsParams);
    }
}
