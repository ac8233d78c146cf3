namespace LeakAnalyzers.Model;

/// <summary>What the provenance walk can say of a value (<see cref="Origin.Kind"/>).</summary>
internal enum OriginKind
{
    /// <summary>The walk cannot tell (a field, a call with no input, a lambda's parameter…): LEAK001 stays silent on it by default.</summary>
    Unknown,
    /// <summary>
    /// Few values by construction: constants, <c>nameof</c>, static readonly fields, enums and booleans (and tuples or
    /// anonymous objects of them), reflection (<c>Type</c>, members, assemblies and names built from them), configuration.
    /// </summary>
    Bounded,
    /// <summary>Data that grows without limit: request data (parameters of request code, route/query/header/cookie/form/claim values, <c>HttpContext</c> members), new GUIDs, clock values, counters.</summary>
    Unbounded,
    /// <summary>A function of <see cref="Origin.Inputs"/>, parameters of the project's own methods (or the object a constructor builds), judged at the call sites.</summary>
    Depends,
}

/// <summary>
/// Where a value comes from, as far as a bounded walk of its method body tells (<see cref="Provenance.Of"/>):
/// <see cref="Kind"/>, a phrase that names the source for a message (<see cref="Description"/>, "the action parameter
/// 'id' of 'ProductsController.Get'"), where that source is written (<see cref="Source"/>), and, for
/// <see cref="OriginKind.Depends"/>, the inputs the call sites decide (<see cref="Inputs"/>: <c>IParameterSymbol</c>s,
/// or a constructor for the object it builds) and whether some other part of the value is unknown
/// (<see cref="PartlyUnknown"/>: then bounded inputs leave the value unknown, unbounded ones still make it unbounded).
/// </summary>
internal sealed record Origin(OriginKind Kind, string Description, Location? Source, ImmutableArray<ISymbol> Inputs, bool PartlyUnknown)
{
    /// <summary>Nothing at all: the identity of <see cref="Join"/> (a value with no part, a cycle through a local).</summary>
    public static Origin None { get; } = new(OriginKind.Bounded, "", null, ImmutableArray<ISymbol>.Empty, false);

    public static Origin Unknown { get; } = new(OriginKind.Unknown, "", null, ImmutableArray<ISymbol>.Empty, false);

    public static Origin Bounded(string description) => new(OriginKind.Bounded, description, null, ImmutableArray<ISymbol>.Empty, false);

    public static Origin Unbounded(string description, Location? source) => new(OriginKind.Unbounded, description, source, ImmutableArray<ISymbol>.Empty, false);

    public static Origin DependsOn(ISymbol input) => new(OriginKind.Depends, "", null, ImmutableArray.Create(input), false);

    public bool IsUnbounded => Kind == OriginKind.Unbounded;

    /// <summary>
    /// The origin of a value built from two parts (<c>$"{a}:{b}"</c>, <c>(a, b)</c>, <c>a ?? b</c>, <c>F(a, b)</c>): unbounded
    /// when either part is (the first one names it), else a function of both parts' inputs, else unknown when either
    /// part is, else bounded.
    /// </summary>
    public Origin Join(Origin other)
    {
        if (IsUnbounded)
            return this;
        if (other.IsUnbounded)
            return other;
        if (ReferenceEquals(this, None))
            return other;
        if (ReferenceEquals(other, None))
            return this;
        var unknown = Kind == OriginKind.Unknown || other.Kind == OriginKind.Unknown || PartlyUnknown || other.PartlyUnknown;
        if (!Inputs.IsEmpty || !other.Inputs.IsEmpty)
        {
            var inputs = Inputs;
            foreach (var input in other.Inputs)
            {
                if (!inputs.Contains(input, SymbolEqualityComparer.Default))
                    inputs = inputs.Add(input);
            }

            return new Origin(OriginKind.Depends, "", null, inputs, unknown);
        }

        return unknown ? Unknown : Kind == OriginKind.Bounded && Description.Length > 0 ? this : other;
    }

    /// <summary>The same origin seen through a member of the value (<c>dto.Id</c>, <c>type.FullName</c>), with a more precise description when one is given.</summary>
    public Origin Describe(string? description, Location? source) =>
        IsUnbounded && description is not null ? this with { Description = description, Source = source ?? Source } : this;
}
