namespace LeakAnalyzers.Helpers;

/// <summary>The one way rules report: on the smallest meaningful node.</summary>
internal static class DiagnosticExtensions
{
    public static void Report(this OperationAnalysisContext context, DiagnosticDescriptor descriptor, IOperation operation, params object?[] args) =>
        context.ReportDiagnostic(Diagnostic.Create(descriptor, operation.Syntax.GetLocation(), args));

    public static void Report(this OperationAnalysisContext context, DiagnosticDescriptor descriptor, Location location, params object?[] args) =>
        context.ReportDiagnostic(Diagnostic.Create(descriptor, location, args));

    public static void Report(this SymbolAnalysisContext context, DiagnosticDescriptor descriptor, Location location, IEnumerable<Location>? additionalLocations, params object?[] args) =>
        context.ReportDiagnostic(Diagnostic.Create(descriptor, location, additionalLocations, args));

    public static void Report(this CompilationAnalysisContext context, DiagnosticDescriptor descriptor, Location location, IEnumerable<Location>? additionalLocations, params object?[] args) =>
        context.ReportDiagnostic(Diagnostic.Create(descriptor, location, additionalLocations, args));
}
