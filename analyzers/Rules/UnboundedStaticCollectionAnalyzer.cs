using System.Collections.Concurrent;
using LeakAnalyzers.Helpers;

namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK001: a collection that lives as long as the process (a <c>static</c> field, or with
/// <see cref="IncludeSingletonsOption"/> an instance field of a DI singleton) that the code grows at runtime and never
/// shrinks: no eviction, no reassignment, no <c>Count</c> check guarding the growth, keys of an unbounded type.
/// <para>
/// The rule has two entry points that share this file's judgement (<see cref="Rule"/>), and each field belongs to
/// exactly one of them (<see cref="Rule.IsSettledInType"/>):
/// </para>
/// <list type="bullet">
/// <item>this analyzer judges the private static fields of a type without nested types. Every reference of such a field
/// sits in the type (all <c>partial</c> parts), so the type's symbol end decides. Its descriptor has no
/// <c>CompilationEnd</c> tag: the IDE runs it as you type and offers the fixes from the lightbulb;</item>
/// <item><see cref="UnboundedStaticCollectionCompilationEndAnalyzer"/> judges every other field at compilation end: its
/// references may be anywhere in the compilation.</item>
/// </list>
/// Only references of candidate fields are followed; a field that escapes (passed, returned, aliased) is left alone.
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
            if (Rule.Create(start.Compilation, start.Options, Descriptors.UnboundedStaticCollection, settledInType: true, start.CancellationToken) is { } rule)
                start.RegisterSymbolStartAction(rule.StartTypeOfSettledFields, SymbolKind.NamedType);
        });
    }

    /// <summary>
    /// One compilation's LEAK001 judgement for one kind of field: those settled in their type (judged at the type's symbol
    /// end) or all the others (judged at compilation end). Each LEAK001 analyzer creates its own; a field is a candidate
    /// of exactly one of them, so each pays only for the references of its own fields.
    /// </summary>
    internal sealed class Rule
    {
        private readonly Compilation _compilation;
        private readonly AnalyzerOptions _options;
        private readonly CollectionTypes _types;
        private readonly DiagnosticDescriptor _descriptor;
        private readonly bool _settledInType;
        private readonly ConcurrentDictionary<IFieldSymbol, FieldState?> _candidates = new(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<INamedTypeSymbol, CallGraph> _calls = new(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<INamedTypeSymbol, byte> _singletons = new(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<string, BoundedKeys> _boundedKeys = new(StringComparer.Ordinal);

        private Rule(Compilation compilation, AnalyzerOptions options, CollectionTypes types, DiagnosticDescriptor descriptor, bool settledInType)
        {
            _compilation = compilation;
            _options = options;
            _types = types;
            _descriptor = descriptor;
            _settledInType = settledInType;
            IncludeSingletonsAnywhere = !settledInType && compilation.SyntaxTrees.Any(t => options.GetBool(t, IncludeSingletonsOption, false));
        }

        /// <summary>The judgement of the fields settled in their type (<paramref name="settledInType"/>) or of the others; null when the compilation has no tracked collection type.</summary>
        public static Rule? Create(Compilation compilation, AnalyzerOptions options, DiagnosticDescriptor descriptor, bool settledInType, CancellationToken cancellationToken) =>
            CollectionTypes.Create(compilation, cancellationToken) is { } types
                ? new Rule(compilation, options, types, descriptor, settledInType)
                : null;                                  // no collections to look at: the rule costs nothing

        /// <summary>Whether some file turns <see cref="IncludeSingletonsOption"/> on (instance fields are never settled in their type).</summary>
        public bool IncludeSingletonsAnywhere { get; }

        /// <summary>
        /// A private static field of a type without nested types: every reference is in the type (all partial parts), so
        /// the type's symbol end decides. A nested type could use it too, and the operation actions a type registers at
        /// its symbol start do not run in its nested types.
        /// </summary>
        internal static bool IsSettledInType(IFieldSymbol field) =>
            field.IsStatic && field.DeclaredAccessibility == Accessibility.Private && field.ContainingType.GetTypeMembers().IsEmpty;

        /// <summary>For a type with settled candidate fields: follows their references in the type and judges them at its end.</summary>
        public void StartTypeOfSettledFields(SymbolStartAnalysisContext context)
        {
            var type = (INamedTypeSymbol)context.Symbol;
            var fields = CandidatesOf(type);
            if (fields.IsEmpty)
                return;
            var calls = new CallGraph();
            context.RegisterOperationAction(c => RecordCall(c, type, calls), OperationKind.Invocation, OperationKind.MethodReference);
            context.RegisterOperationAction(c =>
            {
                var reference = (IFieldReferenceOperation)c.Operation;
                if (Find(fields, reference.Field) is { } state)
                    Record(state, reference, c.ContainingSymbol, c.CancellationToken);
            }, OperationKind.FieldReference);
            context.RegisterOperationAction(c => RecordInitializer(c, fields), OperationKind.FieldInitializer);
            context.RegisterSymbolEndAction(c =>
            {
                foreach (var state in fields)
                {
                    if (state.Evaluate(calls) is { } site)
                        c.Report(_descriptor, state.Field.Locations[0], new[] { site }, state.Field.Name);
                }
            });
        }

        /// <summary>For a type with other candidate fields: which of its private methods are called from where (read at compilation end).</summary>
        public void StartTypeOfWideFields(SymbolStartAnalysisContext context)
        {
            var type = (INamedTypeSymbol)context.Symbol;
            if (CandidatesOf(type).IsEmpty)
                return;
            var calls = _calls.GetOrAdd(type, static _ => new CallGraph());
            context.RegisterOperationAction(c => RecordCall(c, type, calls), OperationKind.Invocation, OperationKind.MethodReference);
        }

        public void AnalyzeWideReference(OperationAnalysisContext context)
        {
            var reference = (IFieldReferenceOperation)context.Operation;
            var field = reference.Field;
            if (MayBeCandidate(field) && Candidate(field) is { } state)
                Record(state, reference, context.ContainingSymbol, context.CancellationToken);
        }

        public void AnalyzeWideInitializer(OperationAnalysisContext context)
        {
            var initializer = (IFieldInitializerOperation)context.Operation;
            foreach (var field in initializer.InitializedFields)
            {
                if (MayBeCandidate(field) && Candidate(field) is { Shape.IsInterface: true } state)
                    state.AddCreation(initializer.Value.WalkDownConversions().Type, _types);
            }
        }

        private void RecordInitializer(OperationAnalysisContext context, ImmutableArray<FieldState> fields)
        {
            var initializer = (IFieldInitializerOperation)context.Operation;
            foreach (var field in initializer.InitializedFields)
            {
                if (Find(fields, field) is { Shape.IsInterface: true } state)
                    state.AddCreation(initializer.Value.WalkDownConversions().Type, _types);
            }
        }

        /// <summary><c>AddSingleton&lt;T&gt;()</c>, <c>AddSingleton&lt;TService, TImpl&gt;()</c>, <c>AddSingleton(typeof(T))</c>, <c>AddSingleton(new T())</c>, <c>AddHostedService&lt;T&gt;()</c>.</summary>
        public void AnalyzeRegistration(OperationAnalysisContext context)
        {
            var invocation = (IInvocationOperation)context.Operation;
            var method = invocation.TargetMethod;
            if (method.Name is not ("AddSingleton" or "TryAddSingleton" or "AddHostedService")
                || method.ContainingNamespace?.ToDisplayString().StartsWith("Microsoft.Extensions.DependencyInjection", StringComparison.Ordinal) != true)
            {
                return;
            }

            foreach (var typeArgument in method.TypeArguments)
                AddSingleton(typeArgument);
            foreach (var argument in invocation.Arguments)
            {
                var value = argument.Value.WalkDownConversions();
                if (value is IDelegateCreationOperation { Target: IAnonymousFunctionOperation factory })
                {
                    foreach (var returned in factory.Body.Descendants().OfType<IReturnOperation>())
                        AddSingleton(returned.ReturnedValue?.WalkDownConversions() is IObjectCreationOperation created ? created.Type : null);
                }

                AddSingleton(value switch
                {
                    ITypeOfOperation typeOf => typeOf.TypeOperand,
                    IObjectCreationOperation creation => creation.Type,
                    _ => null,
                });
            }
        }

        private void AddSingleton(ITypeSymbol? type)
        {
            if (type is INamedTypeSymbol { TypeKind: TypeKind.Class } named)
                _singletons.TryAdd(named.OriginalDefinition, 0);
        }

        public void ReportWide(CompilationAnalysisContext context)
        {
            foreach (var pair in _candidates)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                if (pair.Value is not { } state)
                    continue;
                var field = state.Field;
                if (!field.IsStatic && !_singletons.Keys.Any(t => t.IsOrInheritsFrom(field.ContainingType)))
                    continue;
                _calls.TryGetValue(field.ContainingType.OriginalDefinition, out var calls);
                if (state.Evaluate(calls) is { } site)
                    context.Report(_descriptor, field.Locations[0], new[] { site }, field.Name);
            }
        }

        private ImmutableArray<FieldState> CandidatesOf(INamedTypeSymbol type)
        {
            ImmutableArray<FieldState>.Builder? fields = null;
            foreach (var member in type.GetMembers())
            {
                if (member is IFieldSymbol field && MayBeCandidate(field) && Candidate(field) is { } state)
                    (fields ??= ImmutableArray.CreateBuilder<FieldState>()).Add(state);
            }

            return fields?.ToImmutable() ?? ImmutableArray<FieldState>.Empty;
        }

        /// <summary>
        /// The cheap filter before the candidate cache, run for every field of every type and every field reference: a
        /// static (or, with the option, instance) field of a tracked collection type. Everything else never is a candidate,
        /// so it needs neither an entry in the cache nor its lock.
        /// </summary>
        private bool MayBeCandidate(IFieldSymbol field) =>
            (field.IsStatic || IncludeSingletonsAnywhere) && field.Type is INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Interface } type && _types.IsTracked(type);

        /// <summary>
        /// The field's state if it is a candidate of this judgement, else null. A settled field is looked at once, at its
        /// type's start; the others once per field and compilation, from any reference.
        /// </summary>
        private FieldState? Candidate(IFieldSymbol field) =>
            _settledInType ? CreateCandidate(field.OriginalDefinition) : _candidates.GetOrAdd(field.OriginalDefinition, f => CreateCandidate(f));

        private FieldState? CreateCandidate(IFieldSymbol field)
        {
            if (field.IsConst || field.IsImplicitlyDeclared || field.Type is not INamedTypeSymbol type
                || IsSettledInType(field) != _settledInType                // the other analyzer's field
                || field.Locations.FirstOrDefault() is not { IsInSource: true, SourceTree: { } tree }
                || !SymbolEqualityComparer.Default.Equals(field.ContainingAssembly, _compilation.Assembly)
                || _types.ShapeOf(type) is not { } shape)
            {
                return null;
            }

            if (!field.IsStatic && (field.ContainingType.TypeKind != TypeKind.Class || !_options.GetBool(tree, IncludeSingletonsOption, false)))
                return null;
            var configured = _options.GetOption(tree, BoundedKeyTypesOption) ?? "";
            var bounded = _boundedKeys.GetOrAdd(configured, _ => BoundedKeys.Create(_compilation, _options.GetList(tree, BoundedKeyTypesOption)));
            return _types.IsBounded(shape.Key, bounded) ? null : new FieldState(field, shape);
        }

        private static FieldState? Find(ImmutableArray<FieldState> fields, IFieldSymbol field)
        {
            foreach (var state in fields)
            {
                if (SymbolEqualityComparer.Default.Equals(state.Field, field.OriginalDefinition))
                    return state;
            }

            return null;
        }

        private void Record(FieldState state, IFieldReferenceOperation reference, ISymbol containingSymbol, CancellationToken cancellationToken)
        {
            if (state.IsSettled)
                return;
            if (IsCountComparison(reference))
                state.AddCountMember(GuardMember(containingSymbol));
            var use = ClassifyUse(reference, state.Shape, _types);
            switch (use.Kind)
            {
                case UseKind.Read:
                    return;
                case UseKind.Reassignment when IsInitialization(ScopeOf(use.Member, containingSymbol, _types), state.Field):
                    if (state.Shape.IsInterface)
                        state.AddCreation((use.Member as IAssignmentOperation)?.Value.WalkDownConversions().Type, _types);
                    return;
                case UseKind.Growth:
                    var scope = ScopeOf(use.Member, containingSymbol, _types);
                    if (IsInitialization(scope, state.Field))
                        return;
                    var guard = FindGuard(use.Member, state.Field, cancellationToken);
                    if (!guard.Direct)
                        state.AddSite(new GrowthSite(use.Member.Syntax.GetLocation(), guard.Members, HelperOf(scope, state.Field)));
                    return;
                default:                                 // evicted, reassigned, or out of sight: silent
                    state.Settle();
                    return;
            }
        }

        private void RecordCall(OperationAnalysisContext context, INamedTypeSymbol type, CallGraph calls)
        {
            var (method, scope) = context.Operation switch
            {
                IInvocationOperation invocation => (invocation.TargetMethod, ScopeOf(invocation, context.ContainingSymbol, _types)),
                IMethodReferenceOperation reference => (reference.Method, Scope.Runtime),    // a delegate runs whenever someone invokes it
                _ => (null, Scope.Runtime),
            };
            if (method?.OriginalDefinition is { MethodKind: MethodKind.Ordinary, DeclaredAccessibility: Accessibility.Private } target
                && SymbolEqualityComparer.Default.Equals(target.ContainingType, type))
            {
                calls.Add(target, scope);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // What one reference does to the field. Shared with the fixer, which must see uses exactly as the analyzer does.

    internal enum UseKind
    {
        Read,          // looks at it (Count, TryGetValue, foreach, lock, LINQ, a read-only parameter)
        Growth,        // Add, TryAdd, GetOrAdd, AddOrUpdate, Enqueue, Push…, or an indexer set of a keyed collection
        Eviction,      // Remove, TryRemove, Clear, TryDequeue, TryTake…
        Reassignment,  // the field itself is written: =, ??=, ref/out argument, deconstruction
        Escape,        // the collection leaves the analysis: returned, stored, aliased, passed to a method that may mutate it
    }

    internal readonly struct FieldUse
    {
        public FieldUse(UseKind kind, IOperation member)
        {
            Kind = kind;
            Member = member;
        }

        public UseKind Kind { get; }

        /// <summary>The operation that acts on the field: the invocation, the indexer assignment, the property or method reference, the assignment to the field, or the reference itself.</summary>
        public IOperation Member { get; }
    }

    private static readonly ImmutableHashSet<string> GrowthNames = ImmutableHashSet.Create(StringComparer.Ordinal,
        "Add", "TryAdd", "GetOrAdd", "AddOrUpdate", "Enqueue", "Push", "PushRange", "AddRange", "Insert", "InsertRange",
        "UnionWith", "AddFirst", "AddLast");

    private static readonly ImmutableHashSet<string> EvictionNames = ImmutableHashSet.Create(StringComparer.Ordinal,
        "Remove", "TryRemove", "Clear", "Dequeue", "TryDequeue", "Pop", "TryPop", "PopRange", "TryPopRange", "TryTake",
        "RemoveAt", "RemoveAll", "RemoveRange", "RemoveWhere", "ExceptWith", "IntersectWith", "SymmetricExceptWith",
        "RemoveFirst", "RemoveLast");

    internal static FieldUse ClassifyUse(IFieldReferenceOperation reference, Shape shape, CollectionTypes types)
    {
        if (reference.Parent is INameOfOperation)
            return new FieldUse(UseKind.Read, reference);
        var outer = reference.WalkUpConversions();
        switch (outer.Parent)
        {
            case IAssignmentOperation assignment when assignment.Target == outer:
                return new FieldUse(UseKind.Reassignment, assignment);
            case ITupleOperation tuple when IsDeconstructionTarget(tuple):
                return new FieldUse(UseKind.Reassignment, tuple);
            case IArgumentOperation argument:
                return ClassifyArgument(argument, types);
            case IForEachLoopOperation loop when loop.Collection == outer:
            case ILockOperation:
                return new FieldUse(UseKind.Read, reference);
            case IConditionalAccessOperation access when access.Operation == outer:
                return MemberOnConditionalAccess(access) is { } conditionalMember
                    ? ClassifyMember(conditionalMember, shape)
                    : new FieldUse(UseKind.Escape, reference);
            case IInvocationOperation invocation when invocation.Instance == outer:
                return ClassifyMember(invocation, shape);
            case IMemberReferenceOperation member when member.Instance == outer:
                return ClassifyMember(member, shape);
        }

        var fate = Ownership.Classify(reference);
        return fate.Kind is FateKind.Read or FateKind.Discarded
            ? new FieldUse(UseKind.Read, reference)
            : new FieldUse(UseKind.Escape, reference);
    }

    private static FieldUse ClassifyMember(IOperation member, Shape shape)
    {
        switch (member)
        {
            case IInvocationOperation invocation:
                return new FieldUse(KindOf(invocation.TargetMethod.Name) ?? UseKind.Read, invocation);
            case IMethodReferenceOperation method:
                return new FieldUse(KindOf(method.Method.Name) ?? UseKind.Read, method);
            case IPropertyReferenceOperation { Property.IsIndexer: true } indexer
                when shape.Keyed && indexer.Parent is ISimpleAssignmentOperation assignment && assignment.Target == indexer:
                return new FieldUse(UseKind.Growth, assignment);  // a list's indexer replaces; a dictionary's adds
            default:
                return new FieldUse(UseKind.Read, member);
        }
    }

    private static UseKind? KindOf(string name) =>
        GrowthNames.Contains(name) ? UseKind.Growth : EvictionNames.Contains(name) ? UseKind.Eviction : null;

    private static FieldUse ClassifyArgument(IArgumentOperation argument, CollectionTypes types)
    {
        if (argument.Parameter is not { } parameter)
            return new FieldUse(UseKind.Escape, argument);
        if (parameter.RefKind is RefKind.Ref or RefKind.Out)
            return new FieldUse(UseKind.Reassignment, argument);   // Interlocked.Exchange(ref Cache, new()) and friends
        if (argument.Parent is IInvocationOperation invocation)
        {
            var method = invocation.TargetMethod;
            if (method.IsExtensionMethod && parameter.Ordinal == 0 && KindOf(method.Name) is { } kind)
                return new FieldUse(kind, invocation);         // CollectionExtensions.TryAdd / Remove on an IDictionary
            if (SymbolEqualityComparer.Default.Equals(method.ContainingType, types.Monitor))
                return new FieldUse(UseKind.Read, invocation);
        }

        return types.IsReadOnlyView(parameter.Type)
            ? new FieldUse(UseKind.Read, argument)
            : new FieldUse(UseKind.Escape, argument);
    }

    private static bool IsDeconstructionTarget(ITupleOperation tuple)
    {
        IOperation current = tuple;
        while (current.Parent is ITupleOperation outer)
            current = outer;
        return current.Parent is IDeconstructionAssignmentOperation deconstruction && deconstruction.Target == current;
    }

    /// <summary>The member that <c>Cache?.Member</c> reaches: the operation whose receiver is the conditional-access instance.</summary>
    private static IOperation? MemberOnConditionalAccess(IConditionalAccessOperation access)
    {
        foreach (var operation in access.WhenNotNull.DescendantsAndSelf())
        {
            if (operation is IConditionalAccessInstanceOperation instance)
                return instance.WalkUpConversions().Parent;
        }

        return null;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Where a use runs: one-time initialization, a private helper, or at runtime.

    internal enum ScopeKind
    {
        Runtime,
        StaticInitialization,    // a static constructor, a static field or property initializer, a module initializer
        InstanceInitialization,  // a constructor or instance initializer of Type
        PrivateMethod,           // directly in Method, a private method (initialization only if all its callers are)
    }

    internal readonly struct Scope
    {
        public Scope(ScopeKind kind, INamedTypeSymbol? type = null, IMethodSymbol? method = null)
        {
            Kind = kind;
            Type = type;
            Method = method;
        }

        public static Scope Runtime => new(ScopeKind.Runtime);

        public ScopeKind Kind { get; }
        public INamedTypeSymbol? Type { get; }
        public IMethodSymbol? Method { get; }
    }

    /// <summary>Where <paramref name="operation"/> runs, given the symbol that owns its body (a method, or a field/property for initializers).</summary>
    internal static Scope ScopeOf(IOperation operation, ISymbol containingSymbol, CollectionTypes types)
    {
        if (IsDeferred(operation, types))
            return Scope.Runtime;
        switch (containingSymbol)
        {
            case IMethodSymbol { MethodKind: MethodKind.StaticConstructor }:
                return new Scope(ScopeKind.StaticInitialization);
            case IMethodSymbol { MethodKind: MethodKind.Constructor } constructor:
                return new Scope(ScopeKind.InstanceInitialization, constructor.ContainingType.OriginalDefinition);
            case IMethodSymbol method when method.IsStatic && method.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, types.ModuleInitializerAttribute)):
            case IMethodSymbol { IsStatic: true, Name: "Main" or "<Main>$" } entryPoint when SymbolEqualityComparer.Default.Equals(entryPoint, types.EntryPoint):
                return new Scope(ScopeKind.StaticInitialization);    // runs once: a module initializer, Main or top-level statements
            case IMethodSymbol { MethodKind: MethodKind.Ordinary, DeclaredAccessibility: Accessibility.Private } method:
                return new Scope(ScopeKind.PrivateMethod, method.ContainingType.OriginalDefinition, method.OriginalDefinition);
            case IFieldSymbol or IPropertySymbol:     // initializers
                return containingSymbol.IsStatic
                    ? new Scope(ScopeKind.StaticInitialization)
                    : new Scope(ScopeKind.InstanceInitialization, containingSymbol.ContainingType.OriginalDefinition);
            default:
                return Scope.Runtime;
        }
    }

    /// <summary>Static fields are initialized by any one-time static code; instance fields by their own type's constructors.</summary>
    internal static bool IsInitialization(Scope scope, IFieldSymbol field) => field.IsStatic
        ? scope.Kind == ScopeKind.StaticInitialization
        : scope.Kind == ScopeKind.InstanceInitialization && scope.Type.IsOrInheritsFrom(field.ContainingType.OriginalDefinition);

    /// <summary>Inside a lambda that may run later (an event handler, a callback, a timer), not one iterated on the spot (LINQ, <c>ForEach</c>).</summary>
    private static bool IsDeferred(IOperation operation, CollectionTypes types)
    {
        foreach (var ancestor in operation.Ancestors())
        {
            if (ancestor is not IAnonymousFunctionOperation function)
                continue;
            var use = function.WalkUpConversions();
            while (use.Parent is IDelegateCreationOperation or IConversionOperation)
                use = use.Parent;
            var runsNow = use.Parent is IArgumentOperation { Parent: IInvocationOperation call }
                && (SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, types.Enumerable) || call.TargetMethod.Name == "ForEach");
            if (!runsNow)
                return true;
        }

        return false;
    }

    internal static IMethodSymbol? HelperOf(Scope scope, IFieldSymbol field) =>
        scope.Kind == ScopeKind.PrivateMethod && SymbolEqualityComparer.Default.Equals(scope.Type, field.ContainingType.OriginalDefinition)
            ? scope.Method
            : null;

    /// <summary>
    /// True when every call of the private <paramref name="method"/> runs during the field's initialization, directly or
    /// through other such private methods (<c>static Registry() { Register("a", …); }</c>). A method nobody calls never grows anything.
    /// </summary>
    internal static bool RunsOnlyDuringInitialization(IMethodSymbol method, IFieldSymbol field, Func<IMethodSymbol, IEnumerable<Scope>> callers)
    {
        var visiting = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        return Check(method);

        bool Check(IMethodSymbol current)
        {
            if (!visiting.Add(current))
                return true;                           // recursion adds no new caller
            foreach (var caller in callers(current))
            {
                if (IsInitialization(caller, field))
                    continue;
                if (HelperOf(caller, field) is { } helper && Check(helper))
                    continue;
                return false;
            }

            return true;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Capacity checks.

    internal readonly struct Guard
    {
        public Guard(bool direct, ImmutableArray<ISymbol> members)
        {
            Direct = direct;
            Members = members;
        }

        /// <summary>A condition around the growth (or an early exit before it) compares the field's <c>Count</c>.</summary>
        public bool Direct { get; }

        /// <summary>Members of this compilation that those conditions call: they guard when their bodies compare the <c>Count</c>.</summary>
        public ImmutableArray<ISymbol> Members { get; }
    }

    /// <summary>Looks for a <c>Count</c> check guarding <paramref name="growth"/>: an enclosing <c>if</c>/<c>?:</c>/<c>&amp;&amp;</c>/<c>while</c>, or an earlier <c>if (…) return;</c>.</summary>
    internal static Guard FindGuard(IOperation growth, IFieldSymbol field, CancellationToken cancellationToken)
    {
        var members = ImmutableArray.CreateBuilder<ISymbol>();
        var direct = false;
        var child = growth;
        for (var current = growth.Parent; current is not null && !direct; child = current, current = current.Parent)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (current)
            {
                case IConditionalOperation conditional when child != conditional.Condition:
                    Examine(conditional.Condition);
                    break;
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr } binary when child == binary.RightOperand:
                    Examine(binary.LeftOperand);
                    break;
                case IWhileLoopOperation { Condition: { } condition } when child != condition:
                    Examine(condition);
                    break;
                case IBlockOperation block:
                    foreach (var statement in block.Operations)
                    {
                        if (statement == child)
                            break;
                        if (statement is IConditionalOperation { WhenTrue: var whenTrue } earlier && Exits(whenTrue))
                            Examine(earlier.Condition);
                    }

                    break;
            }
        }

        return new Guard(direct, members.ToImmutable());

        void Examine(IOperation condition)
        {
            foreach (var operation in condition.DescendantsAndSelf())
            {
                switch (operation)
                {
                    case IFieldReferenceOperation reference when SymbolEqualityComparer.Default.Equals(reference.Field.OriginalDefinition, field) && IsCountComparison(reference):
                        direct = true;
                        return;
                    case IInvocationOperation { TargetMethod: var method } when method.Locations.Any(static l => l.IsInSource):
                        members.Add(method.OriginalDefinition);
                        break;
                    case IPropertyReferenceOperation { Property: var property } when property.Locations.Any(static l => l.IsInSource):
                        members.Add(property.OriginalDefinition);
                        break;
                }
            }
        }
    }

    private static bool Exits(IOperation operation) => operation switch
    {
        IReturnOperation or IThrowOperation or IBranchOperation => true,
        IExpressionStatementOperation { Operation: IThrowOperation } => true,
        IBlockOperation { Operations: { Length: > 0 } operations } => Exits(operations[operations.Length - 1]),
        _ => false,
    };

    /// <summary>The symbol a guard condition names for code in <paramref name="containingSymbol"/>: a property for its accessors, else the method.</summary>
    internal static ISymbol GuardMember(ISymbol containingSymbol) =>
        containingSymbol is IMethodSymbol { AssociatedSymbol: IPropertySymbol property } ? property.OriginalDefinition : containingSymbol.OriginalDefinition;

    /// <summary>
    /// <c>Cache.Count &gt;= Max</c>, <c>Cache.Count() &lt; Max</c>, <c>Cache.Keys.Count == Max</c>, <c>Cache.Count + 1 &gt; Max</c>,
    /// <c>Cache.Count is &gt; Max</c>: the reference is the collection whose size is compared.
    /// </summary>
    internal static bool IsCountComparison(IFieldReferenceOperation reference)
    {
        var outer = reference.WalkUpConversions();
        IOperation? count = outer.Parent switch
        {
            IPropertyReferenceOperation { Property.Name: "Count" or "LongCount" } property when property.Instance == outer => property,
            IPropertyReferenceOperation { Property.Name: "Keys" or "Values" } view when view.Instance == outer
                && view.WalkUpConversions().Parent is IPropertyReferenceOperation { Property.Name: "Count" } viewCount => viewCount,
            IArgumentOperation { Parent: IInvocationOperation { TargetMethod: { Name: "Count" or "LongCount", IsExtensionMethod: true }, Arguments.Length: 1 } call } => call,
            _ => null,
        };
        if (count is null)
            return false;
        var value = count.WalkUpConversions();
        while (value.Parent is IBinaryOperation { OperatorKind: BinaryOperatorKind.Add or BinaryOperatorKind.Subtract or BinaryOperatorKind.Multiply or BinaryOperatorKind.Divide } arithmetic)
            value = arithmetic.WalkUpConversions();
        return value.Parent is IBinaryOperation
        {
            OperatorKind: BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan
                or BinaryOperatorKind.GreaterThanOrEqual or BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals,
        } || value.Parent is IIsPatternOperation;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Per-field facts, filled concurrently by operation actions and read once at the end.

    private sealed class GrowthSite
    {
        public GrowthSite(Location location, ImmutableArray<ISymbol> guardMembers, IMethodSymbol? helper)
        {
            Location = location;
            GuardMembers = guardMembers;
            Helper = helper;
        }

        public Location Location { get; }
        public ImmutableArray<ISymbol> GuardMembers { get; }

        /// <summary>The private method of the field's type that holds the growth, when it does not sit in a lambda.</summary>
        public IMethodSymbol? Helper { get; }
    }

    private sealed class FieldState
    {
        private readonly object _gate = new();
        private readonly List<GrowthSite> _sites = new();
        private readonly HashSet<ISymbol> _countMembers = new(SymbolEqualityComparer.Default);
        private bool _settled;
        private bool _trackedCreation;
        private bool _otherCreation;

        public FieldState(IFieldSymbol field, Shape shape)
        {
            Field = field;
            Shape = shape;
        }

        public IFieldSymbol Field { get; }
        public Shape Shape { get; }

        public bool IsSettled => Volatile.Read(ref _settled);

        public void Settle() => Volatile.Write(ref _settled, true);

        public void AddSite(GrowthSite site)
        {
            lock (_gate)
                _sites.Add(site);
        }

        public void AddCountMember(ISymbol member)
        {
            lock (_gate)
                _countMembers.Add(member);
        }

        public void AddCreation(ITypeSymbol? type, CollectionTypes types)
        {
            lock (_gate)
            {
                if (types.IsTrackedCreation(type))
                    _trackedCreation = true;
                else
                    _otherCreation = true;
            }
        }

        /// <summary>The first growth site (in source order) that counts, or null when the field is bounded or out of sight.</summary>
        public Location? Evaluate(CallGraph? calls)
        {
            List<GrowthSite> sites;
            HashSet<ISymbol> countMembers;
            lock (_gate)
            {
                if (_settled || Shape.IsInterface && (!_trackedCreation || _otherCreation))
                    return null;
                sites = _sites.ToList();
                countMembers = new HashSet<ISymbol>(_countMembers, SymbolEqualityComparer.Default);
            }

            foreach (var site in sites.OrderBy(s => s.Location.SourceTree?.FilePath, StringComparer.Ordinal).ThenBy(s => s.Location.SourceSpan.Start))
            {
                if (site.GuardMembers.Any(countMembers.Contains))
                    continue;
                if (site.Helper is { } helper && RunsOnlyDuringInitialization(helper, Field, m => calls?.Callers(m) ?? Enumerable.Empty<Scope>()))
                    continue;
                return site.Location;
            }

            return null;
        }
    }

    /// <summary>Who calls a type's private methods, and from which scope.</summary>
    private sealed class CallGraph
    {
        private readonly ConcurrentDictionary<IMethodSymbol, ConcurrentQueue<Scope>> _callers = new(SymbolEqualityComparer.Default);

        public void Add(IMethodSymbol method, Scope scope) =>
            _callers.GetOrAdd(method, static _ => new ConcurrentQueue<Scope>()).Enqueue(scope);

        public IEnumerable<Scope> Callers(IMethodSymbol method) =>
            _callers.TryGetValue(method, out var scopes) ? scopes : Enumerable.Empty<Scope>();
    }

    /// <summary>What the rule knows of a tracked collection type.</summary>
    internal sealed class Shape
    {
        public Shape(bool keyed, ITypeSymbol key, ITypeSymbol? value, bool isInterface)
        {
            Keyed = keyed;
            Key = key;
            Value = value;
            IsInterface = isInterface;
        }

        /// <summary>An indexer set adds an entry (dictionaries, <c>Hashtable</c>); a list's indexer only replaces.</summary>
        public bool Keyed { get; }

        /// <summary>The key type, or the element type of a set, list, queue or bag.</summary>
        public ITypeSymbol Key { get; }

        /// <summary>The value type of a generic dictionary.</summary>
        public ITypeSymbol? Value { get; }

        /// <summary>Declared as an interface: only a candidate when initialized with a tracked collection.</summary>
        public bool IsInterface { get; }
    }

    /// <summary>The configured extra bounded key types: resolved symbols, and names this compilation cannot resolve (compared by display name).</summary>
    internal sealed class BoundedKeys
    {
        private BoundedKeys(ImmutableArray<INamedTypeSymbol> types, ImmutableArray<string> names)
        {
            Types = types;
            Names = names;
        }

        public static BoundedKeys Empty { get; } = new(ImmutableArray<INamedTypeSymbol>.Empty, ImmutableArray<string>.Empty);

        public ImmutableArray<INamedTypeSymbol> Types { get; }
        public ImmutableArray<string> Names { get; }

        public static BoundedKeys Create(Compilation compilation, ImmutableArray<string> configured)
        {
            if (configured.IsEmpty)
                return Empty;
            var types = ImmutableArray.CreateBuilder<INamedTypeSymbol>();
            var names = ImmutableArray.CreateBuilder<string>();
            foreach (var name in configured)
            {
                if (compilation.GetBestTypeByMetadataName(name) is { } type)
                    types.Add(type);
                else
                    names.Add(name);
            }

            return new BoundedKeys(types.ToImmutable(), names.ToImmutable());
        }
    }

    /// <summary>The collection types LEAK001 tracks, and the key types it treats as bounded, resolved once per compilation.</summary>
    internal sealed class CollectionTypes
    {
        private readonly ImmutableArray<INamedTypeSymbol> _keyed;
        private readonly ImmutableArray<INamedTypeSymbol> _elements;
        private readonly ImmutableArray<INamedTypeSymbol> _elementInterfaces;
        private readonly ImmutableArray<INamedTypeSymbol> _boundedBases;
        private readonly INamedTypeSymbol? _hashtable;
        private readonly INamedTypeSymbol? _dictionaryInterface;
        private readonly INamedTypeSymbol? _nonGenericDictionary;
        private readonly INamedTypeSymbol? _readOnlyDictionary;
        private readonly INamedTypeSymbol? _readOnlySet;
        private readonly INamedTypeSymbol _object;
        private readonly Lazy<IMethodSymbol?> _entryPoint;

        private CollectionTypes(Compilation compilation, CancellationToken cancellationToken)
        {
            // Asked only for a static Main or top-level statements that touch a field: finding the entry point binds the
            // top-level statements and every Main, which the compiler does anyway but nothing should force at compilation start.
            _entryPoint = new Lazy<IMethodSymbol?>(() => compilation.Options.OutputKind is OutputKind.ConsoleApplication or OutputKind.WindowsApplication
                ? compilation.GetEntryPoint(cancellationToken)
                : null);
            _keyed = Resolve(compilation, TypeNames.Dictionary, TypeNames.ConcurrentDictionary, TypeNames.SortedDictionary, TypeNames.SortedList);
            _elements = Resolve(compilation, TypeNames.HashSet, TypeNames.SortedSet, TypeNames.List, TypeNames.Queue, TypeNames.Stack,
                TypeNames.ConcurrentBag, TypeNames.ConcurrentQueue, TypeNames.ConcurrentStack);
            _elementInterfaces = Resolve(compilation, TypeNames.ICollectionOfT, TypeNames.ISetOfT, TypeNames.IListOfT, TypeNames.IProducerConsumerCollection);
            _boundedBases = Resolve(compilation, TypeNames.Type, TypeNames.MemberInfo, TypeNames.Assembly, TypeNames.Module, TypeNames.ParameterInfo);
            _hashtable = compilation.GetBestTypeByMetadataName(TypeNames.Hashtable);
            _dictionaryInterface = compilation.GetBestTypeByMetadataName(TypeNames.IDictionaryOfT);
            _nonGenericDictionary = compilation.GetBestTypeByMetadataName(TypeNames.IDictionary);
            _readOnlyDictionary = compilation.GetBestTypeByMetadataName(TypeNames.IReadOnlyDictionary);
            _readOnlySet = compilation.GetBestTypeByMetadataName(TypeNames.IReadOnlySet);
            _object = compilation.GetSpecialType(SpecialType.System_Object);
            Monitor = compilation.GetBestTypeByMetadataName(TypeNames.Monitor);
            Enumerable = compilation.GetBestTypeByMetadataName(TypeNames.Enumerable);
            ModuleInitializerAttribute = compilation.GetBestTypeByMetadataName(TypeNames.ModuleInitializerAttribute);
        }

        public INamedTypeSymbol? Monitor { get; }
        public INamedTypeSymbol? Enumerable { get; }
        public INamedTypeSymbol? ModuleInitializerAttribute { get; }

        /// <summary><c>Main</c> or the top-level statements: code there runs once, at startup.</summary>
        public IMethodSymbol? EntryPoint => _entryPoint.Value;

        public static CollectionTypes? Create(Compilation compilation, CancellationToken cancellationToken)
        {
            var types = new CollectionTypes(compilation, cancellationToken);
            return types._keyed.IsEmpty && types._elements.IsEmpty ? null : types;
        }

        private static ImmutableArray<INamedTypeSymbol> Resolve(Compilation compilation, params string[] names) =>
            names.Select(compilation.GetBestTypeByMetadataName).OfType<INamedTypeSymbol>().ToImmutableArray();

        /// <summary>The shape of a tracked type (concrete, or one of the interfaces a tracked type is declared as), else null.</summary>
        public Shape? ShapeOf(INamedTypeSymbol type)
        {
            var definition = type.OriginalDefinition;
            if (Contains(_keyed, definition))
                return new Shape(keyed: true, type.TypeArguments[0], type.TypeArguments[1], isInterface: false);
            if (Contains(_elements, definition))
                return new Shape(keyed: false, type.TypeArguments[0], null, isInterface: false);
            if (SymbolEqualityComparer.Default.Equals(definition, _hashtable))
                return new Shape(keyed: true, _object, null, isInterface: false);
            if (SymbolEqualityComparer.Default.Equals(definition, _dictionaryInterface))
                return new Shape(keyed: true, type.TypeArguments[0], type.TypeArguments[1], isInterface: true);
            if (Contains(_elementInterfaces, definition))
                return new Shape(keyed: false, type.TypeArguments[0], null, isInterface: true);
            if (SymbolEqualityComparer.Default.Equals(definition, _nonGenericDictionary))
                return new Shape(keyed: true, _object, null, isInterface: true);
            return null;
        }

        /// <summary>True when <see cref="ShapeOf"/> knows the type; allocates nothing.</summary>
        public bool IsTracked(INamedTypeSymbol type)
        {
            var definition = type.OriginalDefinition;
            return Contains(_keyed, definition) || Contains(_elements, definition) || Contains(_elementInterfaces, definition)
                || SymbolEqualityComparer.Default.Equals(definition, _hashtable)
                || SymbolEqualityComparer.Default.Equals(definition, _dictionaryInterface)
                || SymbolEqualityComparer.Default.Equals(definition, _nonGenericDictionary);
        }

        /// <summary>A concrete tracked collection (what an interface-typed field must be initialized with).</summary>
        public bool IsTrackedCreation(ITypeSymbol? type) =>
            type is INamedTypeSymbol named
            && (Contains(_keyed, named.OriginalDefinition) || Contains(_elements, named.OriginalDefinition) || SymbolEqualityComparer.Default.Equals(named, _hashtable));

        /// <summary>
        /// Keys with few possible values: enums, <c>bool</c>, bytes, reflection objects, the configured types, tuples or
        /// nullables of those, and type parameters constrained to one of them (<c>where T : struct, Enum</c>).
        /// </summary>
        public bool IsBounded(ITypeSymbol key, BoundedKeys configured)
        {
            if (key.TypeKind == TypeKind.Enum || key.SpecialType is SpecialType.System_Boolean or SpecialType.System_Byte or SpecialType.System_SByte)
                return true;
            if (key is ITypeParameterSymbol parameter)
                return parameter.ConstraintTypes.Any(c => c.SpecialType == SpecialType.System_Enum || IsBounded(c, configured));
            if (key is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
                return IsBounded(nullable.TypeArguments[0], configured);
            if (key is INamedTypeSymbol { IsTupleType: true } tuple)
                return tuple.TupleElements.All(e => IsBounded(e.Type, configured));
            if (_boundedBases.Any(key.IsOrInheritsFrom) || configured.Types.Any(t => key.IsOrInheritsFrom(t) || key.Implements(t)))
                return true;
            if (configured.Names.IsEmpty)
                return false;
            for (var current = key; current is not null; current = current.BaseType)
            {
                if (configured.Names.Contains(current.OriginalDefinition.ToDisplayString(), StringComparer.Ordinal))
                    return true;
            }

            return false;
        }

        /// <summary>Parameter types through which a callee cannot grow the collection without a cast.</summary>
        public bool IsReadOnlyView(ITypeSymbol type) => type switch
        {
            { SpecialType: SpecialType.System_Object or SpecialType.System_Collections_IEnumerable } => true,
            ITypeParameterSymbol parameter => parameter.ConstraintTypes.IsEmpty,
            INamedTypeSymbol named => named.OriginalDefinition.SpecialType is SpecialType.System_Collections_Generic_IEnumerable_T
                    or SpecialType.System_Collections_Generic_IReadOnlyCollection_T or SpecialType.System_Collections_Generic_IReadOnlyList_T
                || SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, _readOnlyDictionary)
                || SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, _readOnlySet),
            _ => false,
        };

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
}
