using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.FindSymbols;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using static LeakAnalyzers.Rules.UnboundedStaticCollectionAnalyzer;

namespace LeakAnalyzers.Rules;

/// <summary>"Use a size-limited MemoryCache".</summary>
public sealed partial class UnboundedStaticCollectionFixer
{
    private sealed partial class FieldFix
    {
        /// <summary>
        /// The field becomes a <c>MemoryCache</c> with a size limit, followed by its constants and shared entry options,
        /// and every reference of it in the solution is rewritten (<see cref="CacheRewrite"/>). The analyzer said the
        /// collection can become a cache; null when the declaration holds other fields or a use cannot be rewritten.
        /// </summary>
        private async Task<Func<CancellationToken, Task<Solution>>?> PlanMemoryCacheAsync(CancellationToken cancellationToken)
        {
            if (_types.Collections is not { MemoryCache: { } memoryCache, MemoryCacheOptions: { } cacheOptions, MemoryCacheEntryOptions: { } entryOptions }
                || _shape.Value is not { } value
                || Declaration.Declaration.Variables.Count != 1
                || _declarator.Initializer is not { } initializer
                || await FieldReference.FindAllAsync(_solution, _field, cancellationToken).ConfigureAwait(false) is not { } uses)
            {
                return null;
            }

            var taken = new HashSet<string>(StringComparer.Ordinal);
            var names = new CacheNames(
                UniqueMemberName(Stem + "SizeLimit", taken),
                UniqueMemberName(Stem + "SlidingExpirationMinutes", taken),
                UniqueMemberName(Stem + "EntryOptions", taken));
            var rewrites = new List<Rewrite>();
            var rewriter = new CacheRewrite(this, _shape.Key, value, names, uses);
            foreach (var use in uses)
            {
                if (await use.Document.Project.GetCompilationAsync(cancellationToken).ConfigureAwait(false) is not { } compilation
                    || KnownTypes.Get(compilation).Collections?.CacheExtensions is not { } cacheExtensions)
                {
                    return null;                          // a project that does not reference Microsoft.Extensions.Caching.Memory
                }

                if (!rewriter.TryCreate(use, cacheExtensions, cancellationToken, out var rewrite))
                    return null;                          // a use the fix cannot rewrite: not offered
                if (rewrite is not null)
                    rewrites.Add(rewrite);
            }

            var modern = ((CSharpParseOptions)_declarator.SyntaxTree.Options).LanguageVersion >= LanguageVersion.CSharp9;
            var limit = Options.GetInt(_declarator.SyntaxTree, CacheSizeLimitOption, DefaultCacheSizeLimit);
            var minutes = Options.GetInt(_declarator.SyntaxTree, CacheSlidingExpirationMinutesOption, DefaultCacheSlidingExpirationMinutes);
            var optionsAccessibility = SiblingAccessibility(uses.Select(u => IsInContainingType(u.Model, u.Syntax)));
            var timeSpan = _types.Reflection.TimeSpan;

            return async cancellationToken =>
            {
                var editor = new SolutionEditor(_solution);
                var declarationEditor = await editor.GetDocumentEditorAsync(_document.Id, cancellationToken).ConfigureAwait(false);
                var generator = declarationEditor.Generator;
                var declaration = Declaration;
                declarationEditor.ReplaceNode(declaration.Declaration.Type, (current, _) => TypeWithImport(generator, memoryCache).WithTriviaFrom(current));

                // new(new MemoryCacheOptions { SizeLimit = CacheSizeLimit }), or new MemoryCache(…) before C# 9
                var sizeLimit = Initialized(SyntaxFactory.ObjectCreationExpression((TypeSyntax)TypeWithImport(generator, cacheOptions)),
                    ("SizeLimit", generator.IdentifierName(names.SizeLimit)));
                var cache = modern
                    ? SyntaxFactory.ImplicitObjectCreationExpression().AddArgumentListArguments(SyntaxFactory.Argument(sizeLimit))
                    : generator.ObjectCreationExpression(TypeWithImport(generator, memoryCache), sizeLimit);
                declarationEditor.ReplaceNode(initializer.Value, (current, _) => cache.WithTriviaFrom(current).WithAdditionalAnnotations(Formatter.Annotation));

                // new() { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(CacheSlidingExpirationMinutes) }
                var slidingExpiration = generator.InvocationExpression(
                    generator.MemberAccessExpression(timeSpan is null ? generator.IdentifierName("TimeSpan") : TypeAsExpression(generator, timeSpan), "FromMinutes"),
                    generator.IdentifierName(names.SlidingExpirationMinutes));
                var entry = Initialized(
                    modern ? SyntaxFactory.ImplicitObjectCreationExpression() : SyntaxFactory.ObjectCreationExpression((TypeSyntax)TypeWithImport(generator, entryOptions)),
                    ("Size", generator.LiteralExpression(1)), ("SlidingExpiration", slidingExpiration));
                declarationEditor.InsertAfter(declaration, new[]
                {
                    generator.FieldDeclaration(names.SizeLimit, generator.TypeExpression(SpecialType.System_Int32), Accessibility.Private, DeclarationModifiers.Const, Number(limit)),
                    generator.FieldDeclaration(names.SlidingExpirationMinutes, generator.TypeExpression(SpecialType.System_Int32), Accessibility.Private, DeclarationModifiers.Const, Number(minutes)),
                    generator.FieldDeclaration(names.EntryOptions, TypeWithImport(generator, entryOptions), optionsAccessibility, DeclarationModifiers.Static | DeclarationModifiers.ReadOnly, entry),
                }.Select(member => member.WithAdditionalAnnotations(Formatter.Annotation)));

                foreach (var rewrite in rewrites.OrderBy(r => r.Node.Span.Length))
                {
                    var documentEditor = await editor.GetDocumentEditorAsync(rewrite.Document, cancellationToken).ConfigureAwait(false);
                    documentEditor.ReplaceNode(rewrite.Node, (current, generator) => rewrite.Replace(current, generator));
                }

                return editor.GetChangedSolution();
            };
        }

        /// <summary>The type, named as short as the file allows once the cleanup has added its <c>using</c> where it lacks.</summary>
        private static SyntaxNode TypeWithImport(SyntaxGenerator generator, ITypeSymbol type) =>
            generator.TypeExpression(type).WithAdditionalAnnotations(Simplifier.AddImportsAnnotation);

        /// <summary><paramref name="creation"/> with an object initializer setting <paramref name="members"/>.</summary>
        private static ExpressionSyntax Initialized(BaseObjectCreationExpressionSyntax creation, params (string Member, SyntaxNode Value)[] members) =>
            creation.WithInitializer(SyntaxFactory.InitializerExpression(SyntaxKind.ObjectInitializerExpression, SyntaxFactory.SeparatedList<ExpressionSyntax>(
                members.Select(m => SyntaxFactory.AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, SyntaxFactory.IdentifierName(m.Member), (ExpressionSyntax)m.Value)))));
    }

    /// <summary>The names the MemoryCache fix adds next to the field.</summary>
    private sealed record CacheNames(string SizeLimit, string SlidingExpirationMinutes, string EntryOptions);

    /// <summary>One reference to the field: its document, syntax and operation.</summary>
    private sealed record FieldReference(Document Document, SemanticModel Model, ExpressionSyntax Syntax, IFieldReferenceOperation Operation)
    {
        /// <summary>
        /// Every reference of <paramref name="field"/> in <paramref name="solution"/>, or null when one cannot be
        /// understood. The MemoryCache fix changes the field's type, so it must rewrite each one, wherever it is (other
        /// documents, other projects of the solution that the analyzer never saw); which of them grow the field is not
        /// asked here.
        /// </summary>
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
                        if (expression.Ancestors().OfType<InvocationExpressionSyntax>().Any(i => model.GetOperation(i, cancellationToken) is INameOfOperation))
                            continue;                     // nameof: unchanged
                        return null;
                    }

                    uses.Add(new FieldReference(location.Document, model, expression, operation));
                }
            }

            return uses;
        }

        /// <summary>The expression a name stands for: <c>Holder.Cache</c> for the <c>Cache</c> in it.</summary>
        private static ExpressionSyntax ExpressionOf(SyntaxNode node)
        {
            var expression = node as ExpressionSyntax ?? (ExpressionSyntax)node.Parent!;
            while (expression.Parent is MemberAccessExpressionSyntax access && access.Name == expression)
                expression = access;
            return expression;
        }
    }

    /// <summary>How each supported use of a dictionary maps onto <c>MemoryCache</c>.</summary>
    private sealed class CacheRewrite(FieldFix fix, ITypeSymbol key, ITypeSymbol value, CacheNames names, List<FieldReference> all)
    {
        private readonly Dictionary<SyntaxNode, HashSet<string>> _declared = new();

        /// <summary>False when the use is not supported; true with a null rewrite when it works unchanged (<c>Count</c>, <c>lock</c>, <c>nameof</c>).</summary>
        public bool TryCreate(FieldReference use, INamedTypeSymbol cacheExtensions, CancellationToken cancellationToken, out Rewrite? rewrite)
        {
            rewrite = null;
            var operation = use.Operation;
            if (operation.Parent is INameOfOperation)
                return true;
            if (operation.WalkUpConversions() != operation)
                return false;
            var model = use.Model;
            var documentId = use.Document.Id;
            // MemoryCache's Get<T>/GetOrCreate<T> return T? (not annotated otherwise, up to .NET 10). Where nullable warnings
            // are on and the dictionary's values cannot be null, say what the dictionary guaranteed.
            var nonNull = model.GetNullableContext(use.Syntax.SpanStart).WarningsEnabled()
                && !value.IsValueType && value.NullableAnnotation == NullableAnnotation.NotAnnotated;
            switch (operation.Parent)
            {
                case ILockOperation:
                case IPropertyReferenceOperation { Property.Name: "Count", Property.IsIndexer: false }:
                    return true;

                case IPropertyReferenceOperation { Property.IsIndexer: true } indexer
                    when indexer.Syntax is ElementAccessExpressionSyntax { ArgumentList.Arguments.Count: 1 } access && access.Expression == use.Syntax:
                    if (indexer.Parent is ISimpleAssignmentOperation assignment && assignment.Target == indexer)
                    {
                        rewrite = new Rewrite(documentId, assignment.Syntax, (current, generator) =>
                        {
                            var set = (AssignmentExpressionSyntax)current;
                            var target = (ElementAccessExpressionSyntax)set.Left;
                            var arguments = target.ArgumentList.Arguments.Select(a => (SyntaxNode)a.WithoutTrivia())
                                .Append(set.Right.WithoutTrivia()).Append(Options(generator, use));
                            return Imported(Call(generator, target.Expression, generator.IdentifierName("Set"), arguments), generator, cacheExtensions).WithTriviaFrom(current);
                        });
                        return true;
                    }

                    if (indexer.Parent is IAssignmentOperation { Target: var written } && written == indexer
                        || indexer.Parent is IIncrementOrDecrementOperation or IArgumentOperation { Parameter.RefKind: not RefKind.None })
                    {
                        return false;                     // `Cache[k] += 1`: a read and a write the cache cannot do at once
                    }

                    var standsAlone = access.Parent is ArrowExpressionClauseSyntax or EqualsValueClauseSyntax or ReturnStatementSyntax or ArgumentSyntax
                        || access.Parent is AssignmentExpressionSyntax { Right: var right } && right == access;
                    rewrite = new Rewrite(documentId, access, (current, generator) =>
                    {
                        var read = (ElementAccessExpressionSyntax)current;
                        var get = Call(generator, read.Expression, generator.GenericName("Get", ValueType(generator)), read.ArgumentList.Arguments.Select(a => a.WithoutTrivia()));
                        if (nonNull)
                        {
                            var missing = fix.Types.Reflection.KeyNotFoundException is { } keyNotFound
                                ? generator.TypeExpression(keyNotFound, addImport: false)
                                : generator.IdentifierName("KeyNotFoundException");
                            var orThrow = generator.CoalesceExpression(get, generator.ThrowExpression(generator.ObjectCreationExpression(missing)));
                            get = standsAlone ? orThrow : SyntaxFactory.ParenthesizedExpression((ExpressionSyntax)orThrow);
                        }

                        return Imported(get, generator, cacheExtensions).WithTriviaFrom(current);
                    });
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
            switch (invocation.TargetMethod.Name, arguments.Count)
            {
                case ("TryGetValue", 2):
                    rewrite = new Rewrite(documentId, syntax, (current, generator) =>
                    {
                        var call = (InvocationExpressionSyntax)current;
                        var name = ((MemberAccessExpressionSyntax)call.Expression).Name;
                        return Imported(call.ReplaceNode(name, generator.GenericName("TryGetValue", ValueType(generator)).WithTriviaFrom(name)), generator, cacheExtensions);
                    });
                    return true;

                case ("ContainsKey", 1):
                    rewrite = new Rewrite(documentId, syntax, (current, generator) =>
                    {
                        var call = (InvocationExpressionSyntax)current;
                        var arguments = call.ArgumentList.Arguments.Select(a => (SyntaxNode)a.WithoutTrivia())
                            .Append(generator.Argument(RefKind.Out, generator.IdentifierName("_")));
                        return Call(generator, ((MemberAccessExpressionSyntax)call.Expression).Expression, generator.IdentifierName("TryGetValue"), arguments).WithTriviaFrom(current);
                    });
                    return true;
            }

            // The rest carry lambdas and evaluate the key more than once: no other use of the field may sit inside them.
            if (all.Any(u => u != use && u.Document.Id == use.Document.Id && syntax.Span.Contains(u.Syntax.Span)))
                return false;
            var receiver = use.Syntax.WithoutTrivia();
            switch (invocation.TargetMethod.Name, arguments.Count)
            {
                case ("GetOrAdd", 2):
                {
                    var entry = FreshName(model, syntax, "entry", cancellationToken);
                    if (Factory(invocation.TargetMethod.Parameters[1].Type, arguments[1].Expression, entry, model, cancellationToken) is not { } factory)
                        return false;
                    rewrite = new Rewrite(documentId, syntax, (current, generator) =>
                        GetOrCreate(generator, receiver, arguments[0].Expression, entry, factory, use, cacheExtensions, nonNull).WithTriviaFrom(current));
                    return true;
                }

                case ("TryAdd", 2) when invocation.Parent is IExpressionStatementOperation
                    || invocation.Parent is ISimpleAssignmentOperation { Target: IDiscardOperation, Parent: IExpressionStatementOperation }:
                {
                    // Only when nobody reads the result: TryAdd reports whether it added, GetOrCreate does not.
                    var entry = FreshName(model, syntax, "entry", cancellationToken);
                    var factory = new Factory(Statements: ImmutableArray<StatementSyntax>.Empty, Returned: arguments[1].Expression.WithoutTrivia());
                    rewrite = new Rewrite(documentId, syntax, (current, generator) =>
                        GetOrCreate(generator, receiver, arguments[0].Expression, entry, factory, use, cacheExtensions, nonNull: false).WithTriviaFrom(current));
                    return true;
                }

                case ("AddOrUpdate", 3) when IsSimple(arguments[0].Expression):
                {
                    var keyExpression = arguments[0].Expression.WithoutTrivia();
                    var current = FreshName(model, syntax, "current", cancellationToken);
                    var add = Inline(invocation.TargetMethod.Parameters[1].Type, arguments[1].Expression, new[] { keyExpression }, model, cancellationToken);
                    var update = Inline(invocation.TargetMethod.Parameters[2].Type, arguments[2].Expression, new ExpressionSyntax[] { keyExpression, SyntaxFactory.IdentifierName(current) }, model, cancellationToken);
                    if (add is null || update is null)
                        return false;
                    rewrite = new Rewrite(documentId, syntax, (node, generator) =>
                    {
                        // AddOrUpdate(k, v, (_, _) => v) is just a set; otherwise the stored value decides.
                        var stored = SyntaxFactory.AreEquivalent(update, add) ? add : SyntaxFactory.ConditionalExpression(
                            (ExpressionSyntax)Call(generator, receiver, generator.GenericName("TryGetValue", ValueType(generator)), new SyntaxNode[]
                            {
                                keyExpression,
                                SyntaxFactory.Argument(SyntaxFactory.DeclarationExpression(SyntaxFactory.IdentifierName("var"), SyntaxFactory.SingleVariableDesignation(SyntaxFactory.Identifier(current))))
                                    .WithRefKindKeyword(SyntaxFactory.Token(SyntaxKind.OutKeyword)),
                            }),
                            update,
                            add);
                        return Imported(Call(generator, receiver, generator.IdentifierName("Set"), new SyntaxNode[] { keyExpression, stored, Options(generator, use) }), generator, cacheExtensions)
                            .WithTriviaFrom(node);
                    });
                    return true;
                }

                default:
                    return false;
            }
        }

        /// <summary><c>receiver.GetOrCreate&lt;V&gt;(key, entry =&gt; { entry.SetOptions(Options); … })</c>, with <c>!</c> where the values cannot be null.</summary>
        private SyntaxNode GetOrCreate(SyntaxGenerator generator, ExpressionSyntax receiver, ExpressionSyntax keyArgument, string entry, Factory factory,
            FieldReference use, INamedTypeSymbol cacheExtensions, bool nonNull)
        {
            var statements = new List<StatementSyntax>
            {
                (StatementSyntax)generator.ExpressionStatement(generator.InvocationExpression(
                    generator.MemberAccessExpression(generator.IdentifierName(entry), "SetOptions"), Options(generator, use))),
            };
            if (factory.Parameter is { } parameter)
                statements.Add((StatementSyntax)generator.LocalDeclarationStatement(parameter, EntryKey(generator, entry)));
            statements.AddRange(factory.Statements);
            if (factory.Returned is { } returned)
                statements.Add((StatementSyntax)generator.ReturnStatement(returned));
            else if (factory.Delegate is { } invoked)
                statements.Add((StatementSyntax)generator.ReturnStatement(generator.InvocationExpression(invoked, EntryKey(generator, entry))));

            var lambda = SyntaxFactory.SimpleLambdaExpression(SyntaxFactory.Parameter(SyntaxFactory.Identifier(entry))).WithBlock(FieldFix.Block(statements.ToArray()));
            if (factory.Modifiers.Count > 0)
                lambda = lambda.WithModifiers(factory.Modifiers);
            var call = Call(generator, receiver, generator.GenericName("GetOrCreate", ValueType(generator)), new SyntaxNode[] { keyArgument.WithoutTrivia(), lambda });
            if (nonNull)
                call = SyntaxFactory.PostfixUnaryExpression(SyntaxKind.SuppressNullableWarningExpression, (ExpressionSyntax)call);
            return Imported(call, generator, cacheExtensions).WithAdditionalAnnotations(Formatter.Annotation);
        }

        /// <summary><c>(K)entry.Key</c>: the key the cache hands the factory, as the dictionary's key type.</summary>
        private SyntaxNode EntryKey(SyntaxGenerator generator, string entry) =>
            generator.CastExpression(generator.TypeExpression(key, addImport: false), generator.MemberAccessExpression(generator.IdentifierName(entry), "Key"));

        private SyntaxNode ValueType(SyntaxGenerator generator) => generator.TypeExpression(value, addImport: false);

        /// <summary>The shared entry options, as the use site names them.</summary>
        private SyntaxNode Options(SyntaxGenerator generator, FieldReference use) => fix.Sibling(generator, use.Model, use.Syntax, names.EntryOptions);

        /// <summary>
        /// The factory's code inside <c>GetOrCreate</c>: a lambda's statements (its parameter declared from the entry's key
        /// when it is used), a call of the delegate with the key, or the value itself.
        /// </summary>
        private static Factory? Factory(ITypeSymbol parameterType, ExpressionSyntax argument, string entry, SemanticModel model, CancellationToken cancellationToken)
        {
            if (parameterType.TypeKind != TypeKind.Delegate)
                return new Factory(ImmutableArray<StatementSyntax>.Empty, Returned: argument.WithoutTrivia());    // GetOrAdd(key, value)
            if (argument is not LambdaExpressionSyntax lambda)
                return new Factory(ImmutableArray<StatementSyntax>.Empty, Delegate: argument.WithoutTrivia());
            var parameters = Parameters(lambda);
            if (parameters.Count != 1)
                return null;
            var parameter = model.GetDeclaredSymbol(parameters[0], cancellationToken);
            var used = parameter is not null && lambda.Body.DescendantNodes().OfType<IdentifierNameSyntax>()
                .Any(n => n.Identifier.ValueText == parameter.Name && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(n, cancellationToken).Symbol, parameter));
            var modifiers = SyntaxFactory.TokenList(lambda.Modifiers.Where(m => m.IsKind(SyntaxKind.StaticKeyword) || m.IsKind(SyntaxKind.AsyncKeyword)).Select(m => m.WithoutTrivia()));
            var name = used ? parameters[0].Identifier.ValueText : null;
            return lambda.Body switch
            {
                BlockSyntax { Statements.Count: > 0 } block => new Factory(block.Statements.ToImmutableArray(), Parameter: name, Modifiers: modifiers),
                ExpressionSyntax expression => new Factory(ImmutableArray<StatementSyntax>.Empty, Returned: expression.WithoutTrivia(), Parameter: name, Modifiers: modifiers),
                _ => null,
            };
        }

        /// <summary>
        /// An <c>AddOrUpdate</c> argument as an expression of <paramref name="arguments"/>: a value as it is, a delegate
        /// called with them, or an expression-bodied lambda with its parameters replaced by them.
        /// </summary>
        private static ExpressionSyntax? Inline(ITypeSymbol parameterType, ExpressionSyntax argument, ExpressionSyntax[] arguments, SemanticModel model, CancellationToken cancellationToken)
        {
            if (parameterType.TypeKind != TypeKind.Delegate)
                return Parenthesize(argument.WithoutTrivia());
            if (argument is not LambdaExpressionSyntax lambda)
                return SyntaxFactory.InvocationExpression(Invocable(argument.WithoutTrivia()), SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(arguments.Select(SyntaxFactory.Argument))));
            var parameters = Parameters(lambda);
            if (lambda.Body is not ExpressionSyntax body || parameters.Count != arguments.Length || lambda.AsyncKeyword != default)
                return null;
            var symbols = parameters.Select(p => model.GetDeclaredSymbol(p, cancellationToken)).ToList();
            var replacements = new Dictionary<SyntaxNode, SyntaxNode>();
            foreach (var name in body.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
            {
                var index = symbols.FindIndex(s => s is not null && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, s));
                if (index >= 0)
                    replacements[name] = arguments[index].WithTriviaFrom(name);
            }

            return Parenthesize(body.ReplaceNodes(replacements.Keys, (original, _) => replacements[original]).WithoutTrivia());
        }

        /// <summary>An expression that may stand as an operand of <c>?:</c> or an argument: assignments, conditionals, lambdas and throws get parentheses.</summary>
        private static ExpressionSyntax Parenthesize(ExpressionSyntax expression) =>
            expression is AssignmentExpressionSyntax or ConditionalExpressionSyntax or LambdaExpressionSyntax or ThrowExpressionSyntax
                ? SyntaxFactory.ParenthesizedExpression(expression)
                : expression;

        /// <summary>A delegate expression that can be invoked as it is (a name, a member access), else in parentheses.</summary>
        private static ExpressionSyntax Invocable(ExpressionSyntax expression) =>
            expression is IdentifierNameSyntax or MemberAccessExpressionSyntax or GenericNameSyntax ? expression : SyntaxFactory.ParenthesizedExpression(expression);

        private static SeparatedSyntaxList<ParameterSyntax> Parameters(LambdaExpressionSyntax lambda) => lambda switch
        {
            SimpleLambdaExpressionSyntax simple => SyntaxFactory.SingletonSeparatedList(simple.Parameter),
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

        /// <summary><paramref name="stem"/>, or a numbered one, unused in the member around <paramref name="node"/> and by this fix's earlier names there.</summary>
        private string FreshName(SemanticModel model, SyntaxNode node, string stem, CancellationToken cancellationToken)
        {
            var scope = (SyntaxNode?)node.FirstAncestorOrSelf<MemberDeclarationSyntax>(m => m is not GlobalStatementSyntax) ?? node.SyntaxTree.GetRoot(cancellationToken);
            if (!_declared.TryGetValue(scope, out var declared))
                _declared[scope] = declared = Naming.DeclaredAround(node, cancellationToken);
            return Naming.Unique(stem, node, model, declared);
        }

        /// <summary><c>receiver.name(arguments)</c>, the receiver without its trivia.</summary>
        private static SyntaxNode Call(SyntaxGenerator generator, ExpressionSyntax receiver, SyntaxNode name, IEnumerable<SyntaxNode> arguments) =>
            generator.InvocationExpression(generator.MemberAccessExpression(receiver.WithoutTrivia(), name), arguments);

        /// <summary>
        /// <paramref name="node"/> calls extension methods of Microsoft.Extensions.Caching.Memory: it carries the import
        /// annotations of a reference to their class, so that the code action's cleanup adds the <c>using</c> where it lacks.
        /// </summary>
        private static SyntaxNode Imported(SyntaxNode node, SyntaxGenerator generator, INamedTypeSymbol extensions) =>
            generator.TypeExpression(extensions, addImport: true).CopyAnnotationsTo(node)!.WithoutAnnotations(Simplifier.Annotation).WithAdditionalAnnotations(Simplifier.AddImportsAnnotation);
    }

    /// <summary>
    /// The code of a <c>GetOrCreate</c> factory: its <see cref="Statements"/>, then a <see cref="Returned"/> value or a
    /// call of a <see cref="Delegate"/> with the key; the lambda's <see cref="Parameter"/> declared from the key when its
    /// body uses it, and its <c>static</c>/<c>async</c> <see cref="Modifiers"/>.
    /// </summary>
    private sealed record Factory(ImmutableArray<StatementSyntax> Statements, ExpressionSyntax? Returned = null, ExpressionSyntax? Delegate = null,
        string? Parameter = null, SyntaxTokenList Modifiers = default);

    /// <summary>One use of the field rewritten for a <c>MemoryCache</c>; <see cref="Replace"/> works on the node as earlier (inner) rewrites left it.</summary>
    private sealed record Rewrite(DocumentId Document, SyntaxNode Node, Func<SyntaxNode, SyntaxGenerator, SyntaxNode> Replace);
}
