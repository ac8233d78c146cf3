namespace LeakAnalyzers.Model;

/// <summary>
/// <b>Carries request data</b> (LEAK005): whether a value put into ambient state holds one request's data. Wider than
/// <see cref="IsPooledByRequest">pooled by the request</see> on purpose: the principal, MVC's <c>ActionContext</c> (the
/// filter contexts derive from it) and SignalR's <c>HubCallerContext</c> are one user's data, pooled or not, and so is
/// anything derived from the function's input.
/// </summary>
internal sealed partial class RequestValues
{
    /// <summary><c>HttpContext</c>, <c>HttpRequest</c>, <c>HttpResponse</c>, <c>ClaimsPrincipal</c>, <c>ActionContext</c>, <c>HubCallerContext</c>: the ones this compilation has.</summary>
    private readonly ImmutableArray<INamedTypeSymbol> _dataTypes;

    /// <summary>
    /// True when <paramref name="value"/> is derived from input: a parameter of the enclosing function, a local filled from
    /// one, or anything typed as request data (<see cref="IsRequestData"/>). Sizes of new arrays and numeric constructor
    /// arguments (capacities, seeds) are not data: a fresh buffer or builder reused per thread holds no request.
    /// </summary>
    public bool CarriesRequestData(IOperation value, ConfiguredTypes configured, CancellationToken cancellationToken)
    {
        var root = value;
        while (root.Parent is not null)
            root = root.Parent;
        return new Trace(this, BodyIndex.Of(root), configured, cancellationToken).Carries(value, value.Syntax, 0);
    }

    /// <summary>
    /// Request data by type: the <c>HttpContext</c> and its friends (<see cref="_dataTypes"/>, classes and their derived
    /// types), or a type named in the rule's option (<paramref name="configured"/>, base types included).
    /// </summary>
    public bool IsRequestData(ITypeSymbol? type, ConfiguredTypes configured)
    {
        if (type is not { TypeKind: TypeKind.Class or TypeKind.Interface or TypeKind.Struct })
            return false;
        if (type.TypeKind != TypeKind.Struct)
        {
            foreach (var data in _dataTypes)
            {
                if (type.IsOrInheritsFrom(data))
                    return true;
            }
        }

        return configured.Contains(type, interfaces: false);
    }

    /// <summary>One question "does this value carry request data?", with what it needs to follow locals.</summary>
    private sealed class Trace(RequestValues values, BodyIndex index, ConfiguredTypes configured, CancellationToken cancellationToken)
    {
        private readonly HashSet<ILocalSymbol> _visited = new(SymbolEqualityComparer.Default);

        public bool Carries(IOperation operation, SyntaxNode value, int depth)
        {
            var pending = new Stack<IOperation>();
            pending.Push(operation);
            while (pending.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var current = pending.Pop();
                if (values.IsRequestData(current.Type, configured))
                    return true;
                switch (current)
                {
                    case IParameterReferenceOperation parameter:
                        if (!IsDeclaredIn(parameter.Parameter, value))
                            return true;                 // a parameter of a lambda inside the value is not input
                        continue;
                    case ILocalReferenceOperation local:
                        if (depth < 4 && _visited.Add(local.Local) && LocalCarries(local.Local, depth + 1))
                            return true;
                        continue;
                    case IArrayCreationOperation array:
                        if (array.Initializer is not null)
                            pending.Push(array.Initializer);
                        continue;
                    case IObjectCreationOperation creation:
                        foreach (var argument in creation.Arguments)
                        {
                            if (!IsNumeric(argument.Value.WalkDownConversions().Type))
                                pending.Push(argument);
                        }

                        if (creation.Initializer is not null)
                            pending.Push(creation.Initializer);
                        continue;
                    case IInvocationOperation { Type: IArrayTypeSymbol { ElementType.IsUnmanagedType: true } } allocation when IsRuntimeMethod(allocation.TargetMethod):
                        // ArrayPool<T>.Shared.Rent(n), GC.AllocateUninitializedArray<T>(n): a buffer, like new T[n].
                        if (allocation.Instance is not null)
                            pending.Push(allocation.Instance);
                        foreach (var argument in allocation.Arguments)
                        {
                            if (!IsNumeric(argument.Value.WalkDownConversions().Type))
                                pending.Push(argument);
                        }

                        continue;
                }

                foreach (var child in current.ChildOperations)
                    pending.Push(child);
            }

            return false;
        }

        /// <summary>What flows into a local in the body (<see cref="BodyIndex.ValuesOf"/>) carries request data.</summary>
        private bool LocalCarries(ILocalSymbol local, int depth)
        {
            foreach (var source in index.ValuesOf(local, cancellationToken))
            {
                if (Carries(source, source.Syntax, depth))
                    return true;
            }

            return false;
        }

        /// <summary>A method of the runtime libraries (<c>System.*</c>), whose results hold only what its arguments give it.</summary>
        private static bool IsRuntimeMethod(IMethodSymbol method) => SymbolNames.IsUnderNamespace(method, "System");

        private static bool IsNumeric(ITypeSymbol? type) =>
            type is not null && (type.TypeKind == TypeKind.Enum || type.SpecialType is >= SpecialType.System_Boolean and <= SpecialType.System_Double);

        private static bool IsDeclaredIn(IParameterSymbol parameter, SyntaxNode value) =>
            parameter.Locations.FirstOrDefault() is { IsInSource: true } location
            && location.SourceTree == value.SyntaxTree
            && value.Span.Contains(location.SourceSpan);
    }
}
