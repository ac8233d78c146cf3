namespace LeakAnalyzers.Model;

internal sealed partial class Ambient
{
    /// <summary>
    /// The <c>On…Executed</c> half of the synchronous MVC filter callback <paramref name="method"/> implements
    /// (<c>IActionFilter.OnActionExecuting</c> → <c>OnActionExecuted</c>, <c>IPageFilter.OnPageHandlerExecuting</c> →
    /// <c>OnPageHandlerExecuted</c>, <c>IResultFilter.OnResultExecuting</c> → <c>OnResultExecuted</c>), as the same type
    /// implements it, when that implementation is declared in this compilation's source (not inherited from
    /// <c>ActionFilterAttribute</c>). The framework calls it after the action, page handler or result on the same
    /// request, which is where a value set for the action is cleared. The interfaces are matched by symbol; their
    /// members by name.
    /// </summary>
    public IMethodSymbol? PairedExecuted(IMethodSymbol method)
    {
        if (method.MethodKind is not (MethodKind.Ordinary or MethodKind.ExplicitInterfaceImplementation)
            || _types.AspNetCore is not { PairedFilters: { IsEmpty: false } filters } || method.ContainingType is not { } type)
        {
            return null;
        }

        foreach (var filter in filters)
        {
            if (!type.AllInterfaces.Contains(filter, SymbolEqualityComparer.Default))
                continue;
            foreach (var executing in filter.GetMembers().OfType<IMethodSymbol>())
            {
                if (!executing.Name.EndsWith("Executing", StringComparison.Ordinal)
                    || !SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(executing), method))
                {
                    continue;
                }

                var pairName = executing.Name.Substring(0, executing.Name.Length - "Executing".Length) + "Executed";
                return filter.GetMembers(pairName).FirstOrDefault() is IMethodSymbol executed
                    && type.FindImplementationForInterfaceMember(executed) is IMethodSymbol { DeclaringSyntaxReferences.Length: 1 } implementation
                    && SymbolEqualityComparer.Default.Equals(implementation.ContainingType, type)
                        ? implementation
                        : null;
            }
        }

        return null;
    }
}
