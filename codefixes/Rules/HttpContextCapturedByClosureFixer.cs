using System.Composition;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Locations = LeakAnalyzers.Rules.HttpContextCapturedByClosureAnalyzer.Locations;

namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK003 fix "Copy the values before the closure": every request-owned member chain the closure reads
/// (<c>context.Request.Path</c>, <c>HttpContext.TraceIdentifier</c>, <c>accessor.HttpContext?.User.Identity?.Name</c>)
/// becomes a local declared just before the statement that starts the work, named after the chain's last member, and
/// the closure reads the local. The analyzer hands over the closure and every pooled use in it (the diagnostic's
/// additional locations); the fix is offered only when every use is a read of a chain of properties, fields and
/// constant indexers that ends in a value (a string, a struct such as <c>PathString</c>, <c>StringValues</c> or
/// <c>CancellationToken</c>, an <c>IPAddress</c>), in a lambda or anonymous method whose statement sits in a block, or
/// in a local function (the copies then go before the first statement of its block that declares or names it, where
/// everything they read is already declared). A write (to the response, say) is no value read: no fix is offered.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(HttpContextCapturedByClosureFixer)), Shared]
public sealed class HttpContextCapturedByClosureFixer : CodeFixProvider
{
    internal const string Title = "Copy the values before the closure";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(Descriptors.HttpContextCapturedByClosure.Id);

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
                && await PlanAsync(target, context.CancellationToken).ConfigureAwait(false) is { } plan)
            {
                context.RegisterCodeFix(plan.ToCodeAction(Title), diagnostic);
            }
        }
    }

    /// <summary>The copies and the reads that replace the uses; null unless every use the analyzer found is a value read.</summary>
    private static async Task<EditPlan?> PlanAsync(FixTarget target, CancellationToken cancellationToken)
    {
        // The closure, then every pooled use in it (the analyzer's Locations).
        if (target.Additional.Length <= Locations.FirstUse || target.Additional[Locations.Closure] is not { } closure
            || await target.Document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false) is not { } model
            || InsertionPoint(closure, model, cancellationToken) is not { } statement
            || !Statements.CanInsertBefore(statement)
            || Domain.Get(model.Compilation).RequestValues is not { } values)
        {
            return null;
        }

        // Every use must be a read of a value-like member chain; equal chains share one local.
        var chains = new List<ExpressionSyntax>();
        foreach (var node in target.Additional.Skip(Locations.FirstUse))
        {
            if (node is not ExpressionSyntax use || !closure.Span.Contains(use.Span)
                || ValueChain(use, values, model, cancellationToken) is not { } chain
                || ReadsClosureState(chain, closure, model, cancellationToken)
                || !IsDeclaredBefore(chain, statement, model, cancellationToken))
            {
                return null;
            }

            if (!chains.Contains(chain))
                chains.Add(chain);
        }

        var generator = SyntaxGenerator.GetGenerator(target.Document);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var declarations = new List<StatementSyntax>();
        var declared = Naming.DeclaredAround(statement, cancellationToken);
        foreach (var chain in chains)
        {
            var text = chain.WithoutTrivia().ToString();
            if (names.ContainsKey(text))
                continue;
            var name = Naming.Unique(BaseName(chain), statement, model, declared);
            names[text] = name;
            declarations.Add(Statements.Var(generator, name, chain));
        }

        return new EditPlan(target.Document, editor =>
        {
            foreach (var chain in chains)
                editor.ReplaceNode(chain, (current, g) => g.IdentifierName(names[chain.WithoutTrivia().ToString()]).WithTriviaFrom(current));
            Statements.InsertBefore(editor, statement, declarations);
        });
    }

    /// <summary>
    /// Where the copies go: before the statement that holds a lambda; for a local function, before the first statement
    /// of its block that declares it or names it (a delegate made from it, or a call, may run it before its declaration).
    /// </summary>
    private static StatementSyntax? InsertionPoint(SyntaxNode closure, SemanticModel model, CancellationToken cancellationToken)
    {
        switch (closure)
        {
            case AnonymousFunctionExpressionSyntax lambda:
                return lambda.Parent?.FirstAncestorOrSelf<StatementSyntax>();
            case LocalFunctionStatementSyntax local when model.GetDeclaredSymbol(local, cancellationToken) is { } symbol:
                StatementSyntax first = local;
                var container = (SyntaxNode?)local.Parent is GlobalStatementSyntax global ? global.Parent : local.Parent;
                foreach (var name in container?.DescendantNodes().OfType<IdentifierNameSyntax>() ?? Enumerable.Empty<IdentifierNameSyntax>())
                {
                    if (name.SpanStart >= first.SpanStart || name.Identifier.ValueText != symbol.Name
                        || !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol?.OriginalDefinition, symbol))
                    {
                        continue;
                    }

                    if (name.Ancestors().OfType<StatementSyntax>().FirstOrDefault(s => s.Parent == local.Parent || s.Parent is GlobalStatementSyntax g && g.Parent == container) is { } holder)
                        first = holder;
                }

                return first;
            default:
                return null;
        }
    }

    /// <summary>Every local the chain reads is declared before <paramref name="statement"/>, where its copy goes.</summary>
    private static bool IsDeclaredBefore(ExpressionSyntax chain, StatementSyntax statement, SemanticModel model, CancellationToken cancellationToken) =>
        chain.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().All(identifier =>
            model.GetSymbolInfo(identifier, cancellationToken).Symbol is not ILocalSymbol local
            || local.Locations.FirstOrDefault() is { IsInSource: true } location && location.SourceTree == statement.SyntaxTree && location.SourceSpan.Start < statement.SpanStart);

    /// <summary>
    /// The chain mentions a parameter or local of the closure itself (<c>((IHttpContextAccessor)state!).HttpContext</c>
    /// in a timer callback): it has no value before the closure runs, so it cannot be copied out.
    /// </summary>
    private static bool ReadsClosureState(ExpressionSyntax chain, SyntaxNode closure, SemanticModel model, CancellationToken cancellationToken) =>
        chain.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(identifier =>
            model.GetSymbolInfo(identifier, cancellationToken).Symbol is IParameterSymbol or ILocalSymbol
            && model.GetSymbolInfo(identifier, cancellationToken).Symbol!.Locations.FirstOrDefault() is { IsInSource: true } location
            && location.SourceTree == closure.SyntaxTree
            && closure.Span.Contains(location.SourceSpan));

    /// <summary>
    /// The longest read that starts at <paramref name="use"/> and goes through properties, fields, constant indexers,
    /// <c>?.</c> and <c>!</c>, when it ends in a value and nothing writes through it; null otherwise.
    /// </summary>
    private static ExpressionSyntax? ValueChain(ExpressionSyntax use, RequestValues values, SemanticModel model, CancellationToken cancellationToken)
    {
        var chain = use;
        while (true)
        {
            switch (chain.Parent)
            {
                case MemberAccessExpressionSyntax access when access.Expression == chain
                    && !(access.Parent is InvocationExpressionSyntax invocation && invocation.Expression == access):
                    chain = access;
                    continue;
                case ElementAccessExpressionSyntax element when element.Expression == chain && element.ArgumentList.Arguments.All(a => model.GetConstantValue(a.Expression, cancellationToken).HasValue):
                    chain = element;
                    continue;
                case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression } suppressed:
                    chain = suppressed;
                    continue;
                case ConditionalAccessExpressionSyntax conditional when conditional.Expression == chain && IsPlainChain(conditional.WhenNotNull, model, cancellationToken):
                    chain = conditional;
                    continue;
            }

            break;
        }

        if (IsWritten(chain) || !values.IsValueLike(model.GetTypeInfo(chain, cancellationToken).Type))
            return null;
        return chain;
    }

    /// <summary>The part after <c>?.</c>: member bindings, member accesses, constant element accesses, more <c>?.</c>; no calls.</summary>
    private static bool IsPlainChain(ExpressionSyntax expression, SemanticModel model, CancellationToken cancellationToken) => expression switch
    {
        MemberBindingExpressionSyntax => true,
        MemberAccessExpressionSyntax access => IsPlainChain(access.Expression, model, cancellationToken),
        ElementBindingExpressionSyntax binding => binding.ArgumentList.Arguments.All(a => model.GetConstantValue(a.Expression, cancellationToken).HasValue),
        ElementAccessExpressionSyntax element => IsPlainChain(element.Expression, model, cancellationToken)
            && element.ArgumentList.Arguments.All(a => model.GetConstantValue(a.Expression, cancellationToken).HasValue),
        ConditionalAccessExpressionSyntax conditional => IsPlainChain(conditional.Expression, model, cancellationToken) && IsPlainChain(conditional.WhenNotNull, model, cancellationToken),
        PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression } suppressed => IsPlainChain(suppressed.Operand, model, cancellationToken),
        _ => false,
    };

    private static bool IsWritten(ExpressionSyntax chain) => chain.Parent switch
    {
        AssignmentExpressionSyntax assignment => assignment.Left == chain,
        PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } => true,
        PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression } => true,
        ArgumentSyntax argument => !argument.RefKindKeyword.IsKind(SyntaxKind.None),
        RefExpressionSyntax => true,
        _ => false,
    };

    /// <summary>The chain's last member, camel-cased (<c>Path</c> → <c>path</c>); a string key names an indexer (<c>Headers["X-Id"]</c> → <c>xId</c>).</summary>
    private static string BaseName(ExpressionSyntax chain)
    {
        var last = chain switch
        {
            ConditionalAccessExpressionSyntax conditional => LastName(conditional.WhenNotNull),
            _ => LastName(chain),
        };
        var name = CamelCase(last ?? "value");
        return SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None
            ? name + "Value"
            : name;
    }

    private static string? LastName(ExpressionSyntax expression) => expression switch
    {
        MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
        MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        PostfixUnaryExpressionSyntax suppressed => LastName(suppressed.Operand),
        ConditionalAccessExpressionSyntax conditional => LastName(conditional.WhenNotNull),
        ElementAccessExpressionSyntax element => Identifierize(StringKey(element.ArgumentList)) ?? LastName(element.Expression),
        ElementBindingExpressionSyntax binding => Identifierize(StringKey(binding.ArgumentList)),
        _ => null,
    };

    private static string? StringKey(BracketedArgumentListSyntax arguments) =>
        arguments.Arguments.Count == 1 && arguments.Arguments[0].Expression is LiteralExpressionSyntax { Token.Value: string key } ? key : null;

    /// <summary>"X-Request-Id" → "XRequestId"; null when nothing usable is left.</summary>
    private static string? Identifierize(string? key)
    {
        if (key is null)
            return null;
        var parts = key.Split(new[] { '-', '_', '.', ' ', ':' }, StringSplitOptions.RemoveEmptyEntries)
            .Select(p => new string(p.Where(char.IsLetterOrDigit).ToArray()))
            .Where(p => p.Length > 0)
            .Select(p => char.ToUpperInvariant(p[0]) + p.Substring(1))
            .ToList();
        var joined = string.Concat(parts);
        return joined.Length == 0 || char.IsDigit(joined[0]) ? null : joined;
    }

    private static string CamelCase(string name)
    {
        var upper = 0;
        while (upper < name.Length && char.IsUpper(name[upper]))
            upper++;
        if (upper == 0)
            return name;
        var lower = upper == 1 || upper == name.Length ? upper : upper - 1;   // "IPAddress" → "ipAddress", "Id" → "id"
        return name.Substring(0, lower).ToLowerInvariant() + name.Substring(lower);
    }
}
