using System.Collections.Concurrent;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Model;

/// <summary>Where an ambient value lives: in the execution context, or on the thread.</summary>
internal enum AmbientKind
{
    /// <summary><c>AsyncLocal&lt;T&gt;.Value</c>: flows with the execution context; an <c>async</c> method restores its caller's.</summary>
    AsyncLocal,
    /// <summary><c>ThreadLocal&lt;T&gt;.Value</c>: stays on the thread.</summary>
    ThreadLocal,
    /// <summary>A static <c>[ThreadStatic]</c> field: stays on the thread.</summary>
    ThreadStatic,
}

/// <summary>
/// An ambient slot as an assignment target: its kind, the field or property that holds it (<see cref="Key"/>: for a
/// wrapper property, the slot it wraps), the symbol the code assigns (<see cref="Shown"/>: the holder, or the wrapper
/// property) and the type of the value put in it.
/// </summary>
internal sealed record AmbientSlot(AmbientKind Kind, ISymbol Key, ISymbol Shown, ITypeSymbol? ValueType);

/// <summary>
/// Ambient state (LEAK005), by symbol: which slot an assignment writes (this file), whether a set must be restored and
/// by whom (<c>Ambient.Sets.cs</c>), whether something restores it (<c>Ambient.Restores.cs</c>), and what a capture of
/// the execution context keeps alive (<c>Ambient.Captures.cs</c>). One instance per compilation (<see cref="Domain"/>);
/// what it reads of a type's syntax or a wrapper's setter is read once and cached here.
/// </summary>
internal sealed partial class Ambient
{
    private readonly KnownTypes.ThreadingTypes _threading;
    private readonly Lazy<RequestValues> _requestValues;
    private readonly Lifetimes _lifetimes;
    private readonly SourceCode _source;
    private readonly KnownTypes _types;
    private readonly ConcurrentDictionary<IPropertySymbol, AmbientSlot?> _wrappers = new(SymbolEqualityComparer.Default);

    /// <summary>
    /// How many wrappers deep a slot is followed (<see cref="WrappedSlot"/>): an interface property, its implementation,
    /// a property of another type it publishes into, the slot's own wrapper. Deeper chains (and cycles) are not judged.
    /// </summary>
    private const int MaxWrapperHops = 3;

    private Ambient(KnownTypes types, KnownTypes.ThreadingTypes threading, Lazy<RequestValues> requestValues, Lifetimes lifetimes, SourceCode source)
    {
        _types = types;
        _threading = threading;
        _requestValues = requestValues;
        _lifetimes = lifetimes;
        _source = source;
    }

    /// <summary>
    /// Null when the compilation has none of <c>AsyncLocal&lt;T&gt;</c>, <c>ThreadLocal&lt;T&gt;</c>, <c>[ThreadStatic]</c>:
    /// nothing to ask. <paramref name="requestValues"/> is built on the first value to trace (its types are looked up
    /// then): most compilations never assign a slot.
    /// </summary>
    public static Ambient? Create(KnownTypes types, Lazy<RequestValues> requestValues, Lifetimes lifetimes, SourceCode source) =>
        types.Threading is { } threading && (threading.AsyncLocal ?? threading.ThreadLocal ?? threading.ThreadStaticAttribute) is not null
            ? new Ambient(types, threading, requestValues, lifetimes, source)
            : null;

    /// <summary>
    /// The slot written by an assignment to <paramref name="target"/>: <c>holder.Value</c> of an <c>AsyncLocal</c> or
    /// <c>ThreadLocal</c> held in a field or property, a static <c>[ThreadStatic]</c> field, or a property of this
    /// compilation whose setter only publishes <c>value</c> into one of those, directly or through a few more such
    /// properties, or an interface property whose single implementation in this compilation does (<see cref="WrappedSlot"/>).
    /// </summary>
    public AmbientSlot? SlotWrittenBy(IOperation target, CancellationToken cancellationToken) => target switch
    {
        IPropertyReferenceOperation { Property.Name: "Value", Instance: { } instance } value when HolderKind(value.Property.ContainingType) is { } kind =>
            HolderIn(instance) is { } holder ? new AmbientSlot(kind, holder.OriginalDefinition, holder, value.Property.Type) : null,
        IFieldReferenceOperation field when IsThreadStatic(field.Field) =>
            new AmbientSlot(AmbientKind.ThreadStatic, field.Field.OriginalDefinition, field.Field, field.Field.Type),
        IPropertyReferenceOperation { Property: { IsIndexer: false, SetMethod: not null } property } =>
            WrappedSlot(property, cancellationToken) is { } wrapped ? wrapped with { Shown = property, ValueType = property.Type } : null,
        _ => null,
    };

    /// <summary>
    /// The slot whose current value <paramref name="instance"/> is: <c>s_slot.Value</c> itself (or a wrapper of it). A
    /// holder object kept in the slot is reached through it (<c>s_slot.Value.Context = null</c>, the
    /// <c>IHttpContextAccessor</c> technique), and so is a holder set in two steps (<see cref="HolderFilledBy"/>).
    /// </summary>
    public AmbientSlot? SlotHolding(IOperation instance, CancellationToken cancellationToken) =>
        instance.WalkDownConversions() is IPropertyReferenceOperation { Property.Name: "Value" } value ? SlotWrittenBy(value, cancellationToken) : null;

    /// <summary>
    /// <c>s_slot.Value ??= new Holder(); s_slot.Value.Current = value;</c>: a member of the holder the slot points to,
    /// written in a function that put a new holder into the slot before (the holder set in two steps). The set is the
    /// slot's: the holder lives in the execution context or on the thread like a direct value. A holder member written
    /// without that (a per-thread cache object created elsewhere) is not judged.
    /// </summary>
    public AmbientSlot? HolderFilledBy(IAssignmentOperation assignment, CancellationToken cancellationToken)
    {
        if (assignment.Target is not IMemberReferenceOperation { Instance: { } instance } || SlotHolding(instance, cancellationToken) is not { } slot)
            return null;
        IOperation root = assignment;
        while (root.Parent is not null)
            root = root.Parent;
        foreach (var other in root.Descendants().OfType<IAssignmentOperation>())
        {
            if (other.Syntax.SpanStart < assignment.Syntax.SpanStart && other.Value.WalkDownConversions() is IObjectCreationOperation
                && SlotWrittenBy(other.Target, cancellationToken) is { } created && SymbolEqualityComparer.Default.Equals(created.Key, slot.Key))
            {
                return slot;
            }
        }

        return null;
    }

    /// <summary>The slot <paramref name="target"/> writes, directly or through a member of the holder it points to (<c>s_slot.Value.Current</c>).</summary>
    private AmbientSlot? SlotOrHolderWrittenBy(IOperation target, CancellationToken cancellationToken) =>
        SlotWrittenBy(target, cancellationToken)
        ?? (target is IMemberReferenceOperation { Instance: { } instance } ? SlotHolding(instance, cancellationToken) : null);

    /// <summary>
    /// The names under which code can write <paramref name="slot"/>: the holder, the assigned symbol, and the wrapper
    /// properties of the holder's type (a wrapper's setter names a member of its own type). Read where the rule cannot
    /// bind: an assignment that names none of them cannot write the slot.
    /// </summary>
    public HashSet<string> NamesOf(AmbientSlot slot, CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { slot.Key.Name, slot.Shown.Name };
        foreach (var property in slot.Key.ContainingType.GetMembers().OfType<IPropertySymbol>())
        {
            if (property is { IsIndexer: false, SetMethod: not null } && WrappedSlot(property, cancellationToken) is { } wrapped
                && SymbolEqualityComparer.Default.Equals(wrapped.Key, slot.Key))
            {
                names.Add(property.Name);
            }
        }

        return names;
    }

    /// <summary>The holder's field or property: a local, an element or a call is not a slot we can name.</summary>
    private static ISymbol? HolderIn(IOperation instance) => instance.WalkDownConversions() switch
    {
        IFieldReferenceOperation field => field.Field,
        IPropertyReferenceOperation property => property.Property,
        _ => null,
    };

    private AmbientKind? HolderKind(INamedTypeSymbol? type)
    {
        var definition = type?.OriginalDefinition;
        if (definition is null)
            return null;
        if (SymbolEqualityComparer.Default.Equals(definition, _threading.AsyncLocal))
            return AmbientKind.AsyncLocal;
        if (SymbolEqualityComparer.Default.Equals(definition, _threading.ThreadLocal))
            return AmbientKind.ThreadLocal;
        return null;
    }

    private bool IsThreadStatic(IFieldSymbol field) =>
        field.IsStatic && _threading.ThreadStaticAttribute is { } threadStatic
        && field.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, threadStatic));

    /// <summary>
    /// The slot a property of this compilation wraps, read once per property from its setter (<see cref="ReadWrapper"/>).
    /// </summary>
    private AmbientSlot? WrappedSlot(IPropertySymbol property, CancellationToken cancellationToken) =>
        _wrappers.GetOrAdd(property.OriginalDefinition, p => ReadWrapper(p, MaxWrapperHops, cancellationToken));

    /// <summary>
    /// <c>set =&gt; _slot.Value = value;</c> or <c>set =&gt; t_field = value;</c>: one statement that publishes
    /// <c>value</c> as it is into a member of its own type or a base (a name is enough inside the type that declares it).
    /// Otherwise, with <paramref name="hops"/> left: an interface property stands for the property of the interface's
    /// single implementation in this compilation (<see cref="SourceCode.SingleImplementation"/>; none or several: not
    /// judged), and a setter that publishes <c>value</c> into another property (<c>set =&gt; TenantSlot.Value = value;</c>,
    /// <c>set =&gt; _inner.Current = value;</c>) wraps what that property writes, read from its bound setter. Each hop
    /// is read afresh, not from the cache, so the result does not depend on which property was asked first.
    /// </summary>
    private AmbientSlot? ReadWrapper(IPropertySymbol property, int hops, CancellationToken cancellationToken)
    {
        if (property.SetMethod is not { } setter)
            return null;
        if (property.ContainingType is { TypeKind: TypeKind.Interface })
        {
            return hops > 0 && property.IsAbstract && _source.SingleImplementation(setter) is { AssociatedSymbol: IPropertySymbol implementation }
                ? ReadWrapper(implementation.OriginalDefinition, hops - 1, cancellationToken)
                : null;
        }

        if (PublishingAssignment(property, cancellationToken) is not { } assignment)
            return null;
        if (assignment.Left is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Value" } valueAccess
            && MemberName(valueAccess.Expression) is { } holderName
            && FindMember(property.ContainingType, holderName) is { } holder
            && HolderKind((holder as IFieldSymbol)?.Type as INamedTypeSymbol ?? (holder as IPropertySymbol)?.Type as INamedTypeSymbol) is { } kind)
        {
            return new AmbientSlot(kind, holder.OriginalDefinition, holder, property.Type);
        }

        if (MemberName(assignment.Left) is { } fieldName && FindMember(property.ContainingType, fieldName) is IFieldSymbol field && IsThreadStatic(field))
            return new AmbientSlot(AmbientKind.ThreadStatic, field.OriginalDefinition, field, field.Type);
        if (hops == 0 || MemberName(assignment.Left) is { } name && FindMember(property.ContainingType, name) is IFieldSymbol
            || _source.BodyOf(setter, cancellationToken) is not { } body)
        {
            return null;                                 // a plain backing field: bound only when the setter may publish into another property
        }

        foreach (var published in body.DescendantsAndSelf().OfType<IAssignmentOperation>())
        {
            if (published.Target is IPropertyReferenceOperation { Property: { IsIndexer: false, SetMethod: not null } next } target
                && published.Value.WalkDownConversions() is IParameterReferenceOperation { Parameter.ContainingSymbol: var owner }
                && SymbolEqualityComparer.Default.Equals(owner, setter)
                && !SymbolEqualityComparer.Default.Equals(next.OriginalDefinition, property))
            {
                return target.Property.Name == "Value" && HolderKind(next.ContainingType) is not null
                    ? SlotWrittenBy(target, cancellationToken)
                    : ReadWrapper(next.OriginalDefinition, hops - 1, cancellationToken) is { } wrapped ? wrapped with { Shown = next, ValueType = next.Type } : null;
            }
        }

        return null;
    }

    /// <summary>The setter's one statement, <c>X = value</c>; null for any other setter.</summary>
    private static AssignmentExpressionSyntax? PublishingAssignment(IPropertySymbol property, CancellationToken cancellationToken)
    {
        if (property.SetMethod!.DeclaringSyntaxReferences is not { Length: 1 } references
            || references[0].GetSyntax(cancellationToken) is not AccessorDeclarationSyntax accessor)
        {
            return null;
        }

        var body = accessor.ExpressionBody?.Expression
            ?? (accessor.Body?.Statements is { Count: 1 } statements && statements[0] is ExpressionStatementSyntax statement ? statement.Expression : null);
        return body is AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression, Right: IdentifierNameSyntax { Identifier.ValueText: "value" } } assignment
            ? assignment
            : null;
    }

    private static string? MemberName(ExpressionSyntax expression) => expression switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax or IdentifierNameSyntax } access => access.Name.Identifier.ValueText,
        _ => null,
    };

    private static ISymbol? FindMember(INamedTypeSymbol? type, string name)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers(name))
            {
                if (member is IFieldSymbol or IPropertySymbol)
                    return member;
            }
        }

        return null;
    }
}
