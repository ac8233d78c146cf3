namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK001 for the fields whose references may sit anywhere in the compilation: internal, protected and public static
/// fields, private ones that nested types can reach, and (with <c>LEAK001.include_singletons</c>) singletons' instance
/// fields. They are judged at compilation end, so this analyzer's descriptor carries the <c>CompilationEnd</c> tag
/// (RS1037) and the IDE reports them after a build or with full-solution analysis. The private static fields of types
/// without nested types are <see cref="UnboundedStaticCollectionAnalyzer"/>'s, reported live; the analysis is shared
/// (<see cref="UnboundedStaticCollectionAnalyzer.Context"/>), and so is the judgement (<see cref="Collections"/>). With
/// the option on, the compilation's DI registrations (<see cref="ServiceRegistry"/>) tell which classes are singletons.
/// </summary>
/// <remarks>
/// A separate analyzer because the IDE decides per analyzer, not per diagnostic: one whose supported descriptors include
/// a <c>CompilationEnd</c> one is not run in live document analysis at all, which would take the private fields' live
/// squiggle and lightbulb with it.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnboundedStaticCollectionCompilationEndAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(Descriptors.UnboundedStaticCollectionCompilationEnd);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            var rule = UnboundedStaticCollectionAnalyzer.Context.Create(start.Compilation, start.Options,
                Descriptors.UnboundedStaticCollectionCompilationEnd, settledInType: false);
            if (rule is null)
                return;                                  // no collections to look at: the rule costs nothing
            start.RegisterSymbolStartAction(rule.StartTypeOfWideFields, SymbolKind.NamedType);
            start.RegisterOperationAction(rule.AnalyzeWideReference, OperationKind.FieldReference);
            start.RegisterOperationAction(rule.AnalyzeWideInitializer, OperationKind.FieldInitializer);
            start.RegisterOperationAction(rule.RecordCall, OperationKind.Invocation, OperationKind.ObjectCreation, OperationKind.MethodReference);
            start.RegisterOperationAction(rule.RecordReturn, OperationKind.Return);
            if (rule.Registry is { } registry)
                start.RegisterOperationAction(c => registry.Record((IInvocationOperation)c.Operation), OperationKind.Invocation);
            start.RegisterCompilationEndAction(rule.ReportWide);
        });
    }
}
