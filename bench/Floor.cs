using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LeakAnalyzers.Bench;

/// <summary>
/// The driver's floor: an analyzer whose callbacks return at once, registered for the operation kinds LEAK002 registers
/// (every invocation and object creation). What the telemetry charges it is what any rule pays for being called on
/// those operations, before doing any work of its own (<c>--only FLOOR</c>).
/// </summary>
// A measuring stick inside the bench, never shipped nor loaded by a compiler: the rules for analyzer assemblies do not apply.
#pragma warning disable RS1036, RS1041, RS2008
[DiagnosticAnalyzer(LanguageNames.CSharp)]
internal sealed class FloorAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor Never = new("FLOOR", "never reported", "never reported", "Bench", DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Never);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterOperationAction(static _ => { }, OperationKind.Invocation, OperationKind.ObjectCreation);
    }
}
#pragma warning restore RS1036, RS1041, RS2008
