namespace LeakAnalyzers.Model;

/// <summary>
/// <c>HttpResponseMessage</c> ownership (LEAK004), one question per file:
/// <list type="bullet">
/// <item><c>Responses.Producers.cs</c>: which operations yield a response the code owns, decided by the type they
/// yield, never by the method's name;</item>
/// <item><c>Responses.Uses.cs</c>: what one use of a response does to that ownership (read, dropped, settled, its
/// content escaping, disposed, kept in a local), including what a method of this compilation does to a response
/// handed to it;</item>
/// <item><c>Responses.Locals.cs</c>: the verdict on one produced response (<see cref="Judge"/>): discarded, or kept in
/// a local that is not disposed on every normal path (<see cref="BodyIndex"/>, <see cref="DisposalPaths"/>);</item>
/// <item><c>Responses.Overwrites.cs</c>: whether a loop overwrites a response nobody disposed.</item>
/// </list>
/// A call that does not fully bind is judged as the call every candidate is (<see cref="UnboundCalls"/>): a producer
/// when all of them make a response, a read when none of them takes one over.
/// Anything the model cannot follow settles ownership: a rule built on it stays silent rather than guess.
/// </summary>
internal sealed partial class Responses
{
    private readonly INamedTypeSymbol _response;
    private readonly INamedTypeSymbol? _taskOfT;
    private readonly INamedTypeSymbol? _valueTaskOfT;
    private readonly INamedTypeSymbol? _content;
    private readonly INamedTypeSymbol? _stream;
    private readonly INamedTypeSymbol? _actionResult;
    private readonly INamedTypeSymbol? _result;
    private readonly Ownership _ownership;

    private Responses(KnownTypes.HttpClientTypes http, KnownTypes.ThreadingTypes? threading, KnownTypes.AspNetCoreTypes? aspNetCore, Ownership ownership)
    {
        _response = http.HttpResponseMessage;
        _content = http.HttpContent;
        _stream = http.Stream;
        _taskOfT = threading?.TaskOfT;
        _valueTaskOfT = threading?.ValueTaskOfT;
        _actionResult = aspNetCore?.IActionResult;
        _result = aspNetCore?.IResult;
        _ownership = ownership;
    }

    /// <summary>The model of a compilation that references <c>HttpResponseMessage</c>; null otherwise.</summary>
    public static Responses? Create(KnownTypes types, Ownership ownership) =>
        types.Http is { } http ? new Responses(http, types.Threading, types.AspNetCore, ownership) : null;

    /// <summary>An <c>HttpResponseMessage</c> or a class derived from it.</summary>
    public bool IsResponse(ITypeSymbol? type) =>
        type is { TypeKind: TypeKind.Class, SpecialType: SpecialType.None } && type.IsOrInheritsFrom(_response);

    /// <summary><c>Task&lt;T&gt;</c> or <c>ValueTask&lt;T&gt;</c> of a response.</summary>
    public bool IsTaskOfResponse(ITypeSymbol? type) => type.IsTaskOf(_taskOfT, _valueTaskOfT, _response);
}
