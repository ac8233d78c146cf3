using System.Collections.Concurrent;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Model;

/// <summary>
/// Who calls a method. Rules ask it of a type's own helpers (only its constructors? only async code? only startup?),
/// and stay silent when a use of the method is not a plain call (a method group, <c>nameof</c>, a conditional call).
/// Read from syntax here, for rules that do not visit the type's operations; <see cref="CallGraph"/> is the bound
/// counterpart for a rule that does.
/// </summary>
internal static class Callers
{
    /// <summary>
    /// The calls of <paramref name="method"/> written in <paramref name="roots"/> (a type's declarations, all partial
    /// parts), read from syntax without binding: every name that spells the method's name, with the receiver of the
    /// call it makes (null for <c>M()</c>, the expression for <c>this.M()</c> or <c>x.M()</c>). Null when one of them is
    /// not the invoked expression of a call: the callers cannot be known.
    /// </summary>
    public static List<(SimpleNameSyntax Name, ExpressionSyntax? Receiver)>? InSyntax(IMethodSymbol method, IEnumerable<SyntaxNode> roots, CancellationToken cancellationToken)
    {
        var sites = new List<(SimpleNameSyntax, ExpressionSyntax?)>();
        foreach (var name in roots.SelectMany(root => root.DescendantNodes()).OfType<SimpleNameSyntax>())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (name.Identifier.ValueText != method.Name)
                continue;
            switch (name.Parent)
            {
                case InvocationExpressionSyntax direct when direct.Expression == name:
                    sites.Add((name, null));
                    break;
                case MemberAccessExpressionSyntax access when access.Name == name && access.Parent is InvocationExpressionSyntax call && call.Expression == access:
                    sites.Add((name, access.Expression));
                    break;
                default:
                    return null;
            }
        }

        return sites;
    }

    /// <summary>The calls of <paramref name="method"/> written in its own type (all partial parts); see <see cref="InSyntax"/>.</summary>
    public static List<(SimpleNameSyntax Name, ExpressionSyntax? Receiver)>? InOwnType(IMethodSymbol method, CancellationToken cancellationToken) =>
        InSyntax(method, method.ContainingType.DeclaringSyntaxReferences.Select(reference => reference.GetSyntax(cancellationToken)), cancellationToken);

    /// <summary>
    /// Whether <paramref name="caller"/>'s declarations call <paramref name="callee"/>, read from syntax like
    /// <see cref="InSyntax"/> (unbound: a same-named method counts too). A use of the name that is not a plain call
    /// (a method group, a conditional call) may call it: true, so that a rule stays silent rather than wrong.
    /// </summary>
    public static bool MayCall(ISymbol caller, IMethodSymbol callee, CancellationToken cancellationToken) =>
        InSyntax(callee, caller.DeclaringSyntaxReferences.Select(reference => reference.GetSyntax(cancellationToken)), cancellationToken) is not { Count: 0 };

    /// <summary>
    /// A private method that its type calls, and only from its constructors or instance field initializers (directly,
    /// or in a lambda there): it runs when the object is built. A method group or any other call keeps it out;
    /// helpers of helpers are not followed.
    /// </summary>
    public static bool IsOnlyCalledAtConstruction(IMethodSymbol method, CancellationToken cancellationToken)
    {
        if (method is not { DeclaredAccessibility: Accessibility.Private, MethodKind: MethodKind.Ordinary })
            return false;
        return InOwnType(method, cancellationToken) is { Count: > 0 } sites
            && sites.All(site => (site.Receiver is null or ThisExpressionSyntax)
                && site.Name.Ancestors().Any(a => a is ConstructorDeclarationSyntax || a is FieldDeclarationSyntax field && !field.Modifiers.Any(m => m.ValueText == "static")));
    }
}

/// <summary>
/// One call of a method of the project as <see cref="CallGraph"/> keeps it: where it runs (<see cref="Scope"/>), the
/// method it is written in (<see cref="Caller"/>, null in a lambda or an initializer), where each argument comes from,
/// by parameter ordinal (<see cref="Arguments"/>, <see cref="Origin.None"/> where the call leaves the parameter to its
/// default; empty when the graph keeps no provenance), and whether it runs on behalf of a request
/// (<see cref="InRequest"/>, for object creations). <see cref="At"/> is where the call is written.
/// </summary>
internal readonly record struct CallFact(RunScope Scope, IMethodSymbol? Caller, ImmutableArray<Origin> Arguments, bool InRequest, SourceOrder At);

/// <summary>
/// Where a recorded fact is written (file path, then position): concurrent analysis records facts in any order, and a
/// judgement that names the first call it finds must name the same one in every build and in the editor.
/// </summary>
internal readonly record struct SourceOrder(string Path, int Position) : IComparable<SourceOrder>
{
    public static SourceOrder Of(IOperation operation) => new(operation.Syntax.SyntaxTree.FilePath ?? "", operation.Syntax.SpanStart);

    public int CompareTo(SourceOrder other)
    {
        var path = string.CompareOrdinal(Path, other.Path);
        return path != 0 ? path : Position.CompareTo(other.Position);
    }
}

/// <summary>
/// Who calls a method, from where, and with what: recorded from invocations, object creations and method references
/// while an analyzer visits them (<see cref="Record"/>, operation actions; facts are taken on the spot, so no operation
/// tree is kept) and read when the type's (or the compilation's) analysis ends. A graph covers either one type's private
/// methods (<see cref="CallGraph(INamedTypeSymbol, Lifetimes, Provenance?)"/>: a type's symbol start sees every call of
/// them, in all <c>partial</c> parts but not nested types) or every method and constructor declared in the compilation's
/// source (<see cref="ForAssembly"/>: the call-site facts of the whole compilation, gathered once). A method group counts
/// as a call at runtime whose arguments are unseen (<see cref="HasUnseenCallers"/>). LEAK001 asks it whether a helper
/// that grows a collection runs only during initialization, and where the parameters that feed a growth come from.
/// </summary>
internal sealed class CallGraph
{
    private readonly INamedTypeSymbol? _type;
    private readonly IAssemblySymbol? _assembly;
    private readonly Lifetimes _lifetimes;
    private readonly Provenance? _provenance;
    private readonly RequestScope? _requests;
    private readonly ConcurrentDictionary<IMethodSymbol, ConcurrentQueue<CallFact>> _callers = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IMethodSymbol, bool> _groups = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IMethodSymbol, ConcurrentQueue<(SourceOrder At, Origin Origin)>> _returns = new(SymbolEqualityComparer.Default);

    /// <summary>The calls of <paramref name="type"/>'s private methods, with the provenance of their arguments when <paramref name="provenance"/> is given.</summary>
    public CallGraph(INamedTypeSymbol type, Lifetimes lifetimes, Provenance? provenance = null)
    {
        _type = type;
        _lifetimes = lifetimes;
        _provenance = provenance;
    }

    private CallGraph(IAssemblySymbol assembly, Lifetimes lifetimes, Provenance provenance, RequestScope? requests)
    {
        _assembly = assembly;
        _lifetimes = lifetimes;
        _provenance = provenance;
        _requests = requests;
    }

    /// <summary>The calls of every method and constructor declared in <paramref name="assembly"/>'s source, with the provenance of their arguments.</summary>
    public static CallGraph ForAssembly(IAssemblySymbol assembly, Lifetimes lifetimes, Provenance provenance, RequestScope? requests) =>
        new(assembly, lifetimes, provenance, requests);

    /// <summary>The graph covers the whole compilation (not one type's private methods).</summary>
    public bool IsWide => _assembly is not null;

    /// <summary>
    /// Records <paramref name="operation"/> (an invocation, object creation or method reference in
    /// <paramref name="containingSymbol"/>) when it targets a method the graph covers.
    /// </summary>
    public void Record(IOperation operation, ISymbol containingSymbol, CancellationToken cancellationToken = default)
    {
        var (method, arguments) = operation switch
        {
            IInvocationOperation invocation => (invocation.TargetMethod, invocation.Arguments),
            IObjectCreationOperation creation => (creation.Constructor, creation.Arguments),
            IMethodReferenceOperation reference => (reference.Method, ImmutableArray<IArgumentOperation>.Empty),
            _ => (null, ImmutableArray<IArgumentOperation>.Empty),
        };
        if (method?.OriginalDefinition is not { } target || !Covers(target))
            return;
        if (operation is IMethodReferenceOperation)
        {
            var endpoint = _requests is not null && operation.WalkUpConversions().Parent is IDelegateCreationOperation creation
                && creation.WalkUpConversions().Parent is IArgumentOperation { Parent: IInvocationOperation mapping }
                && Conventions.IsEndpointMapping(mapping.TargetMethod);
            _groups.AddOrUpdate(target, endpoint, (_, previous) => previous && endpoint);
            _callers.GetOrAdd(target, static _ => new ConcurrentQueue<CallFact>()).Enqueue(new CallFact(RunScope.Runtime, null, ImmutableArray<Origin>.Empty, false, SourceOrder.Of(operation)));
            return;
        }

        var scope = _lifetimes.ScopeOf(operation, containingSymbol);
        var origins = ImmutableArray<Origin>.Empty;
        if (_provenance is not null && !target.Parameters.IsEmpty)
        {
            var builder = ImmutableArray.CreateBuilder<Origin>(target.Parameters.Length);
            for (var i = 0; i < target.Parameters.Length; i++)
                builder.Add(Origin.None);
            foreach (var argument in arguments)
            {
                if (argument.Parameter is { Ordinal: var ordinal } && ordinal < builder.Count && argument.ArgumentKind != ArgumentKind.DefaultValue)
                    builder[ordinal] = _provenance.Of(argument.Value, containingSymbol, cancellationToken);
            }

            origins = builder.MoveToImmutable();
        }

        var inRequest = operation is IObjectCreationOperation && _requests?.Find(operation, containingSymbol, cancellationToken) is not null;
        var caller = operation.GetEnclosingBody() is IMethodBodyOperation or IConstructorBodyOperation or IBlockOperation { Parent: null }
            ? containingSymbol as IMethodSymbol
            : null;
        _callers.GetOrAdd(target, static _ => new ConcurrentQueue<CallFact>()).Enqueue(new CallFact(scope, caller?.OriginalDefinition, origins, inRequest, SourceOrder.Of(operation)));
    }

    /// <summary>
    /// Records where the value <paramref name="operation"/> returns comes from, when it returns from the body of a method
    /// whose calls given nothing are judged by what it returns (<see cref="Provenance.ReturnsAreRecorded"/>; not from a
    /// lambda or local function in it). Only the compilation's graph keeps returns.
    /// </summary>
    public void RecordReturn(IReturnOperation operation, ISymbol containingSymbol, CancellationToken cancellationToken = default)
    {
        if (!IsWide || _provenance is null || operation.ReturnedValue is not { } value
            || containingSymbol is not IMethodSymbol method || !_provenance.ReturnsAreRecorded(method)
            || operation.GetEnclosingBody() is not (IMethodBodyOperation or IBlockOperation { Parent: null }))
        {
            return;
        }

        var origin = _provenance.Of(value, containingSymbol, cancellationToken);
        _returns.GetOrAdd(method.OriginalDefinition, static _ => new ConcurrentQueue<(SourceOrder, Origin)>()).Enqueue((SourceOrder.Of(operation), origin));
    }

    /// <summary>Where the values <paramref name="method"/>'s return statements return come from, in source order (empty when none was recorded).</summary>
    public IEnumerable<Origin> ReturnsOf(IMethodSymbol method) =>
        _returns.TryGetValue(method, out var returns) ? returns.OrderBy(static r => r.At).Select(static r => r.Origin) : Enumerable.Empty<Origin>();

    /// <summary>A private ordinary method of the type, or any method or constructor declared in the assembly's source.</summary>
    private bool Covers(IMethodSymbol target)
    {
        if (_type is not null)
            return target is { MethodKind: MethodKind.Ordinary, DeclaredAccessibility: Accessibility.Private } && SymbolEqualityComparer.Default.Equals(target.ContainingType, _type);
        return target.MethodKind is MethodKind.Ordinary or MethodKind.Constructor
            && SymbolEqualityComparer.Default.Equals(target.ContainingAssembly, _assembly)
            && !target.Locations.IsEmpty && target.Locations[0].IsInSource;
    }

    /// <summary>Where the recorded calls of <paramref name="method"/> run.</summary>
    public IEnumerable<RunScope> CallersOf(IMethodSymbol method) => CallsOf(method).Select(static call => call.Scope);

    /// <summary>The recorded calls of <paramref name="method"/> (method groups included, as runtime calls with no arguments), in source order.</summary>
    public IEnumerable<CallFact> CallsOf(IMethodSymbol method) =>
        _callers.TryGetValue(method, out var calls) ? calls.OrderBy(static call => call.At) : Enumerable.Empty<CallFact>();

    /// <summary>
    /// Some use of <paramref name="method"/> is a method group: whoever invokes the delegate passes arguments the graph
    /// cannot see. <paramref name="endpoint"/> tells whether every such group is an endpoint handler
    /// (<c>app.MapGet("/", Handler)</c>): then the framework passes request data.
    /// </summary>
    public bool HasUnseenCallers(IMethodSymbol method, out bool endpoint) => _groups.TryGetValue(method, out endpoint);

    /// <summary>
    /// True when every call of <paramref name="method"/> runs in a scope <paramref name="accepted"/> takes, directly or
    /// through methods whose own calls all do (<c>static Registry() { Register("a", …); }</c>). A private method nobody
    /// calls never runs, so it passes; so does one that only calls itself. In a type's graph the methods followed are the
    /// type's private ones; in the compilation's graph, any method declared there (up to four calls away).
    /// </summary>
    public bool OnlyCalledFrom(IMethodSymbol method, Func<RunScope, bool> accepted)
    {
        var visiting = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        return Check(method, 0);

        bool Check(IMethodSymbol current, int depth)
        {
            if (!visiting.Add(current))
                return true;                           // recursion adds no new caller
            if (depth > 4 || HasUnseenCallers(current, out _))
                return false;
            var any = false;
            foreach (var call in CallsOf(current))
            {
                any = true;
                if (accepted(call.Scope))
                    continue;
                var next = call.Scope is { Kind: RunScopeKind.PrivateMethod, Method: { } helper } && SymbolEqualityComparer.Default.Equals(call.Scope.Type, _type)
                    ? helper
                    : IsWide ? call.Caller : null;
                if (next is not null && Check(next, depth + 1))
                    continue;
                return false;
            }

            return any || current.DeclaredAccessibility == Accessibility.Private || !IsWide;
        }
    }
}
