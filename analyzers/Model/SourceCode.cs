using System.Collections.Concurrent;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Model;

/// <summary>
/// The source of this compilation beyond the body an analyzer visits: the bound body of another member
/// (<see cref="BodyOf"/>) and the one implementation of an interface method (<see cref="SingleImplementation"/>). Only
/// the compilation's own source counts, never a referenced project's: a build sees those as metadata and an editor as
/// source, and a rule must judge alike in both. Asked sparingly (for a finding a rule is about to report), since binding
/// another member costs what the compiler pays for it.
/// </summary>
internal sealed class SourceCode
{
    private readonly Compilation _compilation;
    private readonly Lazy<Dictionary<INamedTypeSymbol, List<INamedTypeSymbol>>> _implementers;
    private readonly ConcurrentDictionary<SyntaxTree, SemanticModel> _models = new();

    public SourceCode(Compilation compilation)
    {
        _compilation = compilation;
        _implementers = new Lazy<Dictionary<INamedTypeSymbol, List<INamedTypeSymbol>>>(IndexImplementers);
    }

    /// <summary>
    /// The bound body of a method, accessor or local function declared in this compilation (the first declaration with
    /// a body: the part of a partial method that has one); null for metadata, abstract and extern members.
    /// </summary>
    public IOperation? BodyOf(IMethodSymbol method, CancellationToken cancellationToken)
    {
        var definition = method.OriginalDefinition;
        foreach (var reference in (definition.PartialImplementationPart ?? definition).DeclaringSyntaxReferences)
        {
            if (!_compilation.ContainsSyntaxTree(reference.SyntaxTree))
                continue;
            var syntax = reference.GetSyntax(cancellationToken);
            SyntaxNode? body = syntax switch
            {
                BaseMethodDeclarationSyntax declaration => (SyntaxNode?)declaration.Body ?? declaration.ExpressionBody,
                AccessorDeclarationSyntax accessor => (SyntaxNode?)accessor.Body ?? accessor.ExpressionBody,
                LocalFunctionStatementSyntax local => (SyntaxNode?)local.Body ?? local.ExpressionBody,
                ArrowExpressionClauseSyntax arrow => arrow,
                _ => null,
            };
            if (body is null)
                continue;
            var model = _models.GetOrAdd(reference.SyntaxTree, ModelOf);
            if (model.GetOperation(syntax, cancellationToken) is { } operation)
                return operation;
            if (model.GetOperation(body, cancellationToken) is { } bodyOperation)
                return bodyOperation;
        }

        return null;
    }

#pragma warning disable RS1030 // Another member's body, in another tree: the analysis context holds only the visited tree's model.
    private SemanticModel ModelOf(SyntaxTree tree) => _compilation.GetSemanticModel(tree);
#pragma warning restore RS1030

    /// <summary>
    /// The implementation of the interface method <paramref name="method"/> when exactly one class or struct of this
    /// compilation implements its interface; null otherwise (none, several, or an interface of another project whose
    /// implementations this compilation cannot see all of).
    /// </summary>
    public IMethodSymbol? SingleImplementation(IMethodSymbol method)
    {
        var definition = method.OriginalDefinition;
        if (definition.ContainingType is not { TypeKind: TypeKind.Interface } @interface
            || !_implementers.Value.TryGetValue(@interface, out var implementers) || implementers.Count != 1)
        {
            return null;
        }

        var implementer = implementers[0];
        foreach (var constructed in implementer.AllInterfaces)
        {
            if (!SymbolEqualityComparer.Default.Equals(constructed.OriginalDefinition, @interface))
                continue;
            foreach (var member in constructed.GetMembers(definition.Name))
            {
                if (SymbolEqualityComparer.Default.Equals(member.OriginalDefinition, definition)
                    && implementer.FindImplementationForInterfaceMember(member) is IMethodSymbol implementation)
                {
                    return implementation;
                }
            }
        }

        return null;
    }

    /// <summary>Every interface implemented by a concrete class or struct of this compilation, with those types.</summary>
    private Dictionary<INamedTypeSymbol, List<INamedTypeSymbol>> IndexImplementers()
    {
        var index = new Dictionary<INamedTypeSymbol, List<INamedTypeSymbol>>(SymbolEqualityComparer.Default);
        var pending = new Stack<INamespaceOrTypeSymbol>();
        pending.Push(_compilation.Assembly.GlobalNamespace);
        while (pending.Count > 0)
        {
            foreach (var member in pending.Pop().GetMembers())
            {
                if (member is INamespaceSymbol space)
                {
                    pending.Push(space);
                    continue;
                }

                if (member is not INamedTypeSymbol type)
                    continue;
                pending.Push(type);
                if (type.IsAbstract || type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
                    continue;
                foreach (var @interface in type.AllInterfaces)
                {
                    if (!index.TryGetValue(@interface.OriginalDefinition, out var types))
                        index[@interface.OriginalDefinition] = types = new List<INamedTypeSymbol>();
                    types.Add(type);
                }
            }
        }

        return index;
    }
}
