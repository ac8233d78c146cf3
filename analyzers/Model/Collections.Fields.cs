namespace LeakAnalyzers.Model;

/// <summary>
/// One place where a field's collection grows at runtime (outside its initialization, with no capacity check or
/// registry lookup of its own around it), and what the judgement still needs to know of it once every reference has
/// been seen: the <see cref="CapacityGuard.Members"/> its conditions call; the private <see cref="Helper"/> method of
/// the field's type that holds it (it counts only if that method runs after initialization, <see cref="CallGraph"/>);
/// the <see cref="Method"/> that holds it directly (in the compilation's graph: does it run only at startup?); where its
/// key or item comes from (<see cref="Key"/>, resolved at the call sites); whether it is a registration
/// (<see cref="Registration"/>: the method's caller also hands over the value or handler stored); and whether the
/// collection is keyed (<see cref="Keyed"/>, for the message). Facts are taken when the reference is visited, so that
/// no operation tree is kept.
/// </summary>
internal readonly record struct GrowthSite(Location Location, ImmutableArray<ISymbol> GuardMembers, IMethodSymbol? Helper, IMethodSymbol? Method, Origin Key, bool Registration);

/// <summary>A growth site that counts, and the origin that names where its key comes from (null when not unbounded, in strict mode).</summary>
internal readonly record struct CountedSite(Location Location, Origin? Source);

/// <summary>
/// The judgement of one field: the growth sites that count, in source order, and whether some site could only be judged
/// with the whole compilation's call sites (<see cref="Undecided"/>, in a type's own analysis).
/// </summary>
internal readonly record struct FieldJudgement(ImmutableArray<CountedSite> Sites, bool Undecided);

/// <summary>
/// The facts about one candidate field, filled concurrently by operation actions (<see cref="Collections.Record"/>,
/// <see cref="Collections.RecordInitializer"/>) and judged once, when its analysis ends (<see cref="Evaluate"/>).
/// </summary>
internal sealed class CollectionField(IFieldSymbol field, CollectionShape shape)
{
    private readonly object _gate = new();
    private readonly List<GrowthSite> _sites = new();
    private readonly HashSet<ISymbol> _countMembers = new(SymbolEqualityComparer.Default);
    private bool _settled;
    private bool _trackedCreation;
    private bool _otherCreation;
    private bool _plainCreation;

    public IFieldSymbol Field { get; } = field;
    public CollectionShape Shape { get; } = shape;

    /// <summary>Evicted, reassigned at runtime, or out of sight (escaped): never reported, and nothing more to record.</summary>
    public bool IsSettled => Volatile.Read(ref _settled);

    /// <summary>The field initializer is a creation the MemoryCache fix can replace (<see cref="Collections.CanBecomeMemoryCache"/>).</summary>
    public bool CanBecomeMemoryCache
    {
        get
        {
            lock (_gate)
                return _plainCreation;
        }
    }

    public void Settle() => Volatile.Write(ref _settled, true);

    public void AddSite(GrowthSite site)
    {
        lock (_gate)
            _sites.Add(site);
    }

    /// <summary>A member (a method, or a property for its accessors) whose body compares the field's <c>Count</c>.</summary>
    public void AddCountMember(ISymbol member)
    {
        lock (_gate)
            _countMembers.Add(member);
    }

    /// <summary>What the field is initialized with (a field initializer, or an assignment during initialization).</summary>
    public void AddCreation(bool tracked)
    {
        lock (_gate)
        {
            if (tracked)
                _trackedCreation = true;
            else
                _otherCreation = true;
        }
    }

    public void SetPlainCreation()
    {
        lock (_gate)
            _plainCreation = true;
    }

    /// <summary>
    /// The growth sites that count, in source order (file, then position): none when the field is bounded or out of
    /// sight. A site does not count when a member its conditions call compares the <c>Count</c>, when it sits in a
    /// private helper that <paramref name="calls"/> shows runs only during initialization (no recorded call at all: it
    /// never runs) or, in the compilation's graph, in a method whose every call runs at initialization or startup; then
    /// it counts when its key (or item) is unbounded (<see cref="Provenance.Resolve"/>), or, with
    /// <paramref name="strict"/> (LEAK001's old breadth), whatever its key. A site a type's graph cannot judge makes the judgement
    /// <see cref="FieldJudgement.Undecided"/>.
    /// </summary>
    public FieldJudgement Evaluate(CallGraph? calls, Provenance provenance, bool strict)
    {
        List<GrowthSite> sites;
        HashSet<ISymbol> countMembers;
        lock (_gate)
        {
            if (_settled || Shape.IsInterface && (!_trackedCreation || _otherCreation))
                return new FieldJudgement(ImmutableArray<CountedSite>.Empty, false);
            sites = _sites.ToList();
            countMembers = new HashSet<ISymbol>(_countMembers, SymbolEqualityComparer.Default);
        }

        var counted = ImmutableArray.CreateBuilder<CountedSite>();
        var undecided = false;
        foreach (var site in sites.OrderBy(s => s.Location.SourceTree?.FilePath, StringComparer.Ordinal).ThenBy(s => s.Location.SourceSpan.Start))
        {
            if (site.GuardMembers.Any(countMembers.Contains))
                continue;
            if (site.Helper is { } helper && (calls is null || calls.OnlyCalledFrom(helper, scope => scope.Initializes(Field))))
                continue;
            if (calls is { IsWide: true } && site.Method is { } method && site.Helper is null && calls.OnlyCalledFrom(method, scope => scope.Initializes(Field)))
                continue;
            var judgement = calls is null ? Judgement.Unknown : provenance.Resolve(site.Key, calls, site.Registration);
            if (judgement.Verdict == Verdict.Unbounded)
                counted.Add(new CountedSite(site.Location, judgement.Source));
            else if (strict)
                counted.Add(new CountedSite(site.Location, null));    // the old breadth: whatever the keys are
            else if (judgement.Verdict == Verdict.Undecided)
                undecided = true;
        }

        return new FieldJudgement(counted.ToImmutable(), undecided);
    }
}

internal sealed partial class Collections
{
    /// <summary>
    /// Records what <paramref name="reference"/> (in the body of <paramref name="containingSymbol"/>) does to
    /// <paramref name="field"/>'s collection: a count check, a growth site, a creation during initialization, or the end
    /// of the story (an eviction, a reassignment at runtime, an escape).
    /// </summary>
    public void Record(CollectionField field, IFieldReferenceOperation reference, ISymbol containingSymbol, CancellationToken cancellationToken)
    {
        if (field.IsSettled)
            return;
        if (IsCountComparison(reference))
            field.AddCountMember(GuardMember(containingSymbol));
        var use = ClassifyUse(reference, field.Shape);
        switch (use.Kind)
        {
            case CollectionUseKind.Read:
                return;
            case CollectionUseKind.Reassignment when _lifetimes.ScopeOf(use.Member, containingSymbol).Initializes(field.Field):
                if (field.Shape.IsInterface)
                    field.AddCreation(IsTrackedCreation((use.Member as IAssignmentOperation)?.Value.WalkDownConversions().Type));
                return;
            case CollectionUseKind.Growth:
                var scope = _lifetimes.ScopeOf(use.Member, containingSymbol);
                if (scope.Initializes(field.Field))
                    return;
                var guard = FindGuard(use.Member, field.Field, cancellationToken);
                if (guard.Direct)
                    return;
                var (key, value) = GrowthArguments(use.Member, field.Shape);
                if (key is not null && IsCheckedAgainstARegistry(use.Member, field.Field, key, cancellationToken))
                    return;
                var origin = key is null ? Origin.Unknown : _provenance.Of(key, containingSymbol, cancellationToken);
                var registration = value is not null && IsRegistration(_provenance.Of(value, containingSymbol, cancellationToken), containingSymbol);
                field.AddSite(new GrowthSite(use.Member.Syntax.GetLocation(), guard.Members, HelperOf(scope, field.Field),
                    MethodOf(use.Member, containingSymbol), origin, registration));
                return;
            default:                                     // evicted, reassigned, or out of sight: silent
                field.Settle();
                return;
        }
    }

    /// <summary>Records the field initializer's value: the creation an interface-typed field needs, and whether the MemoryCache fix can replace it.</summary>
    public void RecordInitializer(CollectionField field, IOperation value)
    {
        if (field.Shape.IsInterface)
            field.AddCreation(IsTrackedCreation(value.WalkDownConversions().Type));
        if (CanBecomeMemoryCache(field.Shape, value))
            field.SetPlainCreation();
    }

    /// <summary>
    /// The value a growth stores comes only from parameters of the method that grows the collection, one of them a
    /// handler, a type or an object (not a string or a number): the caller registers something
    /// (<c>Register(name, handler)</c>, <c>AddMetric(metric)</c>), as startup code and extensions of a library do.
    /// </summary>
    private static bool IsRegistration(Origin value, ISymbol containingSymbol) =>
        value is { Kind: OriginKind.Depends, PartlyUnknown: false }
        && value.AllInputs.All(i => i is IParameterSymbol p && SymbolEqualityComparer.Default.Equals(p.ContainingSymbol, containingSymbol.OriginalDefinition))
        && value.AllInputs.Any(i => i is IParameterSymbol { Type: { SpecialType: SpecialType.None, TypeKind: TypeKind.Delegate or TypeKind.Class or TypeKind.Interface } });

    /// <summary>The method whose own body holds <paramref name="growth"/> (not a lambda or local function in it), else null.</summary>
    private static IMethodSymbol? MethodOf(IOperation growth, ISymbol containingSymbol) =>
        containingSymbol is IMethodSymbol { MethodKind: MethodKind.Ordinary or MethodKind.Constructor } method
        && growth.GetEnclosingBody() is IMethodBodyOperation or IConstructorBodyOperation or IBlockOperation { Parent: null }
            ? method.OriginalDefinition
            : null;

    /// <summary>The private method of the field's own type that holds code in <paramref name="scope"/> directly, else null.</summary>
    private static IMethodSymbol? HelperOf(RunScope scope, IFieldSymbol field) =>
        scope.Kind == RunScopeKind.PrivateMethod && SymbolEqualityComparer.Default.Equals(scope.Type, field.ContainingType.OriginalDefinition)
            ? scope.Method
            : null;
}
