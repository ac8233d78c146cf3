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
/// <see cref="OriginKind.Depends"/>, the inputs the call sites decide (<see cref="Inputs"/>: <c>IParameterSymbol</c>s, a
/// constructor for the object it builds, or a method of the project for what it returns; <see cref="MemberInputs"/>:
/// parameters of which only a member is read) and whether some other part of the value is unknown
/// (<see cref="PartlyUnknown"/>: then bounded inputs leave the value unknown, unbounded ones still make it unbounded).
/// <para>
/// A value the code <see cref="Made"/> (a new object, or what a lookup returns) is an object whose members hold what that
/// code put in them, not the whole of what it was given: a member read of it (<see cref="Member"/>) is the initializer's
/// value for that member (<see cref="Initialized"/>), else for a new object what its constructor was given
/// (<see cref="Constructed"/>), else unknown.
/// </para>
/// </summary>
internal sealed record Origin(OriginKind Kind, string Description, Location? Source, ImmutableArray<ISymbol> Inputs, bool PartlyUnknown)
{
    /// <summary>Parameters of which the value reads a member (<c>task.Type</c>), with the member read: the call sites' argument is seen through it.</summary>
    public ImmutableArray<MemberInput> MemberInputs { get; init; } = ImmutableArray<MemberInput>.Empty;

    /// <summary>
    /// The value is an object code made from its inputs — a new object, or the result of a call given only keys (strings,
    /// numbers, GUIDs: <c>GetBackup(id)</c>, <c>FindByIdAsync(taskId)</c>) or nothing — so its members are not the inputs.
    /// </summary>
    public bool Made { get; init; }

    /// <summary>
    /// The value is what a lookup found (<see cref="Made"/> by a call given only keys): what its members hold, and what
    /// code computes from them, is the store's data; the keys only chose it.
    /// </summary>
    public bool Found { get; init; }

    /// <summary>For a new object: the value each member its initializer sets is given.</summary>
    public ImmutableDictionary<ISymbol, Origin>? Initialized { get; init; }

    /// <summary>For a new object: what its constructor is given (null when nothing), which the members the initializer leaves may hold.</summary>
    public Origin? Constructed { get; init; }

    /// <summary>Every input, read whole or through a member.</summary>
    public IEnumerable<ISymbol> AllInputs => Inputs.Concat(MemberInputs.Select(static m => m.Input));

    /// <summary>
    /// The origin of <paramref name="member"/> read from a value of this origin: for a value the code <see cref="Made"/>,
    /// what was put in that member (or unknown); for one that depends on parameters, the same parameters read through the
    /// member (the call sites' arguments are seen through it); anything else is the value's own origin (a member of
    /// request data is request data, a member of a constant is bounded).
    /// </summary>
    /// <remarks>
    /// A method as <paramref name="member"/> stands for a call given the value (<c>GetEffectiveDBPath(backup)</c>): it
    /// computes from the value's members, so it sees a new object whole, and nothing but the store's data in what a lookup found.
    /// </remarks>
    public Origin Member(ISymbol member)
    {
        var call = member is IMethodSymbol;
        if (!call && Initialized is not null && Initialized.TryGetValue(member.OriginalDefinition, out var initialized))
            return initialized;
        if (Made && Kind != OriginKind.Bounded)       // a constant key finds one thing
        {
            if (Found)
                return Unknown;
            if (!call)
                return Constructed ?? Unknown;
            return this;
        }

        if (Kind != OriginKind.Depends || Inputs.IsEmpty)
            return this;
        var through = MemberInputs;
        foreach (var input in Inputs)
        {
            var read = new MemberInput(input, member.OriginalDefinition);
            if (!through.Contains(read))
                through = through.Add(read);
        }

        return new Origin(OriginKind.Depends, "", null, ImmutableArray<ISymbol>.Empty, PartlyUnknown) { MemberInputs = through };
    }

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
        if (Kind == OriginKind.Depends || other.Kind == OriginKind.Depends)
        {
            var inputs = Inputs;
            foreach (var input in other.Inputs)
            {
                if (!inputs.Contains(input, SymbolEqualityComparer.Default))
                    inputs = inputs.Add(input);
            }

            var members = MemberInputs;
            foreach (var read in other.MemberInputs)
            {
                if (!members.Contains(read))
                    members = members.Add(read);
            }

            return new Origin(OriginKind.Depends, "", null, inputs, unknown) { MemberInputs = members, Made = Made || other.Made, Found = Found || other.Found };
        }

        return unknown ? Unknown : Kind == OriginKind.Bounded && Description.Length > 0 ? this : other;
    }

    /// <summary>The same origin seen through a member of the value (<c>dto.Id</c>, <c>type.FullName</c>), with a more precise description when one is given.</summary>
    public Origin Describe(string? description, Location? source) =>
        IsUnbounded && description is not null ? this with { Description = description, Source = source ?? Source } : this;
}

/// <summary>A parameter (<see cref="Input"/>) of which a value reads only <see cref="Member"/>.</summary>
internal readonly struct MemberInput(ISymbol input, ISymbol member) : IEquatable<MemberInput>
{
    public ISymbol Input { get; } = input;

    public ISymbol Member { get; } = member;

    public bool Equals(MemberInput other) =>
        SymbolEqualityComparer.Default.Equals(Input, other.Input) && SymbolEqualityComparer.Default.Equals(Member, other.Member);

    public override bool Equals(object? obj) => obj is MemberInput other && Equals(other);

    public override int GetHashCode() =>
        (SymbolEqualityComparer.Default.GetHashCode(Input) * 397) ^ SymbolEqualityComparer.Default.GetHashCode(Member);
}
