using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace LeakAnalyzers.Editing;

/// <summary>
/// Using directives. Types go through <see cref="Type"/>: written fully qualified and marked, so that the code action's
/// cleanup (Roslyn's <c>ImportAdder</c>) imports their namespace and reduces them to their simple name. An extension
/// method has no such mark, and the cleanup may decline an import it was not asked for by a type (an extension method of
/// the namespace with the name of a call in a lambda counts as a conflict), which would leave the call unbound; so
/// <see cref="AddNamespaceOf"/> adds its namespace while the fix is applied, at the place the cleanup would choose:
/// <c>System</c> namespaces first, then in ordinal order, before the first directive that sorts after it.
/// </summary>
internal static class Imports
{
    /// <summary><paramref name="type"/> as a type expression, its namespace imported and its name simplified by the cleanup.</summary>
    public static TypeSyntax Type(SyntaxGenerator generator, ITypeSymbol type) =>
        (TypeSyntax)generator.TypeExpression(type).WithAdditionalAnnotations(Simplifier.AddImportsAnnotation);

    /// <summary>
    /// Records, in <paramref name="editor"/>, a <c>using</c> of <paramref name="extensions"/>' namespace among the file's
    /// using directives, for a call of its extension method <paramref name="method"/> at <paramref name="position"/>;
    /// nothing when the method is already in scope there (the file, a global using or an enclosing namespace imports it).
    /// </summary>
    public static void AddNamespaceOf(SyntaxEditor editor, INamedTypeSymbol extensions, string method, SemanticModel model, int position)
    {
        var ns = extensions.ContainingNamespace;
        if (editor.OriginalRoot is not CompilationUnitSyntax unit || ns is null || ns.IsGlobalNamespace
            || extensions.GetMembers(method).OfType<IMethodSymbol>().Any(m => m.IsExtensionMethod && model.LookupSymbols(position, m.Parameters.FirstOrDefault()?.Type, method, includeReducedExtensionMethods: true).Any()))
        {
            return;
        }

        var name = SymbolNames.QualifiedName(ns);
        editor.ReplaceNode(unit, (current, generator) =>
        {
            var usings = ((CompilationUnitSyntax)current).Usings;
            var index = 0;
            while (index < usings.Count && !SortsAfter(usings[index], name))
                index++;
            var directive = ((UsingDirectiveSyntax)generator.NamespaceImportDeclaration(name)).WithAdditionalAnnotations(Formatter.Annotation);
            return ((CompilationUnitSyntax)current).WithUsings(usings.Insert(index, directive));
        });
    }

    /// <summary>A plain <c>using N;</c> that goes after <paramref name="name"/>: System namespaces first, then ordinal.</summary>
    private static bool SortsAfter(UsingDirectiveSyntax existing, string name)
    {
        if (existing.Alias is not null || existing.StaticKeyword != default || existing.GlobalKeyword != default || existing.Name is null)
            return false;
        var other = existing.Name.ToString();
        var (otherSystem, system) = (IsSystem(other), IsSystem(name));
        return otherSystem != system ? system : string.CompareOrdinal(other, name) > 0;
    }

    private static bool IsSystem(string name) => name == "System" || name.StartsWith("System.", StringComparison.Ordinal);
}
