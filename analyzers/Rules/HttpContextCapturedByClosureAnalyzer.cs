namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK003: a lambda, anonymous method or local function that outlives the request (<see cref="Work.FunctionOutlives"/>)
/// and uses something pooled with the request (<see cref="RequestValues.IsPooledUse"/>): a captured <c>HttpContext</c>,
/// <c>HttpRequest</c>, <c>HttpResponse</c>, <c>ConnectionInfo</c>, <c>WebSocketManager</c> or a collection/stream/
/// service provider taken from them, a read of <c>IHttpContextAccessor.HttpContext</c>, or a controller's (page
/// model's) <c>HttpContext</c>/<c>Request</c>/<c>Response</c>/<c>User</c>. Judged by type and provenance. Reported at
/// the first such use; the additional locations hand the fixer the closure and every use in it.
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
            start.RegisterOperationAction(rule.Analyze, OperationKind.AnonymousFunction, OperationKind.LocalFunction);
        });
    }

    /// <summary>The diagnostic's additional locations, read by the fixer: the closure, then every pooled use in it, in source order.</summary>
    internal static class Locations
    {
        /// <summary>The lambda, anonymous method or local function that outlives the request.</summary>
        public const int Closure = 0;

        /// <summary>The first pooled use (the diagnostic's own location); the others follow it.</summary>
        public const int FirstUse = 1;
    }

    private sealed class Context(RequestValues values, Work work)
    {
        public void Analyze(OperationAnalysisContext context)
        {
            var function = context.Operation;
            var cancellationToken = context.CancellationToken;
            if (values.FirstPooledUse(function, cancellationToken) is not { } use || !work.FunctionOutlives(function, cancellationToken))
                return;
            foreach (var outer in function.Ancestors())
            {
                if (outer is IAnonymousFunctionOperation or ILocalFunctionOperation
                    && RequestValues.IsCapturedBy(use, outer) && work.FunctionOutlives(outer, cancellationToken))
                {
                    return;                              // the outer closure reports the same capture
                }
            }

            // Additional locations (Locations): the closure first, then every pooled use in it (the fixer copies them all).
            var additional = new List<Location> { function.Syntax.GetLocation() };
            additional.AddRange(values.PooledUses(function).Select(u => u.Syntax.GetLocation()));
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.HttpContextCapturedByClosure, use.Syntax.GetLocation(), additional, RequestValues.NameOf(use)));
        }
    }
}
