using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Model;

/// <summary>
/// A set of request data into an ambient slot that stays behind when its function returns: what LEAK005 judges.
/// <see cref="Write"/> is the assignment, or the call of a setter method (<see cref="Ambient.SetterCall"/>), and
/// <see cref="Value"/> what it puts in the slot (the assigned value, the call's argument). <see cref="Method"/> is the method that sets it directly (null inside a lambda), <see cref="Member"/> the member
/// around it (lambdas and local functions walked out of), <see cref="Type"/> the outermost type, whose code may restore it.
/// </summary>
internal sealed record AmbientSet(IOperation Write, IOperation Value, AmbientSlot Slot, IMethodSymbol? Method, ISymbol? Member, INamedTypeSymbol Type);

internal sealed partial class Ambient
{
    /// <summary>
    /// The set that <paramref name="write"/> makes in <paramref name="slot"/> (an assignment of <paramref name="value"/>:
    /// <see cref="SlotWrittenBy"/>; or a call of a setter method with it: <see cref="SetterCall"/>), when it
    /// must be restored by its own type: request data (not a clear, not in a <c>finally</c> or a cleanup member:
    /// <see cref="IsRestoring"/>), in a function whose set outlives it (<see cref="OutlivesFunction"/>). Null otherwise.
    /// </summary>
    public AmbientSet? SetBy(IOperation write, IOperation value, AmbientSlot slot, ISymbol containingSymbol, ConfiguredTypes configured, CancellationToken cancellationToken)
    {
        if (IsRestoring(write, value, containingSymbol, configured, cancellationToken)
            || !OutlivesFunction(write, value, slot, containingSymbol, out var method, cancellationToken)
            || Outermost(containingSymbol.ContainingType) is not { } type)
        {
            return null;
        }

        return new AmbientSet(write, value, slot, method, EnclosingMember(containingSymbol), type);
    }

    /// <summary>The outermost type around <paramref name="type"/>: nested scope classes are part of the code that restores.</summary>
    public static INamedTypeSymbol? Outermost(INamedTypeSymbol? type)
    {
        while (type?.ContainingType is not null)
            type = type.ContainingType;
        return type;
    }

    /// <summary>
    /// Whether the value set stays behind for whoever runs after the function: not a property setter or a
    /// <c>Set…(value)</c> accessor method (its callers clear), not a method that returns a restore token
    /// (<see cref="ReturnsRestoreToken"/>) unless that token is a scope of this code whose <c>Dispose</c> does not
    /// touch the slot (<see cref="ReturnsScopeThatRestoresNothing"/>), not the entry point (nothing runs after it), not a value type on a thread
    /// (it holds no request object), and for <c>AsyncLocal</c> not an <c>async</c> function (the runtime restores the
    /// caller's context), not a local function and not a lambda other than a pipeline handler (who runs them, and in
    /// which context, is unknown). <paramref name="method"/> is the method that sets it directly (null in a lambda).
    /// </summary>
    private bool OutlivesFunction(IOperation write, IOperation value, AmbientSlot slot, ISymbol containingSymbol, out IMethodSymbol? method, CancellationToken cancellationToken)
    {
        method = null;
        var function = write.Ancestors().FirstOrDefault(a => a is IAnonymousFunctionOperation or ILocalFunctionOperation);
        var setter = function switch
        {
            IAnonymousFunctionOperation lambda => lambda.Symbol,
            ILocalFunctionOperation local => local.Symbol,
            _ => containingSymbol as IMethodSymbol,
        };
        if (setter is null)
            return false;                                // a field or property initializer
        if (slot.Kind != AmbientKind.AsyncLocal && slot.ValueType is { IsValueType: true })
            return false;
        if (function is null && (setter.MethodKind == MethodKind.PropertySet || IsSetterMethod(setter, write, value)))
            return false;
        if (ReturnsRestoreToken(setter) && !ReturnsScopeThatRestoresNothing(setter, write, slot, cancellationToken))
            return false;                                // the caller ends the scope through what it gets back
        if (slot.Kind == AmbientKind.AsyncLocal)
        {
            if (setter.IsAsync || function is ILocalFunctionOperation)
                return false;
            if (function is IAnonymousFunctionOperation lambda && !IsPipelineHandler(lambda))
                return false;
        }

        if (function is null && setter.IsStatic && SymbolEqualityComparer.Default.Equals(setter, _lifetimes.EntryPoint))
            return false;

        method = function is null ? setter : null;
        return true;
    }

    /// <summary>
    /// <c>void SetCurrent(T value) =&gt; _slot.Value = value;</c> (or <c>=&gt; TenantContext.SetTenant(value)</c>): a
    /// method-shaped accessor (<see cref="Conventions.IsSetterName"/>) whose whole body publishes its parameter. Its
    /// callers are judged instead (<see cref="SetterCall"/>).
    /// </summary>
    private static bool IsSetterMethod(IMethodSymbol method, IOperation write, IOperation value)
    {
        if (method.MethodKind != MethodKind.Ordinary || !Conventions.IsSetterName(method) || method.Parameters.Length != 1
            || value.WalkDownConversions() is not IParameterReferenceOperation parameter
            || !SymbolEqualityComparer.Default.Equals(parameter.Parameter, method.Parameters[0]))
        {
            return false;
        }

        return write.Syntax.Parent switch
        {
            ArrowExpressionClauseSyntax { Parent: MethodDeclarationSyntax } => true,
            ExpressionStatementSyntax { Parent: BlockSyntax { Statements.Count: 1, Parent: MethodDeclarationSyntax } } => true,
            _ => false,
        };
    }

    /// <summary>
    /// A synchronous lambda the ASP.NET Core pipeline runs on the request's context: an argument of a
    /// <c>Microsoft.AspNetCore.*</c> API that adds a handler (<see cref="Conventions.IsPipelineRegistration"/>:
    /// <c>app.Use</c>, <c>app.Run</c>, <c>MapGet</c>, <c>AddEndpointFilter</c>), or the request delegate returned by such
    /// a lambda (<c>app.Use(next =&gt; context =&gt; …)</c>). Callbacks such as <c>Response.OnStarting</c> run inside the
    /// server's own async code, which restores the context.
    /// </summary>
    private static bool IsPipelineHandler(IAnonymousFunctionOperation lambda)
    {
        IOperation current = lambda;
        for (var hops = 0; hops < 2; hops++)
        {
            var parent = current.Parent;
            while (parent is IDelegateCreationOperation or IConversionOperation)
            {
                current = parent;
                parent = parent.Parent;
            }

            switch (parent)
            {
                case IArgumentOperation { Parent: IInvocationOperation invocation }:
                    return SymbolNames.IsUnderNamespace(invocation.TargetMethod, "Microsoft.AspNetCore") && Conventions.IsPipelineRegistration(invocation.TargetMethod);
                case IReturnOperation { Parent: IBlockOperation { Parent: IAnonymousFunctionOperation outer } }:
                    current = outer;
                    continue;
                default:
                    return false;
            }
        }

        return false;
    }

    /// <summary>The member around a lambda or local function.</summary>
    private static ISymbol? EnclosingMember(ISymbol? symbol)
    {
        while (symbol is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction })
            symbol = symbol.ContainingSymbol;
        return symbol;
    }
}
