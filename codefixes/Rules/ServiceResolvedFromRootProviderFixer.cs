using System.Composition;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;
using Placement = LeakAnalyzers.Rules.ServiceResolvedFromRootProviderAnalyzer.Placement;
using Properties = LeakAnalyzers.Rules.ServiceResolvedFromRootProviderAnalyzer.Properties;

namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK006 fix "Resolve from a scope": <c>using var scope = provider.CreateScope();</c> (<c>await using var scope =
/// provider.CreateAsyncScope();</c> in async code) where the analyzer's <see cref="Placement"/> puts it (before the
/// statement, or in a new block around it, or in a block body that replaces an expression body), and the service is
/// resolved from <c>scope.ServiceProvider</c>. A resolution after a scope that the same block already created from the
/// same provider (an earlier fix, under Fix All) shares it: services resolved together live and die together, as in a
/// request. Offered only when the analyzer says a scope can be placed (<see cref="Properties.Fix"/>).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ServiceResolvedFromRootProviderFixer)), Shared]
public sealed class ServiceResolvedFromRootProviderFixer : CodeFixProvider
{
    internal const string Title = "Resolve from a scope";
    private const string DefaultName = "scope";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(Descriptors.ServiceResolvedFromRootProvider.Id);

    public override FixAllProvider GetFixAllProvider() => SequentialFixAll.Create(FixAsync);

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        if (await FixTarget.FromAsync(context.Document, diagnostic, context.CancellationToken).ConfigureAwait(false) is not { } target
            || Target(target) is null)
        {
            return;                                       // validate everything before registering
        }

        context.RegisterCodeFix(
            CodeAction.Create(Title, ct => FixAsync(target, ct), equivalenceKey: Title),
            diagnostic);
    }

    /// <summary>The provider expression and where the scope goes, found in the current tree; null when the analyzer offered no fix.</summary>
    private static (InvocationExpressionSyntax Call, ExpressionSyntax Provider, Placement.Anchor Anchor)? Target(FixTarget target)
    {
        if (target.Node is not InvocationExpressionSyntax call || !target.Properties.ContainsKey(Properties.Fix))
            return null;
        var argument = target.Property(Properties.Provider) == "Argument";
        return Placement.ProviderOf(call, argument) is { } provider && Placement.Find(call) is { } anchor ? (call, provider, anchor) : null;
    }

    private static async Task<Document> FixAsync(FixTarget fixTarget, CancellationToken cancellationToken)
    {
        var document = fixTarget.Document;
        if (Target(fixTarget) is not { } target
            || await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false) is not { } model)
        {
            return document;
        }

        var (_, provider, anchor) = target;
        var async = fixTarget.Property(Properties.Async) == "true";
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var generator = editor.Generator;

        var name = anchor.Kind == Placement.AnchorKind.BeforeStatement ? SharedScope((StatementSyntax)anchor.Node, provider) : null;
        var scopeName = name ?? Naming.Unique(DefaultName, BodyOrSelf(anchor), model, Naming.DeclaredAround(BodyOrSelf(anchor), cancellationToken));
        // The provider first: the edits around it below then see it replaced.
        editor.ReplaceNode(provider, generator.MemberAccessExpression(generator.IdentifierName(scopeName), "ServiceProvider").WithTriviaFrom(provider));
        if (name is null)
        {
            var declaration = ScopeDeclaration(generator, scopeName, provider, async);
            switch (anchor.Kind)
            {
                case Placement.AnchorKind.BeforeStatement:
                    Statements.InsertBefore(editor, (StatementSyntax)anchor.Node, new[] { declaration });
                    break;
                case Placement.AnchorKind.WrapStatement:
                    // The block takes the statement's line break: the formatter would add one more after it.
                    editor.ReplaceNode(anchor.Node, (current, _) => MultilineBlock(declaration, ((StatementSyntax)current).WithoutLeadingTrivia()
                            .WithTrailingTrivia(current.GetTrailingTrivia().Where(t => !t.IsKind(SyntaxKind.EndOfLineTrivia))))
                        .WithLeadingTrivia(current.GetLeadingTrivia())
                        .WithTrailingTrivia(current.GetTrailingTrivia().Where(t => t.IsKind(SyntaxKind.EndOfLineTrivia))));
                    break;
                case Placement.AnchorKind.ExpressionBody:
                    var returnsValue = ReturnsValue(anchor.Node, model, cancellationToken);
                    editor.ReplaceNode(anchor.Node, (current, _) => WithBlockBody(current, declaration, returnsValue));
                    break;
            }
        }

        if (KnownTypes.Get(model.Compilation).ServiceProviders is { } providers)
            Imports.AddNamespaceOf(editor, providers.ServiceProviderServiceExtensions, async ? "CreateAsyncScope" : "CreateScope", model, provider.SpanStart);
        return editor.GetChangedDocument();
    }

    /// <summary>Where the new local's name must be free: the statement, or the expression body that becomes a block.</summary>
    private static SyntaxNode BodyOrSelf(Placement.Anchor anchor) =>
        anchor.Kind == Placement.AnchorKind.ExpressionBody ? Placement.ExpressionBodyOf(anchor.Node) ?? anchor.Node : anchor.Node;

    /// <summary><c>using var scope = provider.CreateScope();</c> or <c>await using var scope = provider.CreateAsyncScope();</c>.</summary>
    private static LocalDeclarationStatementSyntax ScopeDeclaration(SyntaxGenerator generator, string name, ExpressionSyntax provider, bool async)
    {
        var create = generator.InvocationExpression(generator.MemberAccessExpression(provider.WithoutTrivia(), async ? "CreateAsyncScope" : "CreateScope"));
        var declaration = ((LocalDeclarationStatementSyntax)generator.LocalDeclarationStatement(name, create))
            .WithUsingKeyword(Token(SyntaxKind.UsingKeyword));
        if (async)
            declaration = declaration.WithAwaitKeyword(Token(SyntaxKind.AwaitKeyword));
        return declaration.WithAdditionalAnnotations(Formatter.Annotation);
    }

    /// <summary>
    /// The name of a scope that the statement's block already creates from the same provider before it
    /// (<c>using var scope = provider.CreateScope();</c>): a resolution after it shares it.
    /// </summary>
    private static string? SharedScope(StatementSyntax statement, ExpressionSyntax provider)
    {
        var before = statement.Parent switch
        {
            BlockSyntax block => block.Statements.TakeWhile(s => s != statement).ToList(),
            GlobalStatementSyntax { Parent: CompilationUnitSyntax unit } global =>
                unit.Members.TakeWhile(m => m != global).OfType<GlobalStatementSyntax>().Select(g => g.Statement).ToList(),
            _ => new List<StatementSyntax>(),
        };
        for (var i = before.Count - 1; i >= 0; i--)
        {
            if (before[i] is LocalDeclarationStatementSyntax { UsingKeyword.RawKind: not 0, Declaration.Variables: { Count: 1 } variables }
                && variables[0].Initializer?.Value is InvocationExpressionSyntax { ArgumentList.Arguments.Count: 0, Expression: MemberAccessExpressionSyntax access }
                && access.Name.Identifier.ValueText is "CreateScope" or "CreateAsyncScope"
                && SyntaxFactory.AreEquivalent(access.Expression, provider, topLevel: false))
            {
                return variables[0].Identifier.ValueText;
            }
        }

        return null;
    }

    /// <summary>
    /// Whether the function whose expression body becomes a block returns a value: <c>return expr;</c> then, else
    /// <c>expr;</c> (a void function, an async one returning <c>Task</c> or <c>ValueTask</c>, a setter).
    /// </summary>
    private static bool ReturnsValue(SyntaxNode function, SemanticModel model, CancellationToken cancellationToken)
    {
        var method = function switch
        {
            AnonymousFunctionExpressionSyntax lambda => model.GetSymbolInfo(lambda, cancellationToken).Symbol as IMethodSymbol,
            PropertyDeclarationSyntax or IndexerDeclarationSyntax => null,
            _ => model.GetDeclaredSymbol(function, cancellationToken) as IMethodSymbol,
        };
        if (method is null)
            return function is PropertyDeclarationSyntax or IndexerDeclarationSyntax;
        return !method.ReturnsVoid && !(method.IsAsync && method.ReturnType is INamedTypeSymbol { TypeArguments.Length: 0 });
    }

    /// <summary><paramref name="function"/> with its expression body turned into a block: the scope, then the expression's statement.</summary>
    private static SyntaxNode WithBlockBody(SyntaxNode function, LocalDeclarationStatementSyntax declaration, bool returnsValue)
    {
        if (Bodies.ExpressionOf(function) is not { } expression)
            return function;
        var statement = returnsValue ? (StatementSyntax)ReturnStatement(expression.WithoutTrivia()) : ExpressionStatement(expression.WithoutTrivia());
        return Bodies.WithBlockBody(function, MultilineBlock(declaration, statement));
    }

    /// <summary>
    /// A block of <paramref name="statements"/> for the formatter to lay out. The line breaks are elastic (the formatter
    /// places and indents them), but they must be there: a block without any, in a lambda, counts as a one-line block
    /// and is kept on one line.
    /// </summary>
    private static BlockSyntax MultilineBlock(params StatementSyntax[] statements) =>
        Block(
                Token(TriviaList(), SyntaxKind.OpenBraceToken, TriviaList(ElasticLineFeed)),
                List(statements.Select(s => s.WithTrailingTrivia(s.GetTrailingTrivia().Add(ElasticLineFeed)))),
                Token(SyntaxKind.CloseBraceToken))
            .WithAdditionalAnnotations(Formatter.Annotation);
}
