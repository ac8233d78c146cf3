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
    /// The parameter of <paramref name="candidate"/> that <paramref name="argument"/>, a child of an invocation that does
    /// not bind, would land in: by name when it is named, by position otherwise (an extension method called in its
    /// reduced form counts its receiver); null when that cannot be told (<c>params</c>, <c>ref</c>/<c>out</c>, no such
    /// parameter).
    /// </summary>
    public static IParameterSymbol? ParameterOf(IOperation argument, IMethodSymbol candidate)
    {
        if (argument.Syntax.Parent is not ArgumentSyntax { Parent: ArgumentListSyntax list } syntax || syntax.RefKindKeyword != default)
            return null;
        var parameter = syntax.NameColon is { } name
            ? candidate.Parameters.FirstOrDefault(p => p.Name == name.Name.Identifier.ValueText)
            : list.Arguments.IndexOf(syntax) is var position && position < candidate.Parameters.Length ? candidate.Parameters[position] : null;
        return parameter is { IsParams: false, RefKind: RefKind.None } ? parameter : null;
    }
}
