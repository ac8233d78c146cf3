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
    private readonly ConcurrentDictionary<IMethodSymbol, MethodWrite?> _setterMethods = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IMethodSymbol, MethodWrite?> _writingMethods = new(SymbolEqualityComparer.Default);

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
    /// The names under which code can write <paramref name="slot"/>: the holder, the assigned symbol (or the setter
    /// method called), and the wrapper properties and methods that write it of the holder's type (a wrapper's setter
    /// names a member of its own type). Read where the rule cannot bind: an assignment or a call that names none of them
    /// cannot write the slot.
    /// </summary>
    public HashSet<string> NamesOf(AmbientSlot slot, CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { slot.Key.Name, slot.Shown.Name };
        foreach (var member in slot.Key.ContainingType.GetMembers())
        {
            var wrapped = member switch
            {
                IPropertySymbol { IsIndexer: false, SetMethod: not null } property => WrappedSlot(property, cancellationToken),
                IMethodSymbol { MethodKind: MethodKind.Ordinary, ReturnsVoid: true, Parameters.Length: <= 1 } method => MethodWriteOf(method, MaxWrapperHops, setters: false, cancellationToken)?.Slot,
                _ => null,
            };
            if (wrapped is not null && SymbolEqualityComparer.Default.Equals(wrapped.Key, slot.Key))
                names.Add(member.Name);
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
    /// is read afresh, not from the cache, so the result does not depend on which property was asked first. A setter
    /// that passes <c>value</c> to a setter method (<c>set =&gt; TenantStore.SetTenant(value);</c>) wraps what that
    /// method writes (<see cref="CallWrite"/>), one hop.
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

        var statement = PublishedBySetter(property, cancellationToken);
        if (statement is InvocationExpressionSyntax { ArgumentList.Arguments: { Count: 1 } arguments } && arguments[0].Expression is IdentifierNameSyntax { Identifier.ValueText: "value" })
        {
            return hops > 0 && _source.BodyOf(setter, cancellationToken) is { } setterBody && OnlyStatement(setterBody) is { } call
                && CallWrite(call, setters: true, hops - 1, cancellationToken) is { } written
                && written.Value?.WalkDownConversions() is IParameterReferenceOperation { Parameter.ContainingSymbol: var owner }
                && SymbolEqualityComparer.Default.Equals(owner, setter)
                    ? written.Slot with { Shown = property, ValueType = property.Type }
                    : null;
        }

        if (statement is not AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression, Right: IdentifierNameSyntax { Identifier.ValueText: "value" } } assignment)
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

    /// <summary>The expression of the setter's one statement (<c>X = value</c>, <c>SetX(value)</c>); null for any other setter.</summary>
    private static ExpressionSyntax? PublishedBySetter(IPropertySymbol property, CancellationToken cancellationToken)
    {
        if (property.SetMethod!.DeclaringSyntaxReferences is not { Length: 1 } references
            || references[0].GetSyntax(cancellationToken) is not AccessorDeclarationSyntax accessor)
        {
            return null;
        }

        return accessor.ExpressionBody?.Expression
            ?? (accessor.Body?.Statements is { Count: 1 } statements && statements[0] is ExpressionStatementSyntax statement ? statement.Expression : null);
    }

    /// <summary>
    /// <c>TenantContext.SetTenant(tenant)</c>: a call of a setter method (<see cref="ReadMethodWrite"/> with the setter
    /// name at every hop), judged like an assignment of its argument to the slot the method publishes it into. A call
    /// that does not fully bind (<see cref="IInvalidOperation"/>) is judged when every candidate is such a setter of the
    /// same slot and it has one argument; otherwise it is not a set. The slot is shown as the method called.
    /// </summary>
    public (AmbientSlot Slot, IOperation Value)? SetterCall(IOperation call, CancellationToken cancellationToken)
    {
        var write = CallWrite(call, setters: true, MaxWrapperHops, cancellationToken);
        return write is { Value: { } value } ? (write.Value.Slot, value) : null;
    }

    /// <summary>
    /// The slot a call writes, for a restore: a method of this compilation, whatever its name, whose one statement
    /// publishes its parameter into a slot (<paramref name="setters"/> false) or clears one (<c>Value</c> null: the
    /// callee assigns null itself, as <c>ResetTenant() =&gt; s_tenant.Value = null</c> does). With
    /// <paramref name="setters"/>, only setter methods that publish their parameter, every hop named as one.
    /// </summary>
    private (AmbientSlot Slot, IOperation? Value)? CallWrite(IOperation call, bool setters, int hops, CancellationToken cancellationToken)
    {
        ImmutableArray<IMethodSymbol> candidates;
        IOperation? argument;
        switch (call)
        {
            case IInvocationOperation invocation:
                candidates = ImmutableArray.Create(invocation.TargetMethod);
                argument = invocation.Arguments.Length == 1 ? invocation.Arguments[0].Value : null;
                break;
            case IInvalidOperation { Syntax: InvocationExpressionSyntax syntax } invalid:
                if (setters && TypeFacts.InvokedName(syntax.Expression)?.StartsWith("Set", StringComparison.Ordinal) != true)
                    return null;                         // cheap before binding the candidates: no setter by its name
                candidates = UnboundCalls.CandidateMethods(invalid);
                argument = UnboundCalls.ArgumentsOf(invalid).ToList() is { Count: 1 } arguments ? arguments[0] : null;
                break;
            default:
                return null;
        }

        AmbientSlot? slot = null;
        var clears = false;
        foreach (var candidate in candidates)
        {
            if (candidate.IsExtensionMethod || candidate.ReducedFrom is not null || setters && !Conventions.IsSetterName(candidate)
                || MethodWriteOf(candidate.OriginalDefinition, hops, setters, cancellationToken) is not { } write
                || slot is not null && (!SymbolEqualityComparer.Default.Equals(slot.Key, write.Slot.Key) || clears != write.Clears))
            {
                return null;
            }

            slot = write.Slot with { Shown = candidate.OriginalDefinition, ValueType = write.Clears ? write.Slot.ValueType : candidate.Parameters[0].Type };
            clears = write.Clears;
        }

        if (slot is null)
            return null;
        if (clears)
            return setters ? null : (slot, null);
        return argument is null ? null : (slot, argument);
    }

    /// <summary>Read once per method when asked from a call site; each further hop is read afresh, as for wrapper properties.</summary>
    private MethodWrite? MethodWriteOf(IMethodSymbol method, int hops, bool setters, CancellationToken cancellationToken) =>
        hops < MaxWrapperHops
            ? ReadMethodWrite(method, hops, setters, named: true, cancellationToken)
            : (setters ? _setterMethods : _writingMethods).GetOrAdd(method, m => ReadMethodWrite(m, hops, setters, named: true, cancellationToken));

    /// <summary>What a method of this compilation writes as its one statement: the slot, and whether it clears it.</summary>
    private sealed record MethodWrite(AmbientSlot Slot, bool Clears);

    /// <summary>
    /// <c>static void SetTenant(Tenant t) =&gt; s_current.Value = t;</c>: an own non-virtual <c>void</c> method whose body
    /// is one statement that writes a slot (<see cref="SlotWrittenBy"/>: a holder, a <c>[ThreadStatic]</c> field, a wrapper
    /// property) with its single parameter as it is, or with null/default (a clear). With <paramref name="hops"/> left, the
    /// statement may instead call another such method with the parameter (or with null: a clear), and an interface method
    /// stands for the method of its single implementation in this compilation (<see cref="SourceCode.SingleImplementation"/>),
    /// as for wrapper properties (<see cref="ReadWrapper"/>). With <paramref name="setters"/>, each method that publishes
    /// must be named as a setter (<see cref="Conventions.IsSetterName"/>; <paramref name="named"/> false for an
    /// implementation reached from its interface method, whose name was checked) — the shape whose own assignment the rule
    /// excuses as an accessor (<see cref="IsSetterMethod"/>), so that each set is judged once, at its outermost call site.
    /// </summary>
    private MethodWrite? ReadMethodWrite(IMethodSymbol method, int hops, bool setters, bool named, CancellationToken cancellationToken)
    {
        if (!method.ReturnsVoid || method.IsExtensionMethod || method.Parameters.Length > 1 || named && setters && !Conventions.IsSetterName(method))
            return null;
        if (method.ContainingType is { TypeKind: TypeKind.Interface })
        {
            return hops > 0 && method.IsAbstract && _source.SingleImplementation(method) is { } implementation
                ? ReadMethodWrite(implementation.OriginalDefinition, hops - 1, setters, named: false, cancellationToken)
                : null;
        }

        if (method.MethodKind is not (MethodKind.Ordinary or MethodKind.ExplicitInterfaceImplementation) || method.IsVirtual || method.IsAbstract || method.IsOverride
            || _source.BodyOf(method, cancellationToken) is not { } body || OnlyStatement(body) is not { } statement)
        {
            return null;
        }

        var parameter = method.Parameters.FirstOrDefault();
        switch (statement)
        {
            case ISimpleAssignmentOperation assignment when SlotWrittenBy(assignment.Target, cancellationToken) is { } slot:
                if (IsNullOrDefault(assignment.Value))
                    return new MethodWrite(slot, Clears: true);
                return IsParameter(assignment.Value, parameter) ? new MethodWrite(slot, Clears: false) : null;
            case IInvocationOperation call when hops > 0 && CallWrite(call, setters, hops - 1, cancellationToken) is { } inner:
                if (inner.Value is null || IsNullOrDefault(inner.Value))
                    return new MethodWrite(inner.Slot, Clears: true);
                return IsParameter(inner.Value, parameter) ? new MethodWrite(inner.Slot, Clears: false) : null;
            default:
                return null;
        }

        static bool IsParameter(IOperation value, IParameterSymbol? parameter) =>
            parameter is not null && value.WalkDownConversions() is IParameterReferenceOperation reference
            && SymbolEqualityComparer.Default.Equals(reference.Parameter, parameter);
    }

    /// <summary>
    /// <c>public static Tenant? Current =&gt; s_current.Value;</c> beside <c>SetTenant(Tenant? tenant)</c>: a property of the
    /// setter method's own type (an interface's, for an interface method), static like it, of the type its parameter
    /// takes, whose getter returns the slot's value as it is (<c>holder.Value</c> or the <c>[ThreadStatic]</c> field; for
    /// an interface property, read from its single implementation). What the restore fix saves before the call and gives
    /// back to the setter in the <c>finally</c>; null when there is none, or more than one.
    /// </summary>
    public IPropertySymbol? GetterOf(IMethodSymbol setter, AmbientSlot slot, CancellationToken cancellationToken)
    {
        if (setter.Parameters.Length != 1)
            return null;
        IPropertySymbol? found = null;
        foreach (var property in setter.ContainingType.GetMembers().OfType<IPropertySymbol>())
        {
            if (property is not { IsIndexer: false, GetMethod: { } getter } || property.IsStatic != setter.IsStatic
                || !SymbolEqualityComparer.Default.Equals(property.Type, setter.Parameters[0].Type))
            {
                continue;
            }

            var read = getter.ContainingType.TypeKind == TypeKind.Interface ? _source.SingleImplementation(getter) : getter;
            var returned = read is null ? null : _source.BodyOf(read, cancellationToken)?.DescendantsAndSelf().OfType<IReturnOperation>().ToList();
            if (returned is not { Count: 1 } || returned[0].ReturnedValue?.WalkDownConversions() is not { } value)
                continue;
            var slotRead = value switch
            {
                IPropertyReferenceOperation { Property.Name: "Value" } holderValue when HolderKind(holderValue.Property.ContainingType) is not null => SlotWrittenBy(holderValue, cancellationToken),
                IFieldReferenceOperation field => SlotWrittenBy(field, cancellationToken),
                _ => null,
            };
            if (slotRead is null || !SymbolEqualityComparer.Default.Equals(slotRead.Key, slot.Key))
                continue;
            if (found is not null)
                return null;
            found = property;
        }

        return found;
    }

    /// <summary>The one statement of a method body (an expression body, or a block of one expression statement); null otherwise.</summary>
    private static IOperation? OnlyStatement(IOperation body)
    {
        var block = body switch
        {
            IMethodBodyOperation method => method.BlockBody ?? method.ExpressionBody,
            IBlockOperation plain => plain,
            _ => null,
        };
        if (block is null)
            return null;
        IOperation? only = null;
        foreach (var operation in block.Operations)
        {
            if (operation is IReturnOperation { IsImplicit: true, ReturnedValue: null })
                continue;
            if (only is not null || operation is not IExpressionStatementOperation statement)
                return null;
            only = statement.Operation;
        }

        return only;
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
