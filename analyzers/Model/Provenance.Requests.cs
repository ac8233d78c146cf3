using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Model;

/// <summary>
/// The sources the provenance walk recognizes by symbol: request data (the request's objects, request code's parameters,
/// with a phrase that names the value for the message) and fresh values (clocks, GUIDs, counters).
/// </summary>
internal sealed partial class Provenance
{
    /// <summary>
    /// Request data by type: the <c>HttpContext</c> and the objects it hands out (request, response, connection,
    /// headers, query, form, cookies, session, features), the user (<c>ClaimsPrincipal</c>), the route data and a SignalR
    /// hub's caller context. Null for anything else.
    /// </summary>
    private Origin? RequestObject(IOperation value)
    {
        if (_aspNetCore is null || value.Type is not { } type || type.SpecialType != SpecialType.None || type.IsValueType)
            return null;
        return (FactsOf(type) & TypeFacts.Request) != 0 ? Origin.Unbounded($"request data ('{Short(value.Syntax)}')", value.Syntax.GetLocation()) : null;
    }

    /// <summary>A type of the request's objects (<see cref="RequestObject"/>), whatever the value.</summary>
    private bool IsRequestType(ITypeSymbol type)
    {
        if (_aspNetCore is null)
            return false;
        foreach (var owned in _aspNetCore.RequestOwned)
        {
            if (owned.TypeKind == TypeKind.Interface ? type.Implements(owned) : type.IsOrInheritsFrom(owned))
                return true;
        }

        return type.IsOrInheritsFrom(_types.Reflection.ClaimsPrincipal) || type.IsOrInheritsFrom(_aspNetCore.HubCallerContext)
            || type.IsOrInheritsFrom(_aspNetCore.RouteData);
    }

    /// <summary>
    /// What kind of request code <paramref name="method"/> is, when the framework calls it with request data: a public
    /// instance method of a controller ("action"), of a page model ("page handler") or of a SignalR hub ("hub method").
    /// </summary>
    private string? RequestEntry(IMethodSymbol method)
    {
        if (_requests is null || method is not { MethodKind: MethodKind.Ordinary, IsStatic: false, DeclaredAccessibility: Accessibility.Public })
            return null;
        var type = method.ContainingType;
        if (_requests.IsHub(type))
            return "hub method";
        if (!_requests.IsController(type))
            return null;
        return type.IsOrInheritsFrom(_aspNetCore?.PageModel) ? "page handler" : "action";
    }

    /// <summary>
    /// <c>this</c> in a constructor: the object being built, which the places that create it decide (one created per
    /// request, or a few in static fields); anywhere else it is unknown.
    /// </summary>
    private static Origin OfInstance(IInstanceReferenceOperation self, ISymbol owner) =>
        owner is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor && self.GetEnclosingBody() is IConstructorBodyOperation
            ? Origin.DependsOn(constructor.OriginalDefinition)
            : Origin.Unknown;

    /// <summary>The collection a lambda run on the spot iterates (<c>ids</c> in <c>ids.ForEach(id =&gt; …)</c> or <c>ids.Select(id =&gt; …)</c>): its parameter is an element of it.</summary>
    private IOperation? SourceOfCallback(IAnonymousFunctionOperation function)
    {
        var use = function.WalkUpConversions();
        while (use.Parent is IDelegateCreationOperation or IConversionOperation)
            use = use.Parent;
        if (use.Parent is not IArgumentOperation { Parent: IInvocationOperation call } argument)
            return null;
        if (!SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, _types.Reflection.Enumerable) && !Conventions.RunsCallbackInPlace(call.TargetMethod))
            return null;
        return call.Instance ?? call.Arguments.FirstOrDefault(a => a != argument && a.Parameter?.Ordinal == 0)?.Value;
    }

    /// <summary>A property that reads a clock: <c>DateTime</c>/<c>DateTimeOffset</c> <c>Now</c>/<c>UtcNow</c>, <c>Environment.TickCount</c>/<c>TickCount64</c>.</summary>
    private string? FreshProperty(IPropertySymbol property)
    {
        if (!property.IsStatic)
            return null;
        var type = property.ContainingType;
        if ((type.SpecialType == SpecialType.System_DateTime || SymbolEqualityComparer.Default.Equals(type, _types.Values.DateTimeOffset))
            && property.Name is "Now" or "UtcNow")
        {
            return $"the current time ('{type.Name}.{property.Name}')";
        }

        return SymbolEqualityComparer.Default.Equals(type, _types.Values.Environment) && property.Name is "TickCount" or "TickCount64"
            ? "a tick count"
            : null;
    }

    /// <summary>A call that returns a new value each time: <c>Guid.NewGuid()</c>, <c>RandomNumberGenerator.GetBytes(n)</c>, <c>Stopwatch.GetTimestamp()</c>, <c>TimeProvider</c>'s clock, <c>Interlocked.Increment</c>/<c>Add</c>.</summary>
    private string? FreshCall(IMethodSymbol method)
    {
        var type = method.ContainingType?.OriginalDefinition;
        if (type is null)
            return null;
        var values = _types.Values;
        if (SymbolEqualityComparer.Default.Equals(type, values.Guid) && method.Name is "NewGuid" or "CreateVersion7")
            return "a new GUID";
        if (SymbolEqualityComparer.Default.Equals(type, values.Stopwatch) && method.Name == "GetTimestamp")
            return "a timestamp";
        if (type.IsOrInheritsFrom(values.RandomNumberGenerator) && method.Name is "GetBytes" or "GetHexString" or "GetString" or "GetInt32")
            return "random bytes";
        if (type.IsOrInheritsFrom(values.TimeProvider) && method.Name is "GetUtcNow" or "GetLocalNow" or "GetTimestamp")
            return "the current time";
        if (SymbolEqualityComparer.Default.Equals(type, _types.Threading?.Interlocked) && method.Name is "Increment" or "Decrement" or "Add")
            return "a counter";
        return null;
    }

    /// <summary>
    /// A phrase for a member of request data that a reader recognizes: the request's route, query, header, cookie or
    /// form value named by a constant (<c>Request.Query["q"]</c>), its path or host, the client's address, the session
    /// and connection ids, the user's name, the request's trace identifier. Null for other members (the request object's
    /// own phrase stays).
    /// </summary>
    private string? DescribeRequestMember(IMemberReferenceOperation reference)
    {
        if (_aspNetCore is null)
            return null;
        if (reference is IPropertyReferenceOperation { Property.IsIndexer: true, Arguments.Length: 1 } indexer)
        {
            return indexer.Arguments[0].Value.ConstantValue is { HasValue: true, Value: string name } && CollectionKind(indexer.Instance) is { } kind
                ? $"the request's {kind} value '{name}'"
                : null;
        }

        var member = reference.Member;
        var owner = member.ContainingType;
        if (owner.IsOrInheritsFrom(_aspNetCore.HttpRequest))
        {
            return member.Name switch
            {
                "Path" => "the request path",
                "QueryString" => "the request's query string",
                "Host" => "the request's host",
                _ => null,
            };
        }

        if (owner.IsOrInheritsFrom(_aspNetCore.HttpContext) && member.Name == "TraceIdentifier")
            return "the request's trace identifier";
        if (owner.IsOrInheritsFrom(_aspNetCore.HubCallerContext))
        {
            return member.Name switch
            {
                "ConnectionId" => "the SignalR connection id",
                "UserIdentifier" => "the SignalR user id",
                _ => null,
            };
        }

        if (owner.IsOrInheritsFrom(_aspNetCore.ConnectionInfo))
        {
            return member.Name switch
            {
                "RemoteIpAddress" => "the client's IP address",
                "Id" => "the connection id",
                _ => null,
            };
        }

        if (owner.Implements(_aspNetCore.ISession) && member.Name == "Id")
            return "the session id";
        return member.Name == "Name" && reference.Instance?.WalkDownConversions() is IPropertyReferenceOperation { Property.Name: "Identity" } identity
            && identity.Property.ContainingType.IsOrInheritsFrom(_types.Reflection.ClaimsPrincipal)
            ? "the user's name"
            : null;
    }

    /// <summary>A phrase for a call on request data: the user's claim (<c>FindFirst</c>, <c>FindFirstValue</c>), a route value (<c>GetRouteValue</c>), a session value.</summary>
    private string? DescribeRequestCall(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        var name = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == (method.IsExtensionMethod ? 1 : 0))?.Value;
        if (name is null)
            return null;
        var receiver = method.IsExtensionMethod ? invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Value.Type : invocation.Instance?.Type;
        if (method.Name is "FindFirst" or "FindFirstValue" or "FindAll" && receiver.IsOrInheritsFrom(_types.Reflection.ClaimsPrincipal))
            return $"the user's claim '{Short(name.Syntax)}'";
        if (method.Name == "GetRouteValue" && receiver.IsOrInheritsFrom(_aspNetCore?.HttpContext))
            return $"the request's route value '{Short(name.Syntax)}'";
        return method.Name.StartsWith("Get", StringComparison.Ordinal) && receiver.Implements(_aspNetCore?.ISession)
            ? $"the session value '{Short(name.Syntax)}'"
            : null;
    }

    /// <summary>"query", "route", "header", "cookie" or "form" for the request collection an indexer reads.</summary>
    private string? CollectionKind(IOperation? collection)
    {
        if (collection?.WalkDownConversions() is not IPropertyReferenceOperation property)
            return null;
        if (property.Property.ContainingType.IsOrInheritsFrom(_aspNetCore?.HttpRequest))
        {
            return property.Property.Name switch
            {
                "Query" => "query",
                "RouteValues" => "route",
                "Headers" => "header",
                "Cookies" => "cookie",
                "Form" => "form",
                _ => null,
            };
        }

        return property.Property.Name == "Values" && property.Property.ContainingType.IsOrInheritsFrom(_aspNetCore?.RouteData) ? "route" : null;
    }

    /// <summary>The source text of <paramref name="syntax"/> on one line, cut at 60 characters: enough to recognize it in a message.</summary>
    private static string Short(SyntaxNode syntax)
    {
        var text = string.Join(" ", syntax.ToString().Split(new[] { ' ', '\t', '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= 60 ? text : text.Substring(0, 57) + "...";
    }
}
