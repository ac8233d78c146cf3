using System.Collections.Concurrent;

namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK001: a collection that lives as long as the process (a <c>static</c> field, or with
/// <see cref="IncludeSingletonsOption"/> an instance field of a DI singleton) that the code grows at runtime and never
/// shrinks: no eviction, no reassignment, no <c>Count</c> check guarding the growth, keys of an unbounded type
/// (<see cref="Collections"/> decides; this file follows the references and reports).
/// <para>
/// The rule has two entry points that share this file's <see cref="Context"/>, and each field belongs to exactly one
/// of them (<see cref="IsSettledInType"/>):
/// </para>
/// <list type="bullet">
/// <item>this analyzer judges the private static fields of a type without nested types. Every reference of such a field
/// sits in the type (all <c>partial</c> parts), so the type's symbol end decides. Its descriptor has no
/// <c>CompilationEnd</c> tag: the IDE runs it as you type and offers the fixes from the lightbulb;</item>
/// <item><see cref="UnboundedStaticCollectionCompilationEndAnalyzer"/> judges every other field at compilation end: its
/// references may be anywhere in the compilation.</item>
/// </list>
/// Only references of candidate fields are followed; a field that escapes (passed, returned, aliased) is left alone.
/// The diagnostic hands the fixer every growth site that counts (<see cref="Diagnostic.AdditionalLocations"/>, in
/// source order) and which fixes apply (<see cref="Properties"/>).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnboundedStaticCollectionAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Extra key types whose values are few (<c>Namespace.Type</c>, comma-separated, subclasses included).</summary>
    internal const string BoundedKeyTypesOption = "LEAK001.bounded_key_types";
    /// <summary>Whether instance fields of types registered as DI singletons (or hosted services) count as process-lifetime fields.</summary>
    internal const string IncludeSingletonsOption = "LEAK001.include_singletons";
    /// <summary>The fixes' bound: the MemoryCache <c>SizeLimit</c> and the capacity constant.</summary>
    internal const string CacheSizeLimitOption = "LEAK001.cache_size_limit";
    /// <summary>The MemoryCache fix's sliding expiration, in minutes.</summary>
    internal const string CacheSlidingExpirationMinutesOption = "LEAK001.cache_sliding_expiration_minutes";
    /// <summary>Whether growth whose keys the provenance analysis cannot trace is reported too (the rule's breadth before provenance).</summary>
    internal const string StrictOption = "LEAK001.strict";
    /// <summary>Classes that live as long as the application although this compilation does not register them (<c>Namespace.Type</c>, comma-separated, subclasses included).</summary>
    internal const string SingletonTypesOption = "LEAK001.singleton_types";

    internal const int DefaultCacheSizeLimit = 10_000;
    internal const int DefaultCacheSlidingExpirationMinutes = 10;

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(Descriptors.UnboundedStaticCollection);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            if (Context.Create(start.Compilation, start.Options, Descriptors.UnboundedStaticCollection, settledInType: true) is { } rule)
                start.RegisterSymbolStartAction(rule.StartTypeOfSettledFields, SymbolKind.NamedType);
        });
    }

    /// <summary>The keys of the diagnostic's properties, read by the fixer ("true" or "false").</summary>
    internal static class Properties
    {
        /// <summary>The field can become a size-limited <c>MemoryCache</c> (<see cref="Collections.CanBecomeMemoryCache"/>).</summary>
        public const string MemoryCache = "MemoryCache";

        /// <summary>The collection can be emptied by a capacity check (<see cref="Collections.CanBeCleared"/>).</summary>
        public const string Bound = "Bound";

        /// <summary>
        /// How many of the additional locations are growth sites (the first ones, in source order); the ones after them
        /// point at where the keys come from, for the reader, and the fixes ignore them.
        /// </summary>
        public const string GrowthSites = "GrowthSites";
    }

    /// <summary>
    /// A private static field of a type without nested types: every reference is in the type (all partial parts), so
    /// the type's symbol end decides. A nested type could use it too, and the operation actions a type registers at
    /// its symbol start do not run in its nested types.
    /// </summary>
    internal static bool IsSettledInType(IFieldSymbol field) =>
        field.IsStatic && field.DeclaredAccessibility == Accessibility.Private && field.ContainingType.GetTypeMembers().IsEmpty;

    /// <summary>
    /// One compilation's LEAK001 analysis for one kind of field: those settled in their type (judged at the type's symbol
    /// end) or all the others (judged at compilation end). Each LEAK001 analyzer creates its own; a field is a candidate
    /// of exactly one of them, so each pays only for the references of its own fields.
    /// </summary>
    internal sealed class Context
    {
        private readonly Compilation _compilation;
        private readonly AnalyzerOptions _options;
        private readonly KnownTypes _types;
        private readonly Lifetimes _lifetimes;
        private readonly Collections _collections;
        private readonly Provenance _provenance;
        private readonly DiagnosticDescriptor _descriptor;
        private readonly bool _settledInType;
        private readonly bool _singletonsByDefault;
        private readonly ConcurrentDictionary<IFieldSymbol, CollectionField?> _candidates = new(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<INamedTypeSymbol, CallGraph> _calls = new(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<string, ConfiguredTypes> _boundedKeys = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, ConfiguredTypes> _singletonTypes = new(StringComparer.Ordinal);

        private Context(Compilation compilation, AnalyzerOptions options, Domain domain, Collections collections, DiagnosticDescriptor descriptor, bool settledInType)
        {
            _compilation = compilation;
            _options = options;
            _types = domain.Types;
            _lifetimes = domain.Lifetimes;
            _collections = collections;
            _provenance = domain.Provenance;
            _descriptor = descriptor;
            _settledInType = settledInType;
            _singletonsByDefault = domain.Services is not null;
            var includeSingletons = !settledInType && compilation.SyntaxTrees.Any(t => options.GetBool(t, IncludeSingletonsOption, _singletonsByDefault));
            Registry = includeSingletons && domain.Services is { } services ? new ServiceRegistry(services) : null;
            IncludeSingletonsAnywhere = includeSingletons;
            Calls = settledInType ? null : CallGraph.ForAssembly(compilation.Assembly, _lifetimes, _provenance, domain.RequestScope);
        }

        /// <summary>The analysis of the fields settled in their type (<paramref name="settledInType"/>) or of the others; null when the compilation has no tracked collection type.</summary>
        public static Context? Create(Compilation compilation, AnalyzerOptions options, DiagnosticDescriptor descriptor, bool settledInType)
        {
            var domain = Domain.Get(compilation);
            return domain.Collections is { } collections
                ? new Context(compilation, options, domain, collections, descriptor, settledInType)
                : null;                                  // no collections to look at: the rule costs nothing
        }

        /// <summary>Some file turns <see cref="IncludeSingletonsOption"/> on (instance fields are never settled in their type).</summary>
        public bool IncludeSingletonsAnywhere { get; }

        /// <summary>The compilation's DI registrations, gathered when singletons' fields are judged (and DI is referenced).</summary>
        public ServiceRegistry? Registry { get; }

        /// <summary>
        /// The compilation-end analysis's call sites of every method of the compilation, with where their arguments come
        /// from: the provenance of a key that is a parameter is decided there (null in the type-settled analysis).
        /// </summary>
        public CallGraph? Calls { get; }

        /// <summary>Records a call for <see cref="Calls"/>.</summary>
        public void RecordCall(OperationAnalysisContext context) =>
            Calls?.Record(context.Operation, context.ContainingSymbol, context.CancellationToken);

        /// <summary>Records a return statement's value for <see cref="Calls"/> (what a project method given nothing returns).</summary>
        public void RecordReturn(OperationAnalysisContext context) =>
            Calls?.RecordReturn((IReturnOperation)context.Operation, context.ContainingSymbol, context.CancellationToken);

        /// <summary>For a type with settled candidate fields: follows their references in the type and judges them at its end.</summary>
        public void StartTypeOfSettledFields(SymbolStartAnalysisContext context)
        {
            var type = (INamedTypeSymbol)context.Symbol;
            var fields = CandidatesOf(type);
            if (fields.IsEmpty)
                return;
            var calls = new CallGraph(type, _lifetimes, _provenance);
            context.RegisterOperationAction(c => calls.Record(c.Operation, c.ContainingSymbol, c.CancellationToken), OperationKind.Invocation, OperationKind.MethodReference);
            context.RegisterOperationAction(c =>
            {
                var reference = (IFieldReferenceOperation)c.Operation;
                if (Find(fields, reference.Field) is { } field)
                    _collections.Record(field, reference, c.ContainingSymbol, c.CancellationToken);
            }, OperationKind.FieldReference);
            context.RegisterOperationAction(c =>
            {
                var initializer = (IFieldInitializerOperation)c.Operation;
                foreach (var initialized in initializer.InitializedFields)
                {
                    if (Find(fields, initialized) is { } field)
                        _collections.RecordInitializer(field, initializer.Value);
                }
            }, OperationKind.FieldInitializer);
            context.RegisterSymbolEndAction(c =>
            {
                foreach (var field in fields)
                    Report(field, field.Evaluate(calls, _provenance, IsStrict(field)), c.ReportDiagnostic);
            });
        }

        /// <summary>
        /// For a type with candidate fields: which of its private methods are called from where (read at compilation end,
        /// for the settled fields' judgement in their type, which decides whether the compilation's call sites must).
        /// </summary>
        public void StartTypeOfWideFields(SymbolStartAnalysisContext context)
        {
            var type = (INamedTypeSymbol)context.Symbol;
            if (!CandidatesOf(type).Any(f => IsSettledInType(f.Field)))
                return;
            var calls = _calls.GetOrAdd(type, t => new CallGraph(t, _lifetimes, _provenance));
            context.RegisterOperationAction(c => calls.Record(c.Operation, c.ContainingSymbol, c.CancellationToken), OperationKind.Invocation, OperationKind.MethodReference);
        }

        public void AnalyzeWideReference(OperationAnalysisContext context)
        {
            var reference = (IFieldReferenceOperation)context.Operation;
            if (MayBeCandidate(reference.Field) && Candidate(reference.Field) is { } field)
                _collections.Record(field, reference, context.ContainingSymbol, context.CancellationToken);
        }

        public void AnalyzeWideInitializer(OperationAnalysisContext context)
        {
            var initializer = (IFieldInitializerOperation)context.Operation;
            foreach (var initialized in initializer.InitializedFields)
            {
                if (MayBeCandidate(initialized) && Candidate(initialized) is { } field)
                    _collections.RecordInitializer(field, initializer.Value);
            }
        }

        /// <summary>
        /// Judges, with the compilation's call sites, the fields that are not settled in their type, and the settled ones
        /// whose type alone could not decide where a key comes from (a parameter of a non-private method): those the type's
        /// own analysis reported, or found bounded, are left alone.
        /// </summary>
        public void ReportWide(CompilationAnalysisContext context)
        {
            foreach (var pair in _candidates)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                if (pair.Value is not { } field || Calls is null)
                    continue;
                if (!field.Field.IsStatic && !IsSingleton(field.Field.ContainingType))
                    continue;
                var strict = IsStrict(field);
                if (IsSettledInType(field.Field))
                {
                    var local = field.Evaluate(_calls.TryGetValue(field.Field.ContainingType.OriginalDefinition, out var own) ? own : null, _provenance, strict);
                    if (!local.Sites.IsEmpty || !local.Undecided)
                        continue;                        // the type's analysis reported it, or found nothing to report
                }

                Report(field, field.Evaluate(Calls, _provenance, strict), context.ReportDiagnostic);
            }
        }

        /// <summary>
        /// Reports <paramref name="field"/> at its declaration when some growth counts, handing the fixer every such site
        /// and the fixes that apply; the message names where the keys come from, and the locations after the growth sites
        /// point at those sources.
        /// </summary>
        private void Report(CollectionField field, FieldJudgement judgement, Action<Diagnostic> report)
        {
            var sites = judgement.Sites;
            if (sites.IsEmpty)
                return;
            var locations = new List<Location>(sites.Length);
            foreach (var site in sites)
                locations.Add(site.Location);
            var growthSites = locations.Count;
            foreach (var site in sites)
            {
                if (site.Source?.Source is { IsInSource: true } source && !locations.Contains(source))
                    locations.Add(source);
            }

            var properties = ImmutableDictionary.CreateRange(new[]
            {
                new KeyValuePair<string, string?>(Properties.MemoryCache, field.CanBecomeMemoryCache ? "true" : "false"),
                new KeyValuePair<string, string?>(Properties.Bound, Collections.CanBeCleared(field.Field.Type) ? "true" : "false"),
                new KeyValuePair<string, string?>(Properties.GrowthSites, growthSites.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            });
            var described = sites.FirstOrDefault(s => s.Source is not null).Source;
            var what = field.Shape.Keyed ? "keys" : "items";
            var from = described is null ? $"{what} the analysis does not trace" : $"{what} from {described.Description}";
            report(Diagnostic.Create(_descriptor, field.Field.Locations[0], locations, properties, field.Field.Name, from));
        }

        /// <summary><see cref="StrictOption"/> for the file that declares <paramref name="field"/>.</summary>
        private bool IsStrict(CollectionField field) =>
            field.Field.Locations.FirstOrDefault()?.SourceTree is { } tree && _options.GetBool(tree, StrictOption, false);

        /// <summary>
        /// A class with one instance for the life of the application: registered as a singleton in this compilation, or
        /// known to be one without a registration here (<see cref="Lifetimes.IsApplicationLifetime"/>, or named in
        /// <see cref="SingletonTypesOption"/>).
        /// </summary>
        private bool IsSingleton(INamedTypeSymbol type)
        {
            if (Registry?.IsRegistered(type, ServiceLifetime.Singleton) == true || _lifetimes.IsApplicationLifetime(type))
                return true;
            var tree = type.Locations.FirstOrDefault(l => l.IsInSource)?.SourceTree;
            if (tree is null || _options.GetOption(tree, SingletonTypesOption) is not { Length: > 0 } configured)
                return false;
            var singletons = _singletonTypes.GetOrAdd(configured, _ => _types.Configured(_options.GetList(tree, SingletonTypesOption)));
            return singletons.Contains(type, interfaces: true);
        }

        private ImmutableArray<CollectionField> CandidatesOf(INamedTypeSymbol type)
        {
            ImmutableArray<CollectionField>.Builder? fields = null;
            foreach (var member in type.GetMembers())
            {
                if (member is IFieldSymbol field && MayBeCandidate(field) && Candidate(field) is { } candidate)
                    (fields ??= ImmutableArray.CreateBuilder<CollectionField>()).Add(candidate);
            }

            return fields?.ToImmutable() ?? ImmutableArray<CollectionField>.Empty;
        }

        /// <summary>
        /// The cheap filter before the candidate cache, run for every field of every type and every field reference: a
        /// static (or, with the option, instance) field of a tracked collection type. Everything else never is a candidate,
        /// so it needs neither an entry in the cache nor its lock.
        /// </summary>
        private bool MayBeCandidate(IFieldSymbol field) =>
            (field.IsStatic || IncludeSingletonsAnywhere) && field.Type is INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Interface } type && _collections.IsTracked(type);

        /// <summary>
        /// The field's facts if it is a candidate of this analysis, else null. A settled field is looked at once, at its
        /// type's start; the others once per field and compilation, from any reference.
        /// </summary>
        private CollectionField? Candidate(IFieldSymbol field) =>
            _settledInType ? CreateCandidate(field.OriginalDefinition) : _candidates.GetOrAdd(field.OriginalDefinition, CreateCandidate);

        private CollectionField? CreateCandidate(IFieldSymbol field)
        {
            if (field.IsConst || field.IsImplicitlyDeclared || field.Type is not INamedTypeSymbol type
                || _settledInType && !IsSettledInType(field)               // the compilation-end analyzer's field
                || field.Locations.FirstOrDefault() is not { IsInSource: true, SourceTree: { } tree }
                || !SymbolEqualityComparer.Default.Equals(field.ContainingAssembly, _compilation.Assembly)
                || _collections.ShapeOf(type) is not { } shape)
            {
                return null;
            }

            if (!field.IsStatic && (field.ContainingType.TypeKind != TypeKind.Class || !_options.GetBool(tree, IncludeSingletonsOption, _singletonsByDefault)))
                return null;
            var configured = _options.GetOption(tree, BoundedKeyTypesOption) ?? "";
            var bounded = _boundedKeys.GetOrAdd(configured, _ => _types.Configured(_options.GetList(tree, BoundedKeyTypesOption)));
            return _collections.IsBoundedKey(shape.Key, bounded) ? null : new CollectionField(field, shape);
        }

        private static CollectionField? Find(ImmutableArray<CollectionField> fields, IFieldSymbol field)
        {
            foreach (var candidate in fields)
            {
                if (SymbolEqualityComparer.Default.Equals(candidate.Field, field.OriginalDefinition))
                    return candidate;
            }

            return null;
        }
    }
}
