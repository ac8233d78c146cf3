using System.Composition;
using System.Globalization;
using System.Text;
using LeakAnalyzers.Helpers;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.FindSymbols;
using static LeakAnalyzers.Rules.UnboundedStaticCollectionAnalyzer;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK001 fixes, for the diagnostics of both LEAK001 analyzers (private static fields, reported live; the others, at
/// compilation end). Both fixes find every use of the field in the solution (a private field's uses are all in its type;
/// a wider field's may be anywhere) and edit every document involved; Fix All applies them one field at a time.
/// <list type="bullet">
/// <item>"Use a size-limited MemoryCache": the field becomes a <c>MemoryCache</c> with a <c>SizeLimit</c>, and every use is
/// rewritten to <c>TryGetValue</c>/<c>Get</c>/<c>Set</c>/<c>GetOrCreate</c> with shared entry options (<c>Size = 1</c>, sliding
/// expiration). Only offered when Microsoft.Extensions.Caching.Memory is referenced and every use is one it can rewrite.</item>
/// <item>"Bound the collection: clear it when it reaches capacity": a capacity constant next to the field and
/// <c>if (Field.Count &gt;= FieldCapacity) Field.Clear();</c> before each runtime growth. Only offered when every such growth
/// sits where a statement can go first.</item>
/// </list>
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnboundedStaticCollectionFixer)), Shared]
public sealed class UnboundedStaticCollectionFixer : CodeFixProvider
{
    internal const string MemoryCacheTitle = "Use a size-limited MemoryCache";
    internal const string BoundTitle = "Bound the collection: clear it when it reaches capacity";
    private const string CachingNamespace = "Microsoft.Extensions.Caching.Memory";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(Descriptors.UnboundedStaticCollection.Id);

    public override FixAllProvider GetFixAllProvider() => SolutionFixAll.Instance;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            if (await FieldFix.CreateAsync(context.Document, diagnostic.Location.SourceSpan.Start, context.CancellationToken).ConfigureAwait(false) is not { } fix)
                continue;                                 // validate everything before registering
            if (fix.MemoryCache is { } cache)
                context.RegisterCodeFix(CodeAction.Create(MemoryCacheTitle, cache, equivalenceKey: MemoryCacheTitle), diagnostic);
            if (fix.Bound is { } bound)
                context.RegisterCodeFix(CodeAction.Create(BoundTitle, bound, equivalenceKey: BoundTitle), diagnostic);
        }
    }

    /// <summary>
    /// Fix All, one field at a time against the solution the previous fix produced: a fix edits the field's declaration
    /// and use sites in other documents, and two fields may share a block, a member or a <c>using</c> list. A field the
    /// chosen fix cannot handle gets the other one, so that Fix All (and <c>dotnet format</c>) leaves no field unbounded.
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
            var targets = new List<(DocumentId Document, SyntaxAnnotation Annotation)>();
            foreach (var group in diagnostics.Where(d => d.Location.IsInSource).GroupBy(d => d.Location.SourceTree!))
            {
                if (solution.GetDocument(group.Key) is not { } document || await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not { } root)
                    continue;
                var declarators = group.OrderBy(d => d.Location.SourceSpan.Start)
                    .Select(d => root.FindToken(d.Location.SourceSpan.Start).Parent?.FirstAncestorOrSelf<VariableDeclaratorSyntax>())
                    .OfType<VariableDeclaratorSyntax>()
                    .Distinct()
                    .ToList();
                var annotations = declarators.ToDictionary(d => d, _ => new SyntaxAnnotation("LeakAnalyzers.LEAK001"));
                targets.AddRange(annotations.Values.Select(a => (document.Id, a)));
                solution = solution.WithDocumentSyntaxRoot(document.Id, root.ReplaceNodes(declarators, (original, rewritten) => rewritten.WithAdditionalAnnotations(annotations[original])));
            }

            foreach (var (documentId, annotation) in targets)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (solution.GetDocument(documentId) is not { } document
                    || await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not { } root
                    || root.GetAnnotatedNodes(annotation).FirstOrDefault() is not { } declarator)
                {
                    continue;
                }

                // The chosen fix where it applies, the other one elsewhere: `dotnet format` runs Fix All with the key of
                // whichever diagnostic it meets first, and must still fix every field.
                var fix = await FieldFix.CreateAsync(document, declarator.SpanStart, cancellationToken).ConfigureAwait(false);
                var apply = key == MemoryCacheTitle ? fix?.MemoryCache ?? fix?.Bound : fix?.Bound ?? fix?.MemoryCache;
                if (apply is not null)
                    solution = await apply(cancellationToken).ConfigureAwait(false);
            }

            return solution;
        }
    }

    /// <summary>One reported field, every use of it in the solution, and the fixes that apply (null when one does not).</summary>
    private sealed class FieldFix
    {
        private readonly Solution _solution;
        private readonly Document _document;
        private readonly VariableDeclaratorSyntax _declarator;
        private readonly IFieldSymbol _field;
        private readonly Shape _shape;
        private readonly CollectionTypes _types;
        private readonly List<FieldReference> _uses;

        private FieldFix(Document document, VariableDeclaratorSyntax declarator, IFieldSymbol field, Shape shape, CollectionTypes types, List<FieldReference> uses)
        {
            _solution = document.Project.Solution;
            _document = document;
            _declarator = declarator;
            _field = field;
            _shape = shape;
            _types = types;
            _uses = uses;
        }

        public Func<CancellationToken, Task<Solution>>? MemoryCache { get; private set; }
        public Func<CancellationToken, Task<Solution>>? Bound { get; private set; }

        public static async Task<FieldFix?> CreateAsync(Document document, int position, CancellationToken cancellationToken)
        {
            var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            if (root?.FindToken(position).Parent?.FirstAncestorOrSelf<VariableDeclaratorSyntax>() is not { Parent.Parent: FieldDeclarationSyntax } declarator
                || model?.GetDeclaredSymbol(declarator, cancellationToken) is not IFieldSymbol field
                || field.Type is not INamedTypeSymbol type
                || CollectionTypes.Create(model.Compilation, cancellationToken) is not { } types
                || types.ShapeOf(type) is not { } shape
                || await FieldReference.FindAllAsync(document.Project.Solution, field, cancellationToken).ConfigureAwait(false) is not { } uses)
            {
                return null;
            }

            var fix = new FieldFix(document, declarator, field, shape, types, uses);
            fix.MemoryCache = await fix.PlanMemoryCacheAsync(cancellationToken).ConfigureAwait(false);
            fix.Bound = await fix.PlanBoundAsync(cancellationToken).ConfigureAwait(false);
            return fix;
        }

        private FieldDeclarationSyntax Declaration => (FieldDeclarationSyntax)_declarator.Parent!.Parent!;

        private AnalyzerOptions Options => _document.Project.AnalyzerOptions;

        /// <summary>"Cache" for <c>Cache</c>, <c>_cache</c>, <c>s_cache</c>: the stem of the names the fixes add.</summary>
        private string Stem
        {
            get
            {
                var name = _field.Name;
                if (name.Length > 2 && name[1] == '_' && name[0] is 's' or 'm' or 't')
                    name = name.Substring(2);
                name = name.TrimStart('_');
                return name.Length == 0 ? "Collection" : char.ToUpperInvariant(name[0]) + name.Substring(1);
            }
        }

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
        private string SiblingAccessibility(IEnumerable<FieldReference> uses) =>
            uses.All(u => u.IsInContainingType(_field))
                ? "private"
                : SyntaxFacts.GetText(_field.DeclaredAccessibility);

        // -----------------------------------------------------------------------------------------------------------
        // Bound the collection

        private async Task<Func<CancellationToken, Task<Solution>>?> PlanBoundAsync(CancellationToken cancellationToken)
        {
            if (!HasMember(_field.Type, "Count", m => m is IPropertySymbol) || !HasMember(_field.Type, "Clear", m => m is IMethodSymbol { Parameters.Length: 0 }))
                return null;                              // ConcurrentQueue/ConcurrentBag before .NET Core 2.0 have no Clear

            var guards = new List<(FieldReference Use, GuardAnchor Anchor)>();
            foreach (var use in _uses)
            {
                var kind = ClassifyUse(use.Operation, _shape, _types);
                if (kind.Kind != UseKind.Growth || !await IsUnboundedGrowthAsync(use, kind.Member, cancellationToken).ConfigureAwait(false))
                    continue;
                if (GuardAnchor.Find(use, kind.Member) is not { } anchor)
                    return null;                          // one growth we cannot guard: the fix would not bound the field
                guards.Add((use, anchor));
            }

            if (guards.Count == 0)
                return null;

            var capacity = UniqueMemberName(Stem + "Capacity");
            var limit = Options.GetInt(_declarator.SyntaxTree, CacheSizeLimitOption, DefaultCacheSizeLimit);
            var accessibility = SiblingAccessibility(guards.Select(g => g.Use));
            return async cancellationToken =>
            {
                var editor = new SolutionEditor(_solution);
                var declarationEditor = await editor.GetDocumentEditorAsync(_document.Id, cancellationToken).ConfigureAwait(false);
                var declaration = Declaration;
                declarationEditor.InsertAfter(declaration, Member(declaration, $"{accessibility} const int {capacity} = {Number(limit)};"));

                foreach (var group in guards.GroupBy(g => g.Use.Document.Id))
                {
                    var documentEditor = await editor.GetDocumentEditorAsync(group.Key, cancellationToken).ConfigureAwait(false);
                    foreach (var anchorGroup in group.GroupBy(g => g.Anchor.Node).OrderBy(g => g.Key.Span.Length))
                    {
                        var (use, anchor) = anchorGroup.First();
                        var receiver = use.Syntax.WithoutTrivia().ToString();
                        anchor.Apply(documentEditor, $"if ({receiver}.Count >= {use.Sibling(_field, capacity)})", $"{receiver}.Clear();");
                    }
                }

                return editor.GetChangedSolution();
            };
        }

        /// <summary>A growth the analyzer counts: at runtime, with no <c>Count</c> check around it, not in a helper that only initialization calls.</summary>
        private async Task<bool> IsUnboundedGrowthAsync(FieldReference use, IOperation member, CancellationToken cancellationToken)
        {
            var scope = ScopeOf(member, use.ContainingSymbol, _types);
            if (IsInitialization(scope, _field))
                return false;
            var guard = FindGuard(member, _field, cancellationToken);
            if (guard.Direct)
                return false;
            foreach (var guardMember in guard.Members)
            {
                if (await ComparesCountAsync(guardMember, cancellationToken).ConfigureAwait(false))
                    return false;
            }

            if (HelperOf(scope, _field) is not { } helper)
                return true;
            var callers = await CallersAsync(helper, cancellationToken).ConfigureAwait(false);
            return !RunsOnlyDuringInitialization(helper, _field, m => callers.TryGetValue(m, out var scopes) ? scopes : Enumerable.Empty<Scope>());
        }

        private async Task<bool> ComparesCountAsync(ISymbol member, CancellationToken cancellationToken)
        {
            foreach (var reference in member.DeclaringSyntaxReferences)
            {
                var syntax = await reference.GetSyntaxAsync(cancellationToken).ConfigureAwait(false);
                if (_solution.GetDocument(syntax.SyntaxTree) is not { } document
                    || await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false) is not { } model)
                {
                    continue;
                }

                foreach (var name in syntax.DescendantNodes().OfType<IdentifierNameSyntax>())
                {
                    if (name.Identifier.ValueText == _field.Name
                        && model.GetOperation(FieldReference.ExpressionOf(name), cancellationToken) is IFieldReferenceOperation fieldReference
                        && SymbolEqualityComparer.Default.Equals(fieldReference.Field.OriginalDefinition, _field.OriginalDefinition)
                        && IsCountComparison(fieldReference))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        /// <summary>Where each private method of the field's type that can hold a growth is called from, transitively.</summary>
        private async Task<Dictionary<IMethodSymbol, List<Scope>>> CallersAsync(IMethodSymbol helper, CancellationToken cancellationToken)
        {
            var result = new Dictionary<IMethodSymbol, List<Scope>>(SymbolEqualityComparer.Default);
            var pending = new Queue<IMethodSymbol>();
            pending.Enqueue(helper);
            while (pending.Count > 0)
            {
                var method = pending.Dequeue();
                if (result.ContainsKey(method))
                    continue;
                var scopes = new List<Scope>();
                result[method] = scopes;
                foreach (var referenced in await SymbolFinder.FindReferencesAsync(method, _solution, cancellationToken).ConfigureAwait(false))
                {
                    foreach (var location in referenced.Locations)
                    {
                        var root = await location.Document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
                        var model = await location.Document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
                        if (root is null || model is null)
                            continue;
                        var expression = FieldReference.ExpressionOf(root.FindNode(location.Location.SourceSpan, getInnermostNodeForTie: true));
                        if (expression.Parent is InvocationExpressionSyntax invocation && invocation.Expression == expression
                            && model.GetOperation(invocation, cancellationToken) is IInvocationOperation call)
                        {
                            var scope = ScopeOf(call, FieldReference.MemberOf(model, invocation, cancellationToken), _types);
                            scopes.Add(scope);
                            if (HelperOf(scope, _field) is { } caller)
                                pending.Enqueue(caller);
                        }
                        else
                        {
                            scopes.Add(Scope.Runtime);    // a method group: runs whenever the delegate does
                        }
                    }
                }
            }

            return result;
        }

        private static bool HasMember(ITypeSymbol type, string name, Func<ISymbol, bool> predicate) =>
            type.GetMembers(name).Any(predicate) || type.AllInterfaces.Any(i => i.GetMembers(name).Any(predicate))
            || type.BaseType is { } baseType && HasMember(baseType, name, predicate);

        // -----------------------------------------------------------------------------------------------------------
        // Use a size-limited MemoryCache

        private async Task<Func<CancellationToken, Task<Solution>>?> PlanMemoryCacheAsync(CancellationToken cancellationToken)
        {
            var compilation = await _document.Project.GetCompilationAsync(cancellationToken).ConfigureAwait(false);
            if (compilation?.GetBestTypeByMetadataName(TypeNames.MemoryCache) is null
                || _shape is not { Keyed: true, Value: { } value }
                || Declaration.Declaration.Variables.Count != 1
                || !IsPlainCreation(_declarator.Initializer?.Value))
            {
                return null;
            }

            var stem = Stem;
            var taken = new HashSet<string>(StringComparer.Ordinal);
            var names = new CacheNames(
                UniqueMemberName(stem + "SizeLimit", taken),
                UniqueMemberName(stem + "SlidingExpirationMinutes", taken),
                UniqueMemberName(stem + "EntryOptions", taken));
            var rewrites = new List<Rewrite>();
            var locals = new Dictionary<SyntaxNode, HashSet<string>>();
            foreach (var use in _uses)
            {
                var useCompilation = await use.Document.Project.GetCompilationAsync(cancellationToken).ConfigureAwait(false);
                if (useCompilation?.GetBestTypeByMetadataName(TypeNames.MemoryCache) is null)
                    return null;
                if (!CacheRewrite.TryCreate(use, _shape.Key, value, names, _uses, locals, cancellationToken, out var rewrite))
                    return null;                          // a use the fix cannot rewrite: not offered
                if (rewrite is not null)
                    rewrites.Add(rewrite);
            }

            var modern = ((CSharpParseOptions)_declarator.SyntaxTree.Options).LanguageVersion >= LanguageVersion.CSharp9;
            var limit = Options.GetInt(_declarator.SyntaxTree, CacheSizeLimitOption, DefaultCacheSizeLimit);
            var minutes = Options.GetInt(_declarator.SyntaxTree, CacheSlidingExpirationMinutesOption, DefaultCacheSlidingExpirationMinutes);
            var model = await _document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            var timeSpan = model is not null && compilation.GetBestTypeByMetadataName(TypeNames.TimeSpan) is { } timeSpanType
                ? timeSpanType.ToMinimalDisplayString(model, Declaration.SpanStart)
                : "System.TimeSpan";
            var optionsAccessibility = SiblingAccessibility(_uses);

            return async cancellationToken =>
            {
                var editor = new SolutionEditor(_solution);
                var declarationEditor = await editor.GetDocumentEditorAsync(_document.Id, cancellationToken).ConfigureAwait(false);
                var declaration = Declaration;
                declarationEditor.ReplaceNode(declaration.Declaration.Type, (current, _) =>
                    ParseTypeName("MemoryCache").WithTriviaFrom(current));
                declarationEditor.ReplaceNode(_declarator.Initializer!.Value, (current, _) =>
                    ParseExpression((modern ? "new(" : "new MemoryCache(") + $"new MemoryCacheOptions {{ SizeLimit = {names.SizeLimit} }})").WithTriviaFrom(current));
                declarationEditor.InsertAfter(declaration, new[]
                {
                    Member(declaration, $"private const int {names.SizeLimit} = {Number(limit)};"),
                    Member(declaration, $"private const int {names.SlidingExpirationMinutes} = {Number(minutes)};"),
                    Member(declaration, $"{optionsAccessibility} static readonly MemoryCacheEntryOptions {names.EntryOptions} = "
                        + (modern ? "new()" : "new MemoryCacheEntryOptions")
                        + $" {{ Size = 1, SlidingExpiration = {timeSpan}.FromMinutes({names.SlidingExpirationMinutes}) }};"),
                });

                var imports = new HashSet<DocumentId> { _document.Id };
                foreach (var rewrite in rewrites.OrderBy(r => r.Node.Span.Length))
                {
                    var documentEditor = await editor.GetDocumentEditorAsync(rewrite.Document, cancellationToken).ConfigureAwait(false);
                    documentEditor.ReplaceNode(rewrite.Node, (current, _) => rewrite.Replace(current));
                    if (rewrite.NeedsImport)
                        imports.Add(rewrite.Document);
                }

                var solution = editor.GetChangedSolution();
                foreach (var documentId in imports)
                    solution = await AddImportAsync(solution, documentId, cancellationToken).ConfigureAwait(false);
                return solution;
            };
        }

        /// <summary><c>new()</c>, <c>new Dictionary&lt;K, V&gt;()</c> or with capacity arguments only: nothing (a comparer, seed entries) the cache would drop.</summary>
        private static bool IsPlainCreation(ExpressionSyntax? value) => value switch
        {
            BaseObjectCreationExpressionSyntax creation => creation.Initializer is null
                && (creation.ArgumentList is null || creation.ArgumentList.Arguments.All(a => a.Expression is LiteralExpressionSyntax { RawKind: (int)SyntaxKind.NumericLiteralExpression })),
            _ => false,
        };

        private static async Task<Solution> AddImportAsync(Solution solution, DocumentId documentId, CancellationToken cancellationToken)
        {
            var document = solution.GetDocument(documentId);
            if (document is null || await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not CompilationUnitSyntax root
                || await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false) is not { } model)
            {
                return solution;
            }

            var probe = root.Members.FirstOrDefault()?.SpanStart ?? 0;
            if (model.LookupNamespacesAndTypes(probe, name: "MemoryCacheEntryOptions").Any(s => s.ContainingNamespace?.ToDisplayString() == CachingNamespace))
                return solution;                          // already imported (a global using, or one in the namespace)

            var newLine = NewLineOf(root);
            var directive = UsingDirective(ParseName(CachingNamespace))
                .WithUsingKeyword(Token(TriviaList(), SyntaxKind.UsingKeyword, TriviaList(Space)))
                .WithTrailingTrivia(EndOfLine(newLine));
            if (root.Usings.Count == 0)
            {
                // The file's leading comments stay on top; a blank line separates the directive from the code.
                var first = root.GetFirstToken(includeZeroWidth: true);
                var updated = root.ReplaceToken(first, first.WithLeadingTrivia(EndOfLine(newLine)));
                return solution.WithDocumentSyntaxRoot(documentId, updated.WithUsings(List(new[] { directive.WithLeadingTrivia(first.LeadingTrivia) })));
            }

            var index = 0;
            while (index < root.Usings.Count && SortsBefore(root.Usings[index]))
                index++;
            return solution.WithDocumentSyntaxRoot(documentId, root.WithUsings(root.Usings.Insert(index, directive)));

            static bool SortsBefore(UsingDirectiveSyntax existing)
            {
                if (existing.GlobalKeyword != default || existing.StaticKeyword != default || existing.Alias is not null || existing.Name is null)
                    return existing.GlobalKeyword != default;       // global usings first; static and alias usings last
                var name = existing.Name.ToString();
                var system = name == "System" || name.StartsWith("System.", StringComparison.Ordinal);
                return system || string.CompareOrdinal(name, CachingNamespace) < 0;
            }
        }
    }

    /// <summary>The names the MemoryCache fix adds next to the field.</summary>
    private sealed class CacheNames
    {
        public CacheNames(string sizeLimit, string slidingExpirationMinutes, string entryOptions)
        {
            SizeLimit = sizeLimit;
            SlidingExpirationMinutes = slidingExpirationMinutes;
            EntryOptions = entryOptions;
        }

        public string SizeLimit { get; }
        public string SlidingExpirationMinutes { get; }
        public string EntryOptions { get; }
    }

    /// <summary>One reference to the field: its document, syntax, operation and the member whose body holds it.</summary>
    private sealed class FieldReference
    {
        private FieldReference(Document document, SemanticModel model, ExpressionSyntax syntax, IFieldReferenceOperation operation, ISymbol containingSymbol)
        {
            Document = document;
            Model = model;
            Syntax = syntax;
            Operation = operation;
            ContainingSymbol = containingSymbol;
        }

        public Document Document { get; }
        public SemanticModel Model { get; }

        /// <summary><c>Cache</c>, <c>Holder.Cache</c> or <c>this._cache</c>.</summary>
        public ExpressionSyntax Syntax { get; }
        public IFieldReferenceOperation Operation { get; }
        public ISymbol ContainingSymbol { get; }

        /// <summary>Every reference of <paramref name="field"/> in <paramref name="solution"/>, or null when one cannot be understood.</summary>
        public static async Task<List<FieldReference>?> FindAllAsync(Solution solution, IFieldSymbol field, CancellationToken cancellationToken)
        {
            var uses = new List<FieldReference>();
            foreach (var referenced in await SymbolFinder.FindReferencesAsync(field, solution, cancellationToken).ConfigureAwait(false))
            {
                foreach (var location in referenced.Locations.OrderBy(l => l.Document.FilePath, StringComparer.Ordinal).ThenBy(l => l.Location.SourceSpan.Start))
                {
                    if (location.IsImplicit || location.IsCandidateLocation)
                        return null;
                    var root = await location.Document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
                    var model = await location.Document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
                    if (root is null || model is null)
                        return null;
                    var node = root.FindNode(location.Location.SourceSpan, getInnermostNodeForTie: true);
                    if (node.FirstAncestorOrSelf<CrefSyntax>() is not null)
                        continue;                         // documentation only
                    var expression = ExpressionOf(node);
                    if (model.GetOperation(expression, cancellationToken) is not IFieldReferenceOperation operation)
                    {
                        if (IsInNameOf(expression))
                            continue;
                        return null;
                    }

                    uses.Add(new FieldReference(location.Document, model, expression, operation, MemberOf(model, expression, cancellationToken)));
                }
            }

            return uses;
        }

        /// <summary>The expression a name stands for: <c>Holder.Cache</c> for the <c>Cache</c> in it.</summary>
        public static ExpressionSyntax ExpressionOf(SyntaxNode node)
        {
            var expression = node as ExpressionSyntax ?? (ExpressionSyntax)node.Parent!;
            while (expression.Parent is MemberAccessExpressionSyntax access && access.Name == expression)
                expression = access;
            return expression;
        }

        /// <summary>The member whose body holds <paramref name="node"/>, as <c>OperationAnalysisContext.ContainingSymbol</c> reports it.</summary>
        public static ISymbol MemberOf(SemanticModel model, SyntaxNode node, CancellationToken cancellationToken)
        {
            var symbol = model.GetEnclosingSymbol(node.SpanStart, cancellationToken)!;
            while (symbol is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction } && symbol.ContainingSymbol is not null)
                symbol = symbol.ContainingSymbol;
            return symbol;
        }

        private static bool IsInNameOf(SyntaxNode node) =>
            node.Ancestors().OfType<InvocationExpressionSyntax>().Any(i => i.Expression is IdentifierNameSyntax { Identifier.ValueText: "nameof" });

        public bool IsInContainingType(IFieldSymbol field)
        {
            for (var type = ContainingSymbol as INamedTypeSymbol ?? ContainingSymbol.ContainingType; type is not null; type = type.ContainingType)
            {
                if (SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, field.ContainingType.OriginalDefinition))
                    return true;
            }

            return false;
        }

        /// <summary>How this use site names a member declared next to the field: <c>Holder.Name</c> when it names the field <c>Holder.Cache</c>.</summary>
        public string Sibling(IFieldSymbol field, string name)
        {
            if (Syntax is MemberAccessExpressionSyntax access && Model.GetSymbolInfo(access.Expression).Symbol is INamedTypeSymbol)
                return access.Expression.WithoutTrivia() + "." + name;
            return IsInContainingType(field)
                ? name
                : field.ContainingType.ToMinimalDisplayString(Model, Syntax.SpanStart) + "." + name;
        }
    }

    /// <summary>Where the bound fix puts its check: before a statement, or in a block that replaces an embedded statement or an expression body.</summary>
    private sealed class GuardAnchor
    {
        private readonly AnchorKind _kind;
        private readonly string _indentation;
        private readonly string _unit;
        private readonly string _newLine;
        private readonly bool _returnsValue;

        private GuardAnchor(AnchorKind kind, SyntaxNode node, string indentation, string unit, string newLine, bool returnsValue = false)
        {
            _kind = kind;
            Node = node;
            _indentation = indentation;
            _unit = unit;
            _newLine = newLine;
            _returnsValue = returnsValue;
        }

        private enum AnchorKind
        {
            Statement,        // a statement in a block, a switch section or top-level code: the check goes before it
            Embedded,         // `if (x) Cache.Add(y);`: Node is the if/else/loop/using/lock that holds it
            ExpressionBody,   // `void M() => Cache.Add(y);` or `x => Cache.Add(x)`: Node gets a block body
        }

        /// <summary>The node the edit replaces or inserts before.</summary>
        public SyntaxNode Node { get; }

        public static GuardAnchor? Find(FieldReference use, IOperation growth)
        {
            if (growth is IMethodReferenceOperation || use.Operation.WalkUpConversions().Parent is IConditionalAccessOperation)
                return null;                              // a method group runs many times; `?.` may have no collection to clear
            var newLine = NewLineOf(use.Syntax.SyntaxTree.GetRoot());
            for (var node = growth.Syntax; node.Parent is { } parent; node = parent)
            {
                switch (parent)
                {
                    case StatementSyntax statement:
                        if (statement is WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax && EmbeddedOf(statement) != node)
                            return null;                  // a loop condition runs again and again
                        return statement.Parent switch
                        {
                            BlockSyntax or SwitchSectionSyntax or GlobalStatementSyntax =>
                                new GuardAnchor(AnchorKind.Statement, statement, LineIndentation(statement), Unit(statement), newLine),
                            { } container when EmbeddedOf(container) == statement =>
                                new GuardAnchor(AnchorKind.Embedded, container, LineIndentation(container), Unit(container), newLine),
                            _ => null,                    // a labeled statement
                        };
                    case ArrowExpressionClauseSyntax arrow when arrow.Parent is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AccessorDeclarationSyntax:
                        return use.Model.GetDeclaredSymbol(arrow.Parent) is IMethodSymbol method
                            ? new GuardAnchor(AnchorKind.ExpressionBody, arrow.Parent, LineIndentation(arrow.Parent), Unit(arrow.Parent), newLine, ReturnsValue(method))
                            : null;
                    case LambdaExpressionSyntax lambda when lambda.ExpressionBody == node:
                        return use.Model.GetSymbolInfo(lambda).Symbol is IMethodSymbol function
                            ? new GuardAnchor(AnchorKind.ExpressionBody, lambda, LineIndentation(lambda), Unit(lambda), newLine, ReturnsValue(function))
                            : null;
                    case MemberDeclarationSyntax or ArrowExpressionClauseSyntax:
                        return null;                      // a field initializer, a property's expression body
                }
            }

            return null;
        }

        /// <summary>The statement an if/else/loop/using/lock/fixed runs, or null.</summary>
        private static StatementSyntax? EmbeddedOf(SyntaxNode container) => container switch
        {
            IfStatementSyntax ifStatement => ifStatement.Statement,
            ElseClauseSyntax elseClause => elseClause.Statement,
            WhileStatementSyntax whileStatement => whileStatement.Statement,
            DoStatementSyntax doStatement => doStatement.Statement,
            ForStatementSyntax forStatement => forStatement.Statement,
            CommonForEachStatementSyntax forEach => forEach.Statement,
            UsingStatementSyntax usingStatement => usingStatement.Statement,
            LockStatementSyntax lockStatement => lockStatement.Statement,
            FixedStatementSyntax fixedStatement => fixedStatement.Statement,
            _ => null,
        };

        private static bool ReturnsValue(IMethodSymbol method) =>
            !method.ReturnsVoid
            && !(method.IsAsync && method.ReturnType is INamedTypeSymbol { IsGenericType: false, Name: "Task" or "ValueTask" });

        public void Apply(DocumentEditor editor, string condition, string body)
        {
            var inner = _indentation + _unit;
            switch (_kind)
            {
                case AnchorKind.Statement:
                    var guard = Guard(condition, body, _indentation);
                    if (Node.Parent is GlobalStatementSyntax global)
                        editor.InsertBefore(global, GlobalStatement(guard));
                    else
                        editor.InsertBefore(Node, guard);
                    break;
                case AnchorKind.Embedded:
                    editor.ReplaceNode(Node, (current, _) =>
                    {
                        var statement = EmbeddedOf(current)!;
                        var before = statement.GetFirstToken().GetPreviousToken();
                        var block = Block(
                            Token(TriviaList(Whitespace(_indentation)), SyntaxKind.OpenBraceToken, TriviaList(EndOfLine(_newLine))),
                            List(new[] { Guard(condition, body, inner), Reindent(statement, inner) }),
                            Token(TriviaList(Whitespace(_indentation)), SyntaxKind.CloseBraceToken, statement.GetTrailingTrivia()));
                        return current.ReplaceSyntax(
                            new[] { statement }, (_, _) => block,
                            new[] { before }, (_, token) => token.WithTrailingTrivia(EndOfLine(_newLine)),
                            Enumerable.Empty<SyntaxTrivia>(), (_, trivia) => trivia);
                    });
                    break;
                default:
                    editor.ReplaceNode(Node, (current, _) => ToBlockBody(current, Guard(condition, body, inner)));
                    break;
            }
        }

        /// <summary><c>if (condition)</c> on one line, <c>body</c> indented on the next.</summary>
        private StatementSyntax Guard(string condition, string body, string indentation) =>
            ParseStatement($"{condition}{_newLine}{indentation}{_unit}{body}{_newLine}").WithLeadingTrivia(Whitespace(indentation));

        /// <summary><c>M() => expr;</c> / <c>x => expr</c> become a block: the check, then <c>expr;</c> or <c>return expr;</c>.</summary>
        private SyntaxNode ToBlockBody(SyntaxNode current, StatementSyntax guard)
        {
            var inner = _indentation + _unit;
            (SyntaxToken Arrow, ExpressionSyntax Expression) parts = current switch
            {
                BaseMethodDeclarationSyntax method => (method.ExpressionBody!.ArrowToken, method.ExpressionBody.Expression),
                LocalFunctionStatementSyntax local => (local.ExpressionBody!.ArrowToken, local.ExpressionBody.Expression),
                AccessorDeclarationSyntax accessor => (accessor.ExpressionBody!.ArrowToken, accessor.ExpressionBody.Expression),
                LambdaExpressionSyntax function => (function.ArrowToken, function.ExpressionBody!),
                _ => throw new InvalidOperationException("unexpected anchor " + current.Kind()),
            };
            var (arrow, expression) = parts;
            StatementSyntax last = _returnsValue
                ? ReturnStatement(Token(TriviaList(Whitespace(inner)), SyntaxKind.ReturnKeyword, TriviaList(Space)), expression.WithoutTrivia(), Token(SyntaxKind.SemicolonToken))
                : ExpressionStatement(expression.WithoutTrivia().WithLeadingTrivia(Whitespace(inner)));
            last = last.WithTrailingTrivia(EndOfLine(_newLine));
            var open = Token(TriviaList(Whitespace(_indentation)), SyntaxKind.OpenBraceToken, TriviaList(EndOfLine(_newLine)));
            var close = Token(TriviaList(Whitespace(_indentation)), SyntaxKind.CloseBraceToken, TriviaList());
            if (current is LambdaExpressionSyntax lambda)
            {
                // `x => expr` keeps its arrow on the line; the block opens on the next one.
                var withArrow = (LambdaExpressionSyntax)lambda.ReplaceToken(lambda.ArrowToken, lambda.ArrowToken.WithTrailingTrivia(EndOfLine(_newLine)));
                return withArrow.WithExpressionBody(null)
                    .WithBlock(Block(open, List(new[] { guard, last }), close.WithTrailingTrivia(expression.GetTrailingTrivia())));
            }

            // `M() => expr;` loses the arrow and the semicolon; the block starts on the line after the signature.
            var before = arrow.GetPreviousToken();
            var body = Block(open, List(new[] { guard, last }), close.WithTrailingTrivia(current.GetLastToken().TrailingTrivia));
            var signature = current.ReplaceToken(before, before.WithTrailingTrivia(EndOfLine(_newLine)));
            return signature switch
            {
                BaseMethodDeclarationSyntax method => method.WithExpressionBody(null).WithSemicolonToken(default).WithBody(body),
                LocalFunctionStatementSyntax local => local.WithExpressionBody(null).WithSemicolonToken(default).WithBody(body),
                AccessorDeclarationSyntax accessor => accessor.WithExpressionBody(null).WithSemicolonToken(default).WithBody(body),
                _ => throw new InvalidOperationException("unexpected anchor " + current.Kind()),
            };
        }

        /// <summary>The statement on its own line at <paramref name="indentation"/>, keeping its comments.</summary>
        private static StatementSyntax Reindent(StatementSyntax statement, string indentation) =>
            statement.WithLeadingTrivia(TriviaList(Whitespace(indentation))
                .AddRange(statement.GetLeadingTrivia().Where(t => !t.IsKind(SyntaxKind.WhitespaceTrivia) && !t.IsKind(SyntaxKind.EndOfLineTrivia))));
    }

    /// <summary>One use of the field rewritten for a <c>MemoryCache</c>; <see cref="Replace"/> works on the node as earlier (inner) rewrites left it.</summary>
    private sealed class Rewrite
    {
        public Rewrite(DocumentId document, SyntaxNode node, Func<SyntaxNode, SyntaxNode> replace, bool needsImport)
        {
            Document = document;
            Node = node;
            Replace = replace;
            NeedsImport = needsImport;
        }

        public DocumentId Document { get; }
        public SyntaxNode Node { get; }
        public Func<SyntaxNode, SyntaxNode> Replace { get; }

        /// <summary>The rewrite calls extension methods of Microsoft.Extensions.Caching.Memory.</summary>
        public bool NeedsImport { get; }
    }

    /// <summary>How each supported use of a dictionary maps onto <c>MemoryCache</c>.</summary>
    private static class CacheRewrite
    {
        /// <summary>False when the use is not supported; true with a null rewrite when it works unchanged (<c>Count</c>, <c>lock</c>, <c>nameof</c>).</summary>
        public static bool TryCreate(FieldReference use, ITypeSymbol key, ITypeSymbol value, CacheNames names, List<FieldReference> all,
            Dictionary<SyntaxNode, HashSet<string>> locals, CancellationToken cancellationToken, out Rewrite? rewrite)
        {
            rewrite = null;
            var operation = use.Operation;
            if (operation.Parent is INameOfOperation)
                return true;
            if (operation.WalkUpConversions() != operation)
                return false;
            var model = use.Model;
            var position = use.Syntax.SpanStart;
            var valueType = value.ToMinimalDisplayString(model, position);
            var options = use.Sibling(use.Operation.Field, names.EntryOptions);
            // MemoryCache's Get<T>/GetOrCreate<T> return T? (not annotated otherwise, up to .NET 10). Where nullable warnings
            // are on and the dictionary's values cannot be null, say what the dictionary guaranteed.
            var nonNull = model.GetNullableContext(position).WarningsEnabled()
                && !value.IsValueType && value.NullableAnnotation == NullableAnnotation.NotAnnotated;
            var documentId = use.Document.Id;
            switch (operation.Parent)
            {
                case ILockOperation:
                case IPropertyReferenceOperation { Property.Name: "Count", Property.IsIndexer: false }:
                    return true;

                case IPropertyReferenceOperation { Property.IsIndexer: true } indexer
                    when indexer.Syntax is ElementAccessExpressionSyntax { ArgumentList.Arguments.Count: 1 } access && access.Expression == use.Syntax:
                    if (indexer.Parent is ISimpleAssignmentOperation assignment && assignment.Target == indexer)
                    {
                        rewrite = new Rewrite(documentId, assignment.Syntax, current =>
                        {
                            var set = (AssignmentExpressionSyntax)current;
                            var target = (ElementAccessExpressionSyntax)set.Left;
                            return ParseExpression($"{target.Expression}.Set({target.ArgumentList.Arguments}, {set.Right.WithoutTrivia()}, {options})").WithTriviaFrom(current);
                        }, needsImport: true);
                        return true;
                    }

                    if (indexer.Parent is IAssignmentOperation { Target: var target } && target == indexer
                        || indexer.Parent is IIncrementOrDecrementOperation or IArgumentOperation { Parameter.RefKind: not RefKind.None })
                    {
                        return false;                     // `Cache[k] += 1`: a read and a write the cache cannot do at once
                    }

                    var missing = model.Compilation.GetBestTypeByMetadataName("System.Collections.Generic.KeyNotFoundException")?.ToMinimalDisplayString(model, position)
                        ?? "System.Collections.Generic.KeyNotFoundException";
                    var standsAlone = access.Parent is ArrowExpressionClauseSyntax or EqualsValueClauseSyntax or ReturnStatementSyntax or ArgumentSyntax
                        || access.Parent is AssignmentExpressionSyntax { Right: var right } && right == access;
                    rewrite = new Rewrite(documentId, access, current =>
                    {
                        var read = (ElementAccessExpressionSyntax)current;
                        var get = $"{read.Expression}.Get<{valueType}>({read.ArgumentList.Arguments})";
                        var text = !nonNull ? get : standsAlone ? $"{get} ?? throw new {missing}()" : $"({get} ?? throw new {missing}())";
                        return ParseExpression(text).WithTriviaFrom(current);
                    }, needsImport: true);
                    return true;
            }

            // Methods: instance calls, or extension calls on the field (CollectionExtensions.TryAdd on an IDictionary).
            var invocation = operation.Parent switch
            {
                IInvocationOperation call when call.Instance == operation => call,
                IArgumentOperation { Parent: IInvocationOperation call, Parameter.Ordinal: 0 } when call.TargetMethod.IsExtensionMethod => call,
                _ => null,
            };
            if (invocation?.Syntax is not InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax member } syntax || member.Expression != use.Syntax)
                return false;
            var arguments = syntax.ArgumentList.Arguments;
            if (arguments.Any(a => a.NameColon is not null))
                return false;
            var receiver = use.Syntax.WithoutTrivia().ToString();
            switch (invocation.TargetMethod.Name, arguments.Count)
            {
                case ("TryGetValue", 2):
                    rewrite = new Rewrite(documentId, syntax, current =>
                    {
                        var call = (InvocationExpressionSyntax)current;
                        var name = ((MemberAccessExpressionSyntax)call.Expression).Name;
                        return call.ReplaceNode(name, GenericName(Identifier(name.Identifier.LeadingTrivia, "TryGetValue", name.Identifier.TrailingTrivia),
                            TypeArgumentList(SingletonSeparatedList(ParseTypeName(valueType)))));
                    }, needsImport: true);
                    return true;

                case ("ContainsKey", 1):
                    rewrite = new Rewrite(documentId, syntax, current =>
                    {
                        var call = (InvocationExpressionSyntax)current;
                        return ParseExpression($"{((MemberAccessExpressionSyntax)call.Expression).Expression}.TryGetValue({call.ArgumentList.Arguments}, out _)").WithTriviaFrom(current);
                    }, needsImport: false);
                    return true;
            }

            // The rest carry lambdas and evaluate the key more than once: no other use of the field may sit inside them.
            if (all.Any(u => u != use && u.Document.Id == use.Document.Id && syntax.Span.Contains(u.Syntax.Span)))
                return false;
            var indentation = LineIndentation(syntax);
            var unit = Unit(syntax);
            var newLine = NewLineOf(syntax.SyntaxTree.GetRoot(cancellationToken));
            var keyType = key.ToMinimalDisplayString(model, position);
            switch (invocation.TargetMethod.Name, arguments.Count)
            {
                case ("GetOrAdd", 2):
                {
                    var entry = FreshName(model, syntax, "entry", locals, cancellationToken);
                    var body = FactoryBody(invocation.TargetMethod.Parameters[1].Type, arguments[1].Expression, $"({keyType}){entry}.Key", model, cancellationToken);
                    if (body is null)
                        return false;
                    var text = GetOrCreate(receiver, valueType, arguments[0].Expression, entry, options, body, indentation, unit, newLine) + (nonNull ? "!" : "");
                    rewrite = new Rewrite(documentId, syntax, current => ParseExpression(text).WithTriviaFrom(current), needsImport: true);
                    return true;
                }

                case ("TryAdd", 2) when invocation.Parent is IExpressionStatementOperation
                    || invocation.Parent is ISimpleAssignmentOperation { Target: IDiscardOperation, Parent: IExpressionStatementOperation }:
                {
                    // Only when nobody reads the result: TryAdd reports whether it added, GetOrCreate does not.
                    var entry = FreshName(model, syntax, "entry", locals, cancellationToken);
                    var body = new FactoryCode("return " + arguments[1].Expression.WithoutTrivia() + ";");
                    var text = GetOrCreate(receiver, valueType, arguments[0].Expression, entry, options, body, indentation, unit, newLine);
                    rewrite = new Rewrite(documentId, syntax, current => ParseExpression(text).WithTriviaFrom(current), needsImport: true);
                    return true;
                }

                case ("AddOrUpdate", 3) when IsSimple(arguments[0].Expression):
                {
                    var keyText = arguments[0].Expression.WithoutTrivia().ToString();
                    var current = FreshName(model, syntax, "current", locals, cancellationToken);
                    var add = Inline(invocation.TargetMethod.Parameters[1].Type, arguments[1].Expression, new[] { keyText }, model, cancellationToken);
                    var update = Inline(invocation.TargetMethod.Parameters[2].Type, arguments[2].Expression, new[] { keyText, current }, model, cancellationToken);
                    if (add is null || update is null)
                        return false;
                    var text = update == add
                        ? $"{receiver}.Set({keyText}, {add}, {options})"        // AddOrUpdate(k, v, (_, _) => v): just a set
                        : $"{receiver}.Set({keyText}, {receiver}.TryGetValue<{valueType}>({keyText}, out var {current}) ? {update} : {add}, {options})";
                    rewrite = new Rewrite(documentId, syntax, node => ParseExpression(text).WithTriviaFrom(node), needsImport: true);
                    return true;
                }

                default:
                    return false;
            }
        }

        /// <summary>The code of a <c>GetOrCreate</c> factory: a lambda's modifiers, an optional key local, and its statements.</summary>
        private sealed class FactoryCode
        {
            public FactoryCode(string statements, bool isAsync = false, bool isStatic = false, string prologue = "", bool reindent = false)
            {
                Statements = statements;
                IsAsync = isAsync;
                IsStatic = isStatic;
                Prologue = prologue;
                Reindent = reindent;
            }

            /// <summary>The statements; when <see cref="Reindent"/>, each line is indented anew, otherwise only the first (the rest keep their layout).</summary>
            public string Statements { get; }
            public bool IsAsync { get; }
            public bool IsStatic { get; }
            public string Prologue { get; }
            public bool Reindent { get; }
        }

        private static string GetOrCreate(string receiver, string valueType, ExpressionSyntax key, string entry, string options, FactoryCode body,
            string indentation, string unit, string newLine)
        {
            var inner = indentation + unit;
            var text = new StringBuilder()
                .Append(receiver).Append(".GetOrCreate<").Append(valueType).Append(">(").Append(key.WithoutTrivia()).Append(", ")
                .Append(body.IsStatic ? "static " : "").Append(body.IsAsync ? "async " : "").Append(entry).Append(" =>").Append(newLine)
                .Append(indentation).Append('{').Append(newLine)
                .Append(inner).Append(entry).Append(".SetOptions(").Append(options).Append(");").Append(newLine);
            if (body.Prologue.Length > 0)
                text.Append(inner).Append(body.Prologue).Append(newLine);
            var lines = body.Statements.Replace("\r\n", "\n").Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].Length > 0 && (i == 0 || body.Reindent))
                    text.Append(inner);
                text.Append(lines[i]).Append(newLine);
            }

            return text.Append(indentation).Append("})").ToString();
        }

        /// <summary>The factory's code inside <c>GetOrCreate</c>: a lambda's body with its parameter bound to the entry's key, or a call of the delegate.</summary>
        private static FactoryCode? FactoryBody(ITypeSymbol parameterType, ExpressionSyntax argument, string keyExpression, SemanticModel model, CancellationToken cancellationToken)
        {
            if (parameterType.TypeKind != TypeKind.Delegate)
                return new FactoryCode("return " + argument.WithoutTrivia() + ";");    // GetOrAdd(key, value)
            if (argument is not LambdaExpressionSyntax lambda)
                return new FactoryCode($"return {Invocable(argument)}({keyExpression});");
            var parameters = Parameters(lambda);
            if (parameters.Count != 1)
                return null;
            var parameter = model.GetDeclaredSymbol(parameters[0], cancellationToken);
            var used = parameter is not null && lambda.Body.DescendantNodes().OfType<IdentifierNameSyntax>()
                .Any(n => n.Identifier.ValueText == parameter.Name && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(n, cancellationToken).Symbol, parameter));
            var prologue = used ? $"var {parameters[0].Identifier.ValueText} = {keyExpression};" : "";
            var isAsync = lambda.AsyncKeyword != default;
            var isStatic = lambda.Modifiers.Any(SyntaxKind.StaticKeyword);
            return lambda.Body switch
            {
                BlockSyntax { Statements.Count: > 0 } block => new FactoryCode(Dedent(block.Statements), isAsync, isStatic, prologue, reindent: true),
                ExpressionSyntax expression => new FactoryCode("return " + expression.WithoutTrivia() + ";", isAsync, isStatic, prologue),
                _ => null,
            };
        }

        /// <summary>The statements' text with the indentation of their first line taken off every line.</summary>
        private static string Dedent(SyntaxList<StatementSyntax> statements)
        {
            var indentation = LineIndentation(statements[0]);
            var text = string.Concat(statements.Select(s => s.ToFullString())).TrimEnd().Replace("\r\n", "\n");
            return string.Join("\n", text.Split('\n').Select(l => l.StartsWith(indentation, StringComparison.Ordinal) ? l.Substring(indentation.Length) : l.TrimStart()));
        }

        /// <summary>
        /// An <c>AddOrUpdate</c> argument as an expression of <paramref name="arguments"/>: a value as it is, a delegate called
        /// with them, or an expression-bodied lambda with its parameters replaced by them.
        /// </summary>
        private static string? Inline(ITypeSymbol parameterType, ExpressionSyntax argument, string[] arguments, SemanticModel model, CancellationToken cancellationToken)
        {
            if (parameterType.TypeKind != TypeKind.Delegate)
                return Parenthesize(argument.WithoutTrivia());
            if (argument is not LambdaExpressionSyntax lambda)
                return $"{Invocable(argument)}({string.Join(", ", arguments)})";
            var parameters = Parameters(lambda);
            if (lambda.Body is not ExpressionSyntax body || parameters.Count != arguments.Length || lambda.AsyncKeyword != default)
                return null;
            var symbols = parameters.Select(p => model.GetDeclaredSymbol(p, cancellationToken)).ToList();
            var replacements = new Dictionary<SyntaxNode, SyntaxNode>();
            foreach (var name in body.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
            {
                var index = symbols.FindIndex(s => s is not null && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, s));
                if (index >= 0)
                    replacements[name] = ParseExpression(arguments[index]).WithTriviaFrom(name);
            }

            return Parenthesize(body.ReplaceNodes(replacements.Keys, (original, _) => replacements[original]).WithoutTrivia());
        }

        private static string Parenthesize(ExpressionSyntax expression) =>
            expression is AssignmentExpressionSyntax or ConditionalExpressionSyntax or LambdaExpressionSyntax or ThrowExpressionSyntax
                ? "(" + expression + ")"
                : expression.ToString();

        private static string Invocable(ExpressionSyntax expression) =>
            expression is IdentifierNameSyntax or MemberAccessExpressionSyntax or GenericNameSyntax ? expression.WithoutTrivia().ToString() : "(" + expression.WithoutTrivia() + ")";

        private static SeparatedSyntaxList<ParameterSyntax> Parameters(LambdaExpressionSyntax lambda) => lambda switch
        {
            SimpleLambdaExpressionSyntax simple => SingletonSeparatedList(simple.Parameter),
            ParenthesizedLambdaExpressionSyntax parenthesized => parenthesized.ParameterList.Parameters,
            _ => default,
        };

        /// <summary>A key expression that can be evaluated several times: a name, a literal, <c>this.x</c>, <c>a.b</c>.</summary>
        private static bool IsSimple(ExpressionSyntax expression) => expression switch
        {
            IdentifierNameSyntax or LiteralExpressionSyntax or ThisExpressionSyntax => true,
            MemberAccessExpressionSyntax access => IsSimple(access.Expression),
            _ => false,
        };

        /// <summary><paramref name="name"/>, or name2, name3… when it is visible at the use or declared in the same member.</summary>
        private static string FreshName(SemanticModel model, SyntaxNode node, string name, Dictionary<SyntaxNode, HashSet<string>> locals, CancellationToken cancellationToken)
        {
            var scope = node.FirstAncestorOrSelf<MemberDeclarationSyntax>() ?? node.SyntaxTree.GetRoot(cancellationToken);
            if (!locals.TryGetValue(scope, out var taken))
            {
                taken = new HashSet<string>(scope.DescendantNodes().Select(n => n switch
                {
                    VariableDeclaratorSyntax v => v.Identifier.ValueText,
                    ParameterSyntax p => p.Identifier.ValueText,
                    SingleVariableDesignationSyntax d => d.Identifier.ValueText,
                    ForEachStatementSyntax f => f.Identifier.ValueText,
                    LocalFunctionStatementSyntax l => l.Identifier.ValueText,
                    _ => null,
                }).OfType<string>(), StringComparer.Ordinal);
                locals[scope] = taken;
            }

            for (var i = 1; ; i++)
            {
                var candidate = i == 1 ? name : name + i.ToString(CultureInfo.InvariantCulture);
                if (!taken.Contains(candidate) && model.LookupSymbols(node.SpanStart, name: candidate).IsEmpty)
                {
                    taken.Add(candidate);
                    return candidate;
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Layout: new code takes the surrounding indentation and line endings, so the user's formatting is left alone.

    private static MemberDeclarationSyntax Member(FieldDeclarationSyntax next, string text) =>
        ParseMemberDeclaration(text)!
            .WithLeadingTrivia(Whitespace(LineIndentation(next)))
            .WithTrailingTrivia(EndOfLine(NewLineOf(next.SyntaxTree.GetRoot())));

    /// <summary>10_000 rather than 10000: the constants are meant to be read and tuned.</summary>
    private static string Number(int value) =>
        value >= 10_000 ? value.ToString("N0", CultureInfo.InvariantCulture).Replace(",", "_") : value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The whitespace that starts the line of <paramref name="node"/>.</summary>
    private static string LineIndentation(SyntaxNode node)
    {
        var text = node.SyntaxTree.GetText();
        var line = text.Lines.GetLineFromPosition(node.SpanStart).ToString();
        return line.Substring(0, line.Length - line.TrimStart().Length);
    }

    /// <summary>One level of indentation: a tab where the file indents with tabs, else four spaces.</summary>
    private static string Unit(SyntaxNode node) => LineIndentation(node).Contains('\t') ? "\t" : "    ";

    private static string NewLineOf(SyntaxNode root) =>
        root.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) is { RawKind: (int)SyntaxKind.EndOfLineTrivia } newLine
            ? newLine.ToString()
            : "\n";
}
