using System.Collections.Concurrent;

namespace LeakAnalyzers.Model;

/// <summary>
/// Work whose end is not the starter's business: work that only stops or restarts the application, and calls that hand
/// the work to an application-owned scheduler or worker that cancels it itself.
/// </summary>
internal sealed partial class Work
{
    /// <summary>How many calls deep the implementation of a hand-off is read (the implementation itself is hop 0).</summary>
    private const int MaxOwnerHops = 2;

    private readonly ConcurrentDictionary<IMethodSymbol, bool> _owners = new(SymbolEqualityComparer.Default);

    /// <summary>
    /// The whole work stops or restarts the application, possibly after a pause: <c>Task.Run(() =&gt;
    /// lifetime.StopApplication())</c>, <c>Task.Delay(3000).ContinueWith(_ =&gt; lifetime.StopApplication())</c>,
    /// <c>Task.Factory.StartNew(() =&gt; _lifecycleService.Restart())</c>, <c>Environment.Exit</c>. Nothing outlives it,
    /// and a token to cancel it makes no sense.
    /// </summary>
    public bool OnlyStopsApplication(WorkStart start)
    {
        if (start.Kind == WorkKind.Call)
            return IsStopCall(start.Start);
        return start.Delegate switch
        {
            IMethodReferenceOperation reference => IsApplicationStop(reference.Method),
            IAnonymousFunctionOperation function => OnlyStops(function.Body),
            _ => false,
        };
    }

    /// <summary>Every statement stops the application or pauses before it (<c>Task.Delay</c>, <c>Thread.Sleep</c>), and one stops it.</summary>
    private bool OnlyStops(IBlockOperation body)
    {
        var stops = false;
        foreach (var statement in body.Operations)
        {
            var value = statement switch
            {
                IExpressionStatementOperation expression => expression.Operation,
                IReturnOperation { ReturnedValue: { } returned } => returned,
                IReturnOperation => null,                // the implicit return at the end of a lambda
                _ => statement,
            };
            if (value is null)
                continue;
            value = value.WalkDownConversions();
            if (value is IAwaitOperation awaited)
                value = awaited.Operation.WalkDownConversions();
            if (IsStopCall(value))
                stops = true;
            else if (!IsPause(value))
                return false;
        }

        return stops;
    }

    private bool IsStopCall(IOperation operation) => operation switch
    {
        IInvocationOperation invocation => IsApplicationStop(invocation.TargetMethod),
        IInvalidOperation invalid => UnboundCalls.CandidateMethods(invalid) is { IsEmpty: false } candidates && candidates.All(IsApplicationStop),
        _ => false,
    };

    /// <summary><c>Environment.Exit</c>/<c>FailFast</c>, or a stop or restart by name (<see cref="Conventions.IsApplicationShutdown"/>, which covers <c>IHostApplicationLifetime.StopApplication</c>).</summary>
    private bool IsApplicationStop(IMethodSymbol method) =>
        method.Name is "Exit" or "FailFast" && SymbolEqualityComparer.Default.Equals(method.ContainingType, _types.Reflection.Environment)
        || Conventions.IsApplicationShutdown(method);

    /// <summary><c>Task.Delay(…)</c> or <c>Thread.Sleep(…)</c>.</summary>
    private bool IsPause(IOperation operation) =>
        operation is IInvocationOperation { TargetMethod: { IsStatic: true } method }
        && (method.Name == "Delay" && SymbolEqualityComparer.Default.Equals(method.ContainingType, _threading.Task)
            || method.Name == "Sleep" && SymbolEqualityComparer.Default.Equals(method.ContainingType, _threading.Thread));

    /// <summary>
    /// A call through an interface to an application-owned scheduler or worker: the interface method's single
    /// implementation in this compilation (<see cref="SourceCode.SingleImplementation"/>), or the methods of this
    /// compilation it calls (<see cref="MaxOwnerHops"/> deep), cancels the work itself (creates a
    /// <c>CancellationTokenSource</c>, reads <c>ApplicationStopping</c> or a token it keeps in a field or property) or
    /// hands it to a queue (<see cref="IsQueue"/>). Its caller has no token to give. Read from the implementation, never
    /// from the interface's declaration or names.
    /// </summary>
    public bool IsHandedToOwner(IMethodSymbol method, CancellationToken cancellationToken)
    {
        if (_source.SingleImplementation(method) is not { } implementation)
            return false;
        return _owners.GetOrAdd(implementation.OriginalDefinition,
            target => OwnsTheWork(target, 0, new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default), cancellationToken));
    }

    private bool OwnsTheWork(IMethodSymbol method, int hop, HashSet<IMethodSymbol> visited, CancellationToken cancellationToken)
    {
        if (hop > MaxOwnerHops || !visited.Add(method) || _source.BodyOf(method, cancellationToken) is not { } body)
            return false;
        var callees = new List<IMethodSymbol>();
        foreach (var operation in body.DescendantsAndSelf())
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (operation)
            {
                case IObjectCreationOperation creation when SymbolEqualityComparer.Default.Equals(creation.Type, _threading.CancellationTokenSource):
                    return true;
                case IInvocationOperation invocation:
                    var target = invocation.TargetMethod;
                    if (IsQueue(target) || SymbolEqualityComparer.Default.Equals(target.ContainingType, _threading.CancellationTokenSource))
                        return true;                      // a queue runs it; CreateLinkedTokenSource
                    if (target.ContainingType is { TypeKind: not TypeKind.Interface } && !target.IsAbstract)
                        callees.Add(target.OriginalDefinition);
                    break;
                case IInvalidOperation invalid when UnboundCalls.CandidateMethods(invalid) is { IsEmpty: false } candidates && candidates.All(IsQueue):
                    return true;
                case IMemberReferenceOperation { Type: { } type } member
                    when SymbolEqualityComparer.Default.Equals(type, CancellationToken) && IsKeptToken(member, method):
                    return true;
            }
        }

        foreach (var callee in callees)
        {
            if (OwnsTheWork(callee, hop + 1, visited, cancellationToken))
                return true;
        }

        return false;
    }

    /// <summary>A real token the owner keeps (a field's, a token source's, <c>ApplicationStopping</c>), not one taken from its caller's parameters.</summary>
    private bool IsKeptToken(IMemberReferenceOperation member, IMethodSymbol method)
    {
        if (IsNoToken(member))
            return false;
        if (_lifetimes.IsApplicationToken(member))
            return true;
        var root = member.Instance?.WalkDownConversions();
        while (root is IMemberReferenceOperation inner)
            root = inner.Instance?.WalkDownConversions();
        return root is not IParameterReferenceOperation parameter
            || !SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol.OriginalDefinition, method);
    }
}
