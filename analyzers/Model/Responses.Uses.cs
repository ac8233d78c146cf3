using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Model;

/// <summary>What one use of a response does to its ownership.</summary>
internal enum ResponseUseKind
{
    /// <summary>Looked at (a member read, a comparison, an argument to a method that only reads it): ownership unchanged.</summary>
    Read,
    /// <summary>The value is thrown away: an expression statement or <c>_ = …</c>.</summary>
    Dropped,
    /// <summary>Someone else owns it now (returned, stored, wrapped, taken over by a call), or the analysis cannot tell: silent either way.</summary>
    Settled,
    /// <summary>
    /// Its content, or a stream read from it, leaves this code in the statement at <see cref="ResponseUse.Site"/>: the
    /// stream needs the response alive, so it is not disposed here, and whoever ends the stream ends the response.
    /// </summary>
    ContentEscapes,
    /// <summary><c>Dispose()</c> or a <c>using</c>, at <see cref="ResponseUse.Site"/>.</summary>
    Disposed,
    /// <summary>It flows into a local (<see cref="ResponseUse.Local"/>), judged by that local's own uses.</summary>
    Local,
}

/// <summary>
/// One use of a response: its <see cref="Kind"/>, the outermost operation that still carries the response where that
/// was decided (<see cref="Value"/>: after conversions, conditional branches and aliases such as
/// <c>EnsureSuccessStatusCode()</c>), the statement that disposes it (<see cref="ResponseUseKind.Disposed"/>) and the
/// local it flows into (<see cref="ResponseUseKind.Local"/>).
/// </summary>
internal readonly record struct ResponseUse(ResponseUseKind Kind, IOperation Value, SyntaxNode? Site = null, ILocalSymbol? Local = null);

internal sealed partial class Responses
{
    /// <summary>
    /// What <paramref name="value"/> (a response) does to its ownership, one hop up from where it is, following
    /// aliases (<c>EnsureSuccessStatusCode()</c>). <paramref name="transfers"/>: methods (<c>Namespace.Type.Method</c>)
    /// that a rule option says take ownership of a response passed to them.
    /// </summary>
    public ResponseUse UseOf(IOperation value, ImmutableArray<string> transfers, CancellationToken cancellationToken)
    {
        var carrier = Ownership.Carrier(value);
        var fate = Ownership.Classify(carrier);
        if (carrier.Type is { TypeKind: TypeKind.Error } && fate.Kind is FateKind.Unknown or FateKind.Receiver)
            return UseOfUntyped(carrier);
        switch (fate.Kind)
        {
            case FateKind.Discarded:
                return new ResponseUse(ResponseUseKind.Dropped, carrier);
            case FateKind.Read:
                return new ResponseUse(ResponseUseKind.Read, carrier);
            case FateKind.Using:
                return new ResponseUse(ResponseUseKind.Disposed, carrier, StatementOf(fate.At!.Syntax));
            case FateKind.Local when fate.At is ISimpleAssignmentOperation assignment && assignment.WalkUpConversions().Parent is IUsingOperation @using:
                return new ResponseUse(ResponseUseKind.Disposed, carrier, StatementOf(@using.Syntax));   // using (response = await …)
            case FateKind.Local:
                return new ResponseUse(ResponseUseKind.Local, carrier, Local: fate.Local);
            case FateKind.Argument:
                return UseAsArgument(carrier, (IArgumentOperation)fate.At!, transfers, cancellationToken);
            case FateKind.Receiver:
                return UseAsReceiver(carrier, fate.At!, transfers, cancellationToken);
            case FateKind.Unknown when fate.At is IInvalidOperation invalid:
                return UseInUnboundCall(carrier, invalid, transfers, cancellationToken);
            default:                                     // returned, stored, or cannot tell
                return new ResponseUse(ResponseUseKind.Settled, carrier);
        }
    }

    private ResponseUse UseAsArgument(IOperation carrier, IArgumentOperation argument, ImmutableArray<string> transfers, CancellationToken cancellationToken)
    {
        if (argument.Parameter is { RefKind: not RefKind.None })
            return new ResponseUse(ResponseUseKind.Settled, carrier);
        switch (argument.Parent)
        {
            case IObjectCreationOperation:               // handed to a wrapper that owns it
                return new ResponseUse(ResponseUseKind.Settled, carrier);
            case IInvocationOperation invocation when invocation.TargetMethod.IsExtensionMethod && argument.Parameter?.Ordinal == 0:
                return UseAsReceiver(carrier, invocation, transfers, cancellationToken);
            case IInvocationOperation invocation:
                return new ResponseUse(TakesOwnership(invocation.TargetMethod, argument.Parameter, transfers, cancellationToken) ? ResponseUseKind.Settled : ResponseUseKind.Read, carrier);
            default:
                return new ResponseUse(ResponseUseKind.Settled, carrier);
        }
    }

    /// <summary>
    /// The response is an argument of a call that does not fully bind (<c>Log(response, unknown)</c>): stepped through as
    /// the call every candidate is. It is only read when no candidate takes it over (<see cref="TakesOwnership"/>, the
    /// parameter it would land in found by name or position); the receiver of such a call, a <c>ref</c>/<c>out</c>
    /// argument, a creation (a wrapper) or a call without candidates settles it: the analysis cannot tell.
    /// </summary>
    private ResponseUse UseInUnboundCall(IOperation carrier, IInvalidOperation invalid, ImmutableArray<string> transfers, CancellationToken cancellationToken)
    {
        var candidates = UnboundCalls.PlausibleTargets(invalid);
        if (candidates.IsEmpty || UnboundCalls.ReceiverOf(invalid) == carrier
            || carrier.Syntax.Parent is not ArgumentSyntax { RefKindKeyword.RawKind: 0 })
        {
            return new ResponseUse(ResponseUseKind.Settled, carrier);
        }

        return candidates.Any(c => TakesOwnership(c, UnboundCalls.ParameterOf(invalid, carrier, c), transfers, cancellationToken))
            ? new ResponseUse(ResponseUseKind.Settled, carrier)
            : new ResponseUse(ResponseUseKind.Read, carrier);
    }

    /// <summary>
    /// A response without a type (a <c>var</c> local filled by the <c>await</c> of a call that does not fully bind): no
    /// member access on it binds, so what it does is read from the syntax, each member looked up by name on the
    /// response type (extension methods in scope included). <c>r.Dispose()</c> / <c>r?.Dispose()</c> dispose it; a
    /// property or method that yields neither a response nor content (<c>StatusCode</c>, <c>IsSuccessStatusCode</c>,
    /// <c>Headers</c>) reads it, and so does <c>EnsureSuccessStatusCode()</c> as a statement of its own;
    /// <c>r.Content.M(…)</c> reads it when every <c>M</c> in scope on the content yields no stream or content
    /// (<c>ReadAsStringAsync</c>, <c>CopyToAsync</c>). Anything else (an unknown member, the content used otherwise, an
    /// alias that goes on) settles it.
    /// </summary>
    private ResponseUse UseOfUntyped(IOperation carrier)
    {
        var settled = new ResponseUse(ResponseUseKind.Settled, carrier);
        if (carrier.SemanticModel is not { } model)
            return settled;
        SimpleNameSyntax? name;
        ExpressionSyntax member;
        switch (carrier.Syntax.Parent)
        {
            case MemberAccessExpressionSyntax access when access.Expression == carrier.Syntax:
                (name, member) = (access.Name, access);
                break;
            case ConditionalAccessExpressionSyntax conditional when conditional.Expression == carrier.Syntax:
                (name, member) = conditional.WhenNotNull switch
                {
                    MemberBindingExpressionSyntax binding => (binding.Name, binding),
                    InvocationExpressionSyntax { Expression: MemberBindingExpressionSyntax binding } => (binding.Name, (ExpressionSyntax)binding),
                    _ => (null, conditional),
                };
                break;
            default:
                return settled;
        }

        if (name is null)
            return settled;
        var symbols = model.LookupSymbols(member.SpanStart, _response, name.Identifier.ValueText, includeReducedExtensionMethods: true);
        if (member.Parent is InvocationExpressionSyntax call && call.Expression == member)
        {
            var methods = symbols.OfType<IMethodSymbol>().ToList();
            if (methods.Count == 0)
                return settled;
            if (name.Identifier.ValueText == "Dispose" && call.ArgumentList.Arguments.Count == 0)
                return new ResponseUse(ResponseUseKind.Disposed, carrier, StatementOf(call));
            if (methods.Any(ReturnsSameInstance))
                return (call.Parent is ConditionalAccessExpressionSyntax ? call.Parent.Parent : call.Parent) is ExpressionStatementSyntax ? new ResponseUse(ResponseUseKind.Read, carrier) : settled;
            return methods.All(m => !IsResponse(m.ReturnType) && !IsContentLike(m.ReturnType)) ? new ResponseUse(ResponseUseKind.Read, carrier) : settled;
        }

        if (symbols.Length != 1 || symbols[0] is not IPropertySymbol property || IsResponse(property.Type))
            return settled;
        if (!IsContentLike(property.Type))
            return new ResponseUse(ResponseUseKind.Read, carrier);
        return _content is not null
            && member.Parent is MemberAccessExpressionSyntax { Parent: InvocationExpressionSyntax read } content && content.Expression == member && read.Expression == content
            && model.LookupSymbols(content.SpanStart, _content, content.Name.Identifier.ValueText, includeReducedExtensionMethods: true).OfType<IMethodSymbol>().ToList() is { Count: > 0 } reads
            && reads.All(m => !IsContentLike(m.ReturnType))
            ? new ResponseUse(ResponseUseKind.Read, carrier)
            : settled;
    }

    /// <summary>The response is the receiver of <paramref name="access"/> (a member access, a call, <c>?.</c>, or an extension's <c>this</c>).</summary>
    private ResponseUse UseAsReceiver(IOperation carrier, IOperation access, ImmutableArray<string> transfers, CancellationToken cancellationToken)
    {
        var member = access is IConditionalAccessOperation conditional ? conditional.WhenNotNull : access;
        if (member is IInvocationOperation invocation)
        {
            if (invocation.TargetMethod is { Name: "Dispose", Parameters.Length: 0 })
                return new ResponseUse(ResponseUseKind.Disposed, carrier, StatementOf(access.Syntax));
            if (ReturnsSameInstance(invocation.TargetMethod))
                return UseOf(access, transfers, cancellationToken);
        }

        return ContentEscapes(access, cancellationToken)
            ? new ResponseUse(ResponseUseKind.ContentEscapes, carrier, StatementOf(access.Syntax))
            : new ResponseUse(ResponseUseKind.Read, carrier);
    }

    /// <summary>
    /// True when the response's content (or a stream read from it) leaves this code: returned, stored, wrapped, or
    /// kept in a local we do not follow. The stream needs the response alive, so a plain <c>using</c> would be wrong.
    /// </summary>
    private bool ContentEscapes(IOperation access, CancellationToken cancellationToken)
    {
        var current = access;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var outer = current.WalkUpConversions();
            if (outer.Parent is IAwaitOperation awaited)
            {
                current = awaited;
                continue;
            }

            var fate = Ownership.Classify(current);
            if (fate.Kind == FateKind.Receiver)
            {
                current = fate.At!;
                continue;
            }

            if (fate.Kind == FateKind.Argument && fate.At is IArgumentOperation { Parent: IInvocationOperation { TargetMethod.IsExtensionMethod: true } extension } receiver
                && receiver.Parameter?.Ordinal == 0)
            {
                current = extension;
                continue;
            }

            if (fate is { Kind: FateKind.Unknown, At: IInvalidOperation invalid } && UnboundCalls.ReceiverOf(invalid) == Ownership.Carrier(current)
                && IsContentLike(current.Type))
            {
                // response.Content.ReadAsStringAsync(unknown): read when every candidate yields something else than content
                // (a string, a DTO); a stream it may yield is not followed further (the await of it has no type).
                var candidates = UnboundCalls.PlausibleTargets(invalid);
                return candidates.IsEmpty || candidates.Any(c => IsContentLike(c.ReturnType));
            }

            if (!IsContentLike(current.Type))
                return false;
            switch (fate.Kind)
            {
                case FateKind.Returned or FateKind.Stored or FateKind.Local or FateKind.Unknown:
                    return true;
                case FateKind.Argument:
                    var argument = (IArgumentOperation)fate.At!;
                    return argument.Parent is IObjectCreationOperation
                        || argument.Parent is IInvocationOperation call && IsWrapper(call.TargetMethod.ReturnType);
                default:
                    return false;                        // disposed with `using`, or read and dropped here
            }
        }
    }

    /// <summary>An <c>HttpContent</c>, a <c>Stream</c>, or a task of a stream.</summary>
    private bool IsContentLike(ITypeSymbol? type) =>
        type.IsOrInheritsFrom(_stream) || type.IsOrInheritsFrom(_content)
        || _stream is not null && type.IsTaskOf(_taskOfT, _valueTaskOfT, _stream);

    /// <summary>Results that keep a stream handed to them: <c>File(stream, …)</c>, <c>Results.Stream(stream)</c>, other streams.</summary>
    private bool IsWrapper(ITypeSymbol returnType) =>
        returnType.Implements(_actionResult) || returnType.Implements(_result) || IsContentLike(returnType);

    /// <summary>
    /// A call of <paramref name="method"/> takes over the response passed as <paramref name="parameter"/>: a known transfer
    /// (<see cref="Ownership.IsKnownTransfer"/>), a method named in <paramref name="transfers"/>, or a method of this
    /// compilation that does more than read it (<see cref="OnlyReads"/>).
    /// </summary>
    private bool TakesOwnership(IMethodSymbol method, IParameterSymbol? parameter, ImmutableArray<string> transfers, CancellationToken cancellationToken)
    {
        if (_ownership.IsKnownTransfer(method))
            return true;
        if (!transfers.IsEmpty && transfers.Contains(Ownership.QualifiedName(method), StringComparer.Ordinal))
            return true;
        return method.Locations.Any(static l => l.IsInSource) && !OnlyReads(method, parameter, cancellationToken);
    }

    /// <summary>
    /// A method of this compilation "only reads" a parameter when every mention of it is a member access other than
    /// <c>Dispose</c>, a comparison or an interpolation. Anything else (stored, returned, passed on, disposed) may settle
    /// ownership, and so does a method whose body may be replaced (virtual, abstract, override, interface). Read from the
    /// callee's syntax, identifiers matched by the parameter's name: binding another method's body would need a
    /// semantic model of its tree. Passing the parameter on, by position, to a method of the same type called by its
    /// simple name (<c>Trace(message)</c>, <c>this.Trace(message)</c>) still only reads it when every method of that
    /// name and argument count only reads that parameter, followed <see cref="HelperHops"/> calls deep.
    /// </summary>
    public static bool OnlyReads(IMethodSymbol method, IParameterSymbol? parameter, CancellationToken cancellationToken) =>
        OnlyReads(method, parameter, HelperHops, cancellationToken);

    /// <summary>How many calls deep <see cref="OnlyReads(IMethodSymbol, IParameterSymbol?, CancellationToken)"/> follows a parameter passed on to a helper of the same type.</summary>
    internal const int HelperHops = 2;

    private static bool OnlyReads(IMethodSymbol method, IParameterSymbol? parameter, int hops, CancellationToken cancellationToken)
    {
        if (parameter is null || method.IsVirtual || method.IsAbstract || method.IsOverride || method.ContainingType.TypeKind == TypeKind.Interface)
            return false;
        var reference = method.DeclaringSyntaxReferences.FirstOrDefault();
        var body = reference?.GetSyntax(cancellationToken) switch
        {
            BaseMethodDeclarationSyntax declaration => (SyntaxNode?)declaration.Body ?? declaration.ExpressionBody,
            LocalFunctionStatementSyntax local => (SyntaxNode?)local.Body ?? local.ExpressionBody,
            _ => null,
        };
        if (body is null)
            return false;
        foreach (var identifier in body.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (identifier.Identifier.ValueText != parameter.Name)
                continue;
            switch (identifier.Parent)
            {
                case MemberAccessExpressionSyntax access when access.Expression == identifier && access.Name.Identifier.ValueText != "Dispose":
                case ConditionalAccessExpressionSyntax conditional when conditional.Expression == identifier
                    && conditional.WhenNotNull is not InvocationExpressionSyntax { Expression: MemberBindingExpressionSyntax { Name.Identifier.ValueText: "Dispose" } }:
                case BinaryExpressionSyntax or IsPatternExpressionSyntax or InterpolationSyntax:
                    continue;
                case ArgumentSyntax argument when hops > 0 && PassesToReader(method.ContainingType, argument, hops - 1, cancellationToken):
                    continue;
                default:
                    return false;
            }
        }

        return true;
    }

    /// <summary>
    /// <paramref name="argument"/> is passed by position, as a plain value, to methods of <paramref name="type"/>
    /// called by simple name, and each of them with that many parameters only reads the parameter it lands in.
    /// </summary>
    private static bool PassesToReader(INamedTypeSymbol type, ArgumentSyntax argument, int hops, CancellationToken cancellationToken)
    {
        if (argument.NameColon is not null || argument.RefKindKeyword != default
            || argument.Parent is not ArgumentListSyntax { Parent: InvocationExpressionSyntax call } list)
        {
            return false;
        }

        var name = call.Expression switch
        {
            IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
            MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: IdentifierNameSyntax identifier } => identifier.Identifier.ValueText,
            _ => null,
        };
        if (name is null)
            return false;
        var position = list.Arguments.IndexOf(argument);
        var candidates = type.GetMembers(name).OfType<IMethodSymbol>().Where(m => m.Parameters.Length == list.Arguments.Count).ToList();
        return candidates.Count > 0
            && candidates.All(m => m.Locations.Any(static l => l.IsInSource) && OnlyReads(m, m.Parameters[position], hops, cancellationToken));
    }

    private static SyntaxNode StatementOf(SyntaxNode node) =>
        node.FirstAncestorOrSelf<StatementSyntax>() ?? node;
}
