using System.Collections.Concurrent;

namespace LeakAnalyzers.Model;

/// <summary>
/// Where a value comes from (<see cref="Of"/>): a bounded walk back through one method body from the value to its
/// sources — locals to their definitions, members to their instances, calls to their receiver and arguments, tuples,
/// interpolations, conditionals and <c>??</c> to their parts — that stops at what it recognizes by symbol:
/// <list type="bullet">
/// <item><b>request data</b>: the parameters of request code (controller and page actions, hub methods, endpoint
/// lambdas), the <c>HttpContext</c> and what it hands out (route/query/header/cookie/form values, the user's claims, the
/// session, the connection), a controller's <c>HttpContext</c>/<c>Request</c>/<c>User</c>/<c>RouteData</c>, a hub's
/// <c>Context</c> (<c>Provenance.Requests.cs</c>);</item>
/// <item><b>fresh values</b>: <c>Guid.NewGuid()</c>, <c>DateTime</c>/<c>DateTimeOffset</c> <c>Now</c>/<c>UtcNow</c>,
/// <c>Stopwatch</c> and <c>Environment</c> ticks, <c>TimeProvider</c>, <c>Interlocked</c> counters and <c>++</c> of a
/// field;</item>
/// <item><b>bounded values</b>: constants, <c>nameof</c>, <c>default</c>, static readonly fields (one value each),
/// enums, booleans and bytes (and tuples, nullables or anonymous objects made only of them), reflection (<c>Type</c>,
/// <c>MemberInfo</c>, <c>Assembly</c>, <c>Module</c>, <c>ParameterInfo</c>, <c>typeof</c>, <c>GetType()</c>, and any
/// member or string of them), configuration (<c>IConfiguration</c>, <c>IOptions&lt;T&gt;</c> and its monitors),
/// <c>x % n</c> and <c>x &amp; n</c> with a constant <c>n</c>;</item>
/// <item><b>inputs</b>: a parameter of the project's own method (or, in a constructor, the object being built), which
/// the call sites decide (<c>Provenance.CallSites.cs</c>), and what a method of the project given nothing returns
/// (<c>CreateOpaqueValue()</c>: its return statements, recorded once per compilation).</item>
/// </list>
/// Members are followed by what holds them (<see cref="Origin.Member"/>): a member of request data is request data, but
/// a member of a new object is what its initializer (or constructor) put there, and a member of what a call given only
/// keys returns (<c>GetBackup(id).DatabasePath</c>, an entity a lookup found) is the store's data, not the key; a call
/// given such an object computes from its members too. A parameter read through a member is resolved through the same
/// member of the arguments its callers pass.
/// Anything else is <see cref="OriginKind.Unknown"/>. The walk visits at most <see cref="Budget"/> operations per
/// question and never leaves the body: what crosses methods is gathered once per compilation as call-site facts.
/// </summary>
internal sealed partial class Provenance
{
    /// <summary>Operations one question may visit: a key is rarely more than a few locals away from its sources.</summary>
    private const int Budget = 64;

    private readonly KnownTypes _types;
    private readonly Lifetimes _lifetimes;
    private readonly RequestScope? _requests;
    private readonly KnownTypes.AspNetCoreTypes? _aspNetCore;
    private readonly bool _library;
    private readonly ConcurrentDictionary<ITypeSymbol, TypeFacts> _typeFacts = new(SymbolEqualityComparer.Default);

    /// <summary>What the walk asks of every value's type (<see cref="FactsOf"/>).</summary>
    [Flags]
    private enum TypeFacts : byte
    {
        None = 0,
        Reflection = 1,
        Configuration = 2,
        Request = 4,
    }

    /// <param name="library">The compilation is a library: its public methods are called from outside it.</param>
    public Provenance(KnownTypes types, Lifetimes lifetimes, RequestScope? requests, bool library)
    {
        _types = types;
        _lifetimes = lifetimes;
        _requests = requests;
        _aspNetCore = types.AspNetCore;
        _library = library;
    }

    /// <summary>
    /// Where <paramref name="value"/> comes from, as far as its own method body tells. <paramref name="owner"/> is the
    /// member that owns the body (<c>OperationAnalysisContext.ContainingSymbol</c>).
    /// </summary>
    public Origin Of(IOperation value, ISymbol owner, CancellationToken cancellationToken) => new Walk(this, owner, cancellationToken).Visit(value);

    /// <summary>
    /// A type with few values: enums, <c>bool</c>, <c>byte</c>, <c>sbyte</c>, nullables and tuples of those, anonymous
    /// types whose properties all are, and type parameters constrained to an enum.
    /// </summary>
    public static bool IsClosedDomain(ITypeSymbol? type)
    {
        switch (type)
        {
            case null:
                return false;
            case { TypeKind: TypeKind.Enum } or { SpecialType: SpecialType.System_Boolean or SpecialType.System_Byte or SpecialType.System_SByte }:
                return true;
            case ITypeParameterSymbol parameter:
                return parameter.ConstraintTypes.Any(c => c.SpecialType == SpecialType.System_Enum || IsClosedDomain(c));
            case INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable:
                return IsClosedDomain(nullable.TypeArguments[0]);
            case INamedTypeSymbol { IsTupleType: true } tuple:
                return tuple.TupleElements.All(e => IsClosedDomain(e.Type));
            case INamedTypeSymbol { IsAnonymousType: true } anonymous:
                return anonymous.GetMembers().OfType<IPropertySymbol>().All(p => IsClosedDomain(p.Type));
            default:
                return false;
        }
    }

    /// <summary>
    /// A key: a string, a number, a character, a GUID, a date or time, an enum or a boolean (or a nullable one): a value
    /// that names or counts something, with no members that hold other data.
    /// </summary>
    public bool IsKey(ITypeSymbol? type)
    {
        switch (type)
        {
            case null:
                return false;
            case INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable:
                return IsKey(nullable.TypeArguments[0]);
            case { TypeKind: TypeKind.Enum }:
                return true;
            case { SpecialType: >= SpecialType.System_Boolean and <= SpecialType.System_String }:
            case { SpecialType: SpecialType.System_DateTime }:
                return true;
            default:
                return SymbolEqualityComparer.Default.Equals(type, _types.Values.Guid) || SymbolEqualityComparer.Default.Equals(type, _types.Values.DateTimeOffset);
        }
    }

    /// <summary>
    /// A method of the project whose return statements the compilation's call graph records (<see cref="CallGraph.RecordReturn"/>):
    /// an ordinary method with a body in source, no parameters and a value to return. A call of it given nothing
    /// (<c>CreateOpaqueValue()</c>) is what those statements return, decided at compilation end.
    /// </summary>
    public bool ReturnsAreRecorded(IMethodSymbol method) =>
        method is { MethodKind: MethodKind.Ordinary, Parameters.IsEmpty: true, ReturnsVoid: false, IsAbstract: false, IsExtern: false, IsPartialDefinition: false }
        && method.ContainingType?.TypeKind is TypeKind.Class or TypeKind.Struct
        && !method.Locations.IsEmpty && method.Locations[0].IsInSource;

    /// <summary><c>Type</c>, <c>MemberInfo</c> (and its subclasses), <c>Assembly</c>, <c>Module</c>, <c>ParameterInfo</c>: as many as the program has.</summary>
    public bool IsReflection(ITypeSymbol? type) => type is not null && (FactsOf(type) & TypeFacts.Reflection) != 0;

    /// <summary><c>IConfiguration</c> (sections included) and <c>IOptions&lt;T&gt;</c>, <c>IOptionsMonitor&lt;T&gt;</c>, <c>IOptionsSnapshot&lt;T&gt;</c>: values the deployment sets.</summary>
    public bool IsConfiguration(ITypeSymbol? type) => type is not null && (FactsOf(type) & TypeFacts.Configuration) != 0;

    /// <summary>
    /// Whether <paramref name="type"/> is reflection, configuration or request data (<see cref="IsRequestType"/>),
    /// decided once per type and compilation: the walk asks it of every value it visits, and each answer walks the
    /// type's bases and all its interfaces.
    /// </summary>
    private TypeFacts FactsOf(ITypeSymbol type) => _typeFacts.GetOrAdd(type, ComputeFacts);

    private TypeFacts ComputeFacts(ITypeSymbol type)
    {
        var facts = TypeFacts.None;
        if (_types.Reflection.ReflectionObjects.Any(type.IsOrInheritsFrom))
            facts |= TypeFacts.Reflection;
        var extensions = _types.Extensions;
        if (type.Implements(extensions.IConfiguration) || type.Implements(extensions.IOptions)
            || type.Implements(extensions.IOptionsMonitor) || type.Implements(extensions.IOptionsSnapshot))
        {
            facts |= TypeFacts.Configuration;
        }

        if (IsRequestType(type))
            facts |= TypeFacts.Request;
        return facts;
    }

    /// <summary>One question's walk: the budget it has left and the locals it is following (a cycle adds nothing).</summary>
    private sealed class Walk(Provenance model, ISymbol owner, CancellationToken cancellationToken)
    {
        private readonly HashSet<ILocalSymbol> _following = new(SymbolEqualityComparer.Default);
        private int _budget = Budget;

        public Origin Visit(IOperation? operation)
        {
            if (operation is null || --_budget < 0)
                return Origin.Unknown;
            cancellationToken.ThrowIfCancellationRequested();
            var value = operation.WalkDownConversions();
            if (value.ConstantValue.HasValue)
                return Origin.Bounded("a constant");
            var type = value.Type;
            if (IsClosedDomain(type))
                return Origin.Bounded("a closed set of values");
            if (model.IsReflection(type))
                return Origin.Bounded("reflection");
            if (model.IsConfiguration(type))
                return Origin.Bounded("configuration");
            if (model.RequestObject(value) is { } request)
                return request;
            return value switch
            {
                INameOfOperation or ITypeOfOperation or IDefaultValueOperation or ISizeOfOperation => Origin.Bounded("a constant"),
                IParameterReferenceOperation parameter => Parameter(parameter),
                ILocalReferenceOperation local => Local(local.Local, value),
                IFieldReferenceOperation field => Field(field),
                IPropertyReferenceOperation property => Property(property),
                IInvocationOperation invocation => Invocation(invocation),
                IObjectCreationOperation creation => Creation(creation),
                IAnonymousObjectCreationOperation anonymous => Parts(anonymous.Initializers.Select(i => i is IAssignmentOperation assignment ? assignment.Value : i)),
                ITupleOperation tuple => Parts(tuple.Elements),
                IInterpolatedStringOperation interpolated => Parts(interpolated.Parts.OfType<IInterpolationOperation>().Select(p => p.Expression)),
                IBinaryOperation binary => Binary(binary),
                IUnaryOperation unary => Visit(unary.Operand),
                IConditionalOperation conditional => Visit(conditional.WhenTrue).Join(conditional.WhenFalse is { } whenFalse ? Visit(whenFalse) : Origin.None),
                ICoalesceOperation coalesce => Visit(coalesce.Value).Join(Visit(coalesce.WhenNull)),
                IAwaitOperation awaited => Visit(awaited.Operation),
                IConditionalAccessOperation access => Visit(access.WhenNotNull),
                IConditionalAccessInstanceOperation instance => Visit(AccessedBy(instance)),
                IArrayCreationOperation { Initializer: { } initializer } => Parts(initializer.ElementValues),
                IArrayElementReferenceOperation element => Visit(element.ArrayReference),
                ISwitchExpressionOperation switchExpression => Parts(switchExpression.Arms.Select(a => a.Value)),
                IIncrementOrDecrementOperation { Target: IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsStatic: true } } counter =>
                    Origin.Unbounded("a counter", counter.Syntax.GetLocation()),
                IInstanceReferenceOperation self => OfInstance(self, owner),
                IInvalidOperation invalid => Parts(invalid.ChildOperations),  // code that does not bind: a function of what it is given
                _ => Origin.Unknown,
            };
        }

        private Origin Parts(IEnumerable<IOperation> parts)
        {
            var origin = Origin.None;
            foreach (var part in parts)
            {
                origin = origin.Join(Visit(part));
                if (origin.IsUnbounded)
                    break;
            }

            return origin;
        }

        /// <summary>
        /// A new object: as a whole, a function of what its constructor and initializer are given; a member of it is the
        /// value its initializer sets (<c>new Order { Id = id }.Id</c>), else what the constructor was given (a positional
        /// record's property), else unknown (<see cref="Origin.Made"/>).
        /// </summary>
        private Origin Creation(IObjectCreationOperation creation)
        {
            var arguments = creation.Arguments.Where(a => a.ArgumentKind != ArgumentKind.DefaultValue).Select(a => a.Value).ToList();
            var constructed = arguments.Count == 0 ? null : Parts(arguments);
            var whole = constructed ?? Origin.None;
            ImmutableDictionary<ISymbol, Origin>.Builder? initialized = null;
            if (creation.Initializer is { } initializer)
            {
                foreach (var part in initializer.Initializers)
                {
                    var value = part is IAssignmentOperation assignment ? assignment.Value : part;
                    var origin = Visit(value);
                    if (part is ISimpleAssignmentOperation { Target: IMemberReferenceOperation { Instance: IInstanceReferenceOperation } target })
                        (initialized ??= ImmutableDictionary.CreateBuilder<ISymbol, Origin>(SymbolEqualityComparer.Default))[target.Member.OriginalDefinition] = origin;
                    whole = whole.Join(origin);
                }
            }

            return whole with { Made = true, Initialized = initialized?.ToImmutable(), Constructed = constructed };
        }

        private Origin Binary(IBinaryOperation binary)
        {
            // x % n and x & n with a constant n: at most n values, whatever x is.
            if (binary.OperatorKind is BinaryOperatorKind.Remainder or BinaryOperatorKind.And
                && (binary.RightOperand.ConstantValue.HasValue || binary.LeftOperand.ConstantValue.HasValue))
            {
                return Origin.Bounded("a bounded range");
            }

            return Visit(binary.LeftOperand).Join(Visit(binary.RightOperand));
        }

        /// <summary>A local: the join of every value the body gives it (declarator, assignments, the <c>foreach</c> that declares it, the <c>out</c> argument or pattern that fills it).</summary>
        private Origin Local(ILocalSymbol local, IOperation use)
        {
            if (!_following.Add(local))
                return Origin.None;                    // x = x + 1: the cycle adds nothing new
            try
            {
                var root = use;
                while (root.Parent is not null)
                    root = root.Parent;
                var definitions = BodyIndex.Of(root).DefinitionsOf(local);
                if (definitions.Count == 0)
                    return Origin.Unknown;
                var origin = Origin.None;
                foreach (var definition in definitions)
                {
                    origin = origin.Join(Definition(definition));
                    if (origin.IsUnbounded)
                        break;
                }

                return origin;
            }
            finally
            {
                _following.Remove(local);
            }
        }

        private Origin Definition(IOperation definition) => definition switch
        {
            IVariableDeclaratorOperation declarator =>
                (declarator.Initializer ?? (declarator.Parent as IVariableDeclarationOperation)?.Initializer) is { } initializer
                    ? Visit(initializer.Value)
                    : Origin.None,                     // declared without a value: the assignments say
            IForEachLoopOperation loop => Visit(loop.Collection),                                  // an element of the collection
            IDeclarationPatternOperation { Parent: IIsPatternOperation test } => Visit(test.Value),
            IDeclarationPatternOperation => Origin.Unknown,                                         // a switch arm's pattern
            ISimpleAssignmentOperation or ICompoundAssignmentOperation or IDeconstructionAssignmentOperation => Visit(((IAssignmentOperation)definition).Value),
            IArgumentOperation { Parent: { } call } => Call(call, skipping: definition),            // out var x: what the call hands out
            IIncrementOrDecrementOperation => Origin.Unknown,                                       // a loop counter
            _ => Origin.Unknown,                                                                    // a catch clause
        };

        private Origin Field(IFieldReferenceOperation reference)
        {
            var field = reference.Field;
            if (field.IsStatic)
            {
                return field.IsReadOnly && !IsCollection(field.Type)
                    ? Origin.Bounded("a static readonly field")   // one value for the life of the process
                    : Origin.Unknown;
            }

            return reference.Instance is { } instance and not IInstanceReferenceOperation
                ? Visit(instance).Member(field)
                : AssignedInConstructor(reference);
        }

        private Origin Property(IPropertyReferenceOperation reference)
        {
            var property = reference.Property;
            if (model.FreshProperty(property) is { } fresh)
                return Origin.Unbounded(fresh, reference.Syntax.GetLocation());
            if (reference.Instance is null)
                return Origin.Unknown;
            if (reference.Instance is IInstanceReferenceOperation)
                return AssignedInConstructor(reference);
            var instance = Visit(reference.Instance);
            if (!property.IsIndexer)
            {
                var member = instance.Member(property);  // only unbounded data is described: the phrase is costly to find
                return member.IsUnbounded ? member.Describe(model.DescribeRequestMember(reference), reference.Syntax.GetLocation()) : member;
            }

            if (instance.IsUnbounded)                 // Request.Query["q"]: one of the request's values
                return instance.Describe(model.DescribeRequestMember(reference), reference.Syntax.GetLocation());
            if (instance.Kind == OriginKind.Bounded || IsCollection(reference.Instance.Type))
                return instance;                       // an element of a collection: what the collection holds
            return instance.Join(Parts(reference.Arguments.Select(a => a.Value)));
        }

        private Origin Invocation(IInvocationOperation invocation)
        {
            var method = invocation.TargetMethod;
            if (model.FreshCall(method) is { } fresh)
                return Origin.Unbounded(fresh, invocation.Syntax.GetLocation());
            if (method.Name == nameof(GetType) && method.Parameters.IsEmpty && invocation.Instance is not null)
                return Origin.Bounded("reflection");
            return Call(invocation, skipping: null);
        }

        /// <summary>
        /// What a call returns (or hands out through <c>out</c>), as a function of what it is given: its receiver (unless
        /// it is <c>this</c>, the service itself) and its arguments, lambdas and <c>out</c>/<c>ref</c> ones aside. A call
        /// given nothing (<c>GetCurrentUserId()</c>) is unknown.
        /// </summary>
        private Origin Call(IOperation call, IOperation? skipping)
        {
            var (instance, arguments) = call switch
            {
                IInvocationOperation invocation => (invocation.Instance, invocation.Arguments),
                IObjectCreationOperation creation => (null, creation.Arguments),
                IPropertyReferenceOperation property => (property.Instance, property.Arguments),
                _ => (null, ImmutableArray<IArgumentOperation>.Empty),
            };
            var inputs = new List<IOperation>();
            var receiver = instance is not null and not IInstanceReferenceOperation;
            if (receiver)
                inputs.Add(instance!);
            foreach (var argument in arguments)
            {
                if (argument == skipping || argument.Parameter?.RefKind is RefKind.Out or RefKind.Ref
                    || argument.ArgumentKind == ArgumentKind.DefaultValue
                    || argument.Value.WalkDownConversions() is IDelegateCreationOperation or IAnonymousFunctionOperation)
                {
                    continue;
                }

                inputs.Add(argument.Value);
            }

            var returned = (call as IInvocationOperation)?.TargetMethod.ReturnType;
            if (inputs.Count == 0)
            {
                return call is IInvocationOperation { TargetMethod: var own } && model.ReturnsAreRecorded(own)
                    ? Origin.DependsOn(own.OriginalDefinition) with { Made = !model.IsKey(returned) }   // what its return statements return
                    : Origin.Unknown;
            }

            var reader = call switch
            {
                IInvocationOperation invocation => invocation.TargetMethod,
                IObjectCreationOperation creation => creation.Constructor,
                IPropertyReferenceOperation property => property.Property.GetMethod,
                _ => null,
            };
            var origin = Origin.None;
            Origin? same = null;
            var keysOnly = true;                       // every input that may be unbounded is a key (a string, a number, a GUID)
            for (var i = 0; i < inputs.Count; i++)
            {
                var type = inputs[i].WalkDownConversions().Type;
                var part = Visit(inputs[i]);
                if (returned is not null && SymbolEqualityComparer.Default.Equals(type, Unwrapped(returned)))
                    same = part;                        // Redact(logEvent), a fluent call: the same object, or a copy of it
                if (!model.IsKey(type) && reader is not null)
                    part = part.Member(reader);         // a call given an object computes from its members
                origin = origin.Join(part);
                keysOnly &= part.Kind is OriginKind.Bounded or OriginKind.Unknown || model.IsKey(type)
                    || receiver && i == 0 && part.Kind == OriginKind.Depends;   // store.Find(id): the store passed along is not the key
            }

            // A call given only keys looks something up or makes something (GetBackup(id), FindByIdAsync(taskId)): what it
            // returns as a whole is a function of the keys, but its members are what the store or the code holds.
            if (keysOnly && returned is not null && !model.IsKey(returned) && returned.SpecialType != SpecialType.System_Void)
                origin = origin with { Made = true, Found = true, Initialized = null, Constructed = null };
            else if (same is not null)
                origin = origin with { Made = same.Made, Found = same.Found, Initialized = same.Initialized, Constructed = same.Constructed };
            else if (origin.Made)
                origin = origin with { Made = false, Found = false, Initialized = null, Constructed = null };
            return origin.IsUnbounded
                ? origin.Describe(call is IInvocationOperation invoked ? model.DescribeRequestCall(invoked) : null, call.Syntax.GetLocation())
                : origin;
        }

        /// <summary>
        /// <c>this.Name</c> inside a constructor that set it a few statements earlier (<c>Name = name; Map[Name] = this;</c>):
        /// the value it was set to. Anything else that reads a member of <c>this</c> is unknown.
        /// </summary>
        private Origin AssignedInConstructor(IMemberReferenceOperation reference)
        {
            if (reference.GetEnclosingBody() is not IConstructorBodyOperation constructor)
                return Origin.Unknown;
            IOperation? assigned = null;
            foreach (var operation in constructor.Descendants())
            {
                if (operation.Syntax.SpanStart >= reference.Syntax.SpanStart)
                    break;
                if (operation is ISimpleAssignmentOperation { Target: IMemberReferenceOperation { Instance: IInstanceReferenceOperation } target } assignment
                    && SymbolEqualityComparer.Default.Equals(target.Member, reference.Member))
                {
                    assigned = assignment.Value;
                }
            }

            return assigned is null ? Origin.Unknown : Visit(assigned);
        }

        /// <summary>
        /// A parameter: request data when its method is request code (an action, a hub method, an endpoint lambda) and the
        /// request binds it (one the container fills, <c>[FromServices]</c>, is unknown: a service's state); an
        /// element of the source for a lambda run on the spot over it (<c>ids.ForEach(id =&gt; …)</c>, LINQ); else an input
        /// the call sites of its method decide. Other lambdas' and local functions' parameters are unknown.
        /// </summary>
        private Origin Parameter(IParameterReferenceOperation reference)
        {
            var parameter = reference.Parameter;
            if (parameter.ContainingSymbol is not IMethodSymbol method)
                return Origin.Unknown;
            switch (method.MethodKind)
            {
                case MethodKind.AnonymousFunction:
                    var function = reference.Ancestors().OfType<IAnonymousFunctionOperation>()
                        .FirstOrDefault(f => SymbolEqualityComparer.Default.Equals(f.Symbol, method));
                    if (function is null)
                        return Origin.Unknown;
                    if (model._requests?.IsHandler(function) == true)
                        return model._requests.IsInjected(parameter) ? Origin.Unknown : Origin.Unbounded($"the endpoint parameter '{parameter.Name}'", parameter.Locations.FirstOrDefault());
                    return model.SourceOfCallback(function) is { } source ? Visit(source) : Origin.Unknown;
                case MethodKind.Constructor when !SymbolEqualityComparer.Default.Equals(method.OriginalDefinition, owner.OriginalDefinition):
                    return Origin.Unknown;             // a primary constructor's parameter read by a member: the object's state, like a field
                case MethodKind.Ordinary or MethodKind.Constructor:
                    if (model._requests?.IsInjected(parameter) == true)
                        return Origin.Unknown;             // [FromServices], the middleware's services: what the container gives, not the request
                    return model.RequestEntry(method) is { } entry
                        ? Origin.Unbounded($"the {entry} parameter '{parameter.Name}' of '{method.ContainingType.Name}.{method.Name}'", parameter.Locations.FirstOrDefault())
                        : Origin.DependsOn(parameter.OriginalDefinition);
                default:
                    return Origin.Unknown;
            }
        }

        /// <summary>The type a call's result holds: <c>T</c> for a <c>Task&lt;T&gt;</c> or <c>ValueTask&lt;T&gt;</c>, else the type itself.</summary>
        private ITypeSymbol Unwrapped(ITypeSymbol type) =>
            type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } task && model._types.Threading is { } threading
            && (SymbolEqualityComparer.Default.Equals(task.OriginalDefinition, threading.TaskOfT) || SymbolEqualityComparer.Default.Equals(task.OriginalDefinition, threading.ValueTaskOfT))
                ? task.TypeArguments[0]
                : type;

        /// <summary>The receiver a <c>?.</c> access reads (<c>a</c> in <c>a?.B</c>).</summary>
        private static IOperation? AccessedBy(IConditionalAccessInstanceOperation instance)
        {
            IOperation child = instance;
            for (var current = instance.Parent; current is not null; child = current, current = current.Parent)
            {
                if (current is IConditionalAccessOperation access && access.WhenNotNull == child)
                    return access.Operation;       // the instance's syntax is the receiver's: match by the operation tree
            }

            return null;
        }

        private bool IsCollection(ITypeSymbol? type) =>
            type is { SpecialType: not SpecialType.System_String }
            && (type.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_Collections_IEnumerable) || type is IArrayTypeSymbol);
    }
}
