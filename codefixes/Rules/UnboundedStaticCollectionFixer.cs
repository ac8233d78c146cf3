using System.Composition;
using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Text;
using static LeakAnalyzers.Rules.UnboundedStaticCollectionAnalyzer;

namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK001 fixes, for the diagnostics of both LEAK001 analyzers (private static fields, reported live; the others, at
/// compilation end). The analyzer hands over what it decided: every growth site that counts (the diagnostic's additional
/// locations) and which fixes apply to the field (<see cref="Properties"/>); the fixer checks that its edit can be made
/// and never judges the field again.
/// <list type="bullet">
/// <item>"Use a size-limited MemoryCache": the field becomes a <c>MemoryCache</c> with a <c>SizeLimit</c>, and every use
/// of it in the solution (the field's type changes, so each one, in any project, must follow) is rewritten to
/// <c>TryGetValue</c>/<c>Get</c>/<c>Set</c>/<c>GetOrCreate</c> with shared entry options (<c>Size = 1</c>, sliding
/// expiration). Offered when the analyzer says the field can become a cache and every use is one it can rewrite.</item>
/// <item>"Bound the collection: clear it when it reaches capacity": a capacity constant next to the field and
/// <c>if (Field.Count &gt;= FieldCapacity) Field.Clear();</c> before each growth site the analyzer counted. Offered when
/// the collection can be cleared and every such site sits where a statement can go first.</item>
/// </list>
/// Both fixes edit several documents, so Fix All applies them one field at a time (<see cref="SolutionFixAll"/>). The
/// fixes are planned in <c>UnboundedStaticCollectionFixer.MemoryCache.cs</c> and <c>UnboundedStaticCollectionFixer.Bound.cs</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnboundedStaticCollectionFixer)), Shared]
public sealed partial class UnboundedStaticCollectionFixer : CodeFixProvider
{
    internal const string MemoryCacheTitle = "Use a size-limited MemoryCache";
    internal const string BoundTitle = "Bound the collection: clear it when it reaches capacity";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(Descriptors.UnboundedStaticCollection.Id);

    public override FixAllProvider GetFixAllProvider() => SolutionFixAll.Instance;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var solution = context.Document.Project.Solution;
        var targets = new List<Target>();
        solution = await Target.AnnotateAsync(solution, context.Diagnostics, targets, context.CancellationToken).ConfigureAwait(false);
        foreach (var target in targets)
        {
            if (await FieldFix.CreateAsync(solution, target, context.CancellationToken).ConfigureAwait(false) is not { } fix)
                continue;                                 // validate everything before registering
            if (fix.MemoryCache is { } cache)
                context.RegisterCodeFix(CodeAction.Create(MemoryCacheTitle, cache, equivalenceKey: MemoryCacheTitle), target.Diagnostic);
            if (fix.Bound is { } bound)
                context.RegisterCodeFix(CodeAction.Create(BoundTitle, bound, equivalenceKey: BoundTitle), target.Diagnostic);
        }
    }

    /// <summary>
    /// Fix All, one field at a time against the solution the previous fix produced: a fix edits the field's declaration
    /// and use sites in other documents, and two fields may share a block, a member or a <c>using</c> list. The fields'
    /// declarations and growth sites are tracked with annotations from the start. A field the chosen fix cannot handle
    /// gets the other one, so that Fix All (and <c>dotnet format</c>) leaves no field unbounded.
    /// </summary>
    private sealed class SolutionFixAll : FixAllProvider
    {
        public static SolutionFixAll Instance { get; } = new();

        public override IEnumerable<FixAllScope> GetSupportedFixAllScopes() =>
            new[] { FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution };

        public override async Task<CodeAction?> GetFixAsync(FixAllContext context)
        {
            var key = context.CodeActionEquivalenceKey;
            if (key is not (MemoryCacheTitle or BoundTitle))
                return null;
            var diagnostics = new List<Diagnostic>();
            switch (context.Scope)
            {
                case FixAllScope.Document when context.Document is not null:
                    diagnostics.AddRange(await context.GetDocumentDiagnosticsAsync(context.Document).ConfigureAwait(false));
                    break;
                case FixAllScope.Project:
                    diagnostics.AddRange(await context.GetAllDiagnosticsAsync(context.Project).ConfigureAwait(false));
                    break;
                case FixAllScope.Solution:
                    foreach (var project in context.Solution.Projects)
                        diagnostics.AddRange(await context.GetAllDiagnosticsAsync(project).ConfigureAwait(false));
                    break;
            }

            return diagnostics.Count == 0 ? null : CodeAction.Create(key, ct => FixAllAsync(context.Solution, diagnostics, key, ct), key);
        }

        private static async Task<Solution> FixAllAsync(Solution solution, List<Diagnostic> diagnostics, string key, CancellationToken cancellationToken)
        {
            var targets = new List<Target>();
            var ordered = diagnostics.Where(d => d.Location.IsInSource)
                .OrderBy(d => d.Location.SourceTree!.FilePath, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start);
            solution = await Target.AnnotateAsync(solution, ordered, targets, cancellationToken).ConfigureAwait(false);
            foreach (var target in targets)
            {
                cancellationToken.ThrowIfCancellationRequested();

                // The chosen fix where it applies, the other one elsewhere: `dotnet format` runs Fix All with the key of
                // whichever diagnostic it meets first, and must still fix every field.
                var fix = await FieldFix.CreateAsync(solution, target, cancellationToken).ConfigureAwait(false);
                var apply = key == MemoryCacheTitle ? fix?.MemoryCache ?? fix?.Bound : fix?.Bound ?? fix?.MemoryCache;
                if (apply is not null)
                    solution = await apply(cancellationToken).ConfigureAwait(false);
            }

            return solution;
        }
    }

    /// <summary>
    /// A reported field as the fixes find it again in a solution that earlier fixes may have changed: its declarator and
    /// its growth sites carry annotations (<see cref="Field"/>, <see cref="Growth"/>) put on them before any edit.
    /// </summary>
    private sealed record Target(Diagnostic Diagnostic, DocumentId Document, SyntaxAnnotation Field, ImmutableArray<DocumentId> SiteDocuments, SyntaxAnnotation Growth)
    {
        public bool Allows(string property) =>
            Diagnostic.Properties.TryGetValue(property, out var value) && value == "true";

        /// <summary>The growth sites among the diagnostic's additional locations (the first ones; the rest point at where the keys come from).</summary>
        private static IEnumerable<Location> GrowthSites(Diagnostic diagnostic) =>
            diagnostic.Properties.TryGetValue(UnboundedStaticCollectionAnalyzer.Properties.GrowthSites, out var text)
            && int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count)
                ? diagnostic.AdditionalLocations.Take(count)
                : diagnostic.AdditionalLocations;

        /// <summary>Annotates the reported declarators and growth sites of <paramref name="diagnostics"/> (in that order) and lists them in <paramref name="targets"/>.</summary>
        public static async Task<Solution> AnnotateAsync(Solution solution, IEnumerable<Diagnostic> diagnostics, List<Target> targets, CancellationToken cancellationToken)
        {
            var marks = new Dictionary<DocumentId, List<(TextSpan Span, SyntaxAnnotation Annotation)>>();
            foreach (var diagnostic in diagnostics)
            {
                if (DocumentOf(solution, diagnostic.Location) is not { } document)
                    continue;
                var field = new SyntaxAnnotation("LeakAnalyzers.LEAK001.Field");
                var growth = new SyntaxAnnotation("LeakAnalyzers.LEAK001.Growth");
                Mark(document, diagnostic.Location.SourceSpan, field);
                var sites = ImmutableArray.CreateBuilder<DocumentId>();
                foreach (var location in GrowthSites(diagnostic))
                {
                    if (DocumentOf(solution, location) is not { } siteDocument)
                        continue;
                    Mark(siteDocument, location.SourceSpan, growth);
                    if (!sites.Contains(siteDocument))
                        sites.Add(siteDocument);
                }

                targets.Add(new Target(diagnostic, document, field, sites.ToImmutable(), growth));
            }

            foreach (var pair in marks)
            {
                if (solution.GetDocument(pair.Key) is not { } document || await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not { } root)
                    continue;
                var nodes = pair.Value.GroupBy(m => NodeAt(root, m.Span)).ToDictionary(g => g.Key, g => g.Select(m => m.Annotation).ToArray());
                solution = solution.WithDocumentSyntaxRoot(pair.Key, root.ReplaceNodes(nodes.Keys, (original, rewritten) => rewritten.WithAdditionalAnnotations(nodes[original])));
            }

            return solution;

            void Mark(DocumentId document, TextSpan span, SyntaxAnnotation annotation)
            {
                if (!marks.TryGetValue(document, out var list))
                    marks[document] = list = new List<(TextSpan, SyntaxAnnotation)>();
                list.Add((span, annotation));
            }
        }

        /// <summary>The document of a diagnostic's location: the one that holds its tree, or the one at its path (a diagnostic computed on another snapshot).</summary>
        private static DocumentId? DocumentOf(Solution solution, Location location)
        {
            if (location.SourceTree is not { } tree)
                return null;
            return solution.GetDocumentId(tree) ?? solution.GetDocumentIdsWithFilePath(tree.FilePath).FirstOrDefault();
        }

        /// <summary>The node a location spans: the innermost one that covers it exactly, else the token's parent.</summary>
        private static SyntaxNode NodeAt(SyntaxNode root, TextSpan span) => root.FindNode(span, getInnermostNodeForTie: true);
    }

    /// <summary>One reported field, found again in the solution, and the fixes that apply to it (null when one does not).</summary>
    private sealed partial class FieldFix
    {
        private readonly Solution _solution;
        private readonly Document _document;
        private readonly VariableDeclaratorSyntax _declarator;
        private readonly IFieldSymbol _field;
        private readonly CollectionShape _shape;
        private readonly KnownTypes _types;

        private FieldFix(Document document, VariableDeclaratorSyntax declarator, IFieldSymbol field, CollectionShape shape, KnownTypes types)
        {
            _solution = document.Project.Solution;
            _document = document;
            _declarator = declarator;
            _field = field;
            _shape = shape;
            _types = types;
        }

        public Func<CancellationToken, Task<Solution>>? MemoryCache { get; private set; }

        public KnownTypes Types => _types;
        public Func<CancellationToken, Task<Solution>>? Bound { get; private set; }

        public static async Task<FieldFix?> CreateAsync(Solution solution, Target target, CancellationToken cancellationToken)
        {
            if (solution.GetDocument(target.Document) is not { } document
                || await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not { } root
                || await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false) is not { } model
                || root.GetAnnotatedNodes(target.Field).FirstOrDefault()?.FirstAncestorOrSelf<VariableDeclaratorSyntax>() is not { Parent.Parent: FieldDeclarationSyntax } declarator
                || model.GetDeclaredSymbol(declarator, cancellationToken) is not IFieldSymbol field
                || field.Type is not INamedTypeSymbol type
                || Domain.Get(model.Compilation) is not { Collections: { } collections } domain
                || collections.ShapeOf(type) is not { } shape)
            {
                return null;
            }

            var fix = new FieldFix(document, declarator, field, shape, domain.Types);
            if (target.Allows(Properties.MemoryCache))
                fix.MemoryCache = await fix.PlanMemoryCacheAsync(cancellationToken).ConfigureAwait(false);
            if (target.Allows(Properties.Bound))
                fix.Bound = await fix.PlanBoundAsync(target, cancellationToken).ConfigureAwait(false);
            return fix;
        }

        private FieldDeclarationSyntax Declaration => (FieldDeclarationSyntax)_declarator.Parent!.Parent!;

        private AnalyzerOptions Options => _document.Project.AnalyzerOptions;

        /// <summary>"Cache" for <c>Cache</c>, <c>_cache</c>, <c>s_cache</c>: the stem of the names the fixes add.</summary>
        private string Stem => Naming.Stem(_field.Name, "Collection");

        /// <summary><paramref name="name"/>, or name2, name3…: the first that no member of the field's type (nor <paramref name="taken"/>) has.</summary>
        private string UniqueMemberName(string name, ISet<string>? taken = null)
        {
            for (var i = 1; ; i++)
            {
                var candidate = i == 1 ? name : name + i.ToString(CultureInfo.InvariantCulture);
                if (_field.ContainingType.GetMembers(candidate).IsEmpty && taken?.Contains(candidate) != true)
                {
                    taken?.Add(candidate);
                    return candidate;
                }
            }
        }

        /// <summary>Private when every use is in the field's type; otherwise as visible as the field, so that the other uses can reach it.</summary>
        private Accessibility SiblingAccessibility(IEnumerable<bool> usesInType) =>
            usesInType.All(inType => inType) ? Accessibility.Private : _field.DeclaredAccessibility;

        /// <summary>
        /// How code at <paramref name="receiver"/> (a reference of the field) names a member declared next to the field:
        /// <c>Holder.Name</c> when it names the field <c>Holder.Cache</c>, <c>Name</c> inside the field's type, else the
        /// type-qualified name, as short as it binds.
        /// </summary>
        public SyntaxNode Sibling(SyntaxGenerator generator, SemanticModel model, ExpressionSyntax receiver, string name)
        {
            if (receiver is MemberAccessExpressionSyntax access && model.GetSymbolInfo(access.Expression).Symbol is INamedTypeSymbol)
                return generator.MemberAccessExpression(access.Expression.WithoutTrivia(), name);
            return IsInContainingType(model, receiver)
                ? generator.IdentifierName(name)
                : generator.MemberAccessExpression(TypeAsExpression(generator, _field.ContainingType), name);
        }

        /// <summary><paramref name="node"/> sits in the field's type (or a type nested in it).</summary>
        private bool IsInContainingType(SemanticModel model, SyntaxNode node)
        {
            var symbol = model.GetEnclosingSymbol(node.SpanStart);
            for (var type = symbol as INamedTypeSymbol ?? symbol?.ContainingType; type is not null; type = type.ContainingType)
            {
                if (SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, _field.ContainingType.OriginalDefinition))
                    return true;
            }

            return false;
        }

        /// <summary>
        /// <paramref name="type"/> where an expression goes (<c>System.TimeSpan.FromMinutes</c>), as short as it binds
        /// there: the parser reads a dotted name in an expression as member accesses, not as the qualified name
        /// <see cref="SyntaxGenerator.TypeExpression(ITypeSymbol, bool)"/> builds.
        /// </summary>
        public static SyntaxNode TypeAsExpression(SyntaxGenerator generator, ITypeSymbol type)
        {
            var name = generator.TypeExpression(type, addImport: false);
            return name.CopyAnnotationsTo(AsExpression((ExpressionSyntax)name))!;

            static ExpressionSyntax AsExpression(ExpressionSyntax name) => name is QualifiedNameSyntax qualified
                ? SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, AsExpression(qualified.Left), qualified.Right)
                : name;
        }

        /// <summary>
        /// A block of <paramref name="statements"/> that the formatter lays out over several lines: a new block with no
        /// line break in it counts as written on one line, and the formatter keeps such blocks as they are.
        /// </summary>
        public static BlockSyntax Block(params StatementSyntax[] statements) => SyntaxFactory.Block(
            SyntaxFactory.Token(SyntaxKind.OpenBraceToken).WithTrailingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed),
            SyntaxFactory.List(statements),
            SyntaxFactory.Token(SyntaxKind.CloseBraceToken));

        /// <summary>10_000 rather than 10000: the constants are meant to be read and tuned.</summary>
        private static SyntaxNode Number(int value) =>
            SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(
                value >= 10_000 ? value.ToString("N0", CultureInfo.InvariantCulture).Replace(",", "_") : value.ToString(CultureInfo.InvariantCulture),
                value));
    }
}
