using System.Composition;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;
using Keys = LeakAnalyzers.Rules.UncancelledFireAndForgetAnalyzer.Properties;

namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK002 fixes, over what the analyzer decided (<see cref="UncancelledFireAndForgetAnalyzer.Properties"/>: the kind of
/// work, the kind of request code, whether its class is injectable, a hub or a controller, an endpoint handler).
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

    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(Descriptors.UncancelledFireAndForget.Id);

    public override FixAllProvider GetFixAllProvider() =>
        SequentialFixAll.Create(async (target, cancellationToken) =>
            await PlanAsync(target, awaiting: target.EquivalenceKey == AwaitTitle, cancellationToken).ConfigureAwait(false) is { } plan
                ? await plan.ApplyAsync(cancellationToken).ConfigureAwait(false)
                : target.Document);

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            if (await FixTarget.FromAsync(context.Document, diagnostic, context.CancellationToken).ConfigureAwait(false) is not { } target)
                continue;
            if (await PlanAsync(target, awaiting: false, context.CancellationToken).ConfigureAwait(false) is { } cancel)
                context.RegisterCodeFix(cancel.ToCodeAction(CancelTitle), diagnostic);
            if (await PlanAsync(target, awaiting: true, context.CancellationToken).ConfigureAwait(false) is { } awaitWork)
                context.RegisterCodeFix(awaitWork.ToCodeAction(AwaitTitle), diagnostic);
        }
    }

    private static async Task<EditPlan?> PlanAsync(FixTarget target, bool awaiting, CancellationToken cancellationToken) =>
        await Start.FindAsync(target, cancellationToken).ConfigureAwait(false) is { } start
            ? awaiting ? PlanAwait(start, cancellationToken) : PlanCancel(start, cancellationToken)
            : null;

    /// <summary>
    /// The diagnostic's start in the current document, with the analyzer's decision about it. <see cref="Shape"/> is the
    /// model's description of the call (which argument is the delegate, which the token), not a second judgement.
    /// </summary>
    private sealed record Start(
        Document Document, SemanticModel Model, SyntaxGenerator Generator, Domain Domain, Work Work, ExpressionSyntax Syntax, WorkStart Shape,
        RequestOriginKind Origin, bool Injectable, string? Host, bool InEndpointHandler)
    {
        public StatementSyntax? Statement => Syntax.FirstAncestorOrSelf<StatementSyntax>();

        public static async Task<Start?> FindAsync(FixTarget target, CancellationToken cancellationToken)
        {
            if (!Enum.TryParse<WorkKind>(target.Property(Keys.Kind), out var kind) || !Enum.TryParse<RequestOriginKind>(target.Property(Keys.Origin), out var origin))
                return null;
            var model = await target.Document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            var syntax = target.Node.FirstAncestorOrSelf<ExpressionSyntax>(e => e is InvocationExpressionSyntax or ObjectCreationExpressionSyntax && e.Span == target.Node.Span);
            if (model is null || syntax is null || Domain.Get(model.Compilation) is not { Work: { } work } domain
                || model.GetOperation(syntax, cancellationToken) is not { } operation || work.StartedBy(operation) is not { } shape || shape.Kind != kind
                || !shape.IsBound)
            {
                return null;                              // not the start the diagnostic is about (the document changed under it), or code
            }                                             // that does not bind, whose overloads and arguments cannot be edited safely

            return new Start(target.Document, model, SyntaxGenerator.GetGenerator(target.Document), domain, work, syntax, shape, origin,
                target.Property(Keys.Injectable) == "true", target.Property(Keys.Host), target.Property(Keys.EndpointHandler) == "true");
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Fix 1: ApplicationStopping

    private static EditPlan? PlanCancel(Start start, CancellationToken cancellationToken)
    {
        if (start.Domain.Types.Extensions.IHostApplicationLifetime is not { } lifetimeType || start.Statement is not { } statement)
            return null;
        if (start.Shape.Kind == WorkKind.Call && IsOnTheRequest(start, cancellationToken))
            return null;                                  // writing to the response after it is sent is no fix

        var edits = ImmutableArray.CreateBuilder<Action<SyntaxEditor>>();
        if ((InjectedLifetime(start, lifetimeType, edits, cancellationToken) ?? InlineLifetime(start, statement, lifetimeType, edits, cancellationToken)) is not { } token)
            return null;
        var slots = TokenSlots(start, cancellationToken);
        if (slots.Count == 0)
            return null;                                  // nothing would observe the token: the work stays uncancellable
        edits.Add(editor => slots.ForEach(slot => Arguments.Pass(editor, slot, token)));
        return new EditPlan(start.Document, edits.ToImmutable());
    }

    /// <summary>A call on the request itself (<c>context.Response.WriteAsync</c>): it belongs to the request, awaiting is the fix.</summary>
    private static bool IsOnTheRequest(Start start, CancellationToken cancellationToken) =>
        start.Model.GetOperation(start.Syntax, cancellationToken) is IInvocationOperation { Instance: { } instance }
        && start.Domain.RequestValues?.IsPooledByRequest(instance.Type) == true;

    /// <summary>
    /// A class the container creates (the analyzer says so): reuse its <c>IHostApplicationLifetime</c>, or inject one
    /// through the primary constructor or the one constructor. Returns the token expression.
    /// </summary>
    private static ExpressionSyntax? InjectedLifetime(Start start, INamedTypeSymbol lifetimeType, ImmutableArray<Action<SyntaxEditor>>.Builder edits, CancellationToken cancellationToken)
    {
        if (start.Origin != RequestOriginKind.Class || !start.Injectable
            || start.Syntax.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not ClassDeclarationSyntax declaration
            || start.Model.GetDeclaredSymbol(declaration, cancellationToken) is not { DeclaringSyntaxReferences.Length: 1 } type)
        {
            return null;
        }

        var generator = start.Generator;
        foreach (var member in type.GetMembers())
        {
            var memberType = member switch
            {
                IFieldSymbol existingField => existingField.Type,
                IPropertySymbol existingProperty => existingProperty.Type,
                _ => null,
            };
            if (memberType is not null && SymbolEqualityComparer.Default.Equals(memberType, lifetimeType) && !member.IsImplicitlyDeclared)
                return Stopping(generator, generator.IdentifierName(member.Name));
        }

        if (declaration.ParameterList is { } primary)
        {
            foreach (var parameter in primary.Parameters)
            {
                if (parameter.Type is { } parameterType
                    && SymbolEqualityComparer.Default.Equals(start.Model.GetTypeInfo(parameterType, cancellationToken).Type, lifetimeType))
                {
                    return Stopping(generator, generator.IdentifierName(parameter.Identifier.ValueText));
                }
            }

            var name = Naming.Member("lifetime", type, primary.Parameters.Select(p => p.Identifier.ValueText));
            edits.Add(editor => editor.ReplaceNode(primary, (current, g) =>
                ((ParameterListSyntax)current).AddParameters(Parameter(g, name, lifetimeType))));
            return Stopping(generator, generator.IdentifierName(name));
        }

        var constructors = declaration.Members.OfType<ConstructorDeclarationSyntax>().Where(c => !c.Modifiers.Any(SyntaxKind.StaticKeyword)).ToList();
        if (constructors.Count > 1 || constructors.Count == 1 && constructors[0].Initializer is { RawKind: (int)SyntaxKind.ThisConstructorInitializer })
            return null;                                  // which constructor the container picks is not ours to guess
        if (constructors.Count == 0 && type.BaseType?.InstanceConstructors.Any(c => c.Parameters.Length == 0 && c.DeclaredAccessibility != Accessibility.Private) != true)
            return null;
        var field = Naming.Member("_lifetime", type, Enumerable.Empty<string>());
        var parameterName = Naming.Member("lifetime", type, constructors.SelectMany(c => c.ParameterList.Parameters).Select(p => p.Identifier.ValueText));
        edits.Add(editor => InjectThroughConstructor(editor, declaration, constructors.FirstOrDefault(), field, parameterName, lifetimeType));
        return Stopping(generator, generator.IdentifierName(field));
    }

    /// <summary>A <c>private readonly</c> field after the last field, assigned from a new parameter of the constructor (created if there is none).</summary>
    private static void InjectThroughConstructor(SyntaxEditor editor, ClassDeclarationSyntax declaration, ConstructorDeclarationSyntax? constructor, string field, string parameterName, INamedTypeSymbol lifetimeType)
    {
        var generator = editor.Generator;
        var assignment = (StatementSyntax)generator.ExpressionStatement(generator.AssignmentStatement(generator.IdentifierName(field), generator.IdentifierName(parameterName)));
        var added = new List<SyntaxNode>
        {
            generator.FieldDeclaration(field, Imports.Type(generator, lifetimeType), Accessibility.Private, DeclarationModifiers.ReadOnly),
        };
        if (constructor is null)
        {
            added.Add(generator.ConstructorDeclaration(declaration.Identifier.ValueText, new[] { Parameter(generator, parameterName, lifetimeType) },
                Accessibility.Public, statements: new[] { assignment }));
        }
        else
        {
            editor.ReplaceNode(constructor, (current, g) =>
            {
                var updated = (ConstructorDeclarationSyntax)g.AddParameters(current, new[] { Parameter(g, parameterName, lifetimeType) });
                return updated.ExpressionBody is { } expressionBody
                    ? updated.WithExpressionBody(null).WithSemicolonToken(default)
                        .WithBody(Block(ExpressionStatement(expressionBody.Expression.WithoutTrivia()), assignment))
                        .WithTrailingTrivia(updated.GetTrailingTrivia())
                        .WithAdditionalAnnotations(Formatter.Annotation)
                    : updated.WithBody(updated.Body!.AddStatements(assignment.WithAdditionalAnnotations(Formatter.Annotation)));
            });
        }

        editor.ReplaceNode(declaration, (current, g) =>
        {
            var members = ((ClassDeclarationSyntax)current).Members;
            var afterFields = members.LastIndexOf(m => m is FieldDeclarationSyntax) + 1;
            return g.InsertMembers(current, afterFields, added.Select(m => m.WithAdditionalAnnotations(Formatter.Annotation)));
        });
    }

    private static ParameterSyntax Parameter(SyntaxGenerator generator, string name, INamedTypeSymbol type) =>
        ((ParameterSyntax)generator.ParameterDeclaration(name, Imports.Type(generator, type))).WithAdditionalAnnotations(Formatter.Annotation);

    private static ExpressionSyntax Stopping(SyntaxGenerator generator, SyntaxNode lifetime) =>
        (ExpressionSyntax)generator.MemberAccessExpression(lifetime, "ApplicationStopping");

    /// <summary>
    /// Inline middleware, endpoint lambdas, static methods, filter attributes: <c>app.Lifetime</c> when the application
    /// is in scope, else the container behind a visible <c>HttpContext</c>; copied into a local before the statement so
    /// that the work captures a token, not the context. An earlier such local in scope is reused.
    /// </summary>
    private static ExpressionSyntax? InlineLifetime(Start start, StatementSyntax statement, INamedTypeSymbol lifetimeType, ImmutableArray<Action<SyntaxEditor>>.Builder edits, CancellationToken cancellationToken)
    {
        var (model, generator) = (start.Model, start.Generator);
        var visible = Visible(model, statement);
        foreach (var local in visible.OfType<ILocalSymbol>())
        {
            if (SymbolEqualityComparer.Default.Equals(local.Type, start.Work.CancellationToken)
                && local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is VariableDeclaratorSyntax declarator
                && model.GetOperation(declarator, cancellationToken) is IVariableDeclaratorOperation { Initializer.Value: var value }
                && value.WalkDownConversions() is IPropertyReferenceOperation { Property.Name: "ApplicationStopping" } stopping
                && stopping.Property.ContainingType.Implements(lifetimeType))
            {
                return (ExpressionSyntax)generator.IdentifierName(local.Name);
            }
        }

        if (!Statements.CanInsertBefore(statement))
            return null;
        SyntaxNode lifetime;
        var webApplication = start.Domain.Types.AspNetCore?.WebApplication;
        if (visible.FirstOrDefault(s => SymbolEqualityComparer.Default.Equals(TypeOf(s), webApplication)) is { } app)
        {
            lifetime = generator.MemberAccessExpression(generator.IdentifierName(app.Name), "Lifetime");
        }
        else if (ContextExpression(start, visible) is { } context && start.Domain.Types.Extensions.ServiceProviderServiceExtensions is { } extensions)
        {
            var getRequiredService = generator.MemberAccessExpression(generator.MemberAccessExpression(context, "RequestServices"),
                generator.GenericName("GetRequiredService", Imports.Type(generator, lifetimeType)));
            lifetime = generator.InvocationExpression(getRequiredService);
            edits.Add(editor => Imports.AddNamespaceOf(editor, extensions, "GetRequiredService", model, statement.SpanStart));
        }
        else
        {
            return null;
        }

        var name = Naming.Unique("stopping", statement, model, Naming.DeclaredAround(statement, cancellationToken));
        var declaration = Statements.Var(generator, name, Stopping(generator, lifetime));
        edits.Add(editor => Statements.InsertBefore(editor, statement, new StatementSyntax[] { declaration }));
        return (ExpressionSyntax)generator.IdentifierName(name);
    }

    /// <summary>The parameters in scope at the statement, and the locals declared before it.</summary>
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
    private static SyntaxNode? ContextExpression(Start start, ImmutableArray<ISymbol> visible)
    {
        if (start.Domain.Types.AspNetCore?.HttpContext is not { } httpContext)
            return null;
        var generator = start.Generator;
        foreach (var symbol in visible)
        {
            if (TypeOf(symbol).IsOrInheritsFrom(httpContext))
                return generator.IdentifierName(symbol.Name);
        }

        foreach (var symbol in visible)
        {
            if (TypeOf(symbol) is { } type && HasContextProperty(type, httpContext))
                return generator.MemberAccessExpression(generator.IdentifierName(symbol.Name), "HttpContext");
        }

        var enclosing = start.Model.GetEnclosingSymbol(start.Syntax.SpanStart);
        if (start.Origin == RequestOriginKind.Class && enclosing is { IsStatic: false, ContainingType: { } owner } && HasContextProperty(owner, httpContext))
            return generator.IdentifierName("HttpContext");
        return null;
    }

    /// <summary>An instance property <c>HttpContext</c> of the context's type (a controller's, a filter context's), declared on the type or a base.</summary>
    private static bool HasContextProperty(ITypeSymbol type, INamedTypeSymbol httpContext)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.GetMembers("HttpContext").OfType<IPropertySymbol>().Any(p => !p.IsStatic && p.Type.IsOrInheritsFrom(httpContext)))
                return true;
        }

        return false;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Fix 2: await

    private static EditPlan? PlanAwait(Start start, CancellationToken cancellationToken)
    {
        if (start.Shape.Kind is not (WorkKind.Run or WorkKind.Continuation or WorkKind.Call)
            || start.Statement is not ExpressionStatementSyntax statement
            || DroppedWork(statement) != start.Syntax
            || statement.Ancestors().FirstOrDefault(n => n is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or BaseMethodDeclarationSyntax or AccessorDeclarationSyntax) is not { } function
            || AsyncConversion.Plan(function, start.Model, start.Work.Threading, MayChangeReturnType(start, function, cancellationToken), cancellationToken) is not { } conversion)
        {
            return null;
        }

        var token = RequestToken(start, Visible(start.Model, statement));
        var slots = token is null ? new List<ArgumentSlot>() : TokenSlots(start, cancellationToken);
        var threading = start.Work.Threading;
        var unwrap = start.Model.GetTypeInfo(start.Syntax, cancellationToken).Type is INamedTypeSymbol { IsGenericType: true } type
            && threading.IsAwaitable(type) && threading.IsAwaitable(type.TypeArguments[0]);
        return new EditPlan(start.Document, editor =>
        {
            slots.ForEach(slot => Arguments.Pass(editor, slot, token!));
            editor.ReplaceNode(statement, (current, generator) =>
            {
                var work = DroppedWork((ExpressionStatementSyntax)current).WithoutTrivia();
                var awaited = unwrap ? (ExpressionSyntax)generator.InvocationExpression(generator.MemberAccessExpression(work, "Unwrap")) : work;
                return ExpressionStatement(AwaitExpression(awaited)).WithTriviaFrom(current);
            });
            conversion.Apply(editor);
        });
    }

    /// <summary>X in <c>X;</c>, <c>_ = X;</c>, <c>await X;</c> or <c>_ = await X;</c>.</summary>
    private static ExpressionSyntax DroppedWork(ExpressionStatementSyntax statement)
    {
        var value = statement.Expression;
        if (value is AssignmentExpressionSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: "_" } } discard)
            value = discard.Right;
        if (value is AwaitExpressionSyntax awaited)
            value = awaited.Expression;
        return value;
    }

    /// <summary>
    /// Whether nothing depends on the function's return type, so that it may return a task: an endpoint handler the
    /// framework awaits, or a public action of a controller or page model (the analyzer tells which).
    /// </summary>
    private static bool MayChangeReturnType(Start start, SyntaxNode function, CancellationToken cancellationToken) => function switch
    {
        AnonymousFunctionExpressionSyntax => start.InEndpointHandler,
        MethodDeclarationSyntax method => start.Host == Keys.Controller
            && start.Model.GetDeclaredSymbol(method, cancellationToken) is { IsStatic: false, DeclaredAccessibility: Accessibility.Public, MethodKind: MethodKind.Ordinary, IsOverride: false },
        _ => false,
    };

    /// <summary>The request's token at the statement: a hub's <c>Context.ConnectionAborted</c>, else the context's <c>RequestAborted</c>.</summary>
    private static ExpressionSyntax? RequestToken(Start start, ImmutableArray<ISymbol> visible)
    {
        var generator = start.Generator;
        if (start.Host == Keys.Hub)
            return (ExpressionSyntax)generator.MemberAccessExpression(generator.IdentifierName("Context"), "ConnectionAborted");
        return ContextExpression(start, visible) is { } context ? (ExpressionSyntax)generator.MemberAccessExpression(context, "RequestAborted") : null;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Passing and forwarding the token

    /// <summary>
    /// Where a token goes: the start (replacing <c>None</c>/<c>default</c>, or through a token parameter or an overload
    /// with one more token parameter), and every call inside the work that takes a token and gets none.
    /// </summary>
    private static List<ArgumentSlot> TokenSlots(Start start, CancellationToken cancellationToken)
    {
        var slots = new List<ArgumentSlot>();
        if (start.Model.GetOperation(start.Syntax, cancellationToken) is { } call)
            AddSlot(call);
        if (start.Shape.Delegate is IAnonymousFunctionOperation work)
        {
            foreach (var operation in work.Body.Descendants())
            {
                if (operation is IInvocationOperation invocation && !invocation.IsInsideNestedFunction(work.Body))
                    AddSlot(invocation);
            }
        }

        return slots;

        void AddSlot(IOperation passedTo)
        {
            if (Arguments.SlotFor(passedTo, start.Work.CancellationToken, start.Model, cancellationToken) is { } slot
                && (slot.Existing is null || start.Work.IsNoToken(slot.Existing.Value)))
            {
                slots.Add(slot);
            }
        }
    }
}
