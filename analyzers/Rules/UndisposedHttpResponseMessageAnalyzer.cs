using LeakAnalyzers.Helpers;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK004: an <c>HttpResponseMessage</c> that the code owns and does not dispose on every normal path.
/// Producers are decided by type (a call or <c>await</c> that yields the response, <c>.Result</c>, <c>new</c>), never by
/// method name. Ownership is settled by <c>using</c>, <c>finally</c>, return, storage, hand-off to a constructor, a
/// collection or a known transfer API; anything the analysis cannot follow keeps the rule silent.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UndisposedHttpResponseMessageAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Extra methods that take ownership of a response passed to them: <c>Namespace.Type.Method</c>, comma-separated.</summary>
    internal const string OwnershipTransferMethodsOption = "LEAK004.ownership_transfer_methods";

    internal const string Discarded = "discarded without being disposed";
    internal const string NeverDisposed = "never disposed";
    internal const string NotOnEveryPath = "not disposed on every path";
    internal const string OverwrittenInLoop = "overwritten by the next iteration of the loop without being disposed";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(Descriptors.UndisposedHttpResponseMessage);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            if (start.Compilation.GetBestTypeByMetadataName(TypeNames.HttpResponseMessage) is not { } response)
                return;                                  // not referenced: the rule costs nothing
            var rule = new Rule(start.Compilation, response);
            start.RegisterOperationAction(rule.AnalyzeObjectCreation, OperationKind.ObjectCreation);
            start.RegisterOperationAction(rule.AnalyzeInvocation, OperationKind.Invocation);
            start.RegisterOperationAction(rule.AnalyzeAwait, OperationKind.Await);
        });
    }

    /// <summary>What a use of the response does to its ownership.</summary>
    private enum UseKind
    {
        Read,        // looked at, ownership unchanged
        Dropped,     // the produced value is thrown away
        Settled,     // someone else owns it now, or the analysis cannot tell: silent either way
        Disposed,    // Dispose / using at Site
        Local,       // flows into a local, judged on its own
    }

    private readonly struct Use
    {
        public Use(UseKind kind, SyntaxNode? site = null, ILocalSymbol? local = null)
        {
            Kind = kind;
            Site = site;
            Local = local;
        }

        public UseKind Kind { get; }
        public SyntaxNode? Site { get; }
        public ILocalSymbol? Local { get; }
    }

    private sealed class Rule
    {
        private readonly INamedTypeSymbol _response;
        private readonly Ownership _ownership;
        private readonly INamedTypeSymbol? _taskOfT;
        private readonly INamedTypeSymbol? _valueTaskOfT;
        private readonly INamedTypeSymbol? _content;
        private readonly INamedTypeSymbol? _stream;
        private readonly INamedTypeSymbol? _actionResult;
        private readonly INamedTypeSymbol? _result;

        public Rule(Compilation compilation, INamedTypeSymbol response)
        {
            _response = response;
            _ownership = Domain.Get(compilation).Ownership;
            _taskOfT = compilation.GetBestTypeByMetadataName(TypeNames.TaskOfT);
            _valueTaskOfT = compilation.GetBestTypeByMetadataName(TypeNames.ValueTaskOfT);
            _content = compilation.GetBestTypeByMetadataName(TypeNames.HttpContent);
            _stream = compilation.GetBestTypeByMetadataName(TypeNames.Stream);
            _actionResult = compilation.GetBestTypeByMetadataName(TypeNames.IActionResult);
            _result = compilation.GetBestTypeByMetadataName(TypeNames.IResult);
        }

        public void AnalyzeObjectCreation(OperationAnalysisContext context)
        {
            if (IsProducedByCreation(context.Operation) is { } source)
                Analyze(context, context.Operation, source);
        }

        public void AnalyzeInvocation(OperationAnalysisContext context)
        {
            if (IsProducedByInvocation(context.Operation) is { } source)
                Analyze(context, context.Operation, source);
            else if (IsProducedByResult(context.Operation) is { } result)
                Analyze(context, result.Producer, result.Source);
        }

        public void AnalyzeAwait(OperationAnalysisContext context)
        {
            if (IsProducedByAwait(context.Operation) is { } source)
                Analyze(context, context.Operation, source);
        }

        private void Analyze(OperationAnalysisContext context, IOperation producer, string source)
        {
            var use = Judge(context.Options, producer, context.CancellationToken);
            var verdict = use.Kind switch
            {
                UseKind.Dropped => Discarded,
                UseKind.Read => NeverDisposed,
                UseKind.Local => JudgeLocal(context.Options, use.Local!, producer, context.CancellationToken),
                _ => null,
            };
            if (verdict is not null)
                context.Report(Descriptors.UndisposedHttpResponseMessage, producer, source, verdict);
        }

        /// <summary>The name to show when <paramref name="operation"/> creates a response; null otherwise.</summary>
        public string? IsProducedByCreation(IOperation operation) =>
            operation is IObjectCreationOperation creation && IsResponse(creation.Type) ? "new " + creation.Type!.Name : null;

        public string? IsProducedByInvocation(IOperation operation) =>
            operation is IInvocationOperation invocation && IsResponse(invocation.TargetMethod.ReturnType) && IsCreation(invocation)
                ? SourceName(invocation)
                : null;

        public string? IsProducedByAwait(IOperation operation) =>
            operation is IAwaitOperation awaited && IsResponse(awaited.Type) && IsCreatedTask(awaited.Operation) ? SourceName(awaited.Operation) : null;

        /// <summary>
        /// <c>c.GetAsync(u).Result</c>: the <c>.Result</c> read straight off a call that creates the task (found from the
        /// call, so that the rule needs no callback on every property reference of the compilation).
        /// </summary>
        public (IOperation Producer, string Source)? IsProducedByResult(IOperation operation) =>
            operation is IInvocationOperation invocation
            && invocation.TargetMethod.ReturnType.IsTaskOf(_taskOfT, _valueTaskOfT, _response)
            && invocation.WalkUpConversions().Parent is IPropertyReferenceOperation { Property.Name: "Result" } property
            && IsCreatedTask(invocation)
                ? (property, SourceName(invocation))
                : null;

        private bool IsResponse(ITypeSymbol? type) =>
            type is { TypeKind: TypeKind.Class, SpecialType: SpecialType.None } && type.IsOrInheritsFrom(_response);

        /// <summary>
        /// A call creates a response when its declaration says it returns one. <c>EnsureSuccessStatusCode()</c> returns
        /// <c>this</c>, and generic methods (<c>First()</c>, <c>Interlocked.Exchange&lt;T&gt;</c>, <c>GetValueOrDefault</c>)
        /// hand out a response someone else already owns.
        /// </summary>
        private bool IsCreation(IInvocationOperation invocation) =>
            !ReturnsSameInstance(invocation.TargetMethod)
            && (invocation.TargetMethod.OriginalDefinition.ReturnType is not ITypeParameterSymbol
                || invocation.TargetMethod.Name == "GetResult" && invocation.Instance is { } awaiter && IsCreatedTask(awaiter));

        /// <summary>
        /// The awaited task comes from a call that creates a response (through <c>ConfigureAwait</c>/<c>GetAwaiter</c>), or
        /// from a local that holds such a task. Tasks in fields, properties and parameters belong to someone else.
        /// </summary>
        private bool IsCreatedTask(IOperation? task)
        {
            switch (task?.WalkDownConversions())
            {
                case IInvocationOperation { TargetMethod.Name: "ConfigureAwait" or "GetAwaiter" or "AsTask", Instance: { } inner }:
                    return IsCreatedTask(inner);
                case IInvocationOperation invocation:
                    return invocation.TargetMethod.OriginalDefinition.ReturnType is INamedTypeSymbol { TypeArguments.Length: 1 } returned
                        && returned.TypeArguments[0] is not ITypeParameterSymbol;
                case ILocalReferenceOperation:
                    return true;
                default:
                    return false;
            }
        }

        /// <summary><c>EnsureSuccessStatusCode()</c> returns <c>this</c>: an alias, not a new response.</summary>
        private bool ReturnsSameInstance(IMethodSymbol method) =>
            method.Name == "EnsureSuccessStatusCode" && method.ContainingType.IsOrInheritsFrom(_response);

        /// <summary>Where the response value goes, one hop, following aliases (<c>EnsureSuccessStatusCode</c>).</summary>
        public Use Judge(AnalyzerOptions options, IOperation value, CancellationToken cancellationToken)
        {
            var fate = Ownership.Classify(value);
            switch (fate.Kind)
            {
                case FateKind.Discarded:
                    return new Use(UseKind.Dropped);
                case FateKind.Read:
                    return new Use(UseKind.Read);
                case FateKind.Using:
                    return new Use(UseKind.Disposed, StatementOf(fate.At!.Syntax));
                case FateKind.Local:
                    return new Use(UseKind.Local, local: fate.Local);
                case FateKind.Argument:
                    return JudgeArgument(options, (IArgumentOperation)fate.At!, cancellationToken);
                case FateKind.Receiver:
                    return JudgeReceiver(options, fate.At!, cancellationToken);
                default:                                     // returned, stored, or cannot tell
                    return new Use(UseKind.Settled);
            }
        }

        private Use JudgeArgument(AnalyzerOptions options, IArgumentOperation argument, CancellationToken cancellationToken)
        {
            if (argument.Parameter is { RefKind: not RefKind.None })
                return new Use(UseKind.Settled);
            switch (argument.Parent)
            {
                case IObjectCreationOperation:               // handed to a wrapper that owns it
                    return new Use(UseKind.Settled);
                case IInvocationOperation invocation when invocation.TargetMethod.IsExtensionMethod && argument.Parameter?.Ordinal == 0:
                    return JudgeReceiver(options, invocation, cancellationToken);
                case IInvocationOperation invocation:
                    return TakesOwnership(options, invocation, argument, cancellationToken) ? new Use(UseKind.Settled) : new Use(UseKind.Read);
                default:
                    return new Use(UseKind.Settled);
            }
        }

        private Use JudgeReceiver(AnalyzerOptions options, IOperation access, CancellationToken cancellationToken)
        {
            var member = access is IConditionalAccessOperation conditional ? conditional.WhenNotNull : access;
            if (member is IInvocationOperation invocation)
            {
                if (invocation.TargetMethod is { Name: "Dispose", Parameters.Length: 0 })
                    return new Use(UseKind.Disposed, StatementOf(access.Syntax));
                if (ReturnsSameInstance(invocation.TargetMethod))
                    return Judge(options, access, cancellationToken);
            }

            return ContentEscapes(access, cancellationToken) ? new Use(UseKind.Settled) : new Use(UseKind.Read);
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

                if (fate.Kind == FateKind.Argument && fate.At is IArgumentOperation { Parent: IInvocationOperation { TargetMethod.IsExtensionMethod: true } extension } argument
                    && argument.Parameter?.Ordinal == 0)
                {
                    current = extension;
                    continue;
                }

                if (!IsContentLike(current.Type))
                    return false;
                switch (fate.Kind)
                {
                    case FateKind.Returned or FateKind.Stored or FateKind.Local or FateKind.Unknown:
                        return true;
                    case FateKind.Argument:
                        var argument2 = (IArgumentOperation)fate.At!;
                        return argument2.Parent is IObjectCreationOperation
                            || argument2.Parent is IInvocationOperation call && IsWrapper(call.TargetMethod.ReturnType);
                    default:
                        return false;                    // disposed with `using`, or read and dropped here
                }
            }
        }

        private bool IsContentLike(ITypeSymbol? type) =>
            type.IsOrInheritsFrom(_stream) || type.IsOrInheritsFrom(_content)
            || _stream is not null && type.IsTaskOf(_taskOfT, _valueTaskOfT, _stream);

        /// <summary>Results that keep a stream handed to them: <c>File(stream, …)</c>, <c>Results.Stream(stream)</c>, other streams.</summary>
        private bool IsWrapper(ITypeSymbol returnType) =>
            returnType.Implements(_actionResult) || returnType.Implements(_result) || IsContentLike(returnType);

        private bool TakesOwnership(AnalyzerOptions options, IInvocationOperation invocation, IArgumentOperation argument, CancellationToken cancellationToken)
        {
            var method = invocation.TargetMethod;
            if (_ownership.IsKnownTransfer(method))
                return true;
            var configured = options.GetList(invocation.Syntax.SyntaxTree, OwnershipTransferMethodsOption);
            if (!configured.IsEmpty && configured.Contains(Ownership.QualifiedName(method), StringComparer.Ordinal))
                return true;
            return method.Locations.Any(static l => l.IsInSource) && !OnlyReads(method, argument.Parameter, cancellationToken);
        }

        /// <summary>
        /// A method of this compilation "only reads" a parameter when every mention of it is a member access other than
        /// <c>Dispose</c> or a comparison. Anything else (stored, returned, passed on, disposed) may settle ownership.
        /// </summary>
        private static bool OnlyReads(IMethodSymbol method, IParameterSymbol? parameter, CancellationToken cancellationToken)
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
                    default:
                        return false;
                }
            }

            return true;
        }

        /// <summary>Judges a response kept in a local: every use of the local in its body, then the normal paths.</summary>
        private string? JudgeLocal(AnalyzerOptions options, ILocalSymbol local, IOperation producer, CancellationToken cancellationToken)
        {
            if (producer.GetEnclosingBody() is not { } body
                || local.DeclaringSyntaxReferences.FirstOrDefault() is not { } declaration
                || !body.Syntax.Span.Contains(declaration.Span))
            {
                return null;                             // declared outside the function that fills it: cannot follow
            }

            var index = BodyIndex.Of(body);
            if (IsOverwrittenInLoop(options, producer, declaration.GetSyntax(cancellationToken), index.ReferencesTo(local), body, cancellationToken))
                return OverwrittenInLoop;

            var sites = new List<SyntaxNode>();
            foreach (var reference in index.ReferencesTo(local))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (reference.Parent is IAssignmentOperation assignment && assignment.Target == reference)
                    continue;                            // (re)assigned: each producer is judged on its own
                if (reference.IsInsideNestedFunction(body))
                    return null;                         // a lambda may own it
                var use = Judge(options, reference, cancellationToken);
                switch (use.Kind)
                {
                    case UseKind.Disposed:
                        sites.Add(use.Site!);
                        break;
                    case UseKind.Settled or UseKind.Local:
                        return null;
                }
            }

            return DisposalPaths.Judge(producer.Syntax, sites, body.Syntax, index.Jumps) switch
            {
                Undisposed.Never => NeverDisposed,
                Undisposed.NotOnEveryPath => NotOnEveryPath,
                _ => null,
            };
        }

        /// <summary>
        /// A retry or polling loop that assigns each response to a local declared before the loop and never disposes it
        /// in the loop: the next iteration overwrites a response nobody disposed (only the last one can be judged
        /// after the loop). Returning the local from inside the loop leaves the loop; any other use that may dispose or
        /// hand it over (<c>Dispose</c>, <c>using</c>, storage, a method that takes it) keeps the rule silent.
        /// </summary>
        private bool IsOverwrittenInLoop(AnalyzerOptions options, IOperation producer, SyntaxNode declaration, IReadOnlyList<ILocalReferenceOperation> references,
            IOperation body, CancellationToken cancellationToken)
        {
            var loop = producer.Syntax.Ancestors().TakeWhile(a => a != body.Syntax && a is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
                .FirstOrDefault(a => a is ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax);
            if (loop is null || loop.Span.Contains(declaration.Span) || !Repeats(loop))
                return false;
            foreach (var reference in references)
            {
                if (!loop.Span.Contains(reference.Syntax.Span) || reference.Parent is IAssignmentOperation assignment && assignment.Target == reference)
                    continue;
                if (Ownership.Classify(reference).Kind == FateKind.Returned)
                    continue;                            // leaves the loop with it
                if (Judge(options, reference, cancellationToken).Kind != UseKind.Read)
                    return false;
            }

            return true;
        }

        /// <summary>False when the loop's body always leaves at its end (<c>return</c>, <c>break</c>, <c>throw</c>): it runs once.</summary>
        private static bool Repeats(SyntaxNode loop)
        {
            var statement = loop switch
            {
                ForStatementSyntax f => f.Statement,
                CommonForEachStatementSyntax f => f.Statement,
                WhileStatementSyntax w => w.Statement,
                DoStatementSyntax d => d.Statement,
                _ => null,
            };
            var last = statement is BlockSyntax block ? block.Statements.LastOrDefault() : statement;
            return last is not (ReturnStatementSyntax or BreakStatementSyntax or ThrowStatementSyntax or GotoStatementSyntax);
        }

        private static SyntaxNode StatementOf(SyntaxNode node) =>
            node.FirstAncestorOrSelf<StatementSyntax>() ?? node;

        /// <summary>The name shown in the message: the call that produced the response.</summary>
        private static string SourceName(IOperation? operation)
        {
            switch (operation?.WalkDownConversions())
            {
                case IInvocationOperation { TargetMethod.Name: "GetResult" or "GetAwaiter" or "ConfigureAwait", Instance: { } inner }:
                    return SourceName(inner);
                case IPropertyReferenceOperation { Property.Name: "Result", Instance: { } inner }:
                    return SourceName(inner);
                case IAwaitOperation awaited:
                    return SourceName(awaited.Operation);
                case IInvocationOperation invocation:
                    return invocation.TargetMethod.Name;
                case IObjectCreationOperation creation:
                    return "new " + creation.Type?.Name;
                case ILocalReferenceOperation local:
                    return local.Local.Name;
                case IParameterReferenceOperation parameter:
                    return parameter.Parameter.Name;
                case IFieldReferenceOperation field:
                    return field.Field.Name;
                case IPropertyReferenceOperation property:
                    return property.Property.Name;
                default:
                    return "the expression";
            }
        }
    }
}
