namespace LeakAnalyzers.Model;

/// <summary>
/// What LEAK001 knows of a tracked collection type: whether an indexer set adds an entry (<see cref="Keyed"/>), the
/// <see cref="Key"/> type (the element type of a set, list, queue or bag), the <see cref="Value"/> type of a generic
/// dictionary, and whether the field is declared as one of the interfaces (<see cref="IsInterface"/>: then only a
/// candidate when initialized with a tracked collection).
/// </summary>
internal readonly record struct CollectionShape(bool Keyed, ITypeSymbol Key, ITypeSymbol? Value, bool IsInterface);

/// <summary>
/// Long-lived collections that may grow without bound (LEAK001), by question: which types are tracked and the shape of
/// their keys (this file), what one reference of a field does to the collection (<c>Collections.Growth.cs</c>), which
/// capacity checks guard a growth (<c>Collections.Guards.cs</c>), and the facts gathered per field and the judgement
/// read from them (<c>Collections.Fields.cs</c>). Decided by symbol over <see cref="KnownTypes.CollectionTypes"/>; the
/// collections' member names are compared only once their type has been matched (extension methods go through
/// <see cref="Conventions"/>).
/// </summary>
internal sealed partial class Collections
{
    private readonly KnownTypes _types;
    private readonly KnownTypes.CollectionTypes _collections;
    private readonly Lifetimes _lifetimes;
    private readonly Provenance _provenance;
    private readonly SourceCode _source;

    private Collections(KnownTypes types, KnownTypes.CollectionTypes collections, Lifetimes lifetimes, Provenance provenance, SourceCode source)
    {
        _source = source;
        _types = types;
        _collections = collections;
        _lifetimes = lifetimes;
        _provenance = provenance;
    }

    /// <summary>Null when the compilation has none of the tracked collection types.</summary>
    public static Collections? Create(KnownTypes types, Lifetimes lifetimes, Provenance provenance, SourceCode source) =>
        types.Collections is { } collections ? new Collections(types, collections, lifetimes, provenance, source) : null;

    /// <summary>Where values come from: LEAK001 asks it of each growth's key or item.</summary>
    public Provenance Provenance => _provenance;

    /// <summary>The shape of a tracked type (concrete, or one of the interfaces a tracked type is declared as), else null.</summary>
    public CollectionShape? ShapeOf(INamedTypeSymbol type)
    {
        var definition = type.OriginalDefinition;
        if (Contains(_collections.Keyed, definition))
            return new CollectionShape(Keyed: true, type.TypeArguments[0], type.TypeArguments[1], IsInterface: false);
        if (Contains(_collections.Elements, definition))
            return new CollectionShape(Keyed: false, type.TypeArguments[0], null, IsInterface: false);
        if (SymbolEqualityComparer.Default.Equals(definition, _collections.Hashtable))
            return new CollectionShape(Keyed: true, _types.Object, null, IsInterface: false);
        if (SymbolEqualityComparer.Default.Equals(definition, _collections.IDictionaryOfT))
            return new CollectionShape(Keyed: true, type.TypeArguments[0], type.TypeArguments[1], IsInterface: true);
        if (Contains(_collections.ElementInterfaces, definition))
            return new CollectionShape(Keyed: false, type.TypeArguments[0], null, IsInterface: true);
        if (SymbolEqualityComparer.Default.Equals(definition, _collections.IDictionary))
            return new CollectionShape(Keyed: true, _types.Object, null, IsInterface: true);
        return null;
    }

    /// <summary>True when <see cref="ShapeOf"/> knows the type; allocates nothing (asked of every field and field reference).</summary>
    public bool IsTracked(INamedTypeSymbol type)
    {
        var definition = type.OriginalDefinition;
        return Contains(_collections.Keyed, definition) || Contains(_collections.Elements, definition) || Contains(_collections.ElementInterfaces, definition)
            || SymbolEqualityComparer.Default.Equals(definition, _collections.Hashtable)
            || SymbolEqualityComparer.Default.Equals(definition, _collections.IDictionaryOfT)
            || SymbolEqualityComparer.Default.Equals(definition, _collections.IDictionary);
    }

    /// <summary>A concrete tracked collection: what an interface-typed field must be initialized with to be a candidate.</summary>
    public bool IsTrackedCreation(ITypeSymbol? type) =>
        type is INamedTypeSymbol named
        && (Contains(_collections.Keyed, named.OriginalDefinition) || Contains(_collections.Elements, named.OriginalDefinition)
            || SymbolEqualityComparer.Default.Equals(named, _collections.Hashtable));

    /// <summary>
    /// Keys with few possible values: enums, <c>bool</c>, bytes, reflection objects (<see cref="KnownTypes.ReflectionTypes.ReflectionObjects"/>),
    /// the <paramref name="configured"/> types (subclasses and implementations included), tuples or nullables of those,
    /// and type parameters constrained to one of them (<c>where T : struct, Enum</c>).
    /// </summary>
    public bool IsBoundedKey(ITypeSymbol key, ConfiguredTypes configured)
    {
        if (key.TypeKind == TypeKind.Enum || key.SpecialType is SpecialType.System_Boolean or SpecialType.System_Byte or SpecialType.System_SByte)
            return true;
        if (key is ITypeParameterSymbol parameter)
            return parameter.ConstraintTypes.Any(c => c.SpecialType == SpecialType.System_Enum || IsBoundedKey(c, configured));
        if (key is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
            return IsBoundedKey(nullable.TypeArguments[0], configured);
        if (key is INamedTypeSymbol { IsTupleType: true } tuple)
            return tuple.TupleElements.All(e => IsBoundedKey(e.Type, configured));
        return _types.Reflection.ReflectionObjects.Any(key.IsOrInheritsFrom) || configured.Contains(key, interfaces: true);
    }

    /// <summary>Parameter types through which a callee cannot grow the collection without a cast: passing the field there is a read.</summary>
    public bool IsReadOnlyView(ITypeSymbol type) => type switch
    {
        { SpecialType: SpecialType.System_Object or SpecialType.System_Collections_IEnumerable } => true,
        ITypeParameterSymbol parameter => parameter.ConstraintTypes.IsEmpty,
        INamedTypeSymbol named => named.OriginalDefinition.SpecialType is SpecialType.System_Collections_Generic_IEnumerable_T
                or SpecialType.System_Collections_Generic_IReadOnlyCollection_T or SpecialType.System_Collections_Generic_IReadOnlyList_T
            || SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, _collections.IReadOnlyDictionary)
            || SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, _collections.IReadOnlySet),
        _ => false,
    };

    /// <summary>
    /// The collection can be emptied in place: it has a <c>Count</c> property and a parameterless <c>Clear()</c>, as the
    /// bound fix's <c>if (Cache.Count &gt;= Capacity) Cache.Clear();</c> needs (<c>ConcurrentQueue</c> and
    /// <c>ConcurrentBag</c> before .NET Core 2.0 have no <c>Clear</c>).
    /// </summary>
    public static bool CanBeCleared(ITypeSymbol type) =>
        HasMember(type, "Count", static m => m is IPropertySymbol) && HasMember(type, "Clear", static m => m is IMethodSymbol { Parameters.Length: 0 });

    /// <summary>
    /// The field can become a <c>MemoryCache</c> without losing anything: the compilation has <c>MemoryCache</c>, the
    /// collection is a generic dictionary, and its initializer is a plain creation (<c>new()</c>, or capacity arguments
    /// only: no comparer and no seed entries the cache would drop).
    /// </summary>
    public bool CanBecomeMemoryCache(CollectionShape shape, IOperation? initializer) =>
        _collections.MemoryCache is not null && shape is { Keyed: true, Value: not null }
        && initializer?.WalkDownConversions() is IObjectCreationOperation { Initializer: null } creation
        && creation.Arguments.All(a => a.Value.WalkDownConversions() is ILiteralOperation { ConstantValue: { HasValue: true, Value: int } });

    private static bool HasMember(ITypeSymbol type, string name, Func<ISymbol, bool> predicate) =>
        type.GetMembers(name).Any(predicate) || type.AllInterfaces.Any(i => i.GetMembers(name).Any(predicate))
        || type.BaseType is { } baseType && HasMember(baseType, name, predicate);

    private static bool Contains(ImmutableArray<INamedTypeSymbol> types, INamedTypeSymbol type)
    {
        foreach (var candidate in types)
        {
            if (SymbolEqualityComparer.Default.Equals(candidate, type))
                return true;
        }

        return false;
    }
}
