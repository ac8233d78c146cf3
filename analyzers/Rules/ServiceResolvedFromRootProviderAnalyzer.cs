using System.Collections.Concurrent;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK006: a scoped service, or a disposable transient one, resolved from the root provider (<see cref="Providers"/>)
/// where that happens more than once (<see cref="Providers.RunsRepeatedly"/>; a scoped service also in the constructor
/// of the singleton the provider was injected into). Lifetimes come from the compilation's registrations and the
/// framework's (<see cref="ServiceCatalog"/>), or from the options; unknown ones keep the rule silent. Reported on the
/// resolving call; the diagnostic tells the fixer whether a scope can be placed and how (<see cref="Properties"/>).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ServiceResolvedFromRootProviderAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Services registered as scoped where the compilation cannot see it (another project, assembly scanning).</summary>
    internal const string ScopedTypesOption = "LEAK006.scoped_types";

    /// <summary>Services registered as transient, with a disposable implementation, where the compilation cannot see it.</summary>
    internal const string TransientDisposableTypesOption = "LEAK006.transient_disposable_types";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(Descriptors.ServiceResolvedFromRootProvider);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            var domain = Domain.Get(start.Compilation);
            if (domain.Providers is not { } providers)
                return;                                  // no dependency injection: the rule costs nothing
            var rule = new Context(domain.Types, providers);
            start.RegisterOperationAction(rule.Analyze, OperationKind.Invocation);
        });
    }

    /// <summary>The keys of the diagnostic's properties, read by the fixer.</summary>
    internal static class Properties
    {
        /// <summary>Present ("Scope") when a scope can be placed around the resolution (<see cref="Placement"/>).</summary>
        public const string Fix = "Fix";

        /// <summary>"true" when the scope is an <c>await using</c> of <c>CreateAsyncScope()</c> (the function is async).</summary>
        public const string Async = "Async";

        /// <summary>"Argument" when the provider is the first argument (<c>ServiceProviderServiceExtensions.GetService&lt;T&gt;(provider)</c>), else "Receiver".</summary>
        public const string Provider = "Provider";
    }

    private sealed class Context(KnownTypes types, Providers providers)
    {
        private readonly ConcurrentDictionary<SyntaxTree, (ConfiguredTypes Scoped, ConfiguredTypes Transient)> _options = new();

        public void Analyze(OperationAnalysisContext context)
        {
            var invocation = (IInvocationOperation)context.Operation;
            if (!Providers.IsResolutionName(invocation.TargetMethod.Name) || providers.ResolutionOf(invocation) is not { } resolution)
                return;
            var cancellationToken = context.CancellationToken;
            if (providers.RootOf(resolution.Provider, context.ContainingSymbol, cancellationToken) is not { } root)
                return;
            var repeated = providers.RunsRepeatedly(invocation, context.ContainingSymbol, root);
            if (!repeated && root.Kind != RootProviderKind.Injected)
                return;                                  // read once while the application starts
            if (HazardOf(resolution, context) is not { } hazard || hazard == RootHazard.DisposableTransient && !repeated)
                return;                                  // a transient created once is disposed with the application: no growth

            var properties = ImmutableDictionary.CreateBuilder<string, string?>();
            if (Placement.IsFixable(resolution, context.ContainingSymbol, cancellationToken) is { } async)
            {
                properties[Properties.Fix] = "Scope";
                properties[Properties.Async] = async && providers.Types.HasCreateAsyncScope ? "true" : "false";
                properties[Properties.Provider] = resolution.Provider.Syntax.Parent is ArgumentSyntax ? "Argument" : "Receiver";
            }

            var (kind, consequence) = hazard == RootHazard.Scoped
                ? ("scoped", "so one instance lives as long as the application")
                : ("a disposable transient", "which keeps every instance until the application stops");
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.ServiceResolvedFromRootProvider, invocation.Syntax.GetLocation(), properties.ToImmutable(),
                SymbolNames.ForMessage(resolution.Service), kind, consequence));
        }

        /// <summary>The options first (lifetimes registered where the compilation cannot see them), then the catalog.</summary>
        private RootHazard? HazardOf(ServiceResolution resolution, OperationAnalysisContext context)
        {
            var tree = resolution.Call.Syntax.SyntaxTree;
            var (scoped, transient) = _options.GetOrAdd(tree, t => (
                types.Configured(context.Options.GetList(t, ScopedTypesOption)),
                types.Configured(context.Options.GetList(t, TransientDisposableTypesOption))));
            if (scoped.Contains(resolution.Service, interfaces: true))
                return RootHazard.Scoped;
            if (transient.Contains(resolution.Service, interfaces: true))
                return RootHazard.DisposableTransient;
            return providers.Catalog.HazardOf(resolution.Service, resolution.Keyed, resolution.Many);
        }
    }

    /// <summary>
    /// Where "Resolve from a scope" puts the scope, from syntax alone (the fixer finds the same place in the current tree):
    /// before the statement that holds the resolution when it sits in a block; around it, in a new block, when it is an
    /// embedded statement (<c>if (…) x.Run();</c>) or in a switch section; in a block body that replaces an expression
    /// body (a lambda, method, local function, accessor or property). Not in a <c>while</c>/<c>do</c> condition or a
    /// <c>for</c> condition or incrementor (they run on every iteration, a scope before the loop would collect an
    /// instance per iteration), a field or property initializer, a constructor initializer or a labeled statement.
    /// </summary>
    internal static class Placement
    {
        /// <summary>How the scope is placed: <see cref="Anchor.Node"/> is the statement, or the function whose expression body becomes a block.</summary>
        internal enum AnchorKind
        {
            BeforeStatement,
            WrapStatement,
            ExpressionBody,
        }

        internal readonly record struct Anchor(AnchorKind Kind, SyntaxNode Node);

        /// <summary>The provider expression of <paramref name="call"/>: its receiver, or its first argument.</summary>
        public static ExpressionSyntax? ProviderOf(InvocationExpressionSyntax call, bool argument) => argument
            ? call.ArgumentList.Arguments.FirstOrDefault(a => a.NameColon is null || a.NameColon.Name.Identifier.ValueText == "provider")?.Expression
            : (call.Expression as MemberAccessExpressionSyntax)?.Expression;

        public static Anchor? Find(InvocationExpressionSyntax call)
        {
            SyntaxNode child = call;
            for (var node = call.Parent; node is not null; child = node, node = node.Parent)
            {
                switch (node)
                {
                    case AnonymousFunctionExpressionSyntax function:
                        return function.ExpressionBody == child ? new Anchor(AnchorKind.ExpressionBody, function) : null;
                    case ArrowExpressionClauseSyntax arrow:
                        return arrow.Parent is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AccessorDeclarationSyntax
                            or PropertyDeclarationSyntax or IndexerDeclarationSyntax
                            ? new Anchor(AnchorKind.ExpressionBody, arrow.Parent)
                            : null;
                    case StatementSyntax statement:
                        if (IsEvaluatedPerIteration(statement, child))
                            return null;
                        return statement.Parent switch
                        {
                            BlockSyntax or GlobalStatementSyntax => new Anchor(AnchorKind.BeforeStatement, statement),
                            LabeledStatementSyntax => null,
                            _ when statement is LocalDeclarationStatementSyntax or LocalFunctionStatementSyntax => null,
                            _ => new Anchor(AnchorKind.WrapStatement, statement),
                        };
                    case MemberDeclarationSyntax or ConstructorInitializerSyntax or AttributeSyntax or ParameterSyntax:
                        return null;
                }
            }

            return null;
        }

        private static bool IsEvaluatedPerIteration(StatementSyntax statement, SyntaxNode child) => statement switch
        {
            WhileStatementSyntax loop => loop.Condition == child,
            DoStatementSyntax loop => loop.Condition == child,
            ForStatementSyntax loop => loop.Condition == child || loop.Incrementors.Contains(child),
            _ => false,
        };

        /// <summary>
        /// Null when no scope can be placed correctly: no place (<see cref="Find"/>), C# before 8 (no <c>using</c>
        /// declarations), a provider that cannot be read before the statement (a conditional access, a call, a local declared in
        /// the statement), or a resolved service that would outlive the scope (stored, returned, kept in a local that is
        /// returned, stored or captured by a lambda, or assigned to a local declared elsewhere). Otherwise whether the
        /// function is async (and the scope is not inside a <c>lock</c>), so that the scope can be an <c>await using</c>.
        /// </summary>
        public static bool? IsFixable(ServiceResolution resolution, ISymbol containingSymbol, CancellationToken cancellationToken)
        {
            var call = resolution.Call;
            if (call.Syntax is not InvocationExpressionSyntax syntax
                || ((CSharpParseOptions)syntax.SyntaxTree.Options).LanguageVersion < LanguageVersion.CSharp8
                || Find(syntax) is not { } anchor
                || ProviderOf(syntax, resolution.Provider.Syntax.Parent is ArgumentSyntax) != resolution.Provider.Syntax
                || !IsMovable(resolution.Provider, anchor)
                || !StaysInScope(call, cancellationToken))
            {
                return null;
            }

            for (var current = call.Parent; current is not null; current = current.Parent)
            {
                switch (current)
                {
                    case ILockOperation:
                        return false;
                    case IAnonymousFunctionOperation function:
                        return function.Symbol.IsAsync;
                    case ILocalFunctionOperation function:
                        return function.Symbol.IsAsync;
                }
            }

            return containingSymbol is IMethodSymbol { IsAsync: true };
        }

        /// <summary>The provider can be read where the scope goes: no call, no await, no local declared inside the anchor.</summary>
        private static bool IsMovable(IOperation provider, Anchor anchor)
        {
            var region = anchor.Kind == AnchorKind.ExpressionBody ? ExpressionBodyOf(anchor.Node) : anchor.Node;
            if (region is null)
                return false;
            foreach (var operation in provider.DescendantsAndSelf())
            {
                switch (operation)
                {
                    case IInvocationOperation or IAwaitOperation or IConditionalAccessInstanceOperation:
                        return false;
                    case ILocalReferenceOperation { Local: var local } when local.DeclaringSyntaxReferences.Any(r => region.Span.Contains(r.Span)):
                        return false;
                }
            }

            return true;
        }

        public static SyntaxNode? ExpressionBodyOf(SyntaxNode function) => function switch
        {
            AnonymousFunctionExpressionSyntax lambda => lambda.ExpressionBody,
            BaseMethodDeclarationSyntax method => method.ExpressionBody?.Expression,
            LocalFunctionStatementSyntax local => local.ExpressionBody?.Expression,
            AccessorDeclarationSyntax accessor => accessor.ExpressionBody?.Expression,
            BasePropertyDeclarationSyntax property => (property as PropertyDeclarationSyntax)?.ExpressionBody?.Expression
                ?? (property as IndexerDeclarationSyntax)?.ExpressionBody?.Expression,
            _ => null,
        };

        /// <summary>The resolved service is used, not kept: nothing stores or returns it, directly or through the local it is declared in.</summary>
        private static bool StaysInScope(IInvocationOperation call, CancellationToken cancellationToken)
        {
            var fate = Ownership.Classify(call);
            switch (fate.Kind)
            {
                case FateKind.Receiver or FateKind.Discarded or FateKind.Read or FateKind.Using:
                    return true;
                case FateKind.Argument:
                    return fate.At?.Parent is { } callee && Ownership.Classify(callee).Kind is not (FateKind.Stored or FateKind.Returned or FateKind.Unknown);
                case FateKind.Local when fate.Local is { } local && fate.At is IVariableDeclaratorOperation or IVariableDeclarationOperation or IVariableDeclarationGroupOperation:
                    if (call.GetEnclosingBody() is not { } body || BodyIndex.Of(body).ReadsOf(local, cancellationToken) is not { } reads)
                        return false;                    // a lambda uses it: it may run after the scope is gone
                    return reads.All(read => Ownership.Classify(read).Kind is not (FateKind.Stored or FateKind.Returned or FateKind.Unknown));
                default:
                    return false;
            }
        }
    }
}
