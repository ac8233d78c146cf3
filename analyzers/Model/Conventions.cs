namespace LeakAnalyzers.Model;

/// <summary>
/// Every decision the model takes from a name rather than a symbol, in one place: each is a convention of the framework
/// or of common libraries that no type expresses. Each predicate is named, documented, tested (<c>tests/Model</c>) and
/// listed in rules.md ("Name-based conventions"), so that a user can see why a rule treats a call as it does.
/// </summary>
internal static class Conventions
{
    /// <summary>
    /// <c>RegisterForDispose</c>/<c>RegisterForDisposeAsync</c> on any type (ASP.NET Core's <c>HttpResponse</c>, the old
    /// Web API's request extension, test hosts): the callee disposes what it is given.
    /// </summary>
    public static bool IsRegisterForDispose(IMethodSymbol method) =>
        method.Name is "RegisterForDispose" or "RegisterForDisposeAsync";

    /// <summary>A mocking framework's return setup (<c>Returns</c>, <c>ReturnsAsync</c>, <c>ReturnsForAnyArgs</c>, <c>ThenReturn(s)</c>): the mock hands the value on.</summary>
    public static bool IsMockReturnSetup(IMethodSymbol method) =>
        method.Name is "Returns" or "ReturnsAsync" or "ReturnsForAnyArgs" or "ThenReturn" or "ThenReturns";

    /// <summary>The names by which a collection (one that implements <c>IEnumerable</c>) takes an element: <c>Add</c>, <c>Enqueue</c>, <c>TryAdd</c>, <c>GetOrAdd</c>…</summary>
    public static bool IsCollectionAdd(IMethodSymbol method) =>
        method.Name is "Add" or "AddRange" or "Insert" or "Enqueue" or "Push" or "TryAdd" or "AddOrUpdate" or "GetOrAdd"
            or "TryUpdate" or "AddFirst" or "AddLast";

    /// <summary>
    /// A method that hands work to a queue that runs it later: <c>QueueBackgroundWorkItem</c>-style names
    /// (<c>Queue…</c>, <c>Enqueue…</c>), as background-task queues in the ASP.NET Core docs and most libraries name them.
    /// </summary>
    public static bool IsQueueMethod(IMethodSymbol method) =>
        method.Name.StartsWith("Queue", StringComparison.Ordinal) || method.Name.StartsWith("Enqueue", StringComparison.Ordinal);

    /// <summary>
    /// A conventional middleware class: a public instance <c>Invoke</c>/<c>InvokeAsync</c> whose first parameter is the
    /// <c>HttpContext</c>. ASP.NET Core finds that method by name and creates the class once per application.
    /// </summary>
    public static bool IsConventionalMiddleware(INamedTypeSymbol type, INamedTypeSymbol httpContext)
    {
        if (type.TypeKind != TypeKind.Class)
            return false;
        foreach (var member in type.GetMembers())
        {
            if (member is IMethodSymbol { Name: "Invoke" or "InvokeAsync", IsStatic: false, DeclaredAccessibility: Accessibility.Public, Parameters.Length: > 0 } invoke
                && SymbolEqualityComparer.Default.Equals(invoke.Parameters[0].Type, httpContext))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An endpoint-mapping method (<c>MapGet</c>, <c>MapPost</c>, <c>MapHub</c>, a library's <c>MapX</c>): its handler runs per request.</summary>
    public static bool IsEndpointMapping(IMethodSymbol method) =>
        method.Name.StartsWith("Map", StringComparison.Ordinal);

    /// <summary>
    /// An identifier that may name a cancellation token or its source (<c>…Token…</c>, <c>…Cancel…</c>, <c>…Stopping…</c>,
    /// <c>…Aborted…</c>, <c>ct</c>): read in a method body the analysis cannot bind, it keeps LEAK002 silent.
    /// </summary>
    public static bool LooksLikeToken(string name) =>
        name.IndexOf("Token", StringComparison.OrdinalIgnoreCase) >= 0
        || name.IndexOf("Cancel", StringComparison.OrdinalIgnoreCase) >= 0
        || name.IndexOf("Stopping", StringComparison.OrdinalIgnoreCase) >= 0
        || name.IndexOf("Aborted", StringComparison.OrdinalIgnoreCase) >= 0
        || name == "ct";

    // LEAK004: the await pattern ----------------------------------------------------------------------------------

    /// <summary>
    /// A step that hands a pending result on in another wrapper: <c>ConfigureAwait</c>, <c>GetAwaiter</c> and
    /// <c>AsTask</c>. The await pattern itself is bound by name (the compiler looks for <c>GetAwaiter</c>/<c>GetResult</c>
    /// on any type), so custom awaitables follow the same names: awaiting or blocking on what such a step returns yields
    /// the result of the task it started from.
    /// </summary>
    public static bool PassesTaskResultOn(IMethodSymbol method) =>
        method.Name is "ConfigureAwait" or "GetAwaiter" or "AsTask";

    /// <summary><c>awaiter.GetResult()</c>: the await pattern's way (bound by name) to block on an awaiter for its result.</summary>
    public static bool IsAwaiterGetResult(IMethodSymbol method) =>
        method.Name == "GetResult";
}
