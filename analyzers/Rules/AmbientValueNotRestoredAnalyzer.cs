using System.Collections.Concurrent;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK005: request data put into ambient state (<c>AsyncLocal&lt;T&gt;.Value</c> in a synchronous method,
/// <c>ThreadLocal&lt;T&gt;.Value</c>, a <c>[ThreadStatic]</c> field) that the enclosing type never restores
/// (<see cref="Ambient.SetBy"/>, <see cref="Ambient.IsRestored"/>); and, in a function that set an <c>AsyncLocal</c>, a
/// long-lived timer or registration that captures it (<see cref="Ambient.CapturedBy"/>). The diagnostic's properties
/// tell the fixer which fix applies and what it restores (<see cref="Properties"/>).
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
            var domain = Domain.Get(start.Compilation);
            if (domain.Ambient is not { } ambient || domain.Types.Threading is not { } threading)
                return;                                  // no ambient slot types: the rule costs nothing
            var rule = new Context(ambient, domain.Types, threading);
            start.RegisterOperationAction(rule.AnalyzeAssignment, OperationKind.SimpleAssignment, OperationKind.CoalesceAssignment);
            start.RegisterOperationAction(rule.AnalyzeTimer, OperationKind.ObjectCreation);
            start.RegisterOperationAction(rule.AnalyzeRegistration, OperationKind.Invocation);
            start.RegisterOperationAction(rule.AnalyzeSetterCall, OperationKind.Invocation, OperationKind.Invalid);
        });
    }

    /// <summary>The one fix a diagnostic gets (<see cref="Properties.Fix"/>).</summary>
    internal enum FixKind
    {
        /// <summary>Save the slot before the set and put it back in a <c>finally</c> around the rest of the block.</summary>
        RestoreInFinally,
        /// <summary><c>token.UnsafeRegister(…)</c>: the registration does not capture the execution context.</summary>
        UnsafeRegister,
        /// <summary>The capturing statement inside <c>using (ExecutionContext.SuppressFlow()) { … }</c>.</summary>
        SuppressFlow,
        /// <summary>
        /// A synchronous MVC filter's <c>On…Executing</c> sets the slot: clear it at the end of the paired
        /// <c>On…Executed</c> (the additional location) with <see cref="Properties.Clear"/>.
        /// </summary>
        ClearInPairedCallback,
        /// <summary>
        /// A <c>void</c> scope-beginning method (<see cref="Conventions.BeginsAmbientScope"/>) that sets the slot once:
        /// it saves the previous value and returns an <c>IDisposable</c> scope whose <c>Dispose</c> puts it back (a
        /// nested class generated into the type, or the one an earlier fix generated). Call statements that ignore the
        /// result keep compiling.
        /// </summary>
        ReturnRestoreScope,
    }

    /// <summary>What <see cref="FixKind.ClearInPairedCallback"/> assigns (<see cref="Properties.Clear"/>).</summary>
    internal enum ClearKind
    {
        /// <summary><c>null</c>: a reference or nullable type the slot takes null as.</summary>
        Null,
        /// <summary><c>null!</c>: a reference type declared not-null under nullable warnings (the slot starts out null anyway).</summary>
        SuppressedNull,
        /// <summary><c>default</c>: a value type.</summary>
        Default,
    }

    /// <summary>The keys of the diagnostic's properties, read by the fixer.</summary>
    internal static class Properties
    {
        /// <summary>The <see cref="FixKind"/> to apply; absent when no fix is correct (a method that sets the value for its caller by design).</summary>
        public const string Fix = "Fix";

        /// <summary>The <see cref="AmbientKind"/> of the slot.</summary>
        public const string Kind = "Kind";

        /// <summary>
        /// <see cref="FixKind.RestoreInFinally"/>: the ambient sets right next to the reported one are restored together.
        /// How many of them come before it in its block.
        /// </summary>
        public const string Before = "Before";

        /// <summary><see cref="FixKind.RestoreInFinally"/> and <see cref="FixKind.ReturnRestoreScope"/>: the assigned members' names, comma-separated in source order (the saved values are named after them).</summary>
        public const string Names = "Names";

        /// <summary>
        /// <see cref="FixKind.RestoreInFinally"/> and <see cref="FixKind.ReturnRestoreScope"/>: per assignment, comma-separated, "true" when the saved value goes back
        /// with <c>!</c> (the slot reads as maybe-null under nullable annotations but does not take null).
        /// </summary>
        public const string Suppress = "Suppress";

        /// <summary><see cref="FixKind.ClearInPairedCallback"/>: the <see cref="ClearKind"/> the paired callback assigns.</summary>
        public const string Clear = "Clear";
    }

    private sealed class Context(Ambient ambient, KnownTypes types, KnownTypes.ThreadingTypes threading)
    {
        private readonly ConcurrentDictionary<string, ConfiguredTypes> _configured = new(StringComparer.Ordinal);

        /// <summary><c>CancellationToken.UnsafeRegister(callback, state)</c> exists (.NET Core 3.0 and later).</summary>
        private readonly Lazy<bool> _hasUnsafeRegister = new(() =>
            threading.CancellationToken.GetMembers("UnsafeRegister").OfType<IMethodSymbol>().Any(m => m.Parameters.Length == 2));

        public void AnalyzeAssignment(OperationAnalysisContext context)
        {
            var assignment = (IAssignmentOperation)context.Operation;
            var cancellationToken = context.CancellationToken;
            var direct = ambient.SlotWrittenBy(assignment.Target, cancellationToken);
            if ((direct ?? ambient.HolderFilledBy(assignment, cancellationToken)) is not { } slot)
                return;                                  // the common case: not an ambient slot
            if (Judge(context, assignment, assignment.Value, slot) is not { } set)
                return;

            // A holder filled in two steps gets no fix: saving and putting back the slot would not undo the holder's member.
            var consequence = slot.Kind == AmbientKind.AsyncLocal ? FlowsToCaller : StaysOnThread;
            if (direct is not null && PairedClear(set, assignment, cancellationToken) is { } executed)
            {
                Report(context, assignment, PropertiesFor(FixKind.ClearInPairedCallback, slot.Kind).Add(Properties.Clear, ClearValue(set, assignment, executed).ToString()),
                    Display(slot.Shown, set.Type), consequence, executed);
                return;
            }

            var properties = direct is null ? PropertiesFor(null, slot.Kind) : RestoreProperties(set, assignment, cancellationToken);
            Report(context, assignment, properties, Display(slot.Shown, set.Type), consequence);
        }

        /// <summary>
        /// <c>TenantContext.SetTenant(tenant)</c>: a call of a setter method (<see cref="Ambient.SetterCall"/>), judged like
        /// the assignment it makes, at the call, with the restore fix when the setter's type has the getter to save the
        /// previous value from (<see cref="CallRestoreProperties"/>).
        /// </summary>
        public void AnalyzeSetterCall(OperationAnalysisContext context)
        {
            if (ambient.SetterCall(context.Operation, context.CancellationToken) is not { } call
                || Judge(context, context.Operation, call.Value, call.Slot) is not { } set)
            {
                return;
            }

            Report(context, context.Operation, CallRestoreProperties(set, context.Operation as IInvocationOperation, context.CancellationToken), Display(call.Slot.Shown, set.Type),
                call.Slot.Kind == AmbientKind.AsyncLocal ? FlowsToCaller : StaysOnThread);
        }

        /// <summary>
        /// <see cref="FixKind.RestoreInFinally"/> for a call statement of a setter method, alone (<see cref="Properties.Before"/>
        /// 0): <see cref="Properties.Names"/> is the getter the fix reads the previous value from (<see cref="Ambient.GetterOf"/>,
        /// accessible here), on the same receiver, which must be a name the fix can evaluate twice (a field, a local, a
        /// type). None when the method sets the value for its caller by design (<see cref="SetsForCaller"/>), for a call
        /// that does not bind, or without such a getter.
        /// </summary>
        private ImmutableDictionary<string, string?> CallRestoreProperties(AmbientSet set, IInvocationOperation? call, CancellationToken cancellationToken)
        {
            if (call is null || SetsForCaller(set)
                || call.Syntax is not InvocationExpressionSyntax { Parent: ExpressionStatementSyntax { Parent: BlockSyntax } } syntax
                || syntax.Expression is MemberAccessExpressionSyntax { Expression: var receiver } && receiver.DescendantNodesAndSelf().Any(n => n is not (IdentifierNameSyntax or MemberAccessExpressionSyntax or ThisExpressionSyntax or PredefinedTypeSyntax))
                || syntax.Expression is not (MemberAccessExpressionSyntax { Name: IdentifierNameSyntax } or IdentifierNameSyntax)
                || call.SemanticModel is not { } model
                || ambient.GetterOf(call.TargetMethod.OriginalDefinition, set.Slot, cancellationToken) is not { GetMethod: { } getter } property
                || !model.IsAccessible(syntax.SpanStart, getter))
            {
                return PropertiesFor(null, set.Slot.Kind);
            }

            var suppress = model.GetNullableContext(syntax.SpanStart).WarningsEnabled() && !property.Type.IsValueType
                && property.Type.NullableAnnotation == NullableAnnotation.Annotated && call.TargetMethod.Parameters[0].Type.NullableAnnotation == NullableAnnotation.NotAnnotated;
            return PropertiesFor(FixKind.RestoreInFinally, set.Slot.Kind)
                .Add(Properties.Before, "0")
                .Add(Properties.Names, property.Name)
                .Add(Properties.Suppress, suppress ? "true" : "false");
        }

        /// <summary>The set <paramref name="write"/> makes, when it must be restored and nothing restores it; null otherwise.</summary>
        private AmbientSet? Judge(OperationAnalysisContext context, IOperation write, IOperation value, AmbientSlot slot)
        {
            var configured = Configured(context);
            return ambient.SetBy(write, value, slot, context.ContainingSymbol, configured, context.CancellationToken) is { } set
                && !ambient.IsRestored(set, configured, context.CancellationToken)
                    ? set
                    : null;
        }

        public void AnalyzeTimer(OperationAnalysisContext context)
        {
            if (ambient.IsLongLivedTimer((IObjectCreationOperation)context.Operation))
                ReportCapture(context, CapturedByTimer, FixKind.SuppressFlow);
        }

        public void AnalyzeRegistration(OperationAnalysisContext context)
        {
            var invocation = (IInvocationOperation)context.Operation;
            if (ambient.IsLongLivedRegistration(invocation))
                ReportCapture(context, CapturedByRegistration, RegistrationFix(invocation));
        }

        private void ReportCapture(OperationAnalysisContext context, string consequence, FixKind fix)
        {
            if (Ambient.Outermost(context.ContainingSymbol.ContainingType) is { } type
                && ambient.CapturedBy(context.Operation, Configured(context), context.CancellationToken) is { } slot)
            {
                Report(context, context.Operation, PropertiesFor(fix, slot.Kind), Display(slot.Shown, type), consequence);
            }
        }

        /// <summary>
        /// <see cref="FixKind.UnsafeRegister"/> where the token has it and the call has a form it takes: <c>(callback, state)</c>
        /// with positional arguments, or a parameterless lambda (given a discard parameter, <c>_</c> unused in it, and a
        /// <c>null</c> state); otherwise the statement goes inside <c>SuppressFlow</c>.
        /// </summary>
        private FixKind RegistrationFix(IInvocationOperation invocation)
        {
            if (!_hasUnsafeRegister.Value || invocation.Syntax is not InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name: IdentifierNameSyntax }, ArgumentList.Arguments: var arguments })
                return FixKind.SuppressFlow;
            var parameters = invocation.TargetMethod.Parameters;
            if (parameters.Length == 2 && parameters[1].Type.SpecialType == SpecialType.System_Object && arguments.All(a => a.NameColon is null))
                return FixKind.UnsafeRegister;
            return parameters.Length == 1 && arguments.Count == 1
                && arguments[0].Expression is ParenthesizedLambdaExpressionSyntax { ParameterList.Parameters.Count: 0 } lambda
                && !lambda.DescendantNodes().OfType<IdentifierNameSyntax>().Any(i => i.Identifier.ValueText == "_")
                    ? FixKind.UnsafeRegister
                    : FixKind.SuppressFlow;
        }

        /// <summary>
        /// Restore in finally, with the ambient sets right next to the reported one (same kind of slot, each slot once),
        /// unless the method sets the value for its caller by design: a constructor or a scope-beginning method
        /// (<see cref="Conventions.BeginsAmbientScope"/>) that returns no task, where restoring at its end would undo it.
        /// </summary>
        private ImmutableDictionary<string, string?> RestoreProperties(AmbientSet set, IAssignmentOperation assignment, CancellationToken cancellationToken)
        {
            if (ScopeProperties(set, assignment, cancellationToken) is { } scope)
                return scope;
            if (SetsForCaller(set)
                || assignment.Syntax.Parent is not ExpressionStatementSyntax { Parent: BlockSyntax block } statement
                || assignment.SemanticModel is not { } model)
            {
                return PropertiesFor(null, set.Slot.Kind);
            }

            var asyncLocal = set.Slot.Kind == AmbientKind.AsyncLocal;
            var group = new List<(AmbientSlot Slot, bool Suppress)> { (set.Slot, ReadsMaybeNull(assignment, model)) };
            var statements = block.Statements;
            var first = statements.IndexOf(statement);
            var before = 0;
            for (var i = first - 1; i >= 0 && Joins(statements[i]) is { } member; i--, before++)
                group.Insert(0, member);
            for (var i = first + 1; i < statements.Count && Joins(statements[i]) is { } member; i++)
                group.Add(member);

            return PropertiesFor(FixKind.RestoreInFinally, set.Slot.Kind)
                .Add(Properties.Before, before.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Add(Properties.Names, string.Join(",", group.Select(m => m.Slot.Shown.Name)))
                .Add(Properties.Suppress, string.Join(",", group.Select(m => m.Suppress ? "true" : "false")));

            (AmbientSlot, bool)? Joins(StatementSyntax candidate) =>
                candidate is ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax next }
                && (next.IsKind(SyntaxKind.SimpleAssignmentExpression) || next.IsKind(SyntaxKind.CoalesceAssignmentExpression))
                && model.GetOperation(next, cancellationToken) is IAssignmentOperation operation
                && !Ambient.IsNullOrDefault(operation.Value)
                && ambient.SlotWrittenBy(operation.Target, cancellationToken) is { } slot
                && (slot.Kind == AmbientKind.AsyncLocal) == asyncLocal
                && !group.Any(m => SymbolEqualityComparer.Default.Equals(m.Slot.Key, slot.Key))
                    ? (slot, ReadsMaybeNull(operation, model))
                    : null;
        }

        /// <summary>A constructor or a scope-beginning method that returns no task: it sets the value for its caller, restoring at its end would undo it.</summary>
        private bool SetsForCaller(AmbientSet set) =>
            set.Method is { MethodKind: not (MethodKind.PropertyGet or MethodKind.PropertySet or MethodKind.EventAdd or MethodKind.EventRemove) } method
            && !threading.IsTaskType(method.ReturnType.OriginalDefinition)
            && (method.MethodKind == MethodKind.Constructor || Conventions.BeginsAmbientScope(method));

        /// <summary>
        /// <see cref="FixKind.ReturnRestoreScope"/> for <c>public static void BeginScope(Tenant t) { s_current.Value = t; }</c>:
        /// an ordinary <c>void</c> method named as a scope beginning, whose signature is its own (no override, no
        /// interface implementation, not partial), that sets one slot (this one: a second set would not be restored by the
        /// scope) in a statement of its body's top level, and has no <c>return</c> to rewrite. Null otherwise.
        /// </summary>
        private ImmutableDictionary<string, string?>? ScopeProperties(AmbientSet set, IAssignmentOperation assignment, CancellationToken cancellationToken)
        {
            if (set.Method is not { MethodKind: MethodKind.Ordinary, ReturnsVoid: true, IsAsync: false, IsOverride: false, IsVirtual: false, IsAbstract: false, IsExtern: false } method
                || method.PartialDefinitionPart is not null || method.PartialImplementationPart is not null || method.IsGenericMethod
                || threading.Action is null || threading.IDisposable is null
                || !Conventions.BeginsAmbientScope(method) || ImplementsInterface(method)
                || assignment.Syntax.Parent is not (ExpressionStatementSyntax { Parent: BlockSyntax { Parent: MethodDeclarationSyntax } } or ArrowExpressionClauseSyntax { Parent: MethodDeclarationSyntax })
                || assignment.SemanticModel is not { } model)
            {
                return null;
            }

            IOperation root = assignment;
            while (root.Parent is not null)
                root = root.Parent;
            var sets = 0;
            foreach (var operation in root.Descendants())
            {
                if (operation is IReturnOperation { Syntax: ReturnStatementSyntax })
                    return null;
                if (operation is IAssignmentOperation other && ambient.SlotWrittenBy(other.Target, cancellationToken) is not null
                    || operation is IInvocationOperation or IInvalidOperation && ambient.SetterCall(operation, cancellationToken) is not null)
                {
                    sets++;
                }
            }

            return sets != 1 ? null : PropertiesFor(FixKind.ReturnRestoreScope, set.Slot.Kind)
                .Add(Properties.Names, set.Slot.Shown.Name)
                .Add(Properties.Suppress, ReadsMaybeNull(assignment, model) ? "true" : "false");
        }

        private static bool ImplementsInterface(IMethodSymbol method) =>
            !method.ExplicitInterfaceImplementations.IsEmpty
            || method.ContainingType.AllInterfaces.SelectMany(i => i.GetMembers()).Any(m => SymbolEqualityComparer.Default.Equals(method.ContainingType.FindImplementationForInterfaceMember(m), method));

        /// <summary>
        /// The declaration of the <c>On…Executed</c> callback that pairs the filter callback that made <paramref name="set"/>
        /// (<see cref="Ambient.PairedExecuted"/>), for an <c>AsyncLocal</c> written through members only (a local, a
        /// parameter or a call in the target would not mean the same in the other method). A thread-bound slot gets no
        /// such fix: after an async action the <c>Executed</c> callback may run on another thread, and would clear that
        /// thread's slot.
        /// </summary>
        private SyntaxNode? PairedClear(AmbientSet set, IAssignmentOperation assignment, CancellationToken cancellationToken) =>
            set is { Slot.Kind: AmbientKind.AsyncLocal, Method: { } executing }
            && !assignment.Target.DescendantsAndSelf().Any(o => o is ILocalReferenceOperation or IParameterReferenceOperation or IInvocationOperation)
            && ambient.PairedExecuted(executing) is { } executed
                ? executed.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken)
                : null;

        private static ClearKind ClearValue(AmbientSet set, IAssignmentOperation assignment, SyntaxNode executed)
        {
            if (set.Slot.ValueType is not { } type)
                return ClearKind.Default;
            if (type.IsValueType)
                return type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T ? ClearKind.Null : ClearKind.Default;
            return type.NullableAnnotation == NullableAnnotation.NotAnnotated && assignment.SemanticModel is { } model
                && model.GetNullableContext(executed.SyntaxTree == model.SyntaxTree ? executed.SpanStart : assignment.Syntax.SpanStart).WarningsEnabled()
                    ? ClearKind.SuppressedNull
                    : ClearKind.Null;
        }

        /// <summary>
        /// A property read as maybe-null (<c>[MaybeNull]</c> getter, as <c>AsyncLocal&lt;T&gt;.Value</c>) that does not
        /// accept null back, with nullable warnings on: the saved value goes back with <c>!</c>.
        /// </summary>
        private static bool ReadsMaybeNull(IAssignmentOperation assignment, SemanticModel model)
        {
            if (!model.GetNullableContext(assignment.Syntax.SpanStart).WarningsEnabled() || assignment.Target is not IPropertyReferenceOperation { Property: var property }
                || property.Type.IsValueType || property.Type.NullableAnnotation == NullableAnnotation.Annotated)
            {
                return false;
            }

            return property.GetMethod?.GetReturnTypeAttributes().Any(Conventions.IsMaybeNullAttribute) == true
                && property.SetMethod?.Parameters.FirstOrDefault()?.GetAttributes().Any(Conventions.IsAllowNullAttribute) != true
                && !property.GetAttributes().Any(Conventions.IsAllowNullAttribute);
        }

        /// <summary>The types named in <see cref="RequestDataTypesOption"/> for this file, resolved once per distinct value.</summary>
        private ConfiguredTypes Configured(OperationAnalysisContext context)
        {
            var names = context.Options.GetList(context.Operation.Syntax.SyntaxTree, RequestDataTypesOption);
            return names.IsEmpty ? ConfiguredTypes.Empty : _configured.GetOrAdd(string.Join(",", names), _ => types.Configured(names));
        }

        private static ImmutableDictionary<string, string?> PropertiesFor(FixKind? fix, AmbientKind kind)
        {
            var properties = ImmutableDictionary<string, string?>.Empty.Add(Properties.Kind, kind.ToString());
            return fix is null ? properties : properties.Add(Properties.Fix, fix.ToString());
        }

        private static void Report(OperationAnalysisContext context, IOperation at, ImmutableDictionary<string, string?> properties, string slot, string consequence, SyntaxNode? related = null) =>
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.AmbientValueNotRestored, at.Syntax.GetLocation(),
                related is null ? null : new[] { related.GetLocation() }, properties, slot, consequence));

        /// <summary>The slot's name, qualified with its type when it lives outside <paramref name="type"/>.</summary>
        private static string Display(ISymbol symbol, INamedTypeSymbol type) =>
            SymbolEqualityComparer.Default.Equals(Ambient.Outermost(symbol.ContainingType), type) ? symbol.Name : symbol.ContainingType.Name + "." + symbol.Name;
    }
}
