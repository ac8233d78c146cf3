namespace LeakAnalyzers.Helpers;

internal static class OperationExtensions
{
    /// <summary>Strips implicit and explicit conversions and parentheses off a value.</summary>
    public static IOperation WalkDownConversions(this IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation conversion:
                    operation = conversion.Operand;
                    continue;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    continue;
                default:
                    return operation;
            }
        }
    }

    /// <summary>The outermost conversion or parenthesis that wraps <paramref name="operation"/>.</summary>
    public static IOperation WalkUpConversions(this IOperation operation)
    {
        while (operation.Parent is IConversionOperation or IParenthesizedOperation)
            operation = operation.Parent;
        return operation;
    }

    public static IEnumerable<IOperation> Ancestors(this IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
            yield return current;
    }

    /// <summary>The lambda, local function or member body that runs <paramref name="operation"/>.</summary>
    public static IOperation? GetEnclosingBody(this IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case IAnonymousFunctionOperation function:
                    return function.Body;
                case ILocalFunctionOperation localFunction:
                    return (IOperation?)localFunction.Body ?? localFunction.IgnoredBody;
                case IMethodBodyOperation or IConstructorBodyOperation or IBlockOperation { Parent: null }:
                    return current;
            }

            if (current.Parent is null)
                return current;
        }

        return null;
    }

    /// <summary>True when <paramref name="operation"/> runs inside a lambda or local function nested in <paramref name="body"/>.</summary>
    public static bool IsInsideNestedFunction(this IOperation operation, IOperation body)
    {
        for (var current = operation.Parent; current is not null && current != body; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                return true;
        }

        return false;
    }
}
