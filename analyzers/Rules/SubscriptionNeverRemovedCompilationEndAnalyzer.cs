namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK007 for the subscriptions whose lifetimes only the compilation's dependency-injection registrations tell
/// (<see cref="ServiceRegistry"/>): a subscriber registered scoped or transient, or a source injected as a service
/// registered as a singleton. The registrations may sit anywhere in the compilation, so these are judged at its end,
/// and this analyzer's descriptor carries the <c>CompilationEnd</c> tag: the IDE reports them after a build or with
/// full-solution analysis. Subscriptions of controllers, page models and hubs to process-lifetime sources are
/// <see cref="SubscriptionNeverRemovedAnalyzer"/>'s, reported live; the analysis is shared
/// (<see cref="SubscriptionNeverRemovedAnalyzer.Context"/>).
/// </summary>
/// <remarks>A separate analyzer because the IDE does not run, as you type, an analyzer that supports a <c>CompilationEnd</c> descriptor.</remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SubscriptionNeverRemovedCompilationEndAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(Descriptors.SubscriptionNeverRemovedCompilationEnd);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            if (Domain.Get(start.Compilation).Services is not { } services
                || SubscriptionNeverRemovedAnalyzer.Context.Create(start.Compilation, Descriptors.SubscriptionNeverRemovedCompilationEnd) is not { } rule)
            {
                return;                                  // no registrations to read: the rule costs nothing here
            }

            var registry = new ServiceRegistry(services);
            start.RegisterOperationAction(c =>
            {
                registry.Record((IInvocationOperation)c.Operation);
                rule.RecordAnywhere(c);
            }, OperationKind.Invocation);
            start.RegisterOperationAction(rule.RecordAnywhere, OperationKind.EventAssignment);
            start.RegisterCompilationEndAction(c => rule.ReportWide(c, registry));
        });
    }
}
