namespace LeakAnalyzers;

/// <summary>Every rule's ID, text, category and severity, on one screen.</summary>
public static class Descriptors
{
    internal const string Category = "Leaks";
    internal const string HelpBase = "https://github.com/leakanalyzers/LeakAnalyzers/blob/main/rules.md#";

    // LEAK001 has two descriptors that differ only in the CompilationEnd tag (CatalogTests checks that they agree): the
    // IDE skips, in live analysis, every analyzer that supports a CompilationEnd descriptor. This one is reported at the
    // end of a type's analysis (private static fields), so it is computed as you type.
    public static readonly DiagnosticDescriptor UnboundedStaticCollection = Create(
        id: Leak001.Id,
        title: Leak001.Title,
        messageFormat: Leak001.MessageFormat,
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Leak001.Description);

    // The same rule for fields visible outside their type, reported at compilation end (RS1037).
    public static readonly DiagnosticDescriptor UnboundedStaticCollectionCompilationEnd = Create(
        id: Leak001.Id,
        title: Leak001.Title,
        messageFormat: Leak001.MessageFormat,
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Leak001.Description,
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor UncancelledFireAndForget = Create(
        id: "LEAK002",
        title: "Make request-started background work cancellable",
        messageFormat: "'{0}' starts work from request code that outlives the request and that nothing can cancel",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Work started per request and never awaited keeps running after the response is sent. Without a cancellation token nothing stops it when the application shuts down or the load grows, so its closures, buffers and connections pile up with every request.");

    public static readonly DiagnosticDescriptor HttpContextCapturedByClosure = Create(
        id: "LEAK003",
        title: "Copy request values before starting work that outlives the request",
        messageFormat: "'{0}' belongs to the request, but this closure can run after the request has ended",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The HttpContext and the objects it owns are pooled and reused for the next request. A closure that outlives the request and keeps them reads another request's data or a disposed object, and keeps the whole request graph alive until it runs.");

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

    public static readonly DiagnosticDescriptor ServiceResolvedFromRootProvider = Create(
        id: "LEAK006",
        title: "Resolve disposable and scoped services from a scope",
        messageFormat: "'{0}' is {1} and resolved from the root provider, {2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The root service provider lives as long as the application. It keeps every disposable transient service it creates so that it can dispose it when the application stops, so each resolution at runtime adds one more instance that is never released. A scoped service resolved from it is created once and kept for the whole process, with everything it holds. Resolve such services from a scope that is disposed when the work is done.");

    // LEAK007 has two descriptors, like LEAK001: subscriptions whose subscriber and source the framework alone decides
    // (a controller, page model or hub; a static event, the options monitor, a reload or application token) are judged
    // at the end of the subscriber's type, as you type; those that need the compilation's registrations, at its end.
    public static readonly DiagnosticDescriptor SubscriptionNeverRemoved = Create(
        id: Leak007.Id,
        title: Leak007.Title,
        messageFormat: Leak007.MessageFormat,
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Leak007.Description);

    public static readonly DiagnosticDescriptor SubscriptionNeverRemovedCompilationEnd = Create(
        id: Leak007.Id,
        title: Leak007.Title,
        messageFormat: Leak007.MessageFormat,
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Leak007.Description,
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    private static class Leak001
    {
        public const string Id = "LEAK001";
        public const string Title = "Bound static collections";
        public const string MessageFormat = "'{0}' lives as long as the process and only grows, with {1}: nothing removes its entries or caps its size";
        public const string Description = "A static (or singleton) collection that the code fills at runtime, with keys that come from requests or other unbounded data (route, query, header or claim values, action parameters, new GUIDs, timestamps), and never evicts keeps every entry for the life of the process. Memory climbs until the process is recycled or killed.";
    }

    private static class Leak007
    {
        public const string Id = "LEAK007";
        public const string Title = "Unsubscribe short-lived objects from long-lived sources";
        public const string MessageFormat = "'{1}' subscribes to '{0}', which lives as long as the application, and never removes the subscription";
        public const string Description = "A controller, page model, hub or scoped or transient service that subscribes to something the application keeps for its whole life (a static event, a singleton's event, an options monitor, a configuration reload token, the application's lifetime tokens) with a handler that refers to the object is kept alive by that source after its request ends. Every request adds one more instance, with everything it references, until the process stops. Remove the handler or dispose the registration when the object is disposed.";
    }

    // Parameter names mirror DiagnosticDescriptor's so RS1017/RS1031-1033/RS2000 can read the literals.
    private static DiagnosticDescriptor Create(string id, string title, string messageFormat, string category,
        DiagnosticSeverity defaultSeverity, bool isEnabledByDefault, string description, params string[] customTags) =>
        new(id, title, messageFormat, category, defaultSeverity, isEnabledByDefault, description,
            helpLinkUri: HelpBase + id.ToLowerInvariant(), customTags);
}
