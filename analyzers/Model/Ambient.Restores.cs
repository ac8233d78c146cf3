using System.Collections.Concurrent;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Model;

/// <summary>
/// Whether a set is restored. The common compliant shape is read first, from the member's own operation tree (an
/// assignment of the slot in one of its <c>finally</c> blocks); only then the outermost type (nested scope classes
/// included; symbol-start scopes do not cover nested types), read once per type (<see cref="TypeFacts"/>): a cleanup
/// callback, a restore helper called from a <c>finally</c>, a clear, a saved value put back, an emptied holder. Parts of
/// the type in other files are read from syntax only (no semantic model there): anything that may restore keeps the
/// rule silent.
/// </summary>
internal sealed partial class Ambient
{
    /// <summary>Per outermost type that sets a slot (few per compilation): its syntax, read once, not once per assignment.</summary>
    private readonly ConcurrentDictionary<INamedTypeSymbol, TypeFacts> _typeFacts = new(SymbolEqualityComparer.Default);

    /// <summary>
    /// An assignment that undoes or holds nothing: <c>null</c>/<c>default</c>, inside a <c>finally</c>, in a cleanup
    /// member (<see cref="Conventions.IsAmbientCleanup"/>) unless it publishes its own parameter (<see cref="PublishesParameter"/>),
    /// or a value that carries no request data (a saved previous value, a per-thread buffer).
    /// </summary>
    public bool IsRestoring(IOperation write, IOperation value, ISymbol? containingSymbol, ConfiguredTypes configured, CancellationToken cancellationToken) =>
        IsNullOrDefault(value) || IsInFinally(write) || IsCleanupMember(containingSymbol) && !PublishesParameter(value, containingSymbol)
        || !_requestValues.Value.CarriesRequestData(value, configured, cancellationToken);

    /// <summary>
    /// Whether the outermost type restores <paramref name="set"/>: in a <c>finally</c> of the same method (or of a method
    /// that calls it), in a cleanup member or a restore helper called from a <c>finally</c>, with a clear or a value that
    /// carries no request data, by emptying the holder the slot points to; or, for a private helper that sets an
    /// <c>AsyncLocal</c> and is only called from <c>async</c> code, by its async callers' runtime.
    /// </summary>
    public bool IsRestored(AmbientSet set, ConfiguredTypes configured, CancellationToken cancellationToken)
    {
        if (IsRestoredInOwnFinally(set.Write, set.Slot, cancellationToken))
            return true;
        var facts = _typeFacts.GetOrAdd(set.Type, type => new TypeFacts(type, cancellationToken));
        var model = set.Write.SemanticModel;
        if (set.Method is not null && facts.IsCalledFromFinally(set.Method, model, cancellationToken))
            return true;                                 // a restore helper, called from a finally block
        if (IsRestoredElsewhere(set, facts, configured, cancellationToken))
            return true;
        return set.Slot.Kind == AmbientKind.AsyncLocal && set.Method is { DeclaredAccessibility: Accessibility.Private, MethodKind: MethodKind.Ordinary }
            && !HasSynchronousCaller(set.Method, facts.Syntax, cancellationToken);
    }

    /// <summary>
    /// A method that hands back what ends the scope: a disposable, a delegate, or a <c>Task</c> of one, or the constructor
    /// of a disposable scope object. Whether that disposable's <c>Dispose</c> restores the slot is read by
    /// <see cref="ReturnsScopeThatRestoresNothing"/>.
    /// </summary>
    public bool ReturnsRestoreToken(IMethodSymbol method)
    {
        if (method.MethodKind == MethodKind.Constructor)
            return IsDisposable(method.ContainingType);
        var returned = method.ReturnType;
        if (SymbolEqualityComparer.Default.Equals(returned, _threading.Task))
            return false;                                // Task is IDisposable, but it is the operation, not a token
        if (returned is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } generic
            && (SymbolEqualityComparer.Default.Equals(generic.OriginalDefinition, _threading.TaskOfT) || SymbolEqualityComparer.Default.Equals(generic.OriginalDefinition, _threading.ValueTaskOfT)))
        {
            returned = generic.TypeArguments[0];
        }

        return returned.TypeKind == TypeKind.Delegate || IsDisposable(returned);
    }

    /// <summary>
    /// <c>public static IDisposable Use(Tenant t) { s_current.Value = t; return new Scope(); }</c> where <c>Scope.Dispose</c>
    /// does nothing to the slot: the token ends nothing. True only when every returned value is (a local filled only with)
    /// a <c>new</c> of a type declared in this compilation (for a constructor, its own type), and each such type's
    /// <c>Dispose</c>/<c>DisposeAsync</c>, found by symbol, neither assigns anything named after the slot (its field or a
    /// wrapper of it) nor calls anything (a restore helper, a callback). Any other token keeps the rule silent.
    /// </summary>
    public bool ReturnsScopeThatRestoresNothing(IMethodSymbol method, IOperation write, AmbientSlot slot, CancellationToken cancellationToken)
    {
        if (method.MethodKind == MethodKind.Constructor)
            return ScopeRestoresNothing(method.ContainingType, slot, cancellationToken);
        if (method.MethodKind != MethodKind.Ordinary || method.ReturnType.TypeKind == TypeKind.Delegate || method.IsAsync)
            return false;
        IOperation root = write;
        while (root.Parent is not null)
            root = root.Parent;
        var index = BodyIndex.Of(root);
        var scopes = new List<ITypeSymbol>();
        foreach (var returned in root.Descendants().OfType<IReturnOperation>())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (returned.ReturnedValue?.WalkDownConversions() is not { } value)
                return false;
            var sources = value is ILocalReferenceOperation local ? index.ValuesOf(local.Local, cancellationToken) : new[] { value };
            if (sources.Count == 0)
                return false;
            foreach (var source in sources)
            {
                if (source.WalkDownConversions() is not IObjectCreationOperation { Type: { } created })
                    return false;
                scopes.Add(created);
            }
        }

        return scopes.Count > 0 && scopes.All(scope => ScopeRestoresNothing(scope, slot, cancellationToken));
    }

    /// <summary>A scope type of this compilation whose dispose methods neither assign anything named after the slot nor call anything.</summary>
    private bool ScopeRestoresNothing(ITypeSymbol scope, AmbientSlot slot, CancellationToken cancellationToken)
    {
        var disposers = scope.GetMembers().OfType<IMethodSymbol>()
            .Where(m => m.Parameters.IsEmpty && (m.Name is "Dispose" or "DisposeAsync" || m.MethodKind == MethodKind.ExplicitInterfaceImplementation && m.Name.EndsWith(".Dispose", StringComparison.Ordinal)))
            .ToList();
        if (disposers.Count == 0 || disposers.Any(d => d.DeclaringSyntaxReferences.IsEmpty))
            return false;                                // inherited or from another assembly: cannot tell
        var names = NamesOf(slot, cancellationToken);
        foreach (var disposer in disposers)
        {
            foreach (var reference in disposer.DeclaringSyntaxReferences)
            {
                foreach (var node in reference.GetSyntax(cancellationToken).DescendantNodes())
                {
                    if (node is InvocationExpressionSyntax
                        || node is AssignmentExpressionSyntax written && written.Left.DescendantNodesAndSelf().OfType<SimpleNameSyntax>().Any(n => names.Contains(n.Identifier.ValueText)))
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }

    /// <summary>A disposable, or a <c>ref struct</c> with a <c>Dispose()</c> (the language's pattern-based <c>using</c>).</summary>
    private bool IsDisposable(ITypeSymbol type) =>
        _threading.IsDisposable(type) || type.IsRefLikeType && type.GetMembers("Dispose").Any(m => m is IMethodSymbol { Parameters.Length: 0 });

    /// <summary>
    /// <c>var previous = s_slot.Value; s_slot.Value = value; try { … } finally { s_slot.Value = previous; }</c>: a write
    /// of the same slot in a finally block of the same member (lambdas included) restores it, whatever it assigns: an
    /// assignment, or a call of a method that writes it (<see cref="WrittenSlot"/>: <c>finally { TenantContext.SetTenant(previous); }</c>,
    /// <c>finally { TenantContext.ResetTenant(); }</c>). <see cref="IsRestoredElsewhere"/> would find it too, after
    /// reading the whole type: this walks one body.
    /// </summary>
    private bool IsRestoredInOwnFinally(IOperation write, AmbientSlot slot, CancellationToken cancellationToken)
    {
        IOperation root = write;
        while (root.Parent is not null)
            root = root.Parent;
        foreach (var operation in root.Descendants())
        {
            if (operation is not ITryOperation { Finally: { } cleanup })
                continue;
            foreach (var inner in cleanup.Descendants())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (inner != write && WrittenSlot(inner, cancellationToken) is { } restored && SymbolEqualityComparer.Default.Equals(restored.Key, slot.Key))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The slot an assignment writes (itself or through its holder), or a call (<see cref="CallWrite"/>, any method name).</summary>
    private AmbientSlot? WrittenSlot(IOperation operation, CancellationToken cancellationToken) => operation switch
    {
        IAssignmentOperation assignment => SlotOrHolderWrittenBy(assignment.Target, cancellationToken),
        IInvocationOperation or IInvalidOperation => CallWrite(operation, setters: false, MaxWrapperHops, cancellationToken)?.Slot,
        _ => null,
    };

    /// <summary>
    /// Another write of the same slot in the type that restores it: an assignment, or a call of a method that writes it
    /// (<see cref="CallWrite"/>). Parts of the type in other files are read syntactically (no semantic model there): any
    /// assignment that names the slot, or call of a method named as its setter, keeps the rule silent.
    /// </summary>
    private bool IsRestoredElsewhere(AmbientSet set, TypeFacts facts, ConfiguredTypes configured, CancellationToken cancellationToken)
    {
        var model = set.Write.SemanticModel;
        var names = NamesOf(set.Slot, cancellationToken);
        foreach (var node in facts.Assignments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (node == set.Write.Syntax || !node.IsKind(SyntaxKind.SimpleAssignmentExpression) && !node.IsKind(SyntaxKind.CoalesceAssignmentExpression))
                continue;
            var namesSlot = node.Left.DescendantNodesAndSelf().OfType<SimpleNameSyntax>().Any(n => names.Contains(n.Identifier.ValueText));
            if (model is null || node.SyntaxTree != model.SyntaxTree)
            {
                if (namesSlot)
                    return true;
                continue;
            }

            // Only an assignment that names the slot, or one of null/default (which may empty the slot's holder),
            // can restore it: the others are skipped before binding their member, which the analyzer driver has
            // not necessarily bound yet (binding it here would charge the rule for the compiler's work).
            var clears = IsNullOrDefaultSyntax(node.Right);
            if (!namesSlot && !clears)
                continue;
            if (namesSlot)
            {
                // Decided from declarations, without binding the other member: a clear of the slot, or any write of it
                // in a cleanup member or a restore helper called from a finally block.
                var declaration = node.Ancestors().OfType<MethodDeclarationSyntax>().FirstOrDefault();
                var writer = declaration is null ? null : model.GetDeclaredSymbol(declaration, cancellationToken);
                if (clears || writer is not null && (IsCleanupMember(writer) && !PublishesParameterSyntax(node.Right, declaration!) || facts.IsCalledFromFinally(writer, model, cancellationToken)))
                    return true;
            }

            if (model.GetOperation(node, cancellationToken) is not IAssignmentOperation other)
                continue;
            if (IsNullOrDefault(other.Value) && ClearsHolderOf(other.Target, set.Slot, model, cancellationToken))
                return true;                             // the holder pattern: the slot's object is emptied, wherever the context flowed
            if (SlotOrHolderWrittenBy(other.Target, cancellationToken) is { } otherSlot && SymbolEqualityComparer.Default.Equals(otherSlot.Key, set.Slot.Key)
                && Restores(set, other, other.Value, facts, model, configured, cancellationToken))
            {
                return true;
            }
        }

        foreach (var node in facts.Invocations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (node == set.Write.Syntax)
                continue;
            var namesSlot = TypeFacts.InvokedName(node.Expression) is { } name && names.Contains(name);
            if (model is null || node.SyntaxTree != model.SyntaxTree)
            {
                if (namesSlot)
                    return true;
                continue;
            }

            // Bound only when it may restore: a call named like the slot's setter, or one in a finally block or a cleanup member.
            if (!namesSlot && node.FirstAncestorOrSelf<FinallyClauseSyntax>() is null
                && !(node.FirstAncestorOrSelf<MethodDeclarationSyntax>() is { } declaration && IsCleanupMember(model.GetDeclaredSymbol(declaration, cancellationToken))))
            {
                continue;
            }

            if (model.GetOperation(node, cancellationToken) is { } call && CallWrite(call, setters: false, MaxWrapperHops, cancellationToken) is { } written
                && SymbolEqualityComparer.Default.Equals(written.Slot.Key, set.Slot.Key)
                && Restores(set, call, written.Value, facts, model, configured, cancellationToken))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether <paramref name="write"/>, another write of the set's slot in its type, restores the set:
    /// <paramref name="value"/> null or default (null: a method that clears), a paired cleanup or a restore helper (good
    /// for the whole type), a finally of the setting member or of one that calls it, or a value that carries no request
    /// data (a saved value put back).
    /// </summary>
    private bool Restores(AmbientSet set, IOperation write, IOperation? value, TypeFacts facts, SemanticModel model, ConfiguredTypes configured, CancellationToken cancellationToken)
    {
        var member = EnclosingMember(model.GetEnclosingSymbol(write.Syntax.SpanStart, cancellationToken));
        if (value is null || IsNullOrDefault(value) || IsCleanupMember(member) && !PublishesParameter(value, member) || member is IMethodSymbol helper && facts.IsCalledFromFinally(helper, model, cancellationToken))
            return true;                                 // a clear, a paired cleanup or a restore helper: good for the whole type
        if (IsInFinally(write))
        {
            // A finally restores what its own method set, or what a method it calls set; not a sibling method's assignment.
            return SymbolEqualityComparer.Default.Equals(member, set.Member)
                || set.Member is IMethodSymbol setter && member is not null && Callers.MayCall(member, setter, cancellationToken);
        }

        if (value.WalkDownConversions() is IObjectCreationOperation && write.Syntax.SpanStart < set.Write.Syntax.SpanStart
            && SymbolEqualityComparer.Default.Equals(member, set.Member))
        {
            return false;                                // the new holder of a two-step set (s_slot.Value ??= new Holder()), before it
        }

        return !_requestValues.Value.CarriesRequestData(value, configured, cancellationToken);  // a saved value put back, or a value derived from the slot itself
    }

    /// <summary>
    /// <c>holder.Context = null</c> where <c>holder</c> is the slot's value (<c>s_current.Value.Context = null</c>, or a
    /// local read from it: <c>var holder = s_current.Value;</c>, <c>if (s_current.Value is { } holder)</c>): the
    /// <c>IHttpContextAccessor</c> / <c>StrongBox</c> technique. Emptying the shared holder releases the value in every
    /// context that captured it, which is what a restore is for.
    /// </summary>
    private bool ClearsHolderOf(IOperation cleared, AmbientSlot slot, SemanticModel model, CancellationToken cancellationToken)
    {
        if (cleared is not IMemberReferenceOperation { Instance: { } instance })
            return false;
        IOperation? holder = instance.WalkDownConversions();
        if (holder is ILocalReferenceOperation local)
        {
            holder = null;
            if (local.Local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is { } declaration && declaration.SyntaxTree == model.SyntaxTree)
            {
                var source = declaration switch
                {
                    VariableDeclaratorSyntax { Initializer.Value: { } value } => value,
                    SingleVariableDesignationSyntax designation => designation.FirstAncestorOrSelf<IsPatternExpressionSyntax>()?.Expression,
                    _ => null,
                };
                holder = source is null ? null : model.GetOperation(source, cancellationToken);
            }
        }

        return holder is not null && SlotHolding(holder, cancellationToken) is { } held && SymbolEqualityComparer.Default.Equals(held.Key, slot.Key);
    }

    /// <summary>
    /// <c>void ResetTenant(Tenant tenant) =&gt; s_tenant.Value = tenant;</c>: the value is the member's own parameter (or
    /// read from it), so the member sets whatever its caller gives, whatever its name says. It restores only where it is
    /// called from a <c>finally</c> with a saved value, which <see cref="IsRestored"/> reads from its call sites.
    /// </summary>
    private static bool PublishesParameter(IOperation value, ISymbol? member)
    {
        var current = value.WalkDownConversions();
        while (current is IMemberReferenceOperation { Instance: { } instance })
            current = instance.WalkDownConversions();
        return current is IParameterReferenceOperation parameter && member is not null
            && SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, member);
    }

    /// <summary><see cref="PublishesParameter"/> read from syntax, before binding the other member: the value's root names one of its parameters.</summary>
    private static bool PublishesParameterSyntax(ExpressionSyntax value, MethodDeclarationSyntax declaration)
    {
        while (true)
        {
            switch (value)
            {
                case CastExpressionSyntax cast:
                    value = cast.Expression;
                    continue;
                case ParenthesizedExpressionSyntax parenthesized:
                    value = parenthesized.Expression;
                    continue;
                case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression } suppressed:
                    value = suppressed.Operand;
                    continue;
                case MemberAccessExpressionSyntax access:
                    value = access.Expression;
                    continue;
                case IdentifierNameSyntax identifier:
                    return declaration.ParameterList.Parameters.Any(p => p.Identifier.ValueText == identifier.Identifier.ValueText);
                default:
                    return false;
            }
        }
    }

    /// <summary>A method that undoes ambient values by its name (<see cref="Conventions.IsAmbientCleanup"/>).</summary>
    private static bool IsCleanupMember(ISymbol? symbol) =>
        symbol is IMethodSymbol { MethodKind: MethodKind.Ordinary or MethodKind.ExplicitInterfaceImplementation } method && Conventions.IsAmbientCleanup(method);

    /// <summary>
    /// Whether a private method is invoked from a function that is not async. Unknown uses (a method group, <c>nameof</c>)
    /// count as "cannot tell" (<see cref="Callers.InSyntax"/>), which keeps the rule silent.
    /// </summary>
    private static bool HasSynchronousCaller(IMethodSymbol method, SyntaxNode[] typeSyntax, CancellationToken cancellationToken) =>
        Callers.InSyntax(method, typeSyntax, cancellationToken) is { } sites && sites.Any(site => !IsInAsyncFunction(site.Name));

    private static bool IsInAsyncFunction(SyntaxNode node)
    {
        foreach (var ancestor in node.Ancestors())
        {
            switch (ancestor)
            {
                case AnonymousFunctionExpressionSyntax lambda:
                    return lambda.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword);
                case LocalFunctionStatementSyntax local:
                    return local.Modifiers.Any(SyntaxKind.AsyncKeyword);
                case BaseMethodDeclarationSyntax declaration:
                    return declaration.Modifiers.Any(SyntaxKind.AsyncKeyword);
                case AccessorDeclarationSyntax or BasePropertyDeclarationSyntax or TypeDeclarationSyntax:
                    return false;
            }
        }

        return false;
    }

    /// <summary><c>null</c>, <c>default</c> or <c>default(T)</c>, possibly cast or parenthesized: the syntax <see cref="IsNullOrDefault"/> may accept without binding.</summary>
    private static bool IsNullOrDefaultSyntax(ExpressionSyntax value) => value switch
    {
        LiteralExpressionSyntax literal => literal.IsKind(SyntaxKind.NullLiteralExpression) || literal.IsKind(SyntaxKind.DefaultLiteralExpression),
        DefaultExpressionSyntax => true,
        CastExpressionSyntax cast => IsNullOrDefaultSyntax(cast.Expression),
        ParenthesizedExpressionSyntax parenthesized => IsNullOrDefaultSyntax(parenthesized.Expression),
        PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression } suppressed => IsNullOrDefaultSyntax(suppressed.Operand),
        _ => false,
    };

    /// <summary><c>null</c>, <c>default</c> or <c>default(T)</c>: a clear.</summary>
    public static bool IsNullOrDefault(IOperation value) =>
        value.WalkDownConversions() is IDefaultValueOperation
        || value.ConstantValue is { HasValue: true, Value: null };

    private static bool IsInFinally(IOperation operation)
    {
        for (var current = operation; current.Parent is { } parent; current = parent)
        {
            if (parent is ITryOperation tryOperation && tryOperation.Finally == current)
                return true;
        }

        return false;
    }

    /// <summary>What the restore check reads of a type's syntax (all partial parts, nested types included), once per type.</summary>
    private sealed class TypeFacts
    {
        private readonly List<InvocationExpressionSyntax> _finallyCalls = new();

        /// <summary>Per syntax tree, the methods the finally blocks there call, bound with that tree's model on first need.</summary>
        private readonly ConcurrentDictionary<SyntaxTree, ImmutableHashSet<IMethodSymbol>> _boundFinallyCalls = new();

        public TypeFacts(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            Syntax = type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).ToArray();
            foreach (var node in Syntax.SelectMany(s => s.DescendantNodes()))
            {
                if (node is AssignmentExpressionSyntax assignment)
                {
                    Assignments.Add(assignment);
                }
                else if (node is InvocationExpressionSyntax invocation)
                {
                    Invocations.Add(invocation);
                    if (invocation.FirstAncestorOrSelf<FinallyClauseSyntax>() is not null || invocation.FirstAncestorOrSelf<MethodDeclarationSyntax>() is { ParameterList.Parameters.Count: 0 })
                        _finallyCalls.Add(invocation);   // a finally block, or maybe a cleanup member (Dispose(), Restore()), told apart when bound
                }
            }
        }

        public SyntaxNode[] Syntax { get; }

        public List<AssignmentExpressionSyntax> Assignments { get; } = new();

        /// <summary>Every call in the type: a call of a method that writes the slot may restore it (<see cref="IsRestoredElsewhere"/>).</summary>
        public List<InvocationExpressionSyntax> Invocations { get; } = new();

        /// <summary>
        /// Whether <paramref name="method"/> is invoked inside a <c>finally</c> block of the type, or in a parameterless
        /// cleanup member (<c>Dispose() =&gt; RestoreTenant(_previous)</c>): a restore helper
        /// (<c>finally { Apply(previous); }</c>). Calls in <paramref name="model"/>'s tree are bound and compared by
        /// symbol; calls in other files of a partial type (no model there) are compared by name, which keeps the rule
        /// silent when unsure.
        /// </summary>
        public bool IsCalledFromFinally(IMethodSymbol method, SemanticModel? model, CancellationToken cancellationToken)
        {
            var inTree = false;
            foreach (var call in _finallyCalls)
            {
                if (call.SyntaxTree == model?.SyntaxTree)
                    inTree = true;
                else if (call.FirstAncestorOrSelf<FinallyClauseSyntax>() is not null && InvokedName(call.Expression) == method.Name)
                    return true;
            }

            return inTree && _boundFinallyCalls.GetOrAdd(model!.SyntaxTree, _ => Bind(model, cancellationToken)).Contains(Definition(method));
        }

        private ImmutableHashSet<IMethodSymbol> Bind(SemanticModel model, CancellationToken cancellationToken)
        {
            var methods = ImmutableHashSet.CreateBuilder<IMethodSymbol>(SymbolEqualityComparer.Default);
            foreach (var call in _finallyCalls.Where(c => c.SyntaxTree == model.SyntaxTree))
            {
                if (call.FirstAncestorOrSelf<FinallyClauseSyntax>() is null
                    && !IsCleanupMember(model.GetDeclaredSymbol(call.FirstAncestorOrSelf<MethodDeclarationSyntax>()!, cancellationToken)))
                {
                    continue;                            // a parameterless method that is no cleanup
                }

                var info = model.GetSymbolInfo(call, cancellationToken);
                foreach (var symbol in info.Symbol is { } bound ? ImmutableArray.Create(bound) : info.CandidateSymbols)
                {
                    if (symbol is IMethodSymbol called)
                        methods.Add(Definition(called));
                }
            }

            return methods.ToImmutable();
        }

        /// <summary>The declaration a call binds to: generic and extension forms reduced, a partial method's definition part.</summary>
        private static IMethodSymbol Definition(IMethodSymbol method)
        {
            var definition = (method.ReducedFrom ?? method).OriginalDefinition;
            return definition.PartialDefinitionPart ?? definition;
        }

        public static string? InvokedName(ExpressionSyntax expression) => expression switch
        {
            IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
            GenericNameSyntax generic => generic.Identifier.ValueText,
            MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
            MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
            _ => null,
        };
    }
}
