namespace LeakAnalyzers;

/// <summary>Every rule's ID, text, category and severity, on one screen.</summary>
public static class Descriptors
{
    internal const string Category = "Leaks";
    internal const string HelpBase = "https://github.com/leakanalyzers/LeakAnalyzers/blob/main/rules.md#";

    public static readonly DiagnosticDescriptor UndisposedHttpResponseMessage = Create(
        id: "LEAK004",
        title: "Dispose HttpResponseMessage",
        messageFormat: "The HttpResponseMessage from '{0}' is {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "An HttpResponseMessage that is not disposed keeps its pooled connection and its content buffers until the finalizer runs. Under load the connection pool runs dry and memory grows.");

    public static readonly DiagnosticDescriptor AmbientValueNotRestored = Create(
        id: "LEAK005",
        title: "Restore ambient values after setting them",
        messageFormat: "'{0}' {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "An AsyncLocal value set in a synchronous method flows back to its caller through the ExecutionContext and on into everything the caller starts afterwards, timers and continuations included, keeping the request's objects alive. A ThreadLocal or [ThreadStatic] value stays on the pool thread and is seen by the next request that runs there. Capture the previous value and restore it in a finally block.");

    // Parameter names mirror DiagnosticDescriptor's so RS1017/RS1031-1033/RS2000 can read the literals.
    private static DiagnosticDescriptor Create(string id, string title, string messageFormat, string category,
        DiagnosticSeverity defaultSeverity, bool isEnabledByDefault, string description) =>
        new(id, title, messageFormat, category, defaultSeverity, isEnabledByDefault, description,
            helpLinkUri: HelpBase + id.ToLowerInvariant());
}
