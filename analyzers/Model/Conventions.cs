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
    /// The method the pipeline calls on a conventional middleware: a public instance <c>Invoke</c> or <c>InvokeAsync</c>
    /// whose first parameter is the <c>HttpContext</c> (its other parameters are services the container resolves).
    /// </summary>
    public static bool IsMiddlewareInvoke(IMethodSymbol method, INamedTypeSymbol httpContext) =>
        method is { Name: "Invoke" or "InvokeAsync", IsStatic: false, DeclaredAccessibility: Accessibility.Public, Parameters.Length: > 0 }
        && SymbolEqualityComparer.Default.Equals(method.Parameters[0].Type, httpContext);

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
            if (member is IMethodSymbol invoke && IsMiddlewareInvoke(invoke, httpContext))
                return true;
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

    // LEAK002 (uncancelled fire-and-forget work) ------------------------------------------------------------------

    /// <summary>
    /// A method that stops or restarts the application by its name: <c>StopApplication</c> (the hosting lifetimes'),
    /// <c>Shutdown</c>, <c>Restart</c>, <c>ShutdownApplication</c>, <c>RestartApplication</c>, each with or without
    /// <c>Async</c> (a shutdown/restart service of the application's own: <c>_lifecycleService.Restart()</c>). Work that
    /// only does that leaks nothing, and a token to cancel it makes no sense.
    /// </summary>
    public static bool IsApplicationShutdown(IMethodSymbol method)
    {
        var name = method.Name.EndsWith("Async", StringComparison.Ordinal) ? method.Name.Substring(0, method.Name.Length - "Async".Length) : method.Name;
        return name is "StopApplication" or "Shutdown" or "Restart" or "ShutdownApplication" or "RestartApplication";
    }

    // LEAK001 (unbounded static collections) -------------------------------------------------------------------

    /// <summary>
    /// A method named <c>ForEach</c> (<c>List&lt;T&gt;.ForEach</c>, <c>Array.ForEach</c>, a library's <c>ForEach</c>
    /// extension) runs the callback it is given on the spot, before it returns: code in that callback runs where the
    /// call does (during initialization, for a static constructor's <c>Items.ForEach(x =&gt; Cache.Add(x))</c>).
    /// </summary>
    public static bool RunsCallbackInPlace(IMethodSymbol method) =>
        method.Name == "ForEach";

    /// <summary>
    /// An extension method that takes a collection as <c>this</c> and adds to it by a collection's own growth name
    /// (<see cref="IsCollectionGrowth"/>): <c>CollectionExtensions.TryAdd</c> on an <c>IDictionary&lt;,&gt;</c>, a
    /// library's <c>AddRange</c> on an <c>ICollection&lt;&gt;</c>.
    /// </summary>
    public static bool IsGrowthExtension(IMethodSymbol method) =>
        method.IsExtensionMethod && IsCollectionGrowth(method.Name);

    /// <summary>The same for the collections' removal names (<see cref="IsCollectionEviction"/>): <c>CollectionExtensions.Remove</c> on an <c>IDictionary&lt;,&gt;</c>.</summary>
    public static bool IsEvictionExtension(IMethodSymbol method) =>
        method.IsExtensionMethod && IsCollectionEviction(method.Name);

    /// <summary>
    /// The names by which the collections LEAK001 tracks add entries (<c>Add</c>, <c>TryAdd</c>, <c>GetOrAdd</c>,
    /// <c>AddOrUpdate</c>, <c>Enqueue</c>, <c>Push</c>, <c>PushRange</c>, <c>AddRange</c>, <c>Insert</c>,
    /// <c>InsertRange</c>, <c>UnionWith</c>, <c>AddFirst</c>, <c>AddLast</c>). Asked of members of a tracked collection
    /// type (matched by symbol first), and of extension methods through <see cref="IsGrowthExtension"/>.
    /// </summary>
    public static bool IsCollectionGrowth(string name) => name is "Add" or "TryAdd" or "GetOrAdd" or "AddOrUpdate" or "Enqueue"
        or "Push" or "PushRange" or "AddRange" or "Insert" or "InsertRange" or "UnionWith" or "AddFirst" or "AddLast";

    /// <summary>
    /// The names by which the collections LEAK001 tracks drop entries (<c>Remove</c>, <c>TryRemove</c>, <c>Clear</c>,
    /// <c>Dequeue</c>, <c>TryDequeue</c>, <c>Pop</c>, <c>TryPop</c>, <c>PopRange</c>, <c>TryPopRange</c>, <c>TryTake</c>,
    /// <c>RemoveAt</c>, <c>RemoveAll</c>, <c>RemoveRange</c>, <c>RemoveWhere</c>, <c>ExceptWith</c>,
    /// <c>IntersectWith</c>, <c>SymmetricExceptWith</c>, <c>RemoveFirst</c>, <c>RemoveLast</c>).
    /// </summary>
    public static bool IsCollectionEviction(string name) => name is "Remove" or "TryRemove" or "Clear" or "Dequeue" or "TryDequeue"
        or "Pop" or "TryPop" or "PopRange" or "TryPopRange" or "TryTake" or "RemoveAt" or "RemoveAll" or "RemoveRange"
        or "RemoveWhere" or "ExceptWith" or "IntersectWith" or "SymmetricExceptWith" or "RemoveFirst" or "RemoveLast";

    /// <summary>
    /// A <c>Count</c>/<c>LongCount</c> extension method (<c>Enumerable.Count</c>, or a library's equivalent): called with
    /// the collection alone, it reads the size, so comparing it is a capacity check.
    /// </summary>
    public static bool IsCountExtension(IMethodSymbol method) =>
        method is { Name: "Count" or "LongCount", IsExtensionMethod: true };

    /// <summary>
    /// A class that a DI framework makes a singleton by a marker rather than a registration call: an attribute named
    /// <c>Singleton</c>, <c>RegisterSingleton</c>, <c>SingletonService</c> or <c>SingletonDependency</c> (Injectio,
    /// AutoRegister-style generators) or a marker interface named <c>ISingletonDependency</c> (ABP), <c>ISingleton</c>,
    /// <c>ISingletonService</c> or <c>ISingletonDependency</c>, on the class or a base class. LEAK001 counts its instance
    /// fields as long-lived, as it does a registered singleton's.
    /// </summary>
    public static bool IsSingletonByMarker(INamedTypeSymbol type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var attribute in current.GetAttributes())
            {
                if (attribute.AttributeClass?.Name is "SingletonAttribute" or "RegisterSingletonAttribute" or "SingletonServiceAttribute" or "SingletonDependencyAttribute")
                    return true;
            }
        }

        foreach (var @interface in type.AllInterfaces)
        {
            if (@interface.Name is "ISingletonDependency" or "ISingleton" or "ISingletonService")
                return true;
        }

        return false;
    }

    /// <summary>
    /// A lookup that tells whether a key is in a collection or hands its entry out: <c>Contains</c>, <c>ContainsKey</c>,
    /// <c>ContainsValue</c>, <c>TryGetValue</c>, <c>TryGet…</c>, <c>Any</c>, <c>Exists</c>, <c>GetValueOrDefault</c>,
    /// <c>FirstOrDefault</c>, <c>SingleOrDefault</c>, <c>LastOrDefault</c>, <c>Find</c>, <c>IsDefined</c>
    /// (<c>Enum.IsDefined</c>). LEAK001 asks it of calls on configuration or an in-memory collection, in a condition that
    /// leaves before a growth when the key is not there: the registry bounds the keys.
    /// </summary>
    public static bool IsLookup(IMethodSymbol method) =>
        method.Name is "Contains" or "ContainsKey" or "ContainsValue" or "TryGetValue" or "Any" or "Exists" or "GetValueOrDefault"
            or "FirstOrDefault" or "SingleOrDefault" or "LastOrDefault" or "Find" or "IsDefined"
        || method.Name.StartsWith("TryGet", StringComparison.Ordinal);

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

    // LEAK005 (ambient values not restored) ----------------------------------------------------------------------
    // Verbs are matched as whole words at the start of a name (StartsWithWord): EndScope, not Endpoint.

    /// <summary>
    /// A method that undoes an ambient value by its name: <c>Dispose</c>/<c>DisposeAsync</c>, the <c>On…Executed</c> half
    /// of a filter pair (the framework calls it after the <c>On…Executing</c> half), or a cleanup verb (<c>Restore…</c>,
    /// <c>Reset…</c>, <c>Clear…</c>, <c>Exit…</c>, <c>Leave…</c>, <c>Pop…</c>, <c>End…</c>, <c>Revert…</c>, <c>Undo…</c>).
    /// An explicit interface implementation is named by its own part (<c>IDisposable.Dispose</c> is <c>Dispose</c>).
    /// </summary>
    public static bool IsAmbientCleanup(IMethodSymbol method)
    {
        var name = method.MethodKind == MethodKind.ExplicitInterfaceImplementation ? method.Name.Substring(method.Name.LastIndexOf('.') + 1) : method.Name;
        if (name is "Dispose" or "DisposeAsync" || name.StartsWith("On", StringComparison.Ordinal) && name.EndsWith("Executed", StringComparison.Ordinal))
            return true;
        return StartsWithAny(name, CleanupVerbs);
    }

    /// <summary>
    /// An ASP.NET Core API that adds a request handler to the pipeline by its verb (<c>Use…</c>, <c>Run…</c>,
    /// <c>Map…</c>, <c>Add…</c>: <c>app.Use</c>, <c>app.Run</c>, <c>MapGet</c>, <c>AddEndpointFilter</c>): a synchronous
    /// lambda given to it runs on the request's execution context. The caller checks that the method is ASP.NET Core's.
    /// </summary>
    public static bool IsPipelineRegistration(IMethodSymbol method) => StartsWithAny(method.Name, PipelineVerbs);

    /// <summary>
    /// A method-shaped accessor by its name (<c>Set…</c>: <c>SetCurrent(value)</c>): whoever calls it sets the value and
    /// clears it, the way a property setter publishes its <c>value</c>. The caller checks the shape (one parameter,
    /// published as it is).
    /// </summary>
    public static bool IsSetterName(IMethodSymbol method) => StartsWithWord(method.Name, "Set");

    /// <summary>
    /// A method whose job is to set an ambient value for its caller, by its verb (<c>On…</c>, <c>Begin…</c>,
    /// <c>Enter…</c>, <c>Push…</c>, <c>Use…</c>, <c>Set…</c>, <c>Start…</c>, <c>Open…</c>, <c>Init…</c>,
    /// <c>Initialize…</c>, <c>Attach…</c>, <c>Apply…</c>, <c>Activate…</c>, <c>Change…</c>): restoring the value at its
    /// end would undo what it is for, so LEAK005 offers no restore-in-<c>finally</c> fix there (a scope object or a
    /// paired cleanup is the fix).
    /// </summary>
    public static bool BeginsAmbientScope(IMethodSymbol method) => StartsWithAny(method.Name, ScopeVerbs);

    /// <summary>
    /// <c>[MaybeNull]</c>: the compiler recognizes its nullable-analysis attributes by name, and libraries that target old
    /// frameworks declare their own copies, so the attribute is matched by name in any namespace.
    /// </summary>
    public static bool IsMaybeNullAttribute(AttributeData attribute) => attribute.AttributeClass?.Name == "MaybeNullAttribute";

    /// <summary><c>[AllowNull]</c>, matched by name like <see cref="IsMaybeNullAttribute"/>.</summary>
    public static bool IsAllowNullAttribute(AttributeData attribute) => attribute.AttributeClass?.Name == "AllowNullAttribute";

    private static readonly string[] CleanupVerbs = { "Restore", "Reset", "Clear", "Exit", "Leave", "Pop", "End", "Revert", "Undo" };

    private static readonly string[] PipelineVerbs = { "Use", "Run", "Map", "Add" };

    private static readonly string[] ScopeVerbs = { "On", "Begin", "Enter", "Push", "Use", "Set", "Start", "Open", "Init", "Initialize", "Attach", "Apply", "Activate", "Change" };

    private static bool StartsWithAny(string name, string[] verbs)
    {
        foreach (var verb in verbs)
        {
            if (StartsWithWord(name, verb))
                return true;
        }

        return false;
    }

    /// <summary><paramref name="name"/> is <paramref name="word"/> or starts with it followed by an upper-case letter (<c>EndScope</c>, not <c>Endpoint</c>).</summary>
    private static bool StartsWithWord(string name, string word) =>
        name.StartsWith(word, StringComparison.Ordinal) && (name.Length == word.Length || char.IsUpper(name[word.Length]));

    // LEAK007 (subscriptions never removed) ---------------------------------------------------------------------

    /// <summary>
    /// The dispose pattern's <c>void Dispose(bool disposing)</c>: <c>Hub</c>, MVC's <c>Controller</c>, <c>Stream</c> and most
    /// disposable base classes release through it, and their <c>Dispose()</c> calls it. No interface names it, so a
    /// type's release hook is found by this shape.
    /// </summary>
    public static bool IsDisposePattern(IMethodSymbol method) =>
        method is { Name: "Dispose", IsStatic: false, ReturnsVoid: true, Parameters.Length: 1 }
        && method.Parameters[0].Type.SpecialType == SpecialType.System_Boolean;
}
