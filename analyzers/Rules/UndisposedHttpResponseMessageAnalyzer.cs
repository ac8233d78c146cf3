namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK004: an <c>HttpResponseMessage</c> that the code owns and does not dispose on every normal path
/// (<see cref="Responses"/>). Producers are decided by type (a call or <c>await</c> that yields the response,
/// <c>.Result</c>, <c>new</c>), never by method name. Ownership is settled by <c>using</c>, <c>finally</c>, return,
/// storage, hand-off to a constructor, a collection or a known transfer API; anything the analysis cannot follow keeps
/// the rule silent. Reported at the producer; the diagnostic hands the verdict and the places a fix edits to the fixer
/// (<see cref="Properties"/>).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UndisposedHttpResponseMessageAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Extra methods that take ownership of a response passed to them: <c>Namespace.Type.Method</c>, comma-separated.</summary>
    internal const string OwnershipTransferMethodsOption = "LEAK004.ownership_transfer_methods";

    internal const string Discarded = "discarded without being disposed";
    internal const string NeverDisposed = "never disposed";
    internal const string NotOnEveryPath = "not disposed on every path";
    internal const string OverwrittenInLoop = "overwritten by the next iteration of the loop without being disposed";
    internal const string Overwritten = "overwritten by the next response without being disposed";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(Descriptors.UndisposedHttpResponseMessage);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            if (Domain.Get(start.Compilation).Responses is not { } responses)
                return;                                  // HttpResponseMessage not referenced: the rule costs nothing
            var rule = new Context(responses);
            start.RegisterOperationAction(rule.Analyze, OperationKind.ObjectCreation, OperationKind.Invocation, OperationKind.Await,
                OperationKind.Invalid);                   // Invalid: a call that does not fully bind, judged by its candidates
        });
    }

    /// <summary>
    /// What the diagnostic hands the fixer. Additional locations: first the outermost expression that carries the
    /// response where its fate was decided (<see cref="ResponseLeak.Value"/>: the expression statement's expression,
    /// the initializer, the receiver of a read); then, for a response kept in a local, the local's declarator followed
    /// by every statement that disposes it on some path.
    /// </summary>
    internal static class Properties
    {
        /// <summary>The <see cref="ResponseVerdict"/>.</summary>
        public const string Verdict = "Verdict";

        /// <summary>"true" when the response is kept in a local that is assigned again (a <c>using</c> local cannot be).</summary>
        public const string Reassigned = "Reassigned";

        /// <summary>"true" when no rewrite is correct for this shape (<see cref="ResponseLeak.NoFix"/>): the fixer offers none.</summary>
        public const string NoFix = "NoFix";
    }

    private sealed class Context(Responses responses)
    {
        public void Analyze(OperationAnalysisContext context)
        {
            if (responses.ProducedBy(context.Operation) is not { } producer)
                return;
            var transfers = context.Options.GetList(producer.Operation.Syntax.SyntaxTree, OwnershipTransferMethodsOption);
            if (responses.Judge(producer.Operation, transfers, context.CancellationToken) is not { } leak)
                return;

            var additional = new List<Location> { leak.Value.Syntax.GetLocation() };
            if (leak.Local?.DeclaringSyntaxReferences.FirstOrDefault() is { } declarator)
            {
                additional.Add(declarator.GetSyntax(context.CancellationToken).GetLocation());
                additional.AddRange(leak.Disposals.Select(static d => d.GetLocation()));
            }

            var properties = ImmutableDictionary.CreateRange(new[]
            {
                new KeyValuePair<string, string?>(Properties.Verdict, leak.Verdict.ToString()),
                new KeyValuePair<string, string?>(Properties.Reassigned, leak.Reassigned ? "true" : "false"),
                new KeyValuePair<string, string?>(Properties.NoFix, leak.NoFix ? "true" : "false"),
            });
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.UndisposedHttpResponseMessage, producer.Operation.Syntax.GetLocation(),
                additional, properties, producer.Source, Message(leak.Verdict)));
        }
    }

    private static string Message(ResponseVerdict verdict) => verdict switch
    {
        ResponseVerdict.Discarded => Discarded,
        ResponseVerdict.NotOnEveryPath => NotOnEveryPath,
        ResponseVerdict.OverwrittenInLoop => OverwrittenInLoop,
        ResponseVerdict.Overwritten => Overwritten,
        _ => NeverDisposed,
    };
}
