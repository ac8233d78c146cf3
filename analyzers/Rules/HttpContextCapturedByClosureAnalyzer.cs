namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK003: a lambda, anonymous method or local function that outlives the request (<see cref="Work.FunctionOutlives"/>)
/// and uses something pooled with the request (<see cref="RequestValues.IsPooledUse"/>): a captured <c>HttpContext</c>,
/// <c>HttpRequest</c>, <c>HttpResponse</c>, <c>ConnectionInfo</c>, <c>WebSocketManager</c> or a collection/stream/
/// service provider taken from them, a read of <c>IHttpContextAccessor.HttpContext</c>, or a controller's (page
/// model's) <c>HttpContext</c>/<c>Request</c>/<c>Response</c>/<c>User</c>, or its own helper property that reads them.
/// Judged by type and provenance. Reported where the closure escapes (<see cref="Work.FunctionEscapeOf"/>: the
/// <c>Task.Run</c>/<c>ContinueWith</c> call, the timer, the registration), naming the first such use; the additional
/// locations hand the fixer the closure and every use in it (<see cref="Locations"/>).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class HttpContextCapturedByClosureAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(Descriptors.HttpContextCapturedByClosure);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            var domain = Domain.Get(start.Compilation);
            if (domain.RequestValues is not { } values || domain.Work is not { } work)
                return;                                  // no ASP.NET Core: the rule costs nothing
            var rule = new Context(values, work);
            start.RegisterOperationAction(rule.AnalyzeLambda, OperationKind.AnonymousFunction);
            start.RegisterOperationAction(rule.AnalyzeLocalFunctionUse, OperationKind.MethodReference, OperationKind.Invocation);
        });
    }

    /// <summary>
    /// The diagnostic's additional locations, read by the fixer: the closure, then every pooled use in it, in source
    /// order. The diagnostic's own location is where the closure escapes, which the fixer does not need.
    /// </summary>
    internal static class Locations
    {
        /// <summary>The lambda, anonymous method or local function that outlives the request.</summary>
        public const int Closure = 0;

        /// <summary>The first pooled use (the one the message names); the others follow it.</summary>
        public const int FirstUse = 1;
    }

    private sealed class Context(RequestValues values, Work work)
    {
        public void AnalyzeLambda(OperationAnalysisContext context) => Analyze(context, context.Operation, null);

        /// <summary>
        /// A local function is judged at the use that makes it escape (<c>Task.Run(Work)</c>, an unawaited call of an
        /// async one), not at its declaration: the diagnostic sits on that use, and an action reports only inside the
        /// declaration it analyzes (the local function's own body is another one).
        /// </summary>
        public void AnalyzeLocalFunctionUse(OperationAnalysisContext context)
        {
            var method = context.Operation switch
            {
                IMethodReferenceOperation reference => reference.Method,
                IInvocationOperation invocation => invocation.TargetMethod,
                _ => null,
            };
            if (method is not { MethodKind: MethodKind.LocalFunction } || DeclarationOf(context.Operation, method.OriginalDefinition) is not { } function)
                return;
            Analyze(context, function, context.Operation);
        }

        private void Analyze(OperationAnalysisContext context, IOperation function, IOperation? use)
        {
            var cancellationToken = context.CancellationToken;
            if (values.FirstPooledUse(function, cancellationToken) is not { } first || work.FunctionEscapeOf(function, cancellationToken) is not { } escape)
                return;
            if (use is not null && !escape.Syntax.Span.Contains(use.Syntax.Span))
                return;                                  // another use of the local function is where it escapes
            foreach (var outer in function.Ancestors())
            {
                if (outer is IAnonymousFunctionOperation or ILocalFunctionOperation
                    && RequestValues.IsCapturedBy(first, outer) && work.FunctionOutlives(outer, cancellationToken))
                {
                    return;                              // the outer closure reports the same capture
                }
            }

            // Additional locations (Locations): the closure first, then every pooled use in it (the fixer copies them all).
            var additional = new List<Location> { function.Syntax.GetLocation() };
            additional.AddRange(values.PooledUses(function, cancellationToken).Select(u => u.Syntax.GetLocation()));
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.HttpContextCapturedByClosure, escape.Syntax.GetLocation(), additional, RequestValues.NameOf(first)));
        }

        /// <summary>The declaration of the local function <paramref name="symbol"/>, found in the bodies around its use.</summary>
        private static ILocalFunctionOperation? DeclarationOf(IOperation use, IMethodSymbol symbol)
        {
            var root = use;
            while (root.Parent is not null)
                root = root.Parent;
            foreach (var operation in root.DescendantsAndSelf())
            {
                if (operation is ILocalFunctionOperation local && SymbolEqualityComparer.Default.Equals(local.Symbol, symbol))
                    return local;
            }

            return null;
        }
    }
}
