using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK002: work started from request-scoped code (<see cref="RequestScope"/>) that nobody awaits (<see cref="Work"/>)
/// and that nothing can cancel: no token is passed to the start, <c>None</c>/<c>default</c> is passed, and the work
/// itself observes no token. Reported at the call (or creation) that starts the work; the diagnostic's properties tell
/// the fixer what kind of work it is and what kind of request code starts it (<see cref="Properties"/>).
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
            var domain = Domain.Get(start.Compilation);
            if (domain.RequestScope is not { } scope || domain.Work is not { } work)
                return;                                  // no ASP.NET Core: the rule costs nothing
            var rule = new Context(scope, work);
            // Invalid: a call that does not fully bind (an argument of an unknown type, a lambda using an unknown name)
            // is judged as the work start all its candidates are (Work.StartedBy).
            start.RegisterOperationAction(rule.Analyze, OperationKind.Invocation, OperationKind.ObjectCreation, OperationKind.Invalid);
        });
    }

    /// <summary>The keys of the diagnostic's properties, read by the fixer.</summary>
    internal static class Properties
    {
        /// <summary>The <see cref="WorkKind"/> of the start.</summary>
        public const string Kind = "WorkKind";

        /// <summary>The <see cref="RequestOriginKind"/> of the code that starts it.</summary>
        public const string Origin = "Origin";

        /// <summary>"true" when the request code is a class the container creates, so a service can be injected.</summary>
        public const string Injectable = "Injectable";

        /// <summary>
        /// What the class of a <see cref="RequestOriginKind.Class"/> origin is, when the fixes care: <see cref="Hub"/>
        /// (the request's token is <c>Context.ConnectionAborted</c>) or <see cref="Controller"/> (a controller or page
        /// model: its public actions may return a task instead). Absent otherwise.
        /// </summary>
        public const string Host = "Host";

        public const string Hub = "Hub";
        public const string Controller = "Controller";

        /// <summary>"true" when the start sits directly in a minimal-API endpoint handler (<see cref="RequestScope.IsEndpointHandler"/>): it may become async.</summary>
        public const string EndpointHandler = "EndpointHandler";
    }

    private sealed class Context(RequestScope scope, Work work)
    {
        public void Analyze(OperationAnalysisContext context)
        {
            var awaited = context.Operation.WalkUpConversions().Parent as IAwaitOperation;
            if (awaited is not null && awaited.Operation == context.Operation && !work.Threading.IsAwaitable(awaited.Type))
                return;                                  // the common case, decided before anything else: awaited work
            if (work.StartedBy(context.Operation) is not { } start)
                return;
            if (start.Kind == WorkKind.Call && awaited is not null)
                return;                                  // awaited, even if awaiting it yields another task
            if (!IsUncancelled(start, context.CancellationToken)
                || work.OnlyStopsApplication(start)
                || !Work.IsUnobserved(work.Judge(start, context.CancellationToken))
                || scope.Find(context.Operation, context.ContainingSymbol, context.CancellationToken) is not { } origin)
            {
                return;
            }

            context.ReportDiagnostic(Diagnostic.Create(Descriptors.UncancelledFireAndForget, context.Operation.Syntax.GetLocation(), FixerProperties(start, origin), DisplayName(start)));
        }

        /// <summary>What the fixes need to know about the start and the request code around it (<see cref="Properties"/>).</summary>
        private ImmutableDictionary<string, string?> FixerProperties(WorkStart start, RequestOrigin origin)
        {
            var properties = ImmutableDictionary.CreateBuilder<string, string?>();
            properties.Add(Properties.Kind, start.Kind.ToString());
            properties.Add(Properties.Origin, origin.Kind.ToString());
            properties.Add(Properties.Injectable, (origin.Type is { } type && scope.IsCreatedByContainer(type)) ? "true" : "false");
            if (origin is { Kind: RequestOriginKind.Class, Type: { } owner })
            {
                if (scope.IsHub(owner))
                    properties.Add(Properties.Host, Properties.Hub);
                else if (scope.IsController(owner))
                    properties.Add(Properties.Host, Properties.Controller);
            }

            var function = start.Start.Ancestors().FirstOrDefault(a => a is IAnonymousFunctionOperation or ILocalFunctionOperation);
            if (origin.Kind == RequestOriginKind.Handler && function is IAnonymousFunctionOperation handler && scope.IsEndpointHandler(handler))
                properties.Add(Properties.EndpointHandler, "true");
            return properties.ToImmutable();
        }

        /// <summary>
        /// No token reaches the work: none passed to the start, and none observed inside it; a called method does not
        /// hand the work to an owner that cancels it (<see cref="Work.IsHandedToOwner"/>).
        /// </summary>
        private bool IsUncancelled(WorkStart start, CancellationToken cancellationToken)
        {
            if (work.PassesToken(start.Token) || start.Start is IInvalidOperation invalid && work.MayPassToken(invalid))
                return false;
            if (start.Kind == WorkKind.Continuation && !StartsMoreWork(start)
                && IsCancellableAntecedent(Work.Antecedent(start), cancellationToken))
            {
                return false;                            // a callback run once the cancellable work it follows ends
            }

            if (start.Kind == WorkKind.Call)
            {
                var methods = start.Start is IInvocationOperation invocation ? ImmutableArray.Create(invocation.TargetMethod) : UnboundCalls.CandidateMethods((IInvalidOperation)start.Start);
                return !(start.Start is IInvocationOperation bound && work.PassesAnyToken(bound))
                    && !methods.Any(method => MayObserveToken(method, cancellationToken) || work.IsHandedToOwner(method, cancellationToken));
            }

            switch (start.Delegate)
            {
                case IAnonymousFunctionOperation function:
                    return !ObservesToken(function.Body, cancellationToken);
                case IMethodReferenceOperation reference:
                    return !MayObserveToken(reference.Method, cancellationToken);
                default:
                    return start.Delegate is not null && start.IsBound;   // a delegate from elsewhere (a field, a parameter): cannot tell
            }
        }

        /// <summary>A continuation whose callback returns a task (<c>ContinueWith(async t =&gt; …)</c>) starts work of its own.</summary>
        private bool StartsMoreWork(WorkStart start) => start.IsBound
            ? start.Start.Type is INamedTypeSymbol { TypeArguments.Length: 1 } result && work.Threading.IsAwaitable(result.TypeArguments[0])
            : start.Delegate is IAnonymousFunctionOperation { Symbol.IsAsync: true };

        /// <summary>
        /// <c>Task.Run(work, token).ContinueWith(log, OnlyOnFaulted)</c>: the antecedent, chained directly, is work that a
        /// token can cancel (itself a chain of continuations, possibly), or a call given a real token
        /// (<c>Task.Delay(ms, token)</c>). A continuation does not start before its antecedent ends, so a synchronous
        /// callback lives no longer than cancellable work plus the callback itself.
        /// </summary>
        private bool IsCancellableAntecedent(IOperation? antecedent, CancellationToken cancellationToken)
        {
            if (antecedent?.WalkDownConversions() is not IInvocationOperation invocation)
                return false;
            return work.StartedBy(invocation) is { } start
                ? !IsUncancelled(start, cancellationToken)
                : work.PassesAnyToken(invocation);
        }

        /// <summary>
        /// Any real token used inside the work: <c>context.RequestAborted</c>, a captured token, <c>ApplicationStopping</c>,
        /// a token source's; or, in code that does not bind, an unknown name that looks like one (<see cref="Conventions.LooksLikeToken"/>).
        /// </summary>
        private bool ObservesToken(IOperation body, CancellationToken cancellationToken)
        {
            foreach (var operation in body.Descendants())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (SymbolEqualityComparer.Default.Equals(operation.Type, work.CancellationToken) && !work.IsNoToken(operation))
                    return true;
                if (operation is IInvalidOperation { Syntax: IdentifierNameSyntax name } && Conventions.LooksLikeToken(name.Identifier.ValueText))
                    return true;
            }

            return false;
        }

        /// <summary>
        /// A method of this compilation whose body we cannot analyze here may observe a token of its own (a field, the
        /// lifetime's <c>ApplicationStopping</c>): read its body for anything that looks like one
        /// (<see cref="Conventions.LooksLikeToken"/>), and stay silent if so. Its own token parameters do not count: the
        /// caller passed none.
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
                    if (token.IsKind(SyntaxKind.IdentifierToken) && !own.Contains(token.ValueText) && Conventions.LooksLikeToken(token.ValueText))
                        return true;
                }
            }

            return false;
        }
    }

    /// <summary>"Task.Run", "Task.Factory.StartNew", "ThreadPool.QueueUserWorkItem", "new Thread", "ContinueWith", "SendAsync"…</summary>
    internal static string DisplayName(WorkStart start) => start.Start switch
    {
        IObjectCreationOperation creation => "new " + creation.Type?.Name,
        IInvalidOperation { Syntax: BaseObjectCreationExpressionSyntax } invalid => "new " + invalid.Type?.Name,
        IInvalidOperation invalid when UnboundCalls.CandidateMethods(invalid) is { IsEmpty: false } candidates => DisplayName(candidates[0]),
        IInvocationOperation invocation => DisplayName(invocation.TargetMethod),
        _ => start.Start.Syntax.ToString(),
    };

    private static string DisplayName(IMethodSymbol method) => method switch
    {
        { Name: "StartNew" } => "Task.Factory.StartNew",
        { IsStatic: true, IsExtensionMethod: false } => method.ContainingType.Name + "." + method.Name,
        _ => method.Name,
    };
}
