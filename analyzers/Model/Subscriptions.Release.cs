using System.Collections.Concurrent;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Model;

/// <summary>
/// The subscriptions one type makes and the <c>-=</c> it writes, recorded while an analyzer visits the type's
/// operations (<see cref="Add(Subscription)"/>, called concurrently), and read once they have all been seen: which
/// subscriptions the type never undoes (<see cref="Unreleased"/>).
/// </summary>
internal sealed class TypeSubscriptions(INamedTypeSymbol type)
{
    private readonly ConcurrentQueue<Subscription> _subscriptions = new();
    private readonly ConcurrentQueue<Removal> _removals = new();

    public INamedTypeSymbol Type => type;

    public void Add(Subscription subscription) => _subscriptions.Enqueue(subscription);

    public void Add(Removal removal) => _removals.Enqueue(removal);

    /// <summary>
    /// The subscriptions nothing in the type undoes, in source order: an event handler that no <c>-=</c> of the type
    /// removes (the same event, and the same method or field, or a handler the analysis cannot name); a registration
    /// discarded, left in a local nobody reads, or kept in a field the type never uses again (any other mention of the
    /// field, a <c>Dispose</c> call or anything else, counts as releasing it). An injected source that the type itself
    /// creates somewhere (<c>_feed = new PriceFeed()</c>) is not the registered singleton: those are left out too. Where
    /// the undoing happens (<c>Dispose</c>, <c>Dispose(bool)</c>, <c>DisposeAsync</c>, another method) is not judged.
    /// </summary>
    public IEnumerable<Subscription> Unreleased(CancellationToken cancellationToken)
    {
        List<SyntaxNode>? declarations = null;
        foreach (var subscription in _subscriptions.OrderBy(s => s.Operation.Syntax.SyntaxTree.FilePath, StringComparer.Ordinal).ThenBy(s => s.Operation.Syntax.SpanStart))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (subscription.Kind == SubscriptionKind.Event && _removals.Any(removal => Removes(removal, subscription)))
                continue;
            if (subscription is { Fate: RegistrationFate.Field, Handle: IFieldSymbol field } && MentionsOf(field.Name) > StoresIn(field))
                continue;
            if (subscription.Service is IFieldSymbol or IPropertySymbol && IsCreatedInType(subscription.Service.Name))
                continue;
            yield return subscription;
        }

        IEnumerable<SyntaxNode> Declarations() =>
            declarations ??= type.DeclaringSyntaxReferences.Select(reference => reference.GetSyntax(cancellationToken)).ToList();

        // Every identifier that spells the name, in all the type's declarations: read from syntax, so a same-named local
        // or another type's member counts too (the rule then stays silent).
        int MentionsOf(string name) => Declarations().Sum(d => d.DescendantNodes().OfType<IdentifierNameSyntax>().Count(n => n.Identifier.ValueText == name));

        int StoresIn(IFieldSymbol field) => _subscriptions.Count(s => s.Fate == RegistrationFate.Field && SymbolEqualityComparer.Default.Equals(s.Handle, field));

        bool IsCreatedInType(string name)
        {
            foreach (var node in Declarations().SelectMany(d => d.DescendantNodes()))
            {
                switch (node)
                {
                    case VariableDeclaratorSyntax { Initializer.Value: var value } declarator when declarator.Identifier.ValueText == name && IsCreation(value):
                    case PropertyDeclarationSyntax { Initializer.Value: var initial } property when property.Identifier.ValueText == name && IsCreation(initial):
                    case AssignmentExpressionSyntax { Left: var left, Right: var right } when Names(left, name) && IsCreation(right):
                        return true;
                }
            }

            return false;
        }
    }

    private static bool Removes(Removal removal, Subscription subscription) =>
        SymbolEqualityComparer.Default.Equals(removal.Event, subscription.Event)
        && (removal.AnyHandler || subscription.Handle is not null && SymbolEqualityComparer.Default.Equals(removal.Handler, subscription.Handle));

    private static bool IsCreation(ExpressionSyntax value) => value is BaseObjectCreationExpressionSyntax;

    private static bool Names(ExpressionSyntax target, string name) => target switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText == name,
        MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: var member } => member.Identifier.ValueText == name,
        _ => false,
    };
}

/// <summary>Where a type can undo its subscriptions when the container or the framework disposes it.</summary>
internal enum DisposalHookKind
{
    /// <summary>Its own <c>Dispose(bool)</c>, or its own <c>Dispose()</c>, and its own <c>DisposeAsync()</c> (<see cref="DisposalHook.Methods"/>): add to them.</summary>
    Extend,
    /// <summary>A base class's overridable <c>Dispose(bool)</c> (<c>Hub</c>, MVC's <c>Controller</c>): override it.</summary>
    OverrideDisposePattern,
    /// <summary>A base class's overridable <c>Dispose()</c>: override it.</summary>
    OverrideDispose,
    /// <summary>Nothing disposable: implement <c>IDisposable</c>, which the container and the framework call.</summary>
    ImplementDisposable,
}

/// <summary>A type's release hook: its kind, and the methods to extend for <see cref="DisposalHookKind.Extend"/>.</summary>
internal readonly record struct DisposalHook(DisposalHookKind Kind, ImmutableArray<IMethodSymbol> Methods);

internal sealed partial class Subscriptions
{
    /// <summary>
    /// Where <paramref name="type"/> can undo what it subscribed when it is disposed (LEAK007's fix): its own
    /// <c>Dispose(bool)</c> (or its own <c>Dispose()</c>) and its own <c>DisposeAsync()</c> (the request scope disposes
    /// asynchronously, and calls only <c>DisposeAsync</c> on a type that has both); else an overridable base
    /// <c>Dispose(bool)</c> or <c>Dispose()</c>; else, for a type that is not disposable at all, a new
    /// <c>IDisposable</c> implementation. Null when a base class is disposable but offers no overridable hook.
    /// </summary>
    public DisposalHook? HookOf(INamedTypeSymbol type)
    {
        if (_types.Threading is not { IDisposable: { } disposable } threading)
            return null;
        var dispose = disposable.GetMembers("Dispose").OfType<IMethodSymbol>().FirstOrDefault();
        var disposeAsync = threading.IAsyncDisposable?.GetMembers("DisposeAsync").OfType<IMethodSymbol>().FirstOrDefault();
        var isDisposable = type.Implements(disposable);
        var isAsyncDisposable = type.Implements(threading.IAsyncDisposable);
        var own = ImmutableArray.CreateBuilder<IMethodSymbol>();
        if (isDisposable)
        {
            var pattern = type.GetMembers("Dispose").OfType<IMethodSymbol>().FirstOrDefault(m => Conventions.IsDisposePattern(m) && !m.IsAbstract);
            if (pattern is not null)
                own.Add(pattern);
            else if (OwnImplementation(type, dispose) is { } implementation)
                own.Add(implementation);
        }

        if (isAsyncDisposable && OwnImplementation(type, disposeAsync) is { } asyncImplementation)
            own.Add(asyncImplementation);
        if (own.Count > 0)
            return new DisposalHook(DisposalHookKind.Extend, own.ToImmutable());
        if (isAsyncDisposable)
            return null;                                  // a base's DisposeAsync: no hook we know how to extend
        if (!isDisposable)
            return new DisposalHook(DisposalHookKind.ImplementDisposable, ImmutableArray<IMethodSymbol>.Empty);
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers("Dispose"))
            {
                if (member is IMethodSymbol method && Conventions.IsDisposePattern(method) && IsOverridable(method))
                    return new DisposalHook(DisposalHookKind.OverrideDisposePattern, ImmutableArray.Create(method));
            }
        }

        return dispose is not null && type.FindImplementationForInterfaceMember(dispose) is IMethodSymbol inherited && IsOverridable(inherited)
            ? new DisposalHook(DisposalHookKind.OverrideDispose, ImmutableArray.Create(inherited))
            : null;
    }

    private static IMethodSymbol? OwnImplementation(INamedTypeSymbol type, IMethodSymbol? member) =>
        member is not null && type.FindImplementationForInterfaceMember(member) is IMethodSymbol implementation
        && SymbolEqualityComparer.Default.Equals(implementation.ContainingType.OriginalDefinition, type.OriginalDefinition)
            ? implementation
            : null;

    private static bool IsOverridable(IMethodSymbol method) =>
        (method.IsVirtual || method.IsOverride || method.IsAbstract) && !method.IsSealed
        && method.DeclaredAccessibility is Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal;
}
