using System.Composition;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using static LeakAnalyzers.Rules.AmbientValueNotRestoredAnalyzer;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK005 fixes: the one the analyzer chose for the diagnostic (<see cref="Properties.Fix"/>), applied after checking
/// that the edit fits the code as it is now.
/// <para>"Restore the previous value in finally": <c>var previousX = X;</c> before the assignment and the ambient
/// assignments right next to it (<see cref="Properties.Names"/>), then the rest of the block in
/// <c>try { … } finally { X = previousX; }</c>. A synchronous <c>Task</c>-returning function that sets an
/// <c>AsyncLocal</c> becomes <c>async</c> and awaits the tasks it returned (<see cref="AsyncConversion"/>, the one
/// make-async conversion), so the value stays set for the whole operation. Not applied when nothing runs after the
/// assignment, across an <c>await</c> for thread-bound slots, or when the rewrite would not compile.</para>
/// <para>"Register without capturing the execution context" and "Suppress execution context flow around it" for the
/// captures.</para>
/// Each fix is planned when the light bulb is computed and applied through a <see cref="SyntaxEditor"/>
/// (<see cref="EditPlan"/>); new code is laid out by the formatter.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AmbientValueNotRestoredFixer)), Shared]
public sealed class AmbientValueNotRestoredFixer : CodeFixProvider
{
    internal const string Title = "Restore the previous value in finally";
    internal const string UnsafeRegisterTitle = "Register without capturing the execution context";
    internal const string SuppressFlowTitle = "Suppress execution context flow around it";
    internal const string ClearInPairedCallbackTitle = "Clear it in the paired Executed callback";
    internal const string ReturnRestoreScopeTitle = "Return a scope that restores the previous value";

    /// <summary>The nested class the scope fix generates (numbered when the type has a member of that name that is not it).</summary>
    internal const string ScopeClassName = "RestoreScope";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(Descriptors.AmbientValueNotRestored.Id);

    /// <summary>
    /// Each diagnostic has exactly one action, so Fix All applies every diagnostic's own action whichever one started it
    /// (<c>dotnet format</c> runs a single Fix All per rule).
    /// </summary>
    public override FixAllProvider GetFixAllProvider() =>
        SequentialFixAll.Create(async (target, cancellationToken) =>
            await PlanAsync(target, cancellationToken).ConfigureAwait(false) is { } plan
                ? await plan.ApplyAsync(cancellationToken).ConfigureAwait(false)
                : target.Document);

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            if (await FixTarget.FromAsync(context.Document, diagnostic, context.CancellationToken).ConfigureAwait(false) is { } target
                && FixOf(target) is { } fix
                && await PlanAsync(target, context.CancellationToken).ConfigureAwait(false) is { } plan)
            {
                context.RegisterCodeFix(plan.ToCodeAction(TitleOf(fix)), diagnostic);   // validated before registering
            }
        }
    }

    private static FixKind? FixOf(FixTarget target) =>
        Enum.TryParse<FixKind>(target.Property(Properties.Fix), out var fix) ? fix : null;

    private static string TitleOf(FixKind fix) => fix switch
    {
        FixKind.UnsafeRegister => UnsafeRegisterTitle,
        FixKind.SuppressFlow => SuppressFlowTitle,
        FixKind.ClearInPairedCallback => ClearInPairedCallbackTitle,
        FixKind.ReturnRestoreScope => ReturnRestoreScopeTitle,
        _ => Title,
    };

    /// <summary>The edit of the diagnostic's fix at its node, validated against the current document; null when it does not apply.</summary>
    private static async Task<EditPlan?> PlanAsync(FixTarget target, CancellationToken cancellationToken)
    {
        if (FixOf(target) is not { } fix || await target.Document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false) is not { } model)
            return null;
        var edit = (fix, target.Node) switch
        {
            (FixKind.RestoreInFinally, AssignmentExpressionSyntax or InvocationExpressionSyntax) => PlanRestore((ExpressionSyntax)target.Node, target, model, cancellationToken),
            (FixKind.UnsafeRegister, InvocationExpressionSyntax invocation) => PlanUnsafeRegister(invocation),
            (FixKind.SuppressFlow, ExpressionSyntax capture) => PlanSuppressFlow(capture, model),
            (FixKind.ClearInPairedCallback, AssignmentExpressionSyntax assignment) => PlanClearInPairedCallback(assignment, target),
            (FixKind.ReturnRestoreScope, AssignmentExpressionSyntax assignment) => PlanRestoreScope(assignment, target, model, cancellationToken),
            _ => null,
        };
        return edit is null ? null : new EditPlan(target.Document, edit);
    }

    /// <summary>
    /// <c>token.Register(() =&gt; …)</c> becomes <c>token.UnsafeRegister(_ =&gt; …, null)</c>, and
    /// <c>token.Register(callback, state)</c> becomes <c>token.UnsafeRegister(callback, state)</c>.
    /// </summary>
    private static Action<SyntaxEditor>? PlanUnsafeRegister(InvocationExpressionSyntax invocation)
    {
        if (invocation.Expression is not MemberAccessExpressionSyntax { Name: IdentifierNameSyntax name } access)
            return null;
        var arguments = invocation.ArgumentList.Arguments;
        var renamed = access.WithName(IdentifierName("UnsafeRegister").WithTriviaFrom(name));
        if (arguments.Count == 2)
            return editor => editor.ReplaceNode(invocation, invocation.WithExpression(renamed));
        if (arguments.Count != 1 || arguments[0].Expression is not ParenthesizedLambdaExpressionSyntax { ParameterList.Parameters.Count: 0 } lambda)
            return null;

        return editor =>
        {
            var discard = SimpleLambdaExpression(lambda.Modifiers, Parameter(Identifier("_")), lambda.ArrowToken, lambda.Block, lambda.ExpressionBody)
                .WithLeadingTrivia(lambda.GetLeadingTrivia());
            var list = invocation.ArgumentList.ReplaceNode(lambda, discard);
            var state = (ExpressionSyntax)editor.Generator.NullLiteralExpression();
            editor.ReplaceNode(invocation, invocation.WithExpression(renamed).WithArgumentList(Arguments.Insert(list, editor.Generator, state, index: 1, name: null)));
        };
    }

    /// <summary>
    /// <c>X = null;</c> (or <c>null!</c>, <c>default</c>: <see cref="Properties.Clear"/>) as the last statement of the
    /// paired <c>On…Executed</c> callback the analyzer found (the additional location), with the same target as the
    /// set. Not applied to an expression-bodied callback, or to one with a <c>return</c> that would skip the clear.
    /// </summary>
    private static Action<SyntaxEditor>? PlanClearInPairedCallback(AssignmentExpressionSyntax assignment, FixTarget target)
    {
        if (target.Additional is not { Length: 1 } additional || additional[0] is not MethodDeclarationSyntax { Body: { } body }
            || !Enum.TryParse<ClearKind>(target.Property(Properties.Clear), out var clear)
            || body.DescendantNodes(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)).Any(n => n is ReturnStatementSyntax))
        {
            return null;
        }

        return editor =>
        {
            var generator = editor.Generator;
            var value = clear switch
            {
                ClearKind.Default => LiteralExpression(SyntaxKind.DefaultLiteralExpression),
                ClearKind.SuppressedNull => PostfixUnaryExpression(SyntaxKind.SuppressNullableWarningExpression, (ExpressionSyntax)generator.NullLiteralExpression()),
                _ => (ExpressionSyntax)generator.NullLiteralExpression(),
            };
            var statement = (StatementSyntax)generator.ExpressionStatement(generator.AssignmentStatement(assignment.Left.WithoutTrivia(), value));
            editor.ReplaceNode(body, body.AddStatements(statement).WithAdditionalAnnotations(Formatter.Annotation));
        };
    }

    /// <summary>
    /// <c>void BeginScope(Tenant t) { s_current.Value = t; }</c> becomes <c>IDisposable BeginScope(Tenant t) { var
    /// previousCurrent = s_current.Value; s_current.Value = t; return new RestoreScope(() =&gt; s_current.Value =
    /// previousCurrent); }</c>, with <c>RestoreScope</c> a private nested class of the type (an <c>IDisposable</c> that runs
    /// an <c>Action</c> on <c>Dispose</c>: the BCL has no public such type), added once per type and reused by the next
    /// fix. Not applied when the method no longer has that shape (a <c>void</c> method whose top-level statement is the
    /// set, no <c>return</c>), or when the type has a member of the scope's name that is not such a class.
    /// </summary>
    private static Action<SyntaxEditor>? PlanRestoreScope(AssignmentExpressionSyntax assignment, FixTarget target, SemanticModel model, CancellationToken cancellationToken)
    {
        if (assignment.FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { ReturnType: PredefinedTypeSyntax { Keyword.RawKind: (int)SyntaxKind.VoidKeyword } } method
            || method.Parent is not TypeDeclarationSyntax typeDeclaration
            || assignment.Parent is not (ExpressionStatementSyntax { Parent: BlockSyntax { Parent: MethodDeclarationSyntax } } or ArrowExpressionClauseSyntax { Parent: MethodDeclarationSyntax })
            || OwnNodes(method).Any(n => n is ReturnStatementSyntax)
            || target.Property(Properties.Names) is not { } name
            || model.GetDeclaredSymbol(typeDeclaration, cancellationToken) is not { } type
            || KnownTypes.Get(model.Compilation).Threading is not { Action: { } action, IDisposable: { } disposable })
        {
            return null;
        }

        var existing = type.GetTypeMembers(ScopeClassName).FirstOrDefault();
        if (existing is null && type.GetMembers(ScopeClassName).Any()
            || existing is not null && !(existing.AllInterfaces.Contains(disposable, SymbolEqualityComparer.Default)
                && existing.InstanceConstructors.Any(c => c.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(c.Parameters[0].Type, action))))
        {
            return null;                                  // the name is taken by something else
        }

        var saved = Naming.Unique(Saved(name), assignment, model, Naming.DeclaredAround(assignment, cancellationToken));
        var suppress = target.Property(Properties.Suppress) == "true";
        return editor =>
        {
            var generator = editor.Generator;
            var slot = assignment.Left.WithoutTrivia();
            var save = Statements.Var(generator, saved, slot).WithAdditionalAnnotations(Formatter.Annotation);
            var previous = suppress ? PostfixUnaryExpression(SyntaxKind.SuppressNullableWarningExpression, IdentifierName(saved)) : (ExpressionSyntax)generator.IdentifierName(saved);
            var restore = generator.VoidReturningLambdaExpression(generator.AssignmentStatement(slot, previous));
            var scope = (StatementSyntax)generator.ReturnStatement(generator.ObjectCreationExpression(generator.IdentifierName(ScopeClassName), restore));
            var body = method.Body is { } block
                ? block.ReplaceNode(assignment.Parent!, new SyntaxNode[] { save, assignment.Parent! })
                : Block(save, ExpressionStatement(assignment));
            body = body.AddStatements(scope.WithAdditionalAnnotations(Formatter.Annotation));
            var rewritten = method.Body is not null
                ? method.WithBody(body)
                : (MethodDeclarationSyntax)Bodies.WithBlockBody(method, body.WithAdditionalAnnotations(Formatter.Annotation));
            editor.ReplaceNode(method, rewritten.WithReturnType(Imports.Type(generator, disposable).WithTriviaFrom(method.ReturnType)));
            if (existing is null)
                editor.AddMember(typeDeclaration, ScopeClass(generator, Imports.Type(generator, action), Imports.Type(generator, disposable)).WithAdditionalAnnotations(Formatter.Annotation));
        };
    }

    /// <summary><c>private sealed class RestoreScope : IDisposable</c>, which runs the <c>Action</c> it is given on <c>Dispose</c>.</summary>
    private static SyntaxNode ScopeClass(SyntaxGenerator generator, SyntaxNode action, SyntaxNode disposable)
    {
        var field = generator.FieldDeclaration("_restore", action, Accessibility.Private, DeclarationModifiers.ReadOnly);
        var constructor = generator.ConstructorDeclaration(ScopeClassName, new[] { generator.ParameterDeclaration("restore", action) }, Accessibility.Public,
            statements: new[] { generator.AssignmentStatement(generator.IdentifierName("_restore"), generator.IdentifierName("restore")) });
        var dispose = generator.MethodDeclaration("Dispose", accessibility: Accessibility.Public,
            statements: new[] { generator.InvocationExpression(generator.IdentifierName("_restore")) });
        return generator.ClassDeclaration(ScopeClassName, accessibility: Accessibility.Private, modifiers: DeclarationModifiers.Sealed,
            interfaceTypes: new[] { disposable }, members: new[] { field, constructor, dispose });
    }

    /// <summary>The capturing statement inside <c>using (ExecutionContext.SuppressFlow()) { … }</c>.</summary>
    private static Action<SyntaxEditor>? PlanSuppressFlow(ExpressionSyntax capture, SemanticModel model)
    {
        if (capture.FirstAncestorOrSelf<StatementSyntax>() is not ExpressionStatementSyntax { Parent: BlockSyntax } statement
            || statement.DescendantNodes().Any(n => n is AwaitExpressionSyntax)
            || KnownTypes.Get(model.Compilation).Threading?.ExecutionContext is not { } executionContext)
        {
            return null;                                  // a declaration would lose its scope; an await would undo the flow on another thread
        }

        return editor =>
        {
            var generator = editor.Generator;
            var suppress = generator.InvocationExpression(generator.MemberAccessExpression(Imports.Type(generator, executionContext), "SuppressFlow"));
            var (blankLines, own) = SplitBlankLines(statement.GetLeadingTrivia());
            var usingStatement = (UsingStatementSyntax)generator.UsingStatement(suppress, new[] { statement.WithLeadingTrivia(own) });
            usingStatement = usingStatement.WithStatement(OpenLine((BlockSyntax)usingStatement.Statement, statement))
                .WithLeadingTrivia(blankLines)
                .WithTrailingTrivia(statement.GetTrailingTrivia().Where(t => t.IsKind(SyntaxKind.EndOfLineTrivia)).Take(1))
                .WithAdditionalAnnotations(Formatter.Annotation);
            editor.ReplaceNode(statement, usingStatement);
        };
    }

    /// <summary>
    /// One ambient set statement of the group the fix restores (from the analyzer's <see cref="Properties.Names"/>):
    /// <see cref="Read"/> is what the fix saves, and the restore writes it back, to <see cref="Read"/> for an assignment
    /// (<c>X = previousX</c>) or through the same setter for a setter call (<see cref="Setter"/>:
    /// <c>TenantContext.SetTenant(previousCurrent)</c>, where <c>Current</c> is the getter the analyzer named).
    /// </summary>
    private sealed record Member(ExpressionStatementSyntax Statement, ExpressionSyntax Read, ExpressionSyntax? Setter, string Name, bool Suppress)
    {
        /// <summary>The member for a set statement: an assignment, or a call of a setter whose receiver also holds the getter <paramref name="name"/>.</summary>
        public static Member? Of(StatementSyntax statement, string name, bool suppress) => statement switch
        {
            ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax set } assignment => new Member(assignment, set.Left, null, name, suppress),
            ExpressionStatementSyntax { Expression: InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access, ArgumentList.Arguments.Count: 1 } } call =>
                new Member(call, access.WithName(IdentifierName(name)), access, name, suppress),
            ExpressionStatementSyntax { Expression: InvocationExpressionSyntax { Expression: IdentifierNameSyntax setter, ArgumentList.Arguments.Count: 1 } } call =>
                new Member(call, IdentifierName(name), setter, name, suppress),
            _ => null,
        };

        /// <summary>The statement of the <c>finally</c> that puts <paramref name="saved"/> back.</summary>
        public SyntaxNode Restore(SyntaxGenerator generator, ExpressionSyntax saved) =>
            Setter is null
                ? generator.AssignmentStatement(Read.WithoutTrivia(), saved)
                : generator.InvocationExpression(Setter.WithoutTrivia(), saved);
    }

    private static Action<SyntaxEditor>? PlanRestore(ExpressionSyntax set, FixTarget target, SemanticModel model, CancellationToken cancellationToken)
    {
        if (set.Parent is not ExpressionStatementSyntax { Parent: BlockSyntax block } statement
            || !Enum.TryParse<AmbientKind>(target.Property(Properties.Kind), out var kind)
            || !int.TryParse(target.Property(Properties.Before), out var before)
            || target.Property(Properties.Names)?.Split(',') is not { } names
            || target.Property(Properties.Suppress)?.Split(',') is not { } suppress || suppress.Length != names.Length
            || FunctionOf(block) is not { } function
            || BodyOf(function) is not { } body
            || SymbolOf(function, model, cancellationToken) is not { } method)
        {
            return null;
        }

        var asyncLocal = kind == AmbientKind.AsyncLocal;
        if (asyncLocal && method.IsAsync)
            return null;                                  // the runtime restores it for the caller (an earlier fix made the function async)

        // The ambient assignments the analyzer restores together: still assignment statements, next to each other.
        var statements = block.Statements;
        var first = statements.IndexOf(statement) - before;
        var last = first + names.Length - 1;
        if (first < 0 || last >= statements.Count)
            return null;
        var group = new List<Member>();
        for (var i = first; i <= last; i++)
        {
            if (Member.Of(statements[i], names[i - first], suppress[i - first] == "true") is not { } member)
                return null;
            group.Add(member);
        }

        var rest = statements.Skip(last + 1).ToList();
        if (rest.Count == 0
            || rest[0] is TryStatementSyntax { Finally: { } existing } && group.Any(m => Restores(existing, m))
            || !rest.Any(DoesWork)
            || block.DescendantNodes().Any(n => n is LabeledStatementSyntax or GotoStatementSyntax)
            || rest.OfType<LocalFunctionStatementSyntax>().Any(f => statements.Take(first).Any(s => Mentions(s, f.Identifier.ValueText)))
            || !asyncLocal && rest.Any(s => OwnNodes(s).OfType<AwaitExpressionSyntax>().Any()))
        {
            return null;                                  // nothing to protect, already restored, or the rewrite would change what the code means
        }

        // A task-returning function that hands back work still running becomes async and awaits it inside the try, so
        // that the value stays set for the whole operation; thread-bound slots are restored when the synchronous part returns.
        AsyncConversion? conversion = null;
        if (asyncLocal && KnownTypes.Get(model.Compilation).Threading is { } threading && AsyncConversion.ReturnsPendingWork(method, body, model, threading, cancellationToken))
        {
            if (AsyncConversion.Plan(function, model, threading, mayChangeReturnType: false, cancellationToken) is not { } planned
                || rest.All(s => planned.Returns.Any(r => r.Statement == s && r.Rewrite == ReturnRewrite.Bare)))
            {
                return null;                              // it cannot become async, or nothing would be left in the try
            }

            conversion = planned;
        }

        var declared = Naming.DeclaredAround(block, cancellationToken);
        var saved = group.Select(m => Naming.Unique(Saved(m.Name), block, model, declared)).ToList();
        return editor =>
        {
            conversion?.Apply(editor);
            foreach (var member in group)
                editor.TrackNode(member.Statement);
            editor.ReplaceNode(block, (current, generator) => Wrap((BlockSyntax)current, group, saved, generator));
        };
    }

    /// <summary>
    /// The block with <c>var previousX = X;</c> before the group, the group, and the rest of the block in
    /// <c>try { … } finally { X = previousX; }</c>. <paramref name="block"/> is the current block, with the edits of the
    /// async conversion in it; the group's statements are found again by tracking. The formatter lays out what is new,
    /// and re-indents the statements that move into the <c>try</c> (their continuation lines follow them).
    /// </summary>
    private static BlockSyntax Wrap(BlockSyntax block, List<Member> group, List<string> saved, SyntaxGenerator generator)
    {
        var statements = block.Statements;
        var first = statements.IndexOf(block.GetCurrentNode(group[0].Statement)!);
        var last = statements.IndexOf(block.GetCurrentNode(group[group.Count - 1].Statement)!);
        var groupStatements = statements.Skip(first).Take(last - first + 1).ToList();
        var (groupBlankLines, groupOwn) = SplitBlankLines(groupStatements[0].GetLeadingTrivia());
        groupStatements[0] = groupStatements[0].WithLeadingTrivia(groupOwn);
        var saves = group.Select((member, i) => Statements.Var(generator, saved[i], member.Read)
                .WithLeadingTrivia(i == 0 ? groupBlankLines : default)
                .WithAdditionalAnnotations(Formatter.Annotation));

        var rest = statements.Skip(last + 1).ToList();
        var (restBlankLines, restOwn) = SplitBlankLines(rest[0].GetLeadingTrivia());
        rest[0] = rest[0].WithLeadingTrivia(restOwn);
        var restores = group.Select((member, i) => member.Restore(generator,
            member.Suppress ? PostfixUnaryExpression(SyntaxKind.SuppressNullableWarningExpression, IdentifierName(saved[i])) : IdentifierName(saved[i])));
        var tryStatement = (TryStatementSyntax)generator.TryFinallyStatement(rest, restores);
        tryStatement = tryStatement.WithBlock(OpenLine(tryStatement.Block, rest[0]))
            .WithLeadingTrivia(restBlankLines)
            .WithAdditionalAnnotations(Formatter.Annotation);

        return block.WithStatements(List(statements.Take(first).Concat(saves).Concat(groupStatements).Append(tryStatement)));
    }

    /// <summary>
    /// The new block that <paramref name="first"/> moves into, with a line break after its brace (the statement's own):
    /// the statement starts a line there, so that the formatter moves it from the column it had, continuation lines
    /// included.
    /// </summary>
    private static BlockSyntax OpenLine(BlockSyntax block, StatementSyntax first)
    {
        var lineBreak = first.GetTrailingTrivia().LastOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
        return block.WithOpenBraceToken(block.OpenBraceToken.WithTrailingTrivia(lineBreak.IsKind(SyntaxKind.EndOfLineTrivia) ? lineBreak : ElasticCarriageReturnLineFeed));
    }

    /// <summary>
    /// The blank lines at the top of a statement's leading trivia, and the rest (comments and its own indentation). When
    /// new code takes a statement's place, the blank lines stay above the new code and the comments stay with the
    /// statement; the statement keeps the indentation it had, from which the formatter moves it and its continuation lines.
    /// </summary>
    private static (SyntaxTriviaList BlankLines, SyntaxTriviaList Own) SplitBlankLines(SyntaxTriviaList trivia)
    {
        var split = 0;
        for (var i = 0; i < trivia.Count; i++)
        {
            if (trivia[i].IsKind(SyntaxKind.EndOfLineTrivia))
                split = i + 1;
            else if (!trivia[i].IsKind(SyntaxKind.WhitespaceTrivia))
                break;
        }

        return (TriviaList(trivia.Take(split)), TriviaList(trivia.Skip(split)));
    }

    private static SyntaxNode? FunctionOf(SyntaxNode node) =>
        node.Ancestors().FirstOrDefault(a => a is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax or AccessorDeclarationSyntax);

    private static BlockSyntax? BodyOf(SyntaxNode function) => function switch
    {
        BaseMethodDeclarationSyntax method => method.Body,
        LocalFunctionStatementSyntax local => local.Body,
        AnonymousFunctionExpressionSyntax lambda => lambda.Body as BlockSyntax,
        AccessorDeclarationSyntax accessor => accessor.Body,
        _ => null,
    };

    private static IMethodSymbol? SymbolOf(SyntaxNode function, SemanticModel model, CancellationToken cancellationToken) =>
        function is AnonymousFunctionExpressionSyntax
            ? model.GetSymbolInfo(function, cancellationToken).Symbol as IMethodSymbol
            : model.GetDeclaredSymbol(function, cancellationToken) as IMethodSymbol;

    private static bool Restores(FinallyClauseSyntax clause, Member member) =>
        clause.Block.Statements.OfType<ExpressionStatementSyntax>().Any(s => member.Setter is null
            ? s.Expression is AssignmentExpressionSyntax assignment && AreEquivalent(assignment.Left, member.Read)
            : s.Expression is InvocationExpressionSyntax call && AreEquivalent(call.Expression, member.Setter));

    /// <summary>Something after the assignment that can observe the value: a call, a creation, an await.</summary>
    private static bool DoesWork(StatementSyntax statement) =>
        statement.DescendantNodesAndSelf().Any(n => n is InvocationExpressionSyntax or BaseObjectCreationExpressionSyntax or AwaitExpressionSyntax);

    private static bool Mentions(SyntaxNode node, string name) =>
        node.DescendantNodes().OfType<IdentifierNameSyntax>().Any(i => i.Identifier.ValueText == name);

    /// <summary>Nodes of <paramref name="node"/> that belong to the same function (not to nested lambdas or local functions).</summary>
    private static IEnumerable<SyntaxNode> OwnNodes(SyntaxNode node) =>
        node.DescendantNodesAndSelf(n => n == node || n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax));

    /// <summary>
    /// <c>previousTenant</c> for <c>_tenant</c>, <c>t_tenant</c>, <c>CurrentTenant</c>… (<see cref="Naming.Stem"/>, and a
    /// slot's usual <c>Current</c> prefix dropped); <see cref="Naming"/> numbers it when taken.
    /// </summary>
    private static string Saved(string name)
    {
        var stem = Naming.Stem(name, "Value");
        const string Current = "Current";
        return "previous" + (stem.Length > Current.Length && stem.StartsWith(Current, StringComparison.OrdinalIgnoreCase) && char.IsUpper(stem[Current.Length])
            ? stem.Substring(Current.Length)
            : stem);
    }
}
