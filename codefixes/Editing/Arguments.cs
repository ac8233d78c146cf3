using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;

namespace LeakAnalyzers.Editing;

/// <summary>
/// Where an argument of a given type goes in a call (<see cref="Arguments.SlotFor"/>): <see cref="Existing"/> when the
/// call already passes one explicitly (the caller decides whether to replace it); otherwise the new argument's
/// <see cref="Index"/> in <see cref="List"/>, and its <see cref="Name"/> when it must be named.
/// </summary>
internal readonly record struct ArgumentSlot(ArgumentListSyntax List, IArgumentOperation? Existing, int Index, string? Name);

/// <summary>Argument-list edits: passing one more argument (a <c>CancellationToken</c>, typically) by position or by name.</summary>
internal static class Arguments
{
    /// <summary>
    /// The slot for an argument of type <paramref name="type"/> in <paramref name="call"/> (an invocation or object
    /// creation): the argument already passed for such a parameter; an optional such parameter left to its default (at
    /// its position when the arguments before it are positional and in order, else by name); or, for an invocation, the
    /// position where an overload with the same parameters plus one of that type takes it. Null when there is none.
    /// </summary>
    public static ArgumentSlot? SlotFor(IOperation call, ITypeSymbol type, SemanticModel model, CancellationToken cancellationToken)
    {
        var (method, arguments, list) = call switch
        {
            IInvocationOperation invocation => (invocation.TargetMethod, invocation.Arguments, (invocation.Syntax as InvocationExpressionSyntax)?.ArgumentList),
            IObjectCreationOperation { Constructor: { } constructor } creation => (constructor, creation.Arguments, (creation.Syntax as BaseObjectCreationExpressionSyntax)?.ArgumentList),
            _ => (null, default, null),
        };
        if (method is null || list is null)
            return null;
        var existing = arguments.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter?.Type, type));
        if (existing is { ArgumentKind: ArgumentKind.Explicit })
            return existing.Syntax is ArgumentSyntax argument ? new ArgumentSlot(list, existing, list.Arguments.IndexOf(argument), null) : null;

        var positional = list.Arguments.All(a => a.NameColon is null) && arguments.All(a => a.ArgumentKind != ArgumentKind.ParamArray);
        // A reduced extension call (logger.WriteAsync(x)) passes its receiver as the first argument, outside the list.
        var receiverArguments = arguments.Count(a => a.Syntax is not ArgumentSyntax && a.ArgumentKind == ArgumentKind.Explicit);
        if (existing is { ArgumentKind: ArgumentKind.DefaultValue, Parameter: { } parameter })
        {
            var inOrder = positional && parameter.Ordinal - receiverArguments == list.Arguments.Count;
            return new ArgumentSlot(list, null, list.Arguments.Count, inOrder ? null : parameter.Name);
        }

        if (!positional || call is not IInvocationOperation { Syntax: InvocationExpressionSyntax syntax })
            return null;
        var called = model.GetSymbolInfo(syntax, cancellationToken).Symbol as IMethodSymbol ?? method;
        foreach (var candidate in model.GetMemberGroup(syntax.Expression, cancellationToken).OfType<IMethodSymbol>())
        {
            if (ExtraParameterIndex(called, candidate, type) is { } index && index <= list.Arguments.Count)
                return new ArgumentSlot(list, null, index, null);
        }

        return null;
    }

    /// <summary>Records, in <paramref name="editor"/>, <paramref name="value"/> passed in <paramref name="slot"/>: the existing argument's value replaced, or a new argument inserted.</summary>
    public static void Pass(SyntaxEditor editor, ArgumentSlot slot, ExpressionSyntax value)
    {
        if (slot.Existing?.Syntax is ArgumentSyntax existing)
            editor.ReplaceNode(existing.Expression, (current, _) => value.WithTriviaFrom(current));
        else
            editor.ReplaceNode(slot.List, (current, generator) => Insert((ArgumentListSyntax)current, generator, value, slot.Index, slot.Name));
    }

    /// <summary><paramref name="list"/> with <paramref name="value"/> inserted at <paramref name="index"/> (named <paramref name="name"/> when given), laid out by the formatter.</summary>
    public static ArgumentListSyntax Insert(ArgumentListSyntax list, SyntaxGenerator generator, ExpressionSyntax value, int index, string? name)
    {
        var argument = (ArgumentSyntax)(name is null ? generator.Argument(value) : generator.Argument(name, RefKind.None, value));
        return list.WithArguments(list.Arguments.Insert(Math.Min(index, list.Arguments.Count), argument.WithAdditionalAnnotations(Formatter.Annotation)));
    }

    /// <summary>Where <paramref name="overload"/> has the parameters of <paramref name="method"/> plus one of type <paramref name="type"/>, that parameter's position.</summary>
    private static int? ExtraParameterIndex(IMethodSymbol method, IMethodSymbol overload, ITypeSymbol type)
    {
        var original = method.OriginalDefinition.Parameters;
        var candidate = overload.OriginalDefinition.Parameters;
        if (candidate.Length != original.Length + 1 || overload.IsStatic != method.IsStatic)
            return null;
        for (var index = 0; index < candidate.Length; index++)
        {
            if (!SymbolEqualityComparer.Default.Equals(candidate[index].Type, type))
                continue;
            var rest = candidate.RemoveAt(index);
            if (rest.Zip(original, (a, b) => a.RefKind == b.RefKind && SameShape(a.Type, b.Type)).All(x => x))
                return index;
        }

        return null;
    }

    /// <summary>
    /// The same type as written in two overloads' declarations: their own type parameters (<c>TResult</c> of one and of the
    /// other) match by position, everything else by symbol.
    /// </summary>
    private static bool SameShape(ITypeSymbol a, ITypeSymbol b) => (a, b) switch
    {
        (ITypeParameterSymbol x, ITypeParameterSymbol y) => x.TypeParameterKind == y.TypeParameterKind && x.Ordinal == y.Ordinal,
        (IArrayTypeSymbol x, IArrayTypeSymbol y) => x.Rank == y.Rank && SameShape(x.ElementType, y.ElementType),
        (INamedTypeSymbol { IsGenericType: true } x, INamedTypeSymbol { IsGenericType: true } y) =>
            SymbolEqualityComparer.Default.Equals(x.OriginalDefinition, y.OriginalDefinition)
            && x.TypeArguments.Zip(y.TypeArguments, SameShape).All(same => same),
        _ => SymbolEqualityComparer.Default.Equals(a, b),
    };
}
