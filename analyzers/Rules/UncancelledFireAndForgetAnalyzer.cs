using LeakAnalyzers.Helpers;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK002: work started from request-scoped code (<see cref="RequestScope"/>) that nobody awaits (<see cref="Escape"/>)
/// and that nothing can cancel: no token is passed to the start, <c>None</c>/<c>default</c> is passed, and the work
/// itself observes no token. Reported at the call (or creation) that starts the work.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UncancelledFireAndForgetAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(Descriptors.UncancelledFireAndForget);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            if (RequestScope.Create(start.Compilation) is not { } scope)
                return;                                  // no ASP.NET Core: the rule costs nothing
            start.RegisterOperationAction(ctx => Analyze(ctx, scope), OperationKind.Invocation, OperationKind.ObjectCreation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, RequestScope scope)
    {
        var escape = scope.Escape;
        var awaited = context.Operation.WalkUpConversions().Parent as IAwaitOperation;
        if (awaited is not null && !escape.IsAwaitable(awaited.Type))
            return;                                      // the common case, decided before anything else: awaited work
        if (escape.AsWork(context.Operation) is not { } work)
            return;
        if (work.Kind == WorkKind.Call && awaited is not null)
            return;                                      // awaited, even if awaiting it yields another task
        if (!IsUncancelled(work, escape, context.CancellationToken)
            || !IsUnobserved(escape.Judge(work, context.CancellationToken))
            || scope.Find(context.Operation, context.ContainingSymbol, context.CancellationToken) is null)
        {
            return;
        }

        context.Report(Descriptors.UncancelledFireAndForget, context.Operation, DisplayName(work));
    }

    /// <summary>Nothing waits for the work: fire-and-forget. Stored, passed, returned or awaited work is observed elsewhere.</summary>
    internal static bool IsUnobserved(WorkFate fate) => fate is WorkFate.Dropped or WorkFate.Read;

    /// <summary>No token reaches the work: none passed to the start, and none observed inside it.</summary>
    internal static bool IsUncancelled(Work work, Escape escape, CancellationToken cancellationToken)
    {
        if (escape.PassesToken(work.Token))
            return false;
        if (work.Kind == WorkKind.Continuation && !StartsMoreWork(work, escape)
            && IsCancellableAntecedent(((IInvocationOperation)work.Start).Instance, escape, cancellationToken))
        {
            return false;                                // a callback run once the cancellable work it follows ends
        }

        if (work.Kind == WorkKind.Call)
        {
            var invocation = (IInvocationOperation)work.Start;
            return !invocation.Arguments.Any(a => SymbolEqualityComparer.Default.Equals(a.Parameter?.Type, escape.CancellationToken) && escape.PassesToken(a))
                && !MayObserveToken(invocation.TargetMethod, cancellationToken);
        }

        switch (work.Delegate)
        {
            case IAnonymousFunctionOperation function:
                return !ObservesToken(function.Body, escape, cancellationToken);
            case IMethodReferenceOperation reference:
                return !MayObserveToken(reference.Method, cancellationToken);
            default:
                return work.Delegate is not null;         // a delegate from elsewhere (a field, a parameter): cannot tell
        }
    }

    /// <summary>A continuation whose callback returns a task (<c>ContinueWith(async t =&gt; …)</c>) starts work of its own.</summary>
    private static bool StartsMoreWork(Work work, Escape escape) =>
        work.Start.Type is INamedTypeSymbol { TypeArguments.Length: 1 } result && escape.IsAwaitable(result.TypeArguments[0]);

    /// <summary>
    /// <c>Task.Run(work, token).ContinueWith(log, OnlyOnFaulted)</c>: the antecedent, chained directly, is work that a
    /// token can cancel (itself a chain of continuations, possibly), or a call given a real token (<c>Task.Delay(ms, token)</c>). A continuation does not start before its antecedent
    /// ends, so a synchronous callback lives no longer than cancellable work plus the callback itself.
    /// </summary>
    private static bool IsCancellableAntecedent(IOperation? antecedent, Escape escape, CancellationToken cancellationToken)
    {
        if (antecedent?.WalkDownConversions() is not IInvocationOperation invocation)
            return false;
        return escape.AsWork(invocation) is { } work
            ? !IsUncancelled(work, escape, cancellationToken)
            : invocation.Arguments.Any(a => SymbolEqualityComparer.Default.Equals(a.Parameter?.Type, escape.CancellationToken) && escape.PassesToken(a));
    }

    /// <summary>Any real token used inside the work: <c>context.RequestAborted</c>, a captured token, <c>ApplicationStopping</c>, a token source's.</summary>
    private static bool ObservesToken(IOperation body, Escape escape, CancellationToken cancellationToken)
    {
        foreach (var operation in body.Descendants())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (SymbolEqualityComparer.Default.Equals(operation.Type, escape.CancellationToken) && !escape.IsNoToken(operation))
                return true;
        }

        return false;
    }

    /// <summary>
    /// A method of this compilation whose body we cannot analyze here may observe a token of its own (a field, the
    /// lifetime's <c>ApplicationStopping</c>): read its body for anything that looks like one, and stay silent if so.
    /// Its own token parameters do not count: the caller passed none.
    /// </summary>
    private static bool MayObserveToken(IMethodSymbol method, CancellationToken cancellationToken)
    {
        var own = new HashSet<string>(method.Parameters.Select(p => p.Name), StringComparer.Ordinal);
        foreach (var reference in method.OriginalDefinition.DeclaringSyntaxReferences)
        {
            var body = reference.GetSyntax(cancellationToken) switch
            {
                BaseMethodDeclarationSyntax declaration => (SyntaxNode?)declaration.Body ?? declaration.ExpressionBody,
                LocalFunctionStatementSyntax local => (SyntaxNode?)local.Body ?? local.ExpressionBody,
                _ => null,
            };
            if (body is null)
                continue;
            foreach (var token in body.DescendantTokens())
            {
                if (token.IsKind(SyntaxKind.IdentifierToken) && !own.Contains(token.ValueText) && LooksLikeToken(token.ValueText))
                    return true;
            }
        }

        return false;
    }

    private static bool LooksLikeToken(string name) =>
        name.IndexOf("Token", StringComparison.OrdinalIgnoreCase) >= 0
        || name.IndexOf("Cancel", StringComparison.OrdinalIgnoreCase) >= 0
        || name.IndexOf("Stopping", StringComparison.OrdinalIgnoreCase) >= 0
        || name.IndexOf("Aborted", StringComparison.OrdinalIgnoreCase) >= 0
        || name == "ct";

    /// <summary>"Task.Run", "Task.Factory.StartNew", "ThreadPool.QueueUserWorkItem", "new Thread", "ContinueWith", "SendAsync"…</summary>
    internal static string DisplayName(Work work) => work.Start switch
    {
        IObjectCreationOperation creation => "new " + creation.Type?.Name,
        IInvocationOperation { TargetMethod.Name: "StartNew" } => "Task.Factory.StartNew",
        IInvocationOperation { TargetMethod: { IsStatic: true, IsExtensionMethod: false } method } => method.ContainingType.Name + "." + method.Name,
        IInvocationOperation invocation => invocation.TargetMethod.Name,
        _ => work.Start.Syntax.ToString(),
    };
}
