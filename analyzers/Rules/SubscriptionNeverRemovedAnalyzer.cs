using System.Collections.Concurrent;

namespace LeakAnalyzers.Rules;

/// <summary>
/// LEAK007: a short-lived object (a controller, page model or hub; a class registered scoped or transient) subscribes
/// to a source that lives as long as the application (<see cref="Subscriptions"/>) with a handler that keeps the object
/// alive, and its type never undoes the subscription (<see cref="TypeSubscriptions.Unreleased"/>). Reported at the
/// <c>+=</c> or the registration call.
/// <para>The rule has two entry points that share this file's <see cref="Context"/>; each subscription belongs to exactly one:</para>
/// <list type="bullet">
/// <item>this analyzer judges the subscriptions that the framework alone decides: a subscriber the framework creates per
/// request (<see cref="Lifetimes.ConventionalLifetime"/>) and a source that lives as long as the process
/// (<see cref="SourceLifetime.Process"/>). The subscriber's type ends its analysis knowing all, so the IDE reports them
/// as you type;</item>
/// <item><see cref="SubscriptionNeverRemovedCompilationEndAnalyzer"/> judges those that need the compilation's
/// registrations: a subscriber registered scoped or transient, or a source that is an injected singleton.</item>
/// </list>
/// The diagnostic's properties tell the fixer how the subscription is made and what undoes it (<see cref="Properties"/>).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SubscriptionNeverRemovedAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(Descriptors.SubscriptionNeverRemoved);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            if (Context.Create(start.Compilation, Descriptors.SubscriptionNeverRemoved) is { } rule && rule.HasConventionalSubscribers)
                start.RegisterSymbolStartAction(rule.StartConventionalType, SymbolKind.NamedType);
        });
    }

    /// <summary>The keys of the diagnostic's properties, read by the fixer.</summary>
    internal static class Properties
    {
        /// <summary>The <see cref="SubscriptionKind"/>.</summary>
        public const string Kind = "Kind";

        /// <summary>The <see cref="HandlerKind"/>.</summary>
        public const string Handler = "Handler";

        /// <summary>The <see cref="RegistrationFate"/> (<see cref="RegistrationFate.None"/> for an event).</summary>
        public const string Fate = "Fate";
    }

    /// <summary>One compilation's LEAK007 analysis, for either analyzer: what is recorded per type, and how it is reported.</summary>
    internal sealed class Context
    {
        private readonly Lifetimes _lifetimes;
        private readonly Subscriptions _subscriptions;
        private readonly DiagnosticDescriptor _descriptor;
        private readonly ConcurrentDictionary<INamedTypeSymbol, TypeSubscriptions> _byType = new(SymbolEqualityComparer.Default);

        private Context(Domain domain, Subscriptions subscriptions, DiagnosticDescriptor descriptor)
        {
            _lifetimes = domain.Lifetimes;
            _subscriptions = subscriptions;
            _descriptor = descriptor;
            HasConventionalSubscribers = domain.Types.AspNetCore is { } aspNetCore
                && (aspNetCore.ControllerBase is not null || aspNetCore.PageModel is not null || aspNetCore.Hub is not null);
        }

        /// <summary>Null when the compilation references neither ASP.NET Core nor dependency injection: no subscriber's lifetime is known.</summary>
        public static Context? Create(Compilation compilation, DiagnosticDescriptor descriptor)
        {
            var domain = Domain.Get(compilation);
            return domain.Subscriptions is { } subscriptions ? new Context(domain, subscriptions, descriptor) : null;
        }

        /// <summary>The compilation can have controllers, page models or hubs.</summary>
        public bool HasConventionalSubscribers { get; }

        /// <summary>For a type the framework creates per request: records its subscriptions and reports, at its end, those to process-lifetime sources.</summary>
        public void StartConventionalType(SymbolStartAnalysisContext context)
        {
            var type = (INamedTypeSymbol)context.Symbol;
            if (_lifetimes.ConventionalLifetime(type) != ServiceLifetime.Transient)
                return;
            var record = new TypeSubscriptions(type);
            context.RegisterOperationAction(c => Record(record, c.Operation, c.ContainingSymbol, c.CancellationToken), OperationKind.EventAssignment, OperationKind.Invocation);
            context.RegisterSymbolEndAction(c =>
            {
                foreach (var subscription in record.Unreleased(c.CancellationToken))
                {
                    if (subscription.Lifetime == SourceLifetime.Process)
                        c.ReportDiagnostic(Create(subscription, type));
                }
            });
        }

        /// <summary>Records a subscription or a removal anywhere in the compilation, by the type that makes it (read at compilation end).</summary>
        public void RecordAnywhere(OperationAnalysisContext context)
        {
            if (context.Operation is IInvocationOperation invocation && !Subscriptions.MayRegister(invocation.TargetMethod))
                return;                                  // the common case, decided by name first
            if (context.ContainingSymbol.ContainingType is not { TypeKind: TypeKind.Class, IsStatic: false } type
                || _lifetimes.ConventionalLifetime(type) == ServiceLifetime.Singleton)
            {
                return;                                  // created once for the application: it subscribes once
            }

            switch (context.Operation)
            {
                case IEventAssignmentOperation { Adds: false } assignment when Subscriptions.ReadRemoval(assignment) is { } removal:
                    _byType.GetOrAdd(type.OriginalDefinition, static t => new TypeSubscriptions(t)).Add(removal);
                    break;
                default:
                    if (_subscriptions.Read(context.Operation, context.ContainingSymbol, context.CancellationToken) is { } subscription)
                        _byType.GetOrAdd(type.OriginalDefinition, static t => new TypeSubscriptions(t)).Add(subscription);
                    break;
            }
        }

        /// <summary>
        /// At compilation end, the subscriptions that need the registrations: of a class registered scoped or transient
        /// (and never as a singleton), or to a source injected as a service registered as a singleton only. Those of a
        /// controller, page model or hub to a process-lifetime source are the live analyzer's.
        /// </summary>
        public void ReportWide(CompilationAnalysisContext context, ServiceRegistry registry)
        {
            foreach (var record in _byType.Values)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                var type = record.Type;
                var conventional = _lifetimes.ConventionalLifetime(type) == ServiceLifetime.Transient;
                if (!conventional && !IsShortLivedByRegistration(type, registry))
                    continue;
                foreach (var subscription in record.Unreleased(context.CancellationToken))
                {
                    if (subscription.Lifetime == SourceLifetime.Process ? conventional
                        : subscription.ServiceType is not { } service || registry.LifetimeOfService(service) != ServiceLifetime.Singleton)
                    {
                        continue;
                    }

                    context.ReportDiagnostic(Create(subscription, type));
                }
            }
        }

        private static bool IsShortLivedByRegistration(INamedTypeSymbol type, ServiceRegistry registry) =>
            (registry.IsRegistered(type, ServiceLifetime.Scoped) || registry.IsRegistered(type, ServiceLifetime.Transient))
            && !registry.IsRegistered(type, ServiceLifetime.Singleton);

        private void Record(TypeSubscriptions record, IOperation operation, ISymbol owner, CancellationToken cancellationToken)
        {
            switch (operation)
            {
                case IInvocationOperation invocation when !Subscriptions.MayRegister(invocation.TargetMethod):
                    return;
                case IEventAssignmentOperation { Adds: false } assignment:
                    if (Subscriptions.ReadRemoval(assignment) is { } removal)
                        record.Add(removal);
                    return;
                default:
                    if (_subscriptions.Read(operation, owner, cancellationToken) is { } subscription)
                        record.Add(subscription);
                    return;
            }
        }

        private Diagnostic Create(Subscription subscription, INamedTypeSymbol subscriber)
        {
            var properties = ImmutableDictionary.CreateRange(new[]
            {
                new KeyValuePair<string, string?>(Properties.Kind, subscription.Kind.ToString()),
                new KeyValuePair<string, string?>(Properties.Handler, subscription.Handler.ToString()),
                new KeyValuePair<string, string?>(Properties.Fate, subscription.Fate.ToString()),
            });
            return Diagnostic.Create(_descriptor, subscription.Operation.Syntax.GetLocation(), properties, subscription.Source, subscriber.Name);
        }
    }
}
