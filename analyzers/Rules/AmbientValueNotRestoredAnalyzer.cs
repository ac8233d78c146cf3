using System.Collections.Concurrent;
using LeakAnalyzers.Helpers;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK005: request data put into ambient state (<c>AsyncLocal&lt;T&gt;.Value</c> in a synchronous method,
/// <c>ThreadLocal&lt;T&gt;.Value</c>, a <c>[ThreadStatic]</c> field) that the enclosing type never restores; and, in a
/// function that set an <c>AsyncLocal</c>, a long-lived timer or registration that captures it.
/// Operation-level, with a type-level question asked only for the rare candidate: the outermost type (nested scope
/// classes included; symbol-start scopes do not cover nested types) is read for a restore of the same slot: a
/// <c>finally</c> of the same method, a cleanup callback, a <c>null</c> or saved value, a helper called from a
/// <c>finally</c>. Parts of the type in other files are read syntactically and keep the rule silent when unsure.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AmbientValueNotRestoredAnalyzer : DiagnosticAnalyzer
{
    /// <summary>More types whose values count as request data (<c>Namespace.Type</c>, comma-separated), for values the rule cannot trace to a parameter.</summary>
    internal const string RequestDataTypesOption = "LEAK005.request_data_types";

    internal const string FlowsToCaller = "is set in a synchronous method and never restored, so the value flows back to its caller";
    internal const string StaysOnThread = "is set and never restored, so the value stays on the thread for whatever runs there next";
    internal const string CapturedByTimer = "is captured with the execution context by this Timer and stays alive as long as the timer does";
    internal const string CapturedByRegistration = "is captured with the execution context by this registration and stays alive until the long-lived token is cancelled";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(Descriptors.AmbientValueNotRestored);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            if (Ambient.Create(start.Compilation) is not { } ambient)
                return;                                  // no ambient slot types: the rule costs nothing
            var rule = new Rule(start.Compilation, ambient);
            start.RegisterOperationAction(rule.AnalyzeAssignment, OperationKind.SimpleAssignment, OperationKind.CoalesceAssignment);
            start.RegisterOperationAction(rule.AnalyzeTimer, OperationKind.ObjectCreation);
            start.RegisterOperationAction(rule.AnalyzeRegistration, OperationKind.Invocation);
        });
    }

    internal enum AmbientKind
    {
        AsyncLocal,
        ThreadLocal,
        ThreadStatic,
    }

    /// <summary>An ambient slot as an assignment target: its kind, the symbol that identifies it, and the name shown.</summary>
    internal sealed class AmbientTarget
    {
        public AmbientTarget(AmbientKind kind, ISymbol key, ISymbol shown, ITypeSymbol? valueType)
        {
            Kind = kind;
            Key = key;
            Shown = shown;
            ValueType = valueType;
        }

        public AmbientKind Kind { get; }

        /// <summary>The field or property that holds the slot (for a wrapper property, the slot it wraps).</summary>
        public ISymbol Key { get; }

        /// <summary>The symbol the code assigns: the holder, or the wrapper property.</summary>
        public ISymbol Shown { get; }

        public ITypeSymbol? ValueType { get; }
    }

    /// <summary>Recognizes ambient slots; shared with the fixer.</summary>
    internal sealed class Ambient
    {
        private readonly INamedTypeSymbol? _asyncLocal;
        private readonly INamedTypeSymbol? _threadLocal;
        private readonly INamedTypeSymbol? _threadStatic;
        private readonly ConcurrentDictionary<IPropertySymbol, AmbientTarget?> _wrappers = new(SymbolEqualityComparer.Default);

        private Ambient(INamedTypeSymbol? asyncLocal, INamedTypeSymbol? threadLocal, INamedTypeSymbol? threadStatic)
        {
            _asyncLocal = asyncLocal;
            _threadLocal = threadLocal;
            _threadStatic = threadStatic;
        }

        public static Ambient? Create(Compilation compilation)
        {
            var asyncLocal = compilation.GetBestTypeByMetadataName(TypeNames.AsyncLocal);
            var threadLocal = compilation.GetBestTypeByMetadataName(TypeNames.ThreadLocal);
            var threadStatic = compilation.GetBestTypeByMetadataName(TypeNames.ThreadStaticAttribute);
            return asyncLocal is null && threadLocal is null && threadStatic is null ? null : new Ambient(asyncLocal, threadLocal, threadStatic);
        }

        /// <summary>
        /// The slot written by an assignment to <paramref name="target"/>: <c>holder.Value</c> of an <c>AsyncLocal</c> or
        /// <c>ThreadLocal</c> held in a field or property, a static <c>[ThreadStatic]</c> field, or a property of this
        /// compilation whose setter only publishes <c>value</c> into one of those.
        /// </summary>
        public AmbientTarget? Resolve(IOperation target, CancellationToken cancellationToken)
        {
            switch (target)
            {
                case IPropertyReferenceOperation { Property.Name: "Value", Instance: { } instance } value when SlotKind(value.Property.ContainingType) is { } kind:
                    var holder = instance.WalkDownConversions() switch
                    {
                        IFieldReferenceOperation field => (ISymbol)field.Field,
                        IPropertyReferenceOperation property => property.Property,
                        _ => null,                          // a local, an element, a call: not a slot we can name
                    };
                    return holder is null ? null : new AmbientTarget(kind, holder.OriginalDefinition, holder, value.Property.Type);
                case IFieldReferenceOperation field when IsThreadStatic(field.Field):
                    return new AmbientTarget(AmbientKind.ThreadStatic, field.Field.OriginalDefinition, field.Field, field.Field.Type);
                case IPropertyReferenceOperation { Property: { IsIndexer: false, SetMethod: not null } property }:
                    var wrapped = _wrappers.GetOrAdd(property.OriginalDefinition, p => ResolveWrapper(p, cancellationToken));
                    return wrapped is null ? null : new AmbientTarget(wrapped.Kind, wrapped.Key, property, property.Type);
                default:
                    return null;
            }
        }

        /// <summary>
        /// The names under which code can write <paramref name="target"/>'s slot: the holder, the assigned symbol, and the
        /// wrapper properties of the holder's type (a wrapper's setter names a member of its own type).
        /// </summary>
        public HashSet<string> NamesOf(AmbientTarget target, CancellationToken cancellationToken)
        {
            var names = new HashSet<string>(StringComparer.Ordinal) { target.Key.Name, target.Shown.Name };
            foreach (var property in target.Key.ContainingType.GetMembers().OfType<IPropertySymbol>())
            {
                if (property is { IsIndexer: false, SetMethod: not null }
                    && _wrappers.GetOrAdd(property.OriginalDefinition, p => ResolveWrapper(p, cancellationToken)) is { } wrapped
                    && SymbolEqualityComparer.Default.Equals(wrapped.Key, target.Key))
                {
                    names.Add(property.Name);
                }
            }

            return names;
        }

        private AmbientKind? SlotKind(INamedTypeSymbol? type)
        {
            var definition = type?.OriginalDefinition;
            if (definition is null)
                return null;
            if (SymbolEqualityComparer.Default.Equals(definition, _asyncLocal))
                return AmbientKind.AsyncLocal;
            if (SymbolEqualityComparer.Default.Equals(definition, _threadLocal))
                return AmbientKind.ThreadLocal;
            return null;
        }

        private bool IsThreadStatic(IFieldSymbol field) =>
            field.IsStatic && _threadStatic is not null
            && field.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, _threadStatic));

        /// <summary><c>set =&gt; _slot.Value = value;</c> or <c>set =&gt; t_field = value;</c>, read from the accessor's syntax.</summary>
        private AmbientTarget? ResolveWrapper(IPropertySymbol property, CancellationToken cancellationToken)
        {
            if (property.SetMethod!.DeclaringSyntaxReferences is not { Length: 1 } references
                || references[0].GetSyntax(cancellationToken) is not AccessorDeclarationSyntax accessor)
            {
                return null;
            }

            var body = accessor.ExpressionBody?.Expression
                ?? (accessor.Body?.Statements is { Count: 1 } statements && statements[0] is ExpressionStatementSyntax statement ? statement.Expression : null);
            if (body is not AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression, Right: IdentifierNameSyntax { Identifier.ValueText: "value" } } assignment)
                return null;

            if (assignment.Left is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Value" } valueAccess
                && MemberName(valueAccess.Expression) is { } holderName
                && FindMember(property.ContainingType, holderName) is { } holder
                && SlotKind((holder as IFieldSymbol)?.Type as INamedTypeSymbol ?? (holder as IPropertySymbol)?.Type as INamedTypeSymbol) is { } kind)
            {
                return new AmbientTarget(kind, holder.OriginalDefinition, holder, property.Type);
            }

            if (MemberName(assignment.Left) is { } fieldName && FindMember(property.ContainingType, fieldName) is IFieldSymbol field && IsThreadStatic(field))
                return new AmbientTarget(AmbientKind.ThreadStatic, field.OriginalDefinition, field, field.Type);
            return null;
        }

        private static string? MemberName(ExpressionSyntax expression) => expression switch
        {
            IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
            MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax or IdentifierNameSyntax } access => access.Name.Identifier.ValueText,
            _ => null,
        };

        private static ISymbol? FindMember(INamedTypeSymbol? type, string name)
        {
            for (var current = type; current is not null; current = current.BaseType)
            {
                foreach (var member in current.GetMembers(name))
                {
                    if (member is IFieldSymbol or IPropertySymbol)
                        return member;
                }
            }

            return null;
        }
    }

    private sealed class Rule
    {
        private readonly Ambient _ambient;
        private readonly Lazy<Types> _types;

        /// <summary>Per outermost type that assigns a slot (few per compilation): its syntax, read once, not once per assignment.</summary>
        private readonly System.Collections.Concurrent.ConcurrentDictionary<INamedTypeSymbol, TypeFacts> _typeFacts = new(SymbolEqualityComparer.Default);

        public Rule(Compilation compilation, Ambient ambient)
        {
            _ambient = ambient;
            _types = new Lazy<Types>(() => new Types(compilation));
        }

        /// <summary>What the type-level check reads of a type's syntax (all partial parts, nested types included).</summary>
        private sealed class TypeFacts
        {
            public TypeFacts(INamedTypeSymbol type, CancellationToken cancellationToken)
            {
                Syntax = type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).ToArray();
                var finallyCalls = new HashSet<string>(StringComparer.Ordinal);
                var assignments = new List<AssignmentExpressionSyntax>();
                foreach (var node in Syntax.SelectMany(s => s.DescendantNodes()))
                {
                    if (node is AssignmentExpressionSyntax assignment)
                        assignments.Add(assignment);
                    else if (node is InvocationExpressionSyntax invocation && invocation.FirstAncestorOrSelf<FinallyClauseSyntax>() is not null
                        && InvokedName(invocation.Expression) is { } name)
                    {
                        finallyCalls.Add(name);
                    }
                }

                CalledFromFinally = finallyCalls;
                Assignments = assignments;
            }

            public SyntaxNode[] Syntax { get; }

            /// <summary>Names of the methods invoked inside <c>finally</c> blocks: restore helpers.</summary>
            public HashSet<string> CalledFromFinally { get; }

            public List<AssignmentExpressionSyntax> Assignments { get; }
        }

        /// <summary>
        /// The other types the rule compares with, looked up once per compilation on first need: most compilations never
        /// assign an ambient slot or create a timer, and a lookup probes every reference's metadata.
        /// </summary>
        private sealed class Types
        {
            public Types(Compilation compilation)
            {
                RequestTypes = new[] { TypeNames.HttpContext, TypeNames.HttpRequest, TypeNames.HttpResponse, TypeNames.ClaimsPrincipal, TypeNames.ActionContext, TypeNames.HubCallerContext }
                    .Select(compilation.GetBestTypeByMetadataName)
                    .OfType<INamedTypeSymbol>()
                    .ToImmutableArray();
                Disposable = compilation.GetBestTypeByMetadataName(TypeNames.IDisposable);
                AsyncDisposable = compilation.GetBestTypeByMetadataName(TypeNames.IAsyncDisposable);
                Task = compilation.GetBestTypeByMetadataName(TypeNames.Task);
                TaskOfT = compilation.GetBestTypeByMetadataName(TypeNames.TaskOfT);
                ValueTaskOfT = compilation.GetBestTypeByMetadataName(TypeNames.ValueTaskOfT);
                Timer = compilation.GetBestTypeByMetadataName(TypeNames.ThreadingTimer);
                CancellationToken = compilation.GetBestTypeByMetadataName(TypeNames.CancellationToken);
                Lifetime = compilation.GetBestTypeByMetadataName(TypeNames.IHostApplicationLifetime);
            }

            public ImmutableArray<INamedTypeSymbol> RequestTypes { get; }
            public INamedTypeSymbol? Disposable { get; }
            public INamedTypeSymbol? AsyncDisposable { get; }
            public INamedTypeSymbol? Task { get; }
            public INamedTypeSymbol? TaskOfT { get; }
            public INamedTypeSymbol? ValueTaskOfT { get; }
            public INamedTypeSymbol? Timer { get; }
            public INamedTypeSymbol? CancellationToken { get; }
            public INamedTypeSymbol? Lifetime { get; }
        }

        /// <summary><c>_timer = new Timer(…)</c> kept beyond the method, after an <c>AsyncLocal</c> was set in the same function.</summary>
        public void AnalyzeTimer(OperationAnalysisContext context)
        {
            var creation = (IObjectCreationOperation)context.Operation;
            if (creation.Type?.Name != "Timer" || _types.Value.Timer is null || !SymbolEqualityComparer.Default.Equals(creation.Type, _types.Value.Timer)
                || Ownership.Classify(creation).Kind is not (FateKind.Stored or FateKind.Discarded)
                    && creation.WalkUpConversions().Parent is not ICoalesceAssignmentOperation { Target: IFieldReferenceOperation or IPropertyReferenceOperation })
            {
                return;                                  // a using or a local owns it: the method may end it
            }

            ReportCapture(context, creation, CapturedByTimer);
        }

        /// <summary><c>token.Register(…)</c> on a token that outlives the request, after an <c>AsyncLocal</c> was set in the same function.</summary>
        public void AnalyzeRegistration(OperationAnalysisContext context)
        {
            var invocation = (IInvocationOperation)context.Operation;
            if (invocation.TargetMethod.Name != "Register" || invocation.Instance is not { } token
                || !SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, _types.Value.CancellationToken)
                || !IsLongLived(token) || Ownership.Classify(invocation).Kind == FateKind.Using)
            {
                return;
            }

            ReportCapture(context, invocation, CapturedByRegistration);
        }

        /// <summary>
        /// The application's lifetime tokens, and tokens read from static state. A parameter, <c>RequestAborted</c>, a
        /// local source or an instance field may end with the request: silent.
        /// </summary>
        private bool IsLongLived(IOperation token) => token.WalkDownConversions() switch
        {
            IPropertyReferenceOperation { Property.Name: "ApplicationStopping" or "ApplicationStarted" or "ApplicationStopped" } property =>
                property.Property.ContainingType.Implements(_types.Value.Lifetime),
            IPropertyReferenceOperation { Property.Name: "Token", Instance: { } source } => source.WalkDownConversions() is IFieldReferenceOperation { Field.IsStatic: true } or IPropertyReferenceOperation { Property.IsStatic: true },
            IFieldReferenceOperation field => field.Field.IsStatic,
            IPropertyReferenceOperation property => property.Property.IsStatic,
            _ => false,
        };

        private void ReportCapture(OperationAnalysisContext context, IOperation capture, string consequence)
        {
            if (capture.GetEnclosingBody() is not { } body || Outermost(context.ContainingSymbol.ContainingType) is not { } type)
                return;
            var configured = ImmutableArray<string>.Empty;
            AmbientTarget? set = null;
            foreach (var operation in body.Descendants())
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                if (operation.Syntax.SpanStart >= capture.Syntax.SpanStart)
                    continue;                            // only what runs before the capture
                if (operation is IInvocationOperation { TargetMethod.Name: "SuppressFlow" } suppress && Suppresses(suppress, capture))
                    return;                              // the flow is suppressed around it
                if (operation is not IAssignmentOperation assignment || operation.IsInsideNestedFunction(body)
                    || _ambient.Resolve(assignment.Target, context.CancellationToken) is not { Kind: AmbientKind.AsyncLocal } target)
                {
                    continue;
                }

                if (set is not null && SymbolEqualityComparer.Default.Equals(set.Key, target.Key))
                    set = null;                          // assigned again (restored or replaced) before the capture
                if (set is null && !IsNullOrDefault(assignment.Value) && CarriesRequestData(assignment.Value, configured.IsEmpty
                    ? configured = context.Options.GetList(assignment.Syntax.SyntaxTree, RequestDataTypesOption)
                    : configured, context.CancellationToken))
                {
                    set = target;
                }
            }

            if (set is not null)
                context.Report(Descriptors.AmbientValueNotRestored, capture, Display(set.Shown, type), consequence);
        }

        public void AnalyzeAssignment(OperationAnalysisContext context)
        {
            var assignment = (IAssignmentOperation)context.Operation;
            var cancellationToken = context.CancellationToken;
            if (_ambient.Resolve(assignment.Target, cancellationToken) is not { } target)
                return;
            var configured = context.Options.GetList(assignment.Syntax.SyntaxTree, RequestDataTypesOption);
            if (IsRestore(assignment, context.ContainingSymbol, configured, cancellationToken)
                || !IsCandidate(assignment, target, context.ContainingSymbol, out var member)
                || Outermost(context.ContainingSymbol.ContainingType) is not { } type)
            {
                return;
            }

            // The common compliant shape first, from the member's own operation tree: restored in one of its finally blocks.
            if (IsRestoredInOwnFinally(assignment, target, cancellationToken))
                return;

            // Type-level: the outermost type (nested scope classes included) may restore the slot elsewhere.
            var facts = _typeFacts.GetOrAdd(type, t => new TypeFacts(t, cancellationToken));
            var syntax = facts.Syntax;
            var calledFromFinally = facts.CalledFromFinally;
            if (member is not null && calledFromFinally.Contains(member.Name))
                return;                                  // a restore helper, called from a finally block
            if (IsRestoredElsewhere(assignment, target, EnclosingMember(context.ContainingSymbol), facts, calledFromFinally, configured, cancellationToken))
                return;
            if (target.Kind == AmbientKind.AsyncLocal && member is { DeclaredAccessibility: Accessibility.Private, MethodKind: MethodKind.Ordinary }
                && !HasSynchronousCaller(member, syntax, cancellationToken))
            {
                return;                                  // a private helper of async methods: the nearest async caller restores it
            }

            context.Report(Descriptors.AmbientValueNotRestored, assignment, Display(target.Shown, type),
                target.Kind == AmbientKind.AsyncLocal ? FlowsToCaller : StaysOnThread);
        }

        /// <summary>
        /// An assignment that undoes or holds nothing: <c>null</c>/<c>default</c>, inside a <c>finally</c>, in a cleanup
        /// member, or a value that carries no request data (a saved previous value, a per-thread buffer).
        /// </summary>
        private bool IsRestore(IAssignmentOperation assignment, ISymbol? containingSymbol, ImmutableArray<string> configured, CancellationToken cancellationToken) =>
            IsNullOrDefault(assignment.Value) || IsInFinally(assignment) || IsCleanupMember(containingSymbol)
            || !CarriesRequestData(assignment.Value, configured, cancellationToken);

        /// <summary>
        /// <c>var previous = s_slot.Value; s_slot.Value = value; try { … } finally { s_slot.Value = previous; }</c>: an
        /// assignment of the same slot in a finally block of the same member (lambdas included) restores it, whatever it
        /// assigns. <see cref="IsRestoredElsewhere"/> would find it too, after reading the whole type: this walks one body.
        /// </summary>
        private bool IsRestoredInOwnFinally(IAssignmentOperation assignment, AmbientTarget target, CancellationToken cancellationToken)
        {
            IOperation root = assignment;
            while (root.Parent is not null)
                root = root.Parent;
            foreach (var operation in root.Descendants())
            {
                if (operation is not ITryOperation { Finally: { } cleanup })
                    continue;
                foreach (var inner in cleanup.Descendants())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (inner is IAssignmentOperation other && other != assignment
                        && _ambient.Resolve(other.Target, cancellationToken) is { } restored && SymbolEqualityComparer.Default.Equals(restored.Key, target.Key))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        /// <summary>
        /// Another assignment of the same slot in the type that restores it. Parts of the type in other files are read
        /// syntactically (no semantic model there): any assignment that names the slot keeps the rule silent.
        /// </summary>
        private bool IsRestoredElsewhere(IAssignmentOperation assignment, AmbientTarget target, ISymbol? candidateMember, TypeFacts facts, HashSet<string> calledFromFinally,
            ImmutableArray<string> configured, CancellationToken cancellationToken)
        {
            var model = assignment.SemanticModel;
            var names = _ambient.NamesOf(target, cancellationToken);
            foreach (var node in facts.Assignments)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (node == assignment.Syntax || !node.IsKind(SyntaxKind.SimpleAssignmentExpression) && !node.IsKind(SyntaxKind.CoalesceAssignmentExpression))
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
                    // Decided from syntax and the enclosing symbol, without binding the other member: a clear of the
                    // slot, or any write of it in a cleanup member or a restore helper called from a finally block.
                    var writer = node.Ancestors().OfType<MethodDeclarationSyntax>().FirstOrDefault()?.Identifier.ValueText;
                    if (clears || writer is not null && (IsCleanupName(writer) || calledFromFinally.Contains(writer)))
                        return true;
                }

                if (model.GetOperation(node, cancellationToken) is not IAssignmentOperation other)
                    continue;
                if (IsNullOrDefault(other.Value) && ClearsHolderOf(other.Target, target, model, cancellationToken))
                    return true;                         // the holder pattern: the slot's object is emptied, wherever the context flowed
                if (_ambient.Resolve(other.Target, cancellationToken) is not { } otherTarget
                    || !SymbolEqualityComparer.Default.Equals(otherTarget.Key, target.Key))
                {
                    continue;
                }

                var member = EnclosingMember(model.GetEnclosingSymbol(node.SpanStart, cancellationToken));
                if (IsNullOrDefault(other.Value) || IsCleanupMember(member) || member is not null && calledFromFinally.Contains(member.Name))
                    return true;                         // a clear, a paired cleanup or a restore helper: good for the whole type
                if (IsInFinally(other))
                {
                    // A finally restores what its own method set, or what a helper it calls set; not a sibling method's assignment.
                    if (SymbolEqualityComparer.Default.Equals(member, candidateMember) || candidateMember is not null && member is not null && Invokes(member, candidateMember.Name, cancellationToken))
                        return true;
                    continue;
                }

                if (!CarriesRequestData(other.Value, configured, cancellationToken))
                    return true;                         // a saved value put back, or a value derived from the slot itself
            }

            return false;
        }

        /// <summary>
        /// <c>holder.Context = null</c> where <c>holder</c> is the slot's value (<c>s_current.Value.Context = null</c>, or a
        /// local read from it: <c>var holder = s_current.Value;</c>, <c>if (s_current.Value is { } holder)</c>): the
        /// <c>IHttpContextAccessor</c> / <c>StrongBox</c> technique. Emptying the shared holder releases the value in
        /// every context that captured it, which is what a restore is for.
        /// </summary>
        private bool ClearsHolderOf(IOperation cleared, AmbientTarget target, SemanticModel model, CancellationToken cancellationToken)
        {
            if (cleared is not IMemberReferenceOperation { Instance: { } instance })
                return false;
            var holder = instance.WalkDownConversions();
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
                    holder = source is null ? null : model.GetOperation(source, cancellationToken)?.WalkDownConversions();
                }
            }

            return holder is IPropertyReferenceOperation { Property.Name: "Value" }
                && _ambient.Resolve(holder, cancellationToken) is { } slot
                && SymbolEqualityComparer.Default.Equals(slot.Key, target.Key);
        }

        /// <summary>
        /// Whether an assignment of request data is a finding before the type-level check: not a property setter or a
        /// <c>Set…(value)</c> accessor method (its callers clear), not a method that returns a restore token, and for
        /// <c>AsyncLocal</c> not inside an async function (the runtime restores the caller's context).
        /// </summary>
        private bool IsCandidate(IAssignmentOperation assignment, AmbientTarget target, ISymbol containingSymbol, out IMethodSymbol? member)
        {
            member = null;
            var function = assignment.Ancestors().FirstOrDefault(a => a is IAnonymousFunctionOperation or ILocalFunctionOperation);
            var method = function switch
            {
                IAnonymousFunctionOperation lambda => lambda.Symbol,
                ILocalFunctionOperation local => local.Symbol,
                _ => containingSymbol as IMethodSymbol,
            };
            if (method is null)
                return false;                            // a field or property initializer
            if (target.Kind != AmbientKind.AsyncLocal && target.ValueType is { IsValueType: true })
                return false;                            // a value type on a thread holds no request object
            if (function is null && (method.MethodKind == MethodKind.PropertySet || IsSetterMethod(method, assignment)))
                return false;                            // an accessor publishes the value; its callers clear it
            if (ReturnsRestoreToken(method))
                return false;                            // the caller ends the scope through what it gets back
            if (function is null && method is { IsStatic: true, Name: "Main" or "<Main>$" })
                return false;                            // the entry point: nothing runs after it returns

            if (target.Kind == AmbientKind.AsyncLocal)
            {
                if (method.IsAsync || function is ILocalFunctionOperation)
                    return false;
                if (function is IAnonymousFunctionOperation lambda && !IsPipelineHandler(lambda))
                    return false;                        // who runs a synchronous lambda, and in which context, is unknown
            }

            member = function is null ? method : null;
            return true;
        }

        /// <summary><c>void SetCurrent(T value) =&gt; _slot.Value = value;</c>: a method-shaped accessor.</summary>
        private static bool IsSetterMethod(IMethodSymbol method, IAssignmentOperation assignment)
        {
            if (method.MethodKind != MethodKind.Ordinary || !StartsWithWord(method.Name, "Set") || method.Parameters.Length != 1
                || assignment.Value.WalkDownConversions() is not IParameterReferenceOperation parameter
                || !SymbolEqualityComparer.Default.Equals(parameter.Parameter, method.Parameters[0]))
            {
                return false;
            }

            return assignment.Syntax.Parent switch
            {
                ArrowExpressionClauseSyntax { Parent: MethodDeclarationSyntax } => true,
                ExpressionStatementSyntax { Parent: BlockSyntax { Statements.Count: 1, Parent: MethodDeclarationSyntax } } => true,
                _ => false,
            };
        }

        /// <summary>A method that hands back what ends the scope: a disposable, a delegate, or a disposable scope object's constructor.</summary>
        private bool ReturnsRestoreToken(IMethodSymbol method)
        {
            if (method.MethodKind == MethodKind.Constructor)
                return IsDisposable(method.ContainingType);
            var returned = method.ReturnType;
            if (SymbolEqualityComparer.Default.Equals(returned, _types.Value.Task))
                return false;                            // Task is IDisposable, but it is the operation, not a token
            if (returned is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } generic
                && (SymbolEqualityComparer.Default.Equals(generic.OriginalDefinition, _types.Value.TaskOfT) || SymbolEqualityComparer.Default.Equals(generic.OriginalDefinition, _types.Value.ValueTaskOfT)))
            {
                returned = generic.TypeArguments[0];
            }

            return returned.TypeKind == TypeKind.Delegate || IsDisposable(returned);
        }

        private bool IsDisposable(ITypeSymbol type) =>
            type.Implements(_types.Value.Disposable) || type.Implements(_types.Value.AsyncDisposable)
            || type.IsRefLikeType && type.GetMembers("Dispose").Any(m => m is IMethodSymbol { Parameters.Length: 0 });

        /// <summary>
        /// A synchronous lambda the ASP.NET Core pipeline runs on the request's context: an argument of a
        /// <c>Microsoft.AspNetCore.*</c> <c>Use…</c>/<c>Run…</c>/<c>Map…</c>/<c>Add…</c> API (<c>app.Use</c>, <c>app.Run</c>,
        /// <c>MapGet</c>, <c>AddEndpointFilter</c>), or the request delegate returned by such a lambda
        /// (<c>app.Use(next =&gt; context =&gt; …)</c>). Callbacks such as <c>Response.OnStarting</c> run inside the
        /// server's own async code, which restores the context: silent.
        /// </summary>
        private static bool IsPipelineHandler(IAnonymousFunctionOperation lambda)
        {
            IOperation current = lambda;
            for (var hops = 0; hops < 2; hops++)
            {
                var parent = current.Parent;
                while (parent is IDelegateCreationOperation or IConversionOperation)
                {
                    current = parent;
                    parent = parent.Parent;
                }

                switch (parent)
                {
                    case IArgumentOperation { Parent: IInvocationOperation invocation }:
                        return invocation.TargetMethod.ContainingNamespace?.ToDisplayString().StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) == true
                            && PipelineVerbs.Any(v => StartsWithWord(invocation.TargetMethod.Name, v));
                    case IReturnOperation { Parent: IBlockOperation { Parent: IAnonymousFunctionOperation outer } }:
                        current = outer;
                        continue;
                    default:
                        return false;
                }
            }

            return false;
        }

        /// <summary>
        /// True when the value is derived from input: a parameter of the enclosing function, a local filled from one, or
        /// anything typed as request state (<c>HttpContext</c>, <c>HttpRequest</c>, <c>ClaimsPrincipal</c>, filter contexts…).
        /// Sizes of new arrays and numeric constructor arguments (capacities, seeds) are not data: a fresh buffer or
        /// builder reused per thread holds no request.
        /// </summary>
        private bool CarriesRequestData(IOperation value, ImmutableArray<string> configured, CancellationToken cancellationToken)
        {
            var root = value;
            while (root.Parent is not null)
                root = root.Parent;
            return new Trace(_types.Value.RequestTypes, root, configured, cancellationToken).Carries(value, value.Syntax, 0);
        }
    }

    /// <summary>One question "does this value carry request data?", with what it needs to follow locals.</summary>
    private sealed class Trace
    {
        private readonly ImmutableArray<INamedTypeSymbol> _requestTypes;
        private readonly IOperation _root;
        private readonly ImmutableArray<string> _configured;
        private readonly CancellationToken _cancellationToken;
        private readonly HashSet<ILocalSymbol> _visited = new(SymbolEqualityComparer.Default);

        public Trace(ImmutableArray<INamedTypeSymbol> requestTypes, IOperation root, ImmutableArray<string> configured, CancellationToken cancellationToken)
        {
            _requestTypes = requestTypes;
            _root = root;
            _configured = configured;
            _cancellationToken = cancellationToken;
        }

        public bool Carries(IOperation operation, SyntaxNode value, int depth)
        {
            var pending = new Stack<IOperation>();
            pending.Push(operation);
            while (pending.Count > 0)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                var current = pending.Pop();
                if (IsRequestType(current.Type))
                    return true;
                switch (current)
                {
                    case IParameterReferenceOperation parameter:
                        if (!IsDeclaredIn(parameter.Parameter, value))
                            return true;                 // a parameter of a lambda inside the value is not input
                        continue;
                    case ILocalReferenceOperation local:
                        if (depth < 4 && _visited.Add(local.Local) && LocalCarries(local.Local, depth + 1))
                            return true;
                        continue;
                    case IArrayCreationOperation array:
                        if (array.Initializer is not null)
                            pending.Push(array.Initializer);
                        continue;
                    case IObjectCreationOperation creation:
                        foreach (var argument in creation.Arguments)
                        {
                            if (!IsNumeric(argument.Value.WalkDownConversions().Type))
                                pending.Push(argument);
                        }

                        if (creation.Initializer is not null)
                            pending.Push(creation.Initializer);
                        continue;
                    case IInvocationOperation { Type: IArrayTypeSymbol { ElementType.IsUnmanagedType: true } } allocation when IsRuntimeMethod(allocation.TargetMethod):
                        // ArrayPool<T>.Shared.Rent(n), GC.AllocateUninitializedArray<T>(n): a buffer, like new T[n].
                        if (allocation.Instance is not null)
                            pending.Push(allocation.Instance);
                        foreach (var argument in allocation.Arguments)
                        {
                            if (!IsNumeric(argument.Value.WalkDownConversions().Type))
                                pending.Push(argument);
                        }

                        continue;
                }

                foreach (var child in current.ChildOperations)
                    pending.Push(child);
            }

            return false;
        }

        /// <summary>What flows into a local in the body: its initializer, assignments, an <c>out</c> call, a foreach collection, a pattern's input.</summary>
        private bool LocalCarries(ILocalSymbol local, int depth)
        {
            foreach (var operation in _root.Descendants())
            {
                _cancellationToken.ThrowIfCancellationRequested();
                var source = operation switch
                {
                    IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local) => declarator.Initializer?.Value,
                    IAssignmentOperation assignment when assignment.Target is ILocalReferenceOperation target && SymbolEqualityComparer.Default.Equals(target.Local, local) =>
                        assignment.Value,
                    IArgumentOperation { Parameter.RefKind: RefKind.Out, Parent: IInvocationOperation call } argument when Declares(argument.Value, local) => call,
                    IDeclarationPatternOperation pattern when SymbolEqualityComparer.Default.Equals(pattern.DeclaredSymbol, local) => PatternInput(pattern),
                    IForEachLoopOperation loop when loop.Locals.Contains(local, SymbolEqualityComparer.Default) => loop.Collection,
                    _ => null,
                };
                if (source is not null && Carries(source, source.Syntax, depth))
                    return true;
            }

            return false;
        }

        private static bool Declares(IOperation value, ILocalSymbol local) =>
            value.WalkDownConversions() switch
            {
                IDeclarationExpressionOperation { Expression: ILocalReferenceOperation declared } => SymbolEqualityComparer.Default.Equals(declared.Local, local),
                ILocalReferenceOperation reference => SymbolEqualityComparer.Default.Equals(reference.Local, local),
                _ => false,
            };

        private static IOperation? PatternInput(IPatternOperation pattern)
        {
            for (var current = pattern.Parent; current is not null; current = current.Parent)
            {
                switch (current)
                {
                    case IIsPatternOperation isPattern:
                        return isPattern.Value;
                    case ISwitchExpressionOperation switchExpression:
                        return switchExpression.Value;
                    case ISwitchOperation switchStatement:
                        return switchStatement.Value;
                    case IPatternOperation or IPatternCaseClauseOperation or ISwitchExpressionArmOperation or ISwitchCaseOperation:
                        continue;
                    default:
                        return null;
                }
            }

            return null;
        }

        /// <summary>Request state (<c>HttpContext</c> and friends, or a type named in <see cref="RequestDataTypesOption"/>), or derived from it.</summary>
        private bool IsRequestType(ITypeSymbol? type)
        {
            if (type is not { TypeKind: TypeKind.Class or TypeKind.Interface or TypeKind.Struct })
                return false;
            if (type.TypeKind != TypeKind.Struct && _requestTypes.Any(t => type.IsOrInheritsFrom(t)))
                return true;
            if (_configured.IsEmpty)
                return false;
            for (var current = type; current is not null; current = current.BaseType)
            {
                if (_configured.Contains(current.OriginalDefinition.ToDisplayString(QualifiedFormat), StringComparer.Ordinal))
                    return true;
            }

            return false;
        }

        private static readonly SymbolDisplayFormat QualifiedFormat =
            SymbolDisplayFormat.CSharpErrorMessageFormat.WithGenericsOptions(SymbolDisplayGenericsOptions.None);

        /// <summary>A method of the runtime libraries (<c>System.*</c>), whose results hold only what its arguments give it.</summary>
        private static bool IsRuntimeMethod(IMethodSymbol method)
        {
            var root = method.ContainingNamespace;
            while (root?.ContainingNamespace is { IsGlobalNamespace: false })
                root = root.ContainingNamespace;
            return root?.Name == "System";
        }

        private static bool IsNumeric(ITypeSymbol? type) =>
            type is not null && (type.TypeKind == TypeKind.Enum || type.SpecialType is >= SpecialType.System_Boolean and <= SpecialType.System_Double);

        private static bool IsDeclaredIn(IParameterSymbol parameter, SyntaxNode value) =>
            parameter.Locations.FirstOrDefault() is { IsInSource: true } location
            && location.SourceTree == value.SyntaxTree
            && value.Span.Contains(location.SourceSpan);
    }

    /// <summary><c>using (ExecutionContext.SuppressFlow()) { … }</c> around the capture; a declaration or a bare call (undone who knows where) counts too.</summary>
    private static bool Suppresses(IOperation suppress, IOperation capture)
    {
        for (var current = suppress.Parent; current is not null; current = current.Parent)
        {
            if (current is IUsingOperation usingOperation)
                return usingOperation.Body.Syntax.Span.Contains(capture.Syntax.Span);
            if (current is IBlockOperation or IExpressionStatementOperation or IUsingDeclarationOperation)
                return true;
        }

        return true;
    }

    private static INamedTypeSymbol? Outermost(INamedTypeSymbol? type)
    {
        while (type?.ContainingType is not null)
            type = type.ContainingType;
        return type;
    }

    /// <summary>The member around a lambda or local function.</summary>
    private static ISymbol? EnclosingMember(ISymbol? symbol)
    {
        while (symbol is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction })
            symbol = symbol.ContainingSymbol;
        return symbol;
    }

    /// <summary>The slot's name, qualified with its type when it lives outside <paramref name="type"/>.</summary>
    private static string Display(ISymbol symbol, INamedTypeSymbol type) =>
        SymbolEqualityComparer.Default.Equals(Outermost(symbol.ContainingType), type) ? symbol.Name : symbol.ContainingType.Name + "." + symbol.Name;

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

    private static bool IsNullOrDefault(IOperation value) =>
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

    /// <summary><c>Dispose</c>, <c>DisposeAsync</c>, the <c>On…Executed</c> half of a filter, and <c>Restore…</c>/<c>Reset…</c>/<c>Clear…</c>/<c>Exit…</c>/<c>Leave…</c>/<c>Pop…</c>/<c>End…</c> methods.</summary>
    private static bool IsCleanupMember(ISymbol? symbol)
    {
        if (symbol is not IMethodSymbol { MethodKind: MethodKind.Ordinary or MethodKind.ExplicitInterfaceImplementation } method)
            return false;
        var name = method.MethodKind == MethodKind.ExplicitInterfaceImplementation ? method.Name.Substring(method.Name.LastIndexOf('.') + 1) : method.Name;
        return IsCleanupName(name);
    }

    /// <summary><c>Dispose</c>, <c>DisposeAsync</c>, <c>On…Executed</c>, or a cleanup verb (<c>Restore…</c>, <c>Reset…</c>, <c>Clear…</c>…).</summary>
    private static bool IsCleanupName(string name)
    {
        if (name is "Dispose" or "DisposeAsync" || name.StartsWith("On", StringComparison.Ordinal) && name.EndsWith("Executed", StringComparison.Ordinal))
            return true;
        foreach (var verb in CleanupVerbs)
        {
            if (StartsWithWord(name, verb))
                return true;
        }

        return false;
    }

    private static readonly string[] PipelineVerbs = { "Use", "Run", "Map", "Add" };

    private static readonly string[] CleanupVerbs = { "Restore", "Reset", "Clear", "Exit", "Leave", "Pop", "End", "Revert", "Undo" };

    /// <summary><paramref name="name"/> is <paramref name="word"/> or starts with it followed by an upper-case letter (<c>EndScope</c>, not <c>Endpoint</c>).</summary>
    internal static bool StartsWithWord(string name, string word) =>
        name.StartsWith(word, StringComparison.Ordinal) && (name.Length == word.Length || char.IsUpper(name[word.Length]));

    private static string? InvokedName(ExpressionSyntax expression) => expression switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        GenericNameSyntax generic => generic.Identifier.ValueText,
        MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
        MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
        _ => null,
    };

    /// <summary>
    /// Whether a private method is invoked from a function that is not async. Unknown uses (a method group, <c>nameof</c>)
    /// count as "cannot tell", which keeps the rule silent.
    /// </summary>
    private static bool HasSynchronousCaller(IMethodSymbol method, SyntaxNode[] typeSyntax, CancellationToken cancellationToken) =>
        Callers.InSyntax(method, typeSyntax, cancellationToken) is { } sites && sites.Any(site => !IsInAsyncFunction(site.Name));

    /// <summary>Whether <paramref name="member"/>'s body calls a method named <paramref name="name"/>.</summary>
    private static bool Invokes(ISymbol member, string name, CancellationToken cancellationToken) =>
        member.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken).DescendantNodes().OfType<InvocationExpressionSyntax>().Any(i => InvokedName(i.Expression) == name));

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
}
