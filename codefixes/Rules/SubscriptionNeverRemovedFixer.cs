using System.Composition;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using static LeakAnalyzers.Rules.SubscriptionNeverRemovedAnalyzer;

namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK007 fix, "Unsubscribe when disposed", for the diagnostics of both LEAK007 analyzers. The analyzer hands over how
/// the subscription is made and what undoes it (<see cref="Properties"/>); the fixer builds the undoing and puts it in
/// the type's release hook (<see cref="Subscriptions.HookOf"/>):
/// <list type="bullet">
/// <item><c>+=</c> of a method group or a delegate field: the same <c>-=</c>; of a lambda: the lambda is first stored
/// in a new field, subscribed through it and removed through it;</item>
/// <item>a registration call whose result is discarded or left in an unread local: the result goes to a new field, which
/// is disposed; one kept in a field: the field is disposed;</item>
/// <item>the release goes into the type's own <c>Dispose(bool)</c> (inside its <c>if (disposing)</c>) or
/// <c>Dispose()</c>, and its own <c>DisposeAsync()</c>; else into an override of the base's <c>Dispose(bool)</c>
/// (<c>Hub</c>, MVC's <c>Controller</c>) or <c>Dispose()</c>; else the type implements <c>IDisposable</c>, which the
/// container and the framework call when the request ends.</item>
/// </list>
/// Not offered when the source cannot be named again in <c>Dispose</c> (an event of a method parameter, or of a
/// constructor parameter kept in no field), when a base class is disposable without an overridable hook, or when the
/// hook is declared in another file. Fix All applies one fix at a time, so that the subscriptions of a class share
/// one <c>Dispose</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SubscriptionNeverRemovedFixer)), Shared]
public sealed class SubscriptionNeverRemovedFixer : CodeFixProvider
{
    internal const string Title = "Unsubscribe when disposed";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(Descriptors.SubscriptionNeverRemoved.Id);

    public override FixAllProvider GetFixAllProvider() => SequentialFixAll.Create(FixAsync);

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (model is null)
            return;
        foreach (var diagnostic in context.Diagnostics)
        {
            if (await FixTarget.FromAsync(context.Document, diagnostic, context.CancellationToken).ConfigureAwait(false) is not { } target
                || Plan.Create(target, model, context.CancellationToken) is null)
            {
                continue;                                // validate everything before registering
            }

            context.RegisterCodeFix(
                CodeAction.Create(Title, ct => FixAsync(target, ct), equivalenceKey: Title),
                diagnostic);
        }
    }

    private static async Task<Document> FixAsync(FixTarget target, CancellationToken cancellationToken)
    {
        var document = target.Document;
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (model is null || Plan.Create(target, model, cancellationToken) is not { } plan)
            return document;
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        plan.Apply(editor);
        return editor.GetChangedDocument();
    }

    /// <summary>One subscription's fix, checked and planned against the current document before any edit.</summary>
    private sealed class Plan
    {
        private readonly SemanticModel _model;
        private readonly SyntaxGenerator _generator;
        private readonly TypeDeclarationSyntax _type;
        private readonly INamedTypeSymbol _symbol;
        private readonly DisposalHook _hook;
        private readonly List<MethodDeclarationSyntax> _hookMethods;
        private readonly INamedTypeSymbol _disposable;
        private readonly HashSet<string> _names;
        private readonly bool _nullable;
        private readonly List<SyntaxNode> _release = new();
        private readonly List<Action<DocumentEditor>> _edits = new();
        private SyntaxNode? _field;

        private Plan(SemanticModel model, SyntaxGenerator generator, TypeDeclarationSyntax type, INamedTypeSymbol symbol, DisposalHook hook,
            List<MethodDeclarationSyntax> hookMethods, INamedTypeSymbol disposable, HashSet<string> names, bool nullable)
        {
            _model = model;
            _generator = generator;
            _type = type;
            _symbol = symbol;
            _hook = hook;
            _hookMethods = hookMethods;
            _disposable = disposable;
            _names = names;
            _nullable = nullable;
        }

        public static Plan? Create(FixTarget target, SemanticModel model, CancellationToken cancellationToken)
        {
            if (!Enum.TryParse<SubscriptionKind>(target.Property(Properties.Kind), out var kind)
                || !Enum.TryParse<HandlerKind>(target.Property(Properties.Handler), out var handler)
                || !Enum.TryParse<RegistrationFate>(target.Property(Properties.Fate), out var fate))
            {
                return null;
            }

            var (document, node) = (target.Document, target.Node);
            var root = node.SyntaxTree.GetRoot(cancellationToken);

            var site = node.AncestorsAndSelf().OfType<ExpressionSyntax>().FirstOrDefault(e => e.Span == node.Span
                && (kind == SubscriptionKind.Event ? e.IsKind(SyntaxKind.AddAssignmentExpression) : e is InvocationExpressionSyntax));
            if (site?.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } type || type is InterfaceDeclarationSyntax
                || model.GetDeclaredSymbol(type, cancellationToken) is not { TypeKind: TypeKind.Class } symbol
                || Domain.Get(model.Compilation) is not { Subscriptions: { } subscriptions, Types.Threading.IDisposable: { } disposable }
                || subscriptions.HookOf(symbol) is not { } hook)
            {
                return null;
            }

            var hookMethods = new List<MethodDeclarationSyntax>();
            foreach (var method in hook.Kind == DisposalHookKind.Extend ? hook.Methods : ImmutableArray<IMethodSymbol>.Empty)
            {
                if (method.DeclaringSyntaxReferences.FirstOrDefault() is not { } reference || reference.SyntaxTree != root.SyntaxTree
                    || reference.GetSyntax(cancellationToken) is not MethodDeclarationSyntax declaration || !type.Span.Contains(declaration.Span)
                    || declaration.Body is null && declaration.ExpressionBody is null)
                {
                    return null;                         // the hook is in another file or another part of the class
                }

                hookMethods.Add(declaration);
            }

            var names = new HashSet<string>(symbol.MemberNames, StringComparer.Ordinal);
            names.UnionWith(Naming.DeclaredAround(site, cancellationToken));
            foreach (var method in hookMethods)
                names.UnionWith(Naming.DeclaredAround(method, cancellationToken));
            var nullable = model.GetNullableContext(site.SpanStart).AnnotationsEnabled();
            var plan = new Plan(model, SyntaxGenerator.GetGenerator(document), type, symbol, hook, hookMethods, disposable, names, nullable);
            var planned = kind == SubscriptionKind.Event
                ? plan.PlanEvent((AssignmentExpressionSyntax)site, handler, cancellationToken)
                : plan.PlanRegistration((InvocationExpressionSyntax)site, fate, cancellationToken);
            return planned ? plan : null;
        }

        public void Apply(DocumentEditor editor)
        {
            foreach (var edit in _edits)
                edit(editor);
            var release = _release.Select(s => s.WithAdditionalAnnotations(Formatter.Annotation)).ToList();
            foreach (var method in _hookMethods)
            {
                var returnsValue = ReturnsValue(method);
                editor.ReplaceNode(method, (current, _) => Extend((MethodDeclarationSyntax)current, release, returnsValue));
            }
            editor.ReplaceNode(_type, (current, generator) =>
            {
                var type = current;
                if (_field is not null)
                    type = generator.InsertMembers(type, FieldIndex(generator, type), _field.WithAdditionalAnnotations(Formatter.Annotation));
                var added = _hook.Kind switch
                {
                    DisposalHookKind.OverrideDisposePattern => DisposePatternOverride(release),
                    DisposalHookKind.OverrideDispose => generator.MethodDeclaration("Dispose", accessibility: Accessibility.Public,
                        modifiers: DeclarationModifiers.Override,
                        statements: release.Append(generator.ExpressionStatement(generator.InvocationExpression(generator.MemberAccessExpression(generator.BaseExpression(), "Dispose"))))),
                    DisposalHookKind.ImplementDisposable => generator.MethodDeclaration("Dispose", accessibility: Accessibility.Public, statements: release),
                    _ => null,
                };
                if (_hook.Kind == DisposalHookKind.ImplementDisposable)
                    type = generator.AddInterfaceType(type, generator.TypeExpression(_disposable));
                return added is null ? type : generator.AddMembers(type, added.WithAdditionalAnnotations(Formatter.Annotation));
            });
        }

        // ------------------------------------------------------------------------------------------------ events

        private bool PlanEvent(AssignmentExpressionSyntax site, HandlerKind handler, CancellationToken cancellationToken)
        {
            if (_model.GetOperation(site, cancellationToken) is not IEventAssignmentOperation { EventReference: IEventReferenceOperation reference }
                || SourceAgain(site.Left, reference, cancellationToken) is not { } source)
            {
                return false;
            }

            switch (handler)
            {
                case HandlerKind.Method or HandlerKind.Field:
                    _release.Add(Remove(source, site.Right.WithoutTrivia()));
                    return true;
                case HandlerKind.Lambda:
                    var readOnly = IsOnlyInConstructor(site);
                    var name = Naming.Unique("_" + Camel(reference.Event.Name) + "Handler", site, _model, _names);
                    var type = FieldType(reference.Event.Type, readOnly ? reference.Event.Type.NullableAnnotation : NullableAnnotation.Annotated);
                    _field = _generator.FieldDeclaration(name, _generator.TypeExpression(type), Accessibility.Private, readOnly ? DeclarationModifiers.ReadOnly : DeclarationModifiers.None);
                    var field = (ExpressionSyntax)_generator.IdentifierName(name);
                    var lambda = site.Right;
                    if (site.Parent is ExpressionStatementSyntax statement && Statements.CanInsertBefore(statement))
                    {
                        var store = (StatementSyntax)_generator.ExpressionStatement(_generator.AssignmentStatement(_generator.IdentifierName(name), lambda.WithoutTrivia()));
                        _edits.Add(editor => Statements.InsertBefore(editor, statement, new[] { store }));
                        _edits.Add(editor => editor.ReplaceNode(lambda, field.WithTriviaFrom(lambda)));
                    }
                    else
                    {
                        var store = (ExpressionSyntax)_generator.AssignmentStatement(_generator.IdentifierName(name), lambda.WithoutTrivia());
                        _edits.Add(editor => editor.ReplaceNode(lambda, store.WithTriviaFrom(lambda)));
                    }

                    var remove = Remove(source, field);
                    _release.Add(!readOnly && _nullable && reference.Event.Type.NullableAnnotation != NullableAnnotation.Annotated
                        ? _generator.IfStatement(_generator.ReferenceNotEqualsExpression(_generator.IdentifierName(name), _generator.NullLiteralExpression()), new[] { remove })
                        : remove);
                    return true;
                default:
                    return false;
            }
        }

        /// <summary><c>source.Event -= handler;</c></summary>
        private static SyntaxNode Remove(ExpressionSyntax source, ExpressionSyntax handler) =>
            SyntaxFactory.ExpressionStatement(SyntaxFactory.AssignmentExpression(SyntaxKind.SubtractAssignmentExpression, source, handler));

        /// <summary>
        /// The event, written so that <c>Dispose</c> reaches the same source: as written when it is static or a member of
        /// the instance; through the field or property that keeps a constructor parameter; a primary constructor parameter
        /// as it is. Null for a method parameter or a constructor parameter kept nowhere.
        /// </summary>
        private ExpressionSyntax? SourceAgain(ExpressionSyntax written, IEventReferenceOperation reference, CancellationToken cancellationToken)
        {
            switch (reference.Instance?.WalkDownConversions())
            {
                case null:
                case IMemberReferenceOperation { Member.IsStatic: true }:
                case IMemberReferenceOperation { Instance: IInstanceReferenceOperation }:
                    return written.WithoutTrivia();
                case IParameterReferenceOperation { Parameter: var parameter } when parameter.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor:
                    if (HolderOf(parameter, cancellationToken) is { } holder)
                        return (ExpressionSyntax)_generator.MemberAccessExpression(_generator.IdentifierName(holder.Name), reference.Event.Name);
                    return IsPrimaryConstructor(constructor) ? written.WithoutTrivia() : null;
                default:
                    return null;
            }
        }

        /// <summary>A field or property of the type assigned the parameter, in a constructor or as its initializer.</summary>
        private ISymbol? HolderOf(IParameterSymbol parameter, CancellationToken cancellationToken)
        {
            foreach (var node in _type.DescendantNodes())
            {
                var (target, value) = node switch
                {
                    AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression } assignment => ((SyntaxNode?)assignment.Left, (ExpressionSyntax?)assignment.Right),
                    VariableDeclaratorSyntax { Initializer.Value: var initial } declarator when declarator.Parent?.Parent is FieldDeclarationSyntax => (declarator, initial),
                    PropertyDeclarationSyntax { Initializer.Value: var initial } property => (property, initial),
                    _ => (null, null),
                };
                if (target is null || value is not IdentifierNameSyntax identifier || identifier.Identifier.ValueText != parameter.Name
                    || !SymbolEqualityComparer.Default.Equals(_model.GetSymbolInfo(identifier, cancellationToken).Symbol, parameter))
                {
                    continue;
                }

                var held = target is ExpressionSyntax expression ? _model.GetSymbolInfo(expression, cancellationToken).Symbol : _model.GetDeclaredSymbol(target, cancellationToken);
                if (held is IFieldSymbol or IPropertySymbol && !held.IsStatic && SymbolEqualityComparer.Default.Equals(held.ContainingType, _symbol))
                    return held;
            }

            return null;
        }

        private bool IsPrimaryConstructor(IMethodSymbol constructor) =>
            constructor.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax);

        // ------------------------------------------------------------------------------------------------ registrations

        private bool PlanRegistration(InvocationExpressionSyntax site, RegistrationFate fate, CancellationToken cancellationToken)
        {
            if (_model.GetOperation(site, cancellationToken) is not IInvocationOperation { Type: { } returned } invocation)
                return false;
            switch (fate)
            {
                case RegistrationFate.Field:
                    if (site.Parent is not AssignmentExpressionSyntax { Left: var left } || _model.GetSymbolInfo(left, cancellationToken).Symbol is not IFieldSymbol held)
                        return false;
                    _release.Add(DisposeOf(held.Name, held.Type, held.Type.NullableAnnotation));
                    return true;
                case RegistrationFate.Discarded:
                    var discarded = site.Parent is AssignmentExpressionSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: "_" } } discard ? (ExpressionSyntax)discard : site;
                    return Store(site, invocation, returned, discarded, Stem(invocation));
                case RegistrationFate.UnreadLocal:
                    if (site.Parent is not EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator }
                        || declarator.Parent is not VariableDeclarationSyntax { Variables.Count: 1, Parent: LocalDeclarationStatementSyntax declaration }
                        || declaration.UsingKeyword != default || !Statements.CanInsertBefore(declaration))
                    {
                        return false;
                    }

                    return Store(site, invocation, returned, declaration, declarator.Identifier.ValueText.TrimStart('_'));
                default:
                    return false;
            }
        }

        /// <summary>Keeps the registration in a new field (replacing <paramref name="replaced"/>, the discarded expression or the local's declaration) and disposes it.</summary>
        private bool Store(InvocationExpressionSyntax site, IInvocationOperation invocation, ITypeSymbol returned, SyntaxNode replaced, string stem)
        {
            var readOnly = IsOnlyInConstructor(site);
            var suffix = invocation.TargetMethod.Name is "Register" or "UnsafeRegister" or "RegisterChangeCallback" ? "Registration" : "Subscription";
            var name = Naming.Unique("_" + Camel(stem) + (stem.EndsWith(suffix, StringComparison.Ordinal) ? "" : suffix), site, _model, _names);
            var annotation = readOnly ? returned.NullableAnnotation : NullableAnnotation.Annotated;
            var type = FieldType(returned, annotation);
            _field = _generator.FieldDeclaration(name, _generator.TypeExpression(type), Accessibility.Private, readOnly ? DeclarationModifiers.ReadOnly : DeclarationModifiers.None);
            var store = (ExpressionSyntax)_generator.AssignmentStatement(_generator.IdentifierName(name), site.WithoutTrivia());
            SyntaxNode replacement = replaced is StatementSyntax statement
                ? ((StatementSyntax)_generator.ExpressionStatement(store)).WithTriviaFrom(statement)
                : store.WithTriviaFrom(replaced);
            _edits.Add(editor => editor.ReplaceNode(replaced, replacement));
            _release.Add(DisposeOf(name, type, type.NullableAnnotation));
            return true;
        }

        /// <summary><c>field.Dispose();</c>, or <c>field?.Dispose();</c> when the field may be null.</summary>
        private SyntaxNode DisposeOf(string field, ITypeSymbol type, NullableAnnotation annotation)
        {
            var name = _generator.IdentifierName(field);
            var call = type.IsValueType || _nullable && annotation == NullableAnnotation.NotAnnotated
                ? _generator.InvocationExpression(_generator.MemberAccessExpression(name, "Dispose"))
                : _generator.ConditionalAccessExpression(name, _generator.InvocationExpression(_generator.MemberBindingExpression(_generator.IdentifierName("Dispose"))));
            return _generator.ExpressionStatement(call);
        }

        /// <summary>What the new field is named after: the options type, the reload token, the token or the observable.</summary>
        private static string Stem(IInvocationOperation invocation)
        {
            var method = invocation.TargetMethod;
            if (method.Name is "RegisterChangeCallback" || method is { Name: "OnChange", IsStatic: true, IsExtensionMethod: false })
                return "reload";
            var receiver = method.IsExtensionMethod ? invocation.Arguments.FirstOrDefault()?.Value : invocation.Instance;
            if (method.Name == "OnChange" && receiver?.Type is INamedTypeSymbol { TypeArguments.Length: 1 } monitor)
                return monitor.TypeArguments[0].Name;
            for (var current = receiver?.WalkDownConversions(); current is not null; current = (current as IMemberReferenceOperation)?.Instance?.WalkDownConversions())
            {
                switch (current)
                {
                    case IMemberReferenceOperation { Member.Name: not "Token" } member:
                        return member.Member.Name.TrimStart('_');
                    case IParameterReferenceOperation parameter:
                        return parameter.Parameter.Name;
                    case ILocalReferenceOperation local:
                        return local.Local.Name;
                }
            }

            return "";
        }

        // ------------------------------------------------------------------------------------------------ the hook

        /// <summary>Adds the release to an existing <c>Dispose(bool)</c> (inside <c>if (disposing)</c>), <c>Dispose()</c> or <c>DisposeAsync()</c>.</summary>
        private MethodDeclarationSyntax Extend(MethodDeclarationSyntax method, List<SyntaxNode> release, bool returnsValue)
        {
            var statements = release.Cast<StatementSyntax>().ToList();
            var body = method.Body ?? SyntaxFactory.Block(returnsValue
                ? SyntaxFactory.ReturnStatement(method.ExpressionBody!.Expression)
                : SyntaxFactory.ExpressionStatement(method.ExpressionBody!.Expression));
            if (method.ParameterList.Parameters.Count == 1 && method.ParameterList.Parameters[0].Identifier.ValueText is var disposing)
            {
                var guard = body.Statements.OfType<IfStatementSyntax>().FirstOrDefault(s => s.Else is null && s.Condition is IdentifierNameSyntax { Identifier.ValueText: var name } && name == disposing);
                if (guard is not null)
                {
                    var inner = guard.Statement is BlockSyntax block ? block : SyntaxFactory.Block(guard.Statement);
                    body = body.ReplaceNode(guard, guard.WithStatement(inner.AddStatements(statements.ToArray()).WithAdditionalAnnotations(Formatter.Annotation)));
                }
                else
                {
                    var wrapped = (StatementSyntax)_generator.IfStatement(_generator.IdentifierName(disposing), statements);
                    body = InsertBeforeTail(body, new[] { wrapped.WithAdditionalAnnotations(Formatter.Annotation) },
                        s => s is ExpressionStatementSyntax { Expression: InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Expression: BaseExpressionSyntax } } });
                }
            }
            else
            {
                body = InsertBeforeTail(body, statements, s => s is ReturnStatementSyntax);
            }

            return method.WithExpressionBody(null).WithSemicolonToken(default).WithBody(body).WithAdditionalAnnotations(Formatter.Annotation);
        }

        /// <summary>Inserts <paramref name="statements"/> before the first top-level statement that <paramref name="isTail"/> accepts, else at the end.</summary>
        private static BlockSyntax InsertBeforeTail(BlockSyntax body, IReadOnlyList<StatementSyntax> statements, Func<StatementSyntax, bool> isTail)
        {
            var index = body.Statements.IndexOf(s => isTail(s));
            return body.WithStatements(index < 0 ? body.Statements.AddRange(statements) : body.Statements.InsertRange(index, statements));
        }

        /// <summary>The method's expression body becomes <c>return expression;</c> (it returns a value) rather than <c>expression;</c>.</summary>
        private bool ReturnsValue(MethodDeclarationSyntax method) =>
            _model.GetDeclaredSymbol(method) is { ReturnsVoid: false } symbol
            && !(symbol.IsAsync && symbol.ReturnType is INamedTypeSymbol { IsGenericType: false });

        /// <summary><c>protected override void Dispose(bool disposing) { if (disposing) { … } base.Dispose(disposing); }</c></summary>
        private SyntaxNode DisposePatternOverride(List<SyntaxNode> release)
        {
            var overridden = _hook.Methods[0];
            var parameter = overridden.Parameters[0].Name;
            var accessibility = overridden.DeclaredAccessibility == Accessibility.Public ? Accessibility.Public : Accessibility.Protected;
            return _generator.MethodDeclaration("Dispose",
                parameters: new[] { _generator.ParameterDeclaration(parameter, _generator.TypeExpression(SpecialType.System_Boolean)) },
                accessibility: accessibility,
                modifiers: DeclarationModifiers.Override,
                statements: new[]
                {
                    _generator.IfStatement(_generator.IdentifierName(parameter), release),
                    _generator.ExpressionStatement(_generator.InvocationExpression(_generator.MemberAccessExpression(_generator.BaseExpression(), "Dispose"), _generator.IdentifierName(parameter))),
                });
        }

        // ------------------------------------------------------------------------------------------------ fields

        /// <summary>
        /// The subscription runs once per object, in its only constructor (not in a lambda there): the new field can be
        /// <c>readonly</c>, and keeps the type the call returns.
        /// </summary>
        private bool IsOnlyInConstructor(SyntaxNode site)
        {
            var member = site.Ancestors().FirstOrDefault(a => a is MemberDeclarationSyntax or AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax);
            return member is ConstructorDeclarationSyntax constructor && !constructor.Modifiers.Any(SyntaxKind.StaticKeyword)
                && _symbol.InstanceConstructors.Count(c => !c.IsImplicitlyDeclared) == 1
                && !_symbol.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax { ParameterList: not null });
        }

        /// <summary>The field's type: without nullable annotations where they are off, else with <paramref name="annotation"/> for a reference type.</summary>
        private ITypeSymbol FieldType(ITypeSymbol type, NullableAnnotation annotation) =>
            type.IsValueType ? type
            : !_nullable ? type.WithNullableAnnotation(NullableAnnotation.None)
            : type.WithNullableAnnotation(annotation == NullableAnnotation.Annotated ? NullableAnnotation.Annotated : NullableAnnotation.NotAnnotated);

        /// <summary>After the last field, or first.</summary>
        private static int FieldIndex(SyntaxGenerator generator, SyntaxNode type)
        {
            var members = generator.GetMembers(type);
            for (var i = members.Count - 1; i >= 0; i--)
            {
                if (members[i] is FieldDeclarationSyntax)
                    return i + 1;
            }

            return 0;
        }

        private static string Camel(string name) =>
            name.Length == 0 ? "registration" : char.ToLowerInvariant(name[0]) + name.Substring(1);
    }
}
