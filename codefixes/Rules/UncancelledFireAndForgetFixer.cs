using System.Composition;
using LeakAnalyzers.Helpers;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK002 fixes.
/// <para>"Cancel the work when the application stops": the application's <c>ApplicationStopping</c> token (never the
/// request's) is passed as the start token where the API takes one (<c>Task.Run(work, token)</c>,
/// <c>StartNew(work, token)</c>, <c>ContinueWith(…, token)</c>, a token parameter or overload of the started call) and
/// forwarded into the calls inside the work that accept one. The token comes from an <c>IHostApplicationLifetime</c>
/// injected through the constructor of a class the container creates (an existing field, property or primary
/// constructor parameter is reused; otherwise a field and a constructor parameter are added, or a primary constructor
/// parameter), or, in inline middleware, endpoint lambdas and static methods, from <c>app.Lifetime</c> or
/// <c>context.RequestServices</c> copied into a local before the statement.</para>
/// <para>"Await the work": in an async function (or one that can be made async: a non-async function returning a
/// task, an endpoint lambda, a controller action or page handler), the work is awaited (unwrapped when it is a
/// <c>Task&lt;Task&gt;</c>), and the request's <c>RequestAborted</c> (a hub's <c>ConnectionAborted</c>) is passed and
/// forwarded the same way.</para>
/// Fix All applies fixes one after the other, so that one class gets one injected lifetime.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UncancelledFireAndForgetFixer)), Shared]
public sealed class UncancelledFireAndForgetFixer : CodeFixProvider
{
    internal const string CancelTitle = "Cancel the work when the application stops";
    internal const string AwaitTitle = "Await the work";

    private const string DependencyInjectionNamespace = "Microsoft.Extensions.DependencyInjection";
    private static readonly SyntaxAnnotation StatementMark = new("LeakAnalyzers.Statement");
    private static readonly SyntaxAnnotation StartMark = new("LeakAnalyzers.Start");

    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(Descriptors.UncancelledFireAndForget.Id);

    public override FixAllProvider GetFixAllProvider() =>
        SequentialFixAll.Create((key, document, node, cancellationToken) => FixAsync(document, node, key == AwaitTitle, cancellationToken));

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var document = context.Document;
        if (await TargetAsync(document, context.Span, context.CancellationToken).ConfigureAwait(false) is not { } target)
            return;
        if (PlanCancel(target, context.CancellationToken) is not null)
        {
            context.RegisterCodeFix(
                CodeAction.Create(CancelTitle, ct => FixAsync(document, target.Start, awaiting: false, ct), equivalenceKey: CancelTitle),
                context.Diagnostics);
        }

        if (PlanAwait(target, context.CancellationToken) is not null)
        {
            context.RegisterCodeFix(
                CodeAction.Create(AwaitTitle, ct => FixAsync(document, target.Start, awaiting: true, ct), equivalenceKey: AwaitTitle),
                context.Diagnostics);
        }
    }

    private static async Task<Document> FixAsync(Document document, SyntaxNode node, bool awaiting, CancellationToken cancellationToken)
    {
        if (await TargetAsync(document, node.Span, cancellationToken).ConfigureAwait(false) is not { } target)
            return document;
        var plan = awaiting ? PlanAwait(target, cancellationToken) : PlanCancel(target, cancellationToken);
        return plan is null ? document : document.WithSyntaxRoot(plan(target.Root));
    }

    /// <summary>Everything a plan needs about the diagnostic's start, recomputed from the current document.</summary>
    private sealed class Target
    {
        public Target(SyntaxNode root, SemanticModel model, SyntaxGenerator generator, ExpressionSyntax start, WorkStart work, Domain domain, RequestScope scope, RequestOrigin origin)
        {
            Generator = generator;
            Root = root;
            Model = model;
            Start = start;
            Work = work;
            Domain = domain;
            Scope = scope;
            Origin = origin;
        }

        public SyntaxNode Root { get; }
        public SyntaxGenerator Generator { get; }
        public SemanticModel Model { get; }
        public ExpressionSyntax Start { get; }
        public WorkStart Work { get; }
        public Domain Domain { get; }
        public Work WorkModel => Domain.Work!;
        public RequestScope Scope { get; }
        public RequestOrigin Origin { get; }
        public StatementSyntax? Statement => Start.FirstAncestorOrSelf<StatementSyntax>();
    }

    private static async Task<Target?> TargetAsync(Document document, Microsoft.CodeAnalysis.Text.TextSpan span, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null || Domain.Get(model.Compilation) is not { RequestScope: { } scope, Work: { } workModel } domain)
            return null;
        var node = root.FindNode(span, getInnermostNodeForTie: true);
        var start = node.FirstAncestorOrSelf<ExpressionSyntax>(e => e is InvocationExpressionSyntax or ObjectCreationExpressionSyntax && e.Span == span);
        if (start is null || model.GetOperation(start, cancellationToken) is not { } operation || workModel.StartedBy(operation) is not { } work)
            return null;
        var owner = model.GetEnclosingSymbol(start.SpanStart, cancellationToken);
        while (owner is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction })
            owner = owner.ContainingSymbol;
        if (owner is null || scope.Find(operation, owner, cancellationToken) is not { } origin)
            return null;
        return new Target(root, model, SyntaxGenerator.GetGenerator(document), start, work, domain, scope, origin);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Fix 1: ApplicationStopping

    private static Func<SyntaxNode, SyntaxNode>? PlanCancel(Target target, CancellationToken cancellationToken)
    {
        if (target.Domain.Types.Extensions.IHostApplicationLifetime is not { } lifetimeType || target.Statement is not { } statement)
            return null;
        if (target.Work.Kind == WorkKind.Call && IsRequestCall(target))
            return null;                                  // writing to the response after it is sent is no fix

        Func<SyntaxNode, SyntaxNode>? prepare;
        ExpressionSyntax token;
        if (InjectedLifetime(target, lifetimeType, cancellationToken) is { } injected)
        {
            (prepare, token) = injected;
        }
        else if (InlineLifetime(target, statement, lifetimeType, cancellationToken) is { } inline)
        {
            (prepare, token) = inline;
        }
        else
        {
            return null;
        }

        var edits = TokenEdits(target, token, cancellationToken);
        if (edits.Count == 0)
            return null;                                  // nothing would observe the token: the work stays uncancellable
        var start = target.Start;
        return root =>
        {
            var edited = ApplyEdits(root, edits, statement, start);
            return Unmark(prepare is null ? edited : prepare(edited));
        };
    }

    /// <summary>A call on the request itself (<c>context.Response.WriteAsync</c>): it belongs to the request, awaiting is the fix.</summary>
    private static bool IsRequestCall(Target target)
    {
        return target.Model.GetOperation(target.Start) is IInvocationOperation { Instance: { } instance } && target.Domain.RequestValues!.IsPooledByRequest(instance.Type);
    }

    /// <summary>A class the container creates: reuse its <c>IHostApplicationLifetime</c>, or inject one through the constructor.</summary>
    private static (Func<SyntaxNode, SyntaxNode>?, ExpressionSyntax)? InjectedLifetime(Target target, INamedTypeSymbol lifetimeType, CancellationToken cancellationToken)
    {
        if (target.Origin is not { Kind: RequestOriginKind.Class, Type: { } type } || !target.Scope.IsCreatedByContainer(type)
            || type.DeclaringSyntaxReferences.Length != 1
            || type.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not ClassDeclarationSyntax declaration
            || !declaration.Span.Contains(target.Start.Span))
        {
            return null;
        }

        foreach (var member in type.GetMembers())
        {
            var memberType = member switch
            {
                IFieldSymbol existingField => existingField.Type,
                IPropertySymbol existingProperty => existingProperty.Type,
                _ => null,
            };
            if (memberType is not null && SymbolEqualityComparer.Default.Equals(memberType, lifetimeType) && !member.IsImplicitlyDeclared)
                return (null, Stopping(IdentifierName(member.Name)));
        }

        var primary = declaration.ChildNodes().OfType<ParameterListSyntax>().FirstOrDefault();
        if (primary is not null)
        {
            foreach (var parameter in primary.Parameters)
            {
                if (parameter.Type is { } parameterType
                    && SymbolEqualityComparer.Default.Equals(target.Model.GetTypeInfo(parameterType, cancellationToken).Type, lifetimeType))
                {
                    return (null, Stopping(IdentifierName(parameter.Identifier.ValueText)));
                }
            }

            var name = FreeName("lifetime", type, primary.Parameters.Select(p => p.Identifier.ValueText));
            var addedType = TypeName(target, lifetimeType);
            return (root => AddPrimaryParameter(root, name, addedType), Stopping(IdentifierName(name)));
        }

        var constructors = declaration.Members.OfType<ConstructorDeclarationSyntax>().Where(c => !c.Modifiers.Any(SyntaxKind.StaticKeyword)).ToList();
        if (constructors.Count > 1 || constructors.Count == 1 && constructors[0].Initializer is { RawKind: (int)SyntaxKind.ThisConstructorInitializer })
            return null;                                  // which constructor the container picks is not ours to guess
        if (constructors.Count == 0 && type.BaseType?.InstanceConstructors.Any(c => c.Parameters.Length == 0 && c.DeclaredAccessibility != Accessibility.Private) != true)
            return null;
        var field = FreeName("_lifetime", type, Enumerable.Empty<string>());
        var parameterName = FreeName("lifetime", type, constructors.SelectMany(c => c.ParameterList.Parameters).Select(p => p.Identifier.ValueText));
        var fieldType = TypeName(target, lifetimeType);
        return (root => AddFieldAndConstructorParameter(root, field, parameterName, fieldType), Stopping(IdentifierName(field)));
    }

    private static string FreeName(string baseName, INamedTypeSymbol type, IEnumerable<string> alsoTaken)
    {
        var taken = new HashSet<string>(type.GetMembers().Select(m => m.Name).Concat(alsoTaken), StringComparer.Ordinal);
        for (var i = 1; ; i++)
        {
            var candidate = i == 1 ? baseName : baseName + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!taken.Contains(candidate))
                return candidate;
        }
    }

    private static ExpressionSyntax Stopping(ExpressionSyntax lifetime) =>
        MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, lifetime, IdentifierName("ApplicationStopping"));

    /// <summary>The type's name, simplified (and its namespace imported) when the fix is applied.</summary>
    private static TypeSyntax TypeName(Target target, ITypeSymbol type) =>
        ((TypeSyntax)target.Generator.TypeExpression(type)).WithAdditionalAnnotations(Simplifier.AddImportsAnnotation);

    private static ClassDeclarationSyntax? MarkedType(SyntaxNode root) =>
        root.GetAnnotatedNodes(StatementMark).FirstOrDefault()?.FirstAncestorOrSelf<ClassDeclarationSyntax>();

    private static SyntaxNode AddPrimaryParameter(SyntaxNode root, string name, TypeSyntax type)
    {
        var declaration = MarkedType(root)!;
        var list = declaration.ChildNodes().OfType<ParameterListSyntax>().First();
        var parameter = Parameter(Identifier(name)).WithType(type.WithTrailingTrivia(Space));
        return root.ReplaceNode(list, list.WithParameters(Append(list.Parameters, parameter)));
    }

    private static SyntaxNode AddFieldAndConstructorParameter(SyntaxNode root, string field, string parameterName, TypeSyntax type)
    {
        var declaration = MarkedType(root)!;
        var fieldDeclaration = FieldDeclaration(VariableDeclaration(type.WithTrailingTrivia(Space), SingletonSeparatedList(VariableDeclarator(field))))
            .WithModifiers(TokenList(Token(SyntaxKind.PrivateKeyword), Token(SyntaxKind.ReadOnlyKeyword)))
            .WithAdditionalAnnotations(Formatter.Annotation);
        var assignment = ExpressionStatement(AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, IdentifierName(field), IdentifierName(parameterName)));
        var parameter = Parameter(Identifier(parameterName)).WithType(type.WithTrailingTrivia(Space));
        var members = declaration.Members;
        var constructor = members.OfType<ConstructorDeclarationSyntax>().FirstOrDefault(c => !c.Modifiers.Any(SyntaxKind.StaticKeyword));
        if (constructor is not null)
        {
            var body = constructor.Body
                ?? Block(ExpressionStatement(constructor.ExpressionBody!.Expression.WithoutTrivia())).WithAdditionalAnnotations(Formatter.Annotation);
            var updated = constructor
                .WithParameterList(constructor.ParameterList.WithParameters(Append(constructor.ParameterList.Parameters, parameter)))
                .WithExpressionBody(null)
                .WithSemicolonToken(default)
                .WithBody(body.AddStatements(assignment.WithAdditionalAnnotations(Formatter.Annotation)));
            if (constructor.ExpressionBody is not null)
                updated = updated.WithParameterList(updated.ParameterList.WithoutTrailingTrivia()).WithAdditionalAnnotations(Formatter.Annotation);
            members = members.Replace(constructor, updated);
        }
        else
        {
            var created = ConstructorDeclaration(declaration.Identifier.WithoutTrivia())
                .WithModifiers(TokenList(Token(SyntaxKind.PublicKeyword)))
                .WithParameterList(ParameterList(SingletonSeparatedList(parameter)))
                .WithBody(Block(assignment))
                .WithAdditionalAnnotations(Formatter.Annotation);
            members = members.Insert(LastFieldIndex(members) + 1, created);
        }

        members = members.Insert(LastFieldIndex(members) + 1, fieldDeclaration);
        return root.ReplaceNode(declaration, declaration.WithMembers(members));
    }

    private static int LastFieldIndex(SyntaxList<MemberDeclarationSyntax> members)
    {
        var index = -1;
        for (var i = 0; i < members.Count; i++)
        {
            if (members[i] is FieldDeclarationSyntax)
                index = i;
        }

        return index;
    }

    private static SeparatedSyntaxList<ParameterSyntax> Append(SeparatedSyntaxList<ParameterSyntax> parameters, ParameterSyntax parameter)
    {
        var nodes = parameters.ToList();
        var separators = parameters.GetSeparators().ToList();
        if (nodes.Count > 0)
        {
            separators.Add(Token(TriviaList(), SyntaxKind.CommaToken, TriviaList(Space)));
            if (nodes[nodes.Count - 1].GetTrailingTrivia() is { Count: > 0 } trailing)
            {
                nodes[nodes.Count - 1] = nodes[nodes.Count - 1].WithoutTrailingTrivia();
                parameter = parameter.WithTrailingTrivia(trailing);
            }
        }

        nodes.Add(parameter);
        return SeparatedList(nodes, separators);
    }

    /// <summary>
    /// Inline middleware, endpoint lambdas, static methods, filter attributes: <c>app.Lifetime</c> when the application
    /// is in scope, else the container behind a visible <c>HttpContext</c>; copied into a local before the statement so
    /// that the work captures a token, not the context. An earlier such local in scope is reused.
    /// </summary>
    private static (Func<SyntaxNode, SyntaxNode>?, ExpressionSyntax)? InlineLifetime(Target target, StatementSyntax statement, INamedTypeSymbol lifetimeType, CancellationToken cancellationToken)
    {
        var model = target.Model;
        var visible = Visible(model, statement);
        foreach (var local in visible.OfType<ILocalSymbol>())
        {
            if (SymbolEqualityComparer.Default.Equals(local.Type, target.WorkModel.CancellationToken)
                && local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is VariableDeclaratorSyntax { Initializer.Value: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ApplicationStopping" } })
            {
                return (null, IdentifierName(local.Name));
            }
        }

        if (!Statements.CanInsertBefore(statement))
            return null;
        ExpressionSyntax? lifetime = null;
        var webApplication = model.Compilation.GetBestTypeByMetadataName(TypeNames.WebApplication);
        var app = visible.FirstOrDefault(s => SymbolEqualityComparer.Default.Equals(TypeOf(s), webApplication));
        var needsDependencyInjection = false;
        if (app is not null)
        {
            lifetime = MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, IdentifierName(app.Name), IdentifierName("Lifetime"));
        }
        else if (ContextExpression(target, visible) is { } context)
        {
            lifetime = InvocationExpression(MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression,
                MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, context, IdentifierName("RequestServices")),
                GenericName(Identifier("GetRequiredService"), TypeArgumentList(SingletonSeparatedList(TypeName(target, lifetimeType))))));
            needsDependencyInjection = !HasRequiredService(model, statement.SpanStart);
        }

        if (lifetime is null)
            return null;
        var name = Naming.Unique("stopping", statement, model, Naming.DeclaredAround(statement, cancellationToken));
        var declaration = Statements.VarDeclaration(name, Stopping(lifetime));
        return (root =>
        {
            var marked = root.GetAnnotatedNodes(StatementMark).OfType<StatementSyntax>().First();
            var inserted = Statements.InsertBefore(root, marked, new StatementSyntax[] { declaration });
            return needsDependencyInjection ? AddUsing(inserted, DependencyInjectionNamespace) : inserted;
        }, IdentifierName(name));
    }

    private static ImmutableArray<ISymbol> Visible(SemanticModel model, StatementSyntax statement) =>
        model.LookupSymbols(statement.SpanStart)
            .Where(s => s is IParameterSymbol || s is ILocalSymbol local
                && local.DeclaringSyntaxReferences.FirstOrDefault() is { } declaration && declaration.Span.End <= statement.SpanStart)
            .ToImmutableArray();

    private static ITypeSymbol? TypeOf(ISymbol symbol) => symbol switch
    {
        ILocalSymbol local => local.Type,
        IParameterSymbol parameter => parameter.Type,
        _ => null,
    };

    /// <summary>An expression for the request's <c>HttpContext</c> at the statement: a visible context, a filter context's <c>HttpContext</c>, a controller's.</summary>
    private static ExpressionSyntax? ContextExpression(Target target, ImmutableArray<ISymbol> visible)
    {
        var httpContext = target.Scope.HttpContext;
        foreach (var symbol in visible)
        {
            if (TypeOf(symbol).IsOrInheritsFrom(httpContext))
                return IdentifierName(symbol.Name);
        }

        foreach (var symbol in visible)
        {
            if (TypeOf(symbol) is { } type && HasContextProperty(type, httpContext))
                return MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, IdentifierName(symbol.Name), IdentifierName("HttpContext"));
        }

        if (target.Origin is { Kind: RequestOriginKind.Class, Type: { } owner } && HasContextProperty(owner, httpContext)
            && target.Model.GetEnclosingSymbol(target.Start.SpanStart) is { IsStatic: false })
        {
            return IdentifierName("HttpContext");
        }

        return null;
    }

    private static bool HasContextProperty(ITypeSymbol type, INamedTypeSymbol httpContext)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.GetMembers("HttpContext").OfType<IPropertySymbol>().Any(p => !p.IsStatic && p.Type.IsOrInheritsFrom(httpContext)))
                return true;
        }

        return false;
    }

    private static bool HasRequiredService(SemanticModel model, int position) =>
        model.Compilation.GetBestTypeByMetadataName("System.IServiceProvider") is { } provider
        && !model.LookupSymbols(position, provider, "GetRequiredService", includeReducedExtensionMethods: true).IsEmpty;

    private static SyntaxNode AddUsing(SyntaxNode root, string name)
    {
        if (root is not CompilationUnitSyntax unit)
            return root;
        var directive = UsingDirective(ParseName(name).WithLeadingTrivia(Space))
            .WithTrailingTrivia(unit.Usings.LastOrDefault()?.GetTrailingTrivia() ?? TriviaList(ElasticLineFeed));
        var usings = unit.Usings;
        var index = usings.Count;
        for (var i = 0; i < usings.Count; i++)
        {
            var existing = usings[i].Name?.ToString() ?? string.Empty;
            if (usings[i].StaticKeyword == default && usings[i].Alias is null && !existing.StartsWith("System", StringComparison.Ordinal)
                && string.CompareOrdinal(existing, name) > 0)
            {
                index = i;
                break;
            }
        }

        return unit.WithUsings(usings.Insert(index, directive));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Fix 2: await

    private static Func<SyntaxNode, SyntaxNode>? PlanAwait(Target target, CancellationToken cancellationToken)
    {
        if (target.Work.Kind is not (WorkKind.Run or WorkKind.Continuation or WorkKind.Call)
            || target.Statement is not ExpressionStatementSyntax statement
            || !IsDroppedStatement(statement, target.Start)
            || Function(statement) is not { } function
            || MakeAsync(function, target, cancellationToken) is not { } makeAsync)
        {
            return null;
        }

        var visible = Visible(target.Model, statement);
        var token = RequestToken(target, visible);
        var edits = token is null ? new List<(SyntaxNode, Func<SyntaxNode, SyntaxNode>)>() : TokenEdits(target, token, cancellationToken);
        var unwrap = target.Model.GetTypeInfo(target.Start, cancellationToken).Type is INamedTypeSymbol { IsGenericType: true } type
            && target.WorkModel.Threading.IsAwaitable(type) && target.WorkModel.Threading.IsAwaitable(type.TypeArguments[0]);
        var start = target.Start;
        return root =>
        {
            var marked = ApplyEdits(root, edits, statement, start);
            var current = marked.GetAnnotatedNodes(StatementMark).OfType<ExpressionStatementSyntax>().First();
            var work = (ExpressionSyntax)marked.GetAnnotatedNodes(StartMark).First();
            ExpressionSyntax awaited = work.WithoutTrivia();
            if (unwrap)
                awaited = InvocationExpression(MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, awaited, IdentifierName("Unwrap")));
            var replacement = ExpressionStatement(AwaitExpression(Token(TriviaList(), SyntaxKind.AwaitKeyword, TriviaList(Space)), awaited))
                .WithTriviaFrom(current);
            marked = marked.ReplaceNode(current, replacement);
            return Unmark(makeAsync(marked));
        };
    }

    /// <summary><c>X;</c>, <c>_ = X;</c>, <c>await X;</c> or <c>_ = await X;</c> where X is the start.</summary>
    private static bool IsDroppedStatement(ExpressionStatementSyntax statement, ExpressionSyntax start)
    {
        var value = statement.Expression;
        if (value is AssignmentExpressionSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: "_" } } discard)
            value = discard.Right;
        if (value is AwaitExpressionSyntax awaited)
            value = awaited.Expression;
        return value == start;
    }

    private static SyntaxNode? Function(StatementSyntax statement) =>
        statement.Ancestors().FirstOrDefault(n => n is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or BaseMethodDeclarationSyntax or AccessorDeclarationSyntax);

    /// <summary>
    /// Identity when <paramref name="function"/> is async; otherwise the edit that makes it async, when that is safe:
    /// a function returning a task (its returns are rewritten to awaits), an endpoint lambda (the framework awaits
    /// whatever it returns), a controller action or page handler (its return type becomes a task). Null otherwise.
    /// </summary>
    private static Func<SyntaxNode, SyntaxNode>? MakeAsync(SyntaxNode function, Target target, CancellationToken cancellationToken)
    {
        var modifiers = function switch
        {
            AnonymousFunctionExpressionSyntax lambda => lambda.Modifiers,
            LocalFunctionStatementSyntax local => local.Modifiers,
            BaseMethodDeclarationSyntax method => method.Modifiers,
            _ => default,
        };
        if (modifiers.Any(SyntaxKind.AsyncKeyword))
            return static root => root;
        if (function is AccessorDeclarationSyntax || Body(function) is not BlockSyntax body)
            return null;

        var model = target.Model;
        var symbol = function is AnonymousFunctionExpressionSyntax
            ? model.GetSymbolInfo(function, cancellationToken).Symbol as IMethodSymbol
            : model.GetDeclaredSymbol(function, cancellationToken) as IMethodSymbol;
        if (symbol is null || body.DescendantNodes().OfType<YieldStatementSyntax>().Any())
            return null;
        var escape = target.WorkModel;
        var returns = body.DescendantNodes(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)).OfType<ReturnStatementSyntax>().ToList();
        var path = new SyntaxPath(function);

        if (escape.Threading.IsAwaitable(symbol.ReturnType))
        {
            var generic = symbol.ReturnType is INamedTypeSymbol { IsGenericType: true };
            if (returns.Any(r => r.Expression is null || !generic && !IsCompletedTask(r.Expression, model, cancellationToken) && !escape.Threading.IsAwaitable(model.GetTypeInfo(r.Expression, cancellationToken).Type)))
                return null;
            return root => AddAsync(RewriteReturns(root, path, generic, model.SyntaxTree.Options), path);
        }

        var isEndpointLambda = function is AnonymousFunctionExpressionSyntax && model.GetOperation(function, cancellationToken) is IAnonymousFunctionOperation operation
            && target.Scope.IsHandler(operation)
            && operation.Parent is IDelegateCreationOperation creation && creation.WalkUpConversions().Type?.ToDisplayString() == "System.Delegate";
        if (isEndpointLambda)
            return root => AddAsync(root, path);

        if (function is MethodDeclarationSyntax && symbol is { IsStatic: false, DeclaredAccessibility: Accessibility.Public, MethodKind: MethodKind.Ordinary, IsOverride: false }
            && target.Origin is { Kind: RequestOriginKind.Class, Type: { } type }
            && (type.IsOrInheritsFrom(model.Compilation.GetBestTypeByMetadataName(TypeNames.ControllerBase))
                || type.IsOrInheritsFrom(model.Compilation.GetBestTypeByMetadataName(TypeNames.PageModel))))
        {
            var task = model.Compilation.GetBestTypeByMetadataName(symbol.ReturnsVoid ? TypeNames.Task : TypeNames.TaskOfT);
            if (task is null)
                return null;
            var taskType = TypeName(target, symbol.ReturnsVoid ? task : task.Construct(symbol.ReturnType));
            return root => AddAsync(TaskReturnType(root, path, taskType), path);
        }

        return null;
    }

    private static SyntaxNode? Body(SyntaxNode function) => function switch
    {
        AnonymousFunctionExpressionSyntax lambda => lambda.Body,
        LocalFunctionStatementSyntax local => local.Body,
        BaseMethodDeclarationSyntax method => method.Body,
        _ => null,
    };

    private static bool IsCompletedTask(ExpressionSyntax expression, SemanticModel model, CancellationToken cancellationToken) =>
        expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "CompletedTask" }
        && model.GetSymbolInfo(expression, cancellationToken).Symbol is IPropertySymbol { IsStatic: true };

    /// <summary>Finds a node again in an edited tree by its kind and position among its ancestors' children.</summary>
    private sealed class SyntaxPath
    {
        private readonly List<int> _indices = new();

        public SyntaxPath(SyntaxNode node)
        {
            for (var current = node; current.Parent is { } parent; current = parent)
                _indices.Insert(0, parent.ChildNodes().TakeWhile(c => c != current).Count());
        }

        public SyntaxNode Find(SyntaxNode root)
        {
            var current = root;
            foreach (var index in _indices)
                current = current.ChildNodes().ElementAt(index);
            return current;
        }
    }

    private static SyntaxNode AddAsync(SyntaxNode root, SyntaxPath path)
    {
        var function = path.Find(root);
        SyntaxNode updated = function switch
        {
            ParenthesizedLambdaExpressionSyntax lambda => lambda.WithoutLeadingTrivia().WithAsyncKeyword(AsyncToken(lambda)),
            SimpleLambdaExpressionSyntax lambda => lambda.WithoutLeadingTrivia().WithAsyncKeyword(AsyncToken(lambda)),
            AnonymousMethodExpressionSyntax method => method.WithoutLeadingTrivia().WithAsyncKeyword(AsyncToken(method)),
            MethodDeclarationSyntax method => method.WithModifiers(AddAsyncModifier(method.Modifiers, method.ReturnType)).WithReturnType(method.Modifiers.Count == 0 ? method.ReturnType.WithoutLeadingTrivia() : method.ReturnType),
            LocalFunctionStatementSyntax local => local.WithModifiers(AddAsyncModifier(local.Modifiers, local.ReturnType)).WithReturnType(local.Modifiers.Count == 0 ? local.ReturnType.WithoutLeadingTrivia() : local.ReturnType),
            _ => function,
        };
        return root.ReplaceNode(function, updated);
    }

    private static SyntaxToken AsyncToken(SyntaxNode function) => Token(function.GetLeadingTrivia(), SyntaxKind.AsyncKeyword, TriviaList(Space));

    private static SyntaxTokenList AddAsyncModifier(SyntaxTokenList modifiers, TypeSyntax returnType) =>
        modifiers.Count == 0
            ? TokenList(Token(returnType.GetLeadingTrivia(), SyntaxKind.AsyncKeyword, TriviaList(Space)))
            : modifiers.Add(Token(TriviaList(), SyntaxKind.AsyncKeyword, TriviaList(Space)));

    /// <summary><c>void</c> → <c>Task</c>, <c>T</c> → <c>Task&lt;T&gt;</c>.</summary>
    private static SyntaxNode TaskReturnType(SyntaxNode root, SyntaxPath path, TypeSyntax task)
    {
        var method = (MethodDeclarationSyntax)path.Find(root);
        return root.ReplaceNode(method, method.WithReturnType(task.WithTriviaFrom(method.ReturnType)));
    }

    /// <summary>
    /// In a function about to become async: <c>return Task.CompletedTask;</c> → <c>return;</c> (dropped at the end),
    /// <c>return t;</c> → <c>await t; return;</c> (just <c>await t;</c> at the end) for a plain task, and
    /// <c>return t;</c> → <c>return await t;</c> for a task with a result.
    /// </summary>
    private static SyntaxNode RewriteReturns(SyntaxNode root, SyntaxPath path, bool generic, ParseOptions options)
    {
        var function = path.Find(root);
        var body = (BlockSyntax)Body(function)!;
        var returns = body.DescendantNodes(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)).OfType<ReturnStatementSyntax>().ToList();
        var updatedBody = body.TrackNodes(returns);
        foreach (var original in returns)
        {
            var current = updatedBody.GetCurrentNode(original)!;
            var expression = current.Expression!;
            if (generic)
            {
                updatedBody = updatedBody.ReplaceNode(current, current.WithExpression(AwaitExpression(Token(TriviaList(), SyntaxKind.AwaitKeyword, TriviaList(Space)), expression)));
                continue;
            }

            var last = current.Parent == updatedBody && updatedBody.Statements.Last() == current;
            var completed = expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "CompletedTask" };
            if (completed && last)
            {
                updatedBody = updatedBody.RemoveNode(current, SyntaxRemoveOptions.KeepLeadingTrivia | SyntaxRemoveOptions.KeepEndOfLine)!;
                continue;
            }

            var bare = ReturnStatement().WithTriviaFrom(current);
            if (completed)
            {
                updatedBody = updatedBody.ReplaceNode(current, bare);
                continue;
            }

            var awaitStatement = ExpressionStatement(AwaitExpression(Token(TriviaList(), SyntaxKind.AwaitKeyword, TriviaList(Space)), expression.WithoutTrivia()));
            if (last)
            {
                updatedBody = updatedBody.ReplaceNode(current, awaitStatement.WithTriviaFrom(current));
            }
            else if (current.Parent is BlockSyntax)
            {
                var indentation = TriviaList(current.GetLeadingTrivia().Reverse().TakeWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).Reverse());
                updatedBody = updatedBody.ReplaceNode(current, new SyntaxNode[]
                {
                    awaitStatement.WithLeadingTrivia(current.GetLeadingTrivia()).WithTrailingTrivia(current.GetTrailingTrivia()),
                    ReturnStatement().WithLeadingTrivia(indentation).WithTrailingTrivia(current.GetTrailingTrivia()),
                });
            }
            else
            {
                updatedBody = updatedBody.ReplaceNode(current, Block(awaitStatement, ReturnStatement()).WithTriviaFrom(current).WithAdditionalAnnotations(Formatter.Annotation));
            }
        }

        return root.ReplaceNode(body, updatedBody);
    }

    /// <summary>The request's token at the statement: <c>HttpContext.RequestAborted</c> in a controller, <c>Context.ConnectionAborted</c> in a hub, <c>context.RequestAborted</c>.</summary>
    private static ExpressionSyntax? RequestToken(Target target, ImmutableArray<ISymbol> visible)
    {
        var hub = target.Model.Compilation.GetBestTypeByMetadataName(TypeNames.Hub);
        if (target.Origin is { Kind: RequestOriginKind.Class, Type: { } type } && type.IsOrInheritsFrom(hub))
            return ParseExpression("Context.ConnectionAborted");
        return ContextExpression(target, visible) is { } context
            ? MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, context, IdentifierName("RequestAborted"))
            : null;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Passing and forwarding the token

    /// <summary>
    /// Argument-list edits that pass <paramref name="token"/>: to the start (replacing <c>None</c>/<c>default</c>, or
    /// through a token parameter or an overload with one more token parameter), and to every call inside the work that
    /// takes a token and gets none.
    /// </summary>
    private static List<(SyntaxNode Node, Func<SyntaxNode, SyntaxNode> Edit)> TokenEdits(Target target, ExpressionSyntax token, CancellationToken cancellationToken)
    {
        var edits = new List<(SyntaxNode, Func<SyntaxNode, SyntaxNode>)>();
        var escape = target.WorkModel;
        if (target.Model.GetOperation(target.Start, cancellationToken) is { } start && PassToken(start, token, target.Model, escape, cancellationToken) is { } startEdit)
            edits.Add(startEdit);
        if (target.Work.Delegate is IAnonymousFunctionOperation work)
        {
            foreach (var operation in work.Body.Descendants())
            {
                if (operation is IInvocationOperation invocation && !invocation.IsInsideNestedFunction(work.Body)
                    && PassToken(invocation, token, target.Model, escape, cancellationToken) is { } edit)
                {
                    edits.Add(edit);
                }
            }
        }

        return edits;
    }

    private static (SyntaxNode, Func<SyntaxNode, SyntaxNode>)? PassToken(IOperation operation, ExpressionSyntax token, SemanticModel model, Work escape, CancellationToken cancellationToken)
    {
        var (method, arguments, list) = operation switch
        {
            IInvocationOperation invocation => (invocation.TargetMethod, invocation.Arguments, (invocation.Syntax as InvocationExpressionSyntax)?.ArgumentList),
            IObjectCreationOperation { Constructor: { } constructor } creation => (constructor, creation.Arguments, (creation.Syntax as ObjectCreationExpressionSyntax)?.ArgumentList),
            _ => (null, default, null),
        };
        if (method is null || list is null)
            return null;
        var tokenType = escape.CancellationToken;
        var existing = arguments.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter?.Type, tokenType));
        if (existing is { ArgumentKind: ArgumentKind.Explicit })
        {
            if (!escape.IsNoToken(existing.Value) || existing.Syntax is not ArgumentSyntax argument)
                return null;
            return (argument, node => ((ArgumentSyntax)node).WithExpression(token.WithTriviaFrom(((ArgumentSyntax)node).Expression)));
        }

        var positional = list.Arguments.All(a => a.NameColon is null) && arguments.All(a => a.ArgumentKind != ArgumentKind.ParamArray);
        // A reduced extension call (logger.WriteAsync(x)) passes its receiver as the first argument, outside the list.
        var receiverArguments = arguments.Count(a => a.Syntax is not ArgumentSyntax && a.ArgumentKind == ArgumentKind.Explicit);
        if (existing is { ArgumentKind: ArgumentKind.DefaultValue, Parameter: { } parameter })
        {
            var inOrder = positional && parameter.Ordinal - receiverArguments == list.Arguments.Count;
            return (list, node => AddArgument((ArgumentListSyntax)node, token, inOrder ? null : parameter.Name, ((ArgumentListSyntax)node).Arguments.Count));
        }

        if (!positional || operation is not IInvocationOperation call || call.Syntax is not InvocationExpressionSyntax syntax)
            return null;
        var called = model.GetSymbolInfo(syntax, cancellationToken).Symbol as IMethodSymbol ?? method;
        foreach (var candidate in model.GetMemberGroup(syntax.Expression, cancellationToken).OfType<IMethodSymbol>())
        {
            if (TokenIndex(called, candidate, tokenType) is { } index && index <= list.Arguments.Count)
                return (list, node => AddArgument((ArgumentListSyntax)node, token, null, index));
        }

        return null;
    }

    /// <summary>Where <paramref name="overload"/> has the same parameters as <paramref name="method"/> plus one token, that token's position.</summary>
    private static int? TokenIndex(IMethodSymbol method, IMethodSymbol overload, INamedTypeSymbol tokenType)
    {
        var original = method.OriginalDefinition.Parameters;
        var candidate = overload.OriginalDefinition.Parameters;
        if (candidate.Length != original.Length + 1 || overload.IsStatic != method.IsStatic)
            return null;
        for (var index = 0; index < candidate.Length; index++)
        {
            if (!SymbolEqualityComparer.Default.Equals(candidate[index].Type, tokenType))
                continue;
            var rest = candidate.RemoveAt(index);
            if (rest.Zip(original, (a, b) => a.RefKind == b.RefKind && a.Type.ToDisplayString() == b.Type.ToDisplayString()).All(x => x))
                return index;
        }

        return null;
    }

    private static ArgumentListSyntax AddArgument(ArgumentListSyntax list, ExpressionSyntax token, string? name, int index)
    {
        var argument = name is null
            ? Argument(token)
            : Argument(NameColon(IdentifierName(name), Token(TriviaList(), SyntaxKind.ColonToken, TriviaList(Space))), default, token);
        var nodes = list.Arguments.ToList();
        var separators = list.Arguments.GetSeparators().ToList();
        index = Math.Min(index, nodes.Count);
        nodes.Insert(index, argument);
        var comma = Token(TriviaList(), SyntaxKind.CommaToken, TriviaList(Space));
        if (nodes.Count > 1 && index == nodes.Count - 1)
            separators.Add(comma);
        else if (nodes.Count > 1)
            separators.Insert(index, comma);
        return list.WithArguments(SeparatedList(nodes, separators));
    }

    /// <summary>Removes the marks, so that the next fix of a Fix All finds only its own.</summary>
    private static SyntaxNode Unmark(SyntaxNode root)
    {
        var marked = root.GetAnnotatedNodes(StatementMark).Concat(root.GetAnnotatedNodes(StartMark)).Distinct().ToList();
        return root.ReplaceNodes(marked, (_, rewritten) => rewritten.WithoutAnnotations(StatementMark).WithoutAnnotations(StartMark));
    }

    /// <summary>
    /// Applies the edits (an edit of an outer argument list sees the inner ones already made), then marks the
    /// statement and the start so that later steps find them.
    /// </summary>
    private static SyntaxNode ApplyEdits(SyntaxNode root, List<(SyntaxNode Node, Func<SyntaxNode, SyntaxNode> Edit)> edits, StatementSyntax statement, ExpressionSyntax start)
    {
        var keys = edits.Select(e => e.Node).Distinct().ToList();
        var tracked = root.TrackNodes(keys.Concat(new SyntaxNode[] { statement, start }));
        var current = keys.ToDictionary(k => tracked.GetCurrentNode(k)!, k => edits.Where(e => e.Node == k).Select(e => e.Edit).ToList());
        if (current.Count > 0)
            tracked = tracked.ReplaceNodes(current.Keys, (original, rewritten) => current[original].Aggregate(rewritten, (node, edit) => edit(node)));
        var startNode = tracked.GetCurrentNode(start)!;
        tracked = tracked.ReplaceNode(startNode, startNode.WithAdditionalAnnotations(StartMark));
        var statementNode = tracked.GetCurrentNode(statement)!;
        return tracked.ReplaceNode(statementNode, statementNode.WithAdditionalAnnotations(StatementMark));
    }
}
