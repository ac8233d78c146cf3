namespace LeakAnalyzers.Model;

/// <summary>
/// One place where a field's collection grows at runtime (outside its initialization, with no capacity check of its own
/// around it), and what the judgement still needs to know of it once every reference has been seen: the
/// <see cref="CapacityGuard.Members"/> its conditions call, and the private <see cref="Helper"/> method of the field's
/// type that holds it (it counts only if that method runs after initialization, <see cref="CallGraph"/>). Facts are
/// taken when the reference is visited, so that no operation tree is kept; a question about the growth's key or value
/// (where it comes from) adds one more fact here and one more test in <see cref="CollectionField.Evaluate"/>.
/// </summary>
internal readonly record struct GrowthSite(Location Location, ImmutableArray<ISymbol> GuardMembers, IMethodSymbol? Helper);

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
    /// The growth sites that count, in source order (file, then position): empty when the field is bounded or out of
    /// sight. A site does not count when a member its conditions call compares the <c>Count</c>, or when it sits in a
    /// private helper that <paramref name="calls"/> shows runs only during initialization (no recorded call at all:
    /// it never runs).
    /// </summary>
    public ImmutableArray<Location> Evaluate(CallGraph? calls)
    {
        List<GrowthSite> sites;
        HashSet<ISymbol> countMembers;
        lock (_gate)
        {
            if (_settled || Shape.IsInterface && (!_trackedCreation || _otherCreation))
                return ImmutableArray<Location>.Empty;
            sites = _sites.ToList();
            countMembers = new HashSet<ISymbol>(_countMembers, SymbolEqualityComparer.Default);
        }

        var counted = ImmutableArray.CreateBuilder<Location>();
        foreach (var site in sites.OrderBy(s => s.Location.SourceTree?.FilePath, StringComparer.Ordinal).ThenBy(s => s.Location.SourceSpan.Start))
        {
            if (site.GuardMembers.Any(countMembers.Contains))
                continue;
            if (site.Helper is { } helper && (calls is null || calls.OnlyCalledFrom(helper, scope => scope.Initializes(Field))))
                continue;
            counted.Add(site.Location);
        }

        return counted.ToImmutable();
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
                if (!guard.Direct)
                    field.AddSite(new GrowthSite(use.Member.Syntax.GetLocation(), guard.Members, HelperOf(scope, field.Field)));
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

    /// <summary>The private method of the field's own type that holds code in <paramref name="scope"/> directly, else null.</summary>
    private static IMethodSymbol? HelperOf(RunScope scope, IFieldSymbol field) =>
        scope.Kind == RunScopeKind.PrivateMethod && SymbolEqualityComparer.Default.Equals(scope.Type, field.ContainingType.OriginalDefinition)
            ? scope.Method
            : null;
}
