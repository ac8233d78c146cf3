using System.Collections.Immutable;
using LeakAnalyzers.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace LeakAnalyzers.Tests.Rules;

/// <summary>
/// How LEAK007 is split between its two analyzers (what the rule reports and fixes is tested in
/// <see cref="SubscriptionNeverRemovedTests"/>, whose harness runs both):
/// <list type="bullet">
/// <item><see cref="SubscriptionNeverRemovedAnalyzer"/> judges controllers, page models and hubs subscribing to
/// process-lifetime sources at the end of their type: local diagnostics, no <c>CompilationEnd</c> tag, reported as you type;</item>
/// <item><see cref="SubscriptionNeverRemovedCompilationEndAnalyzer"/> judges what needs the registrations (a registered
/// subscriber, an injected singleton source) at compilation end.</item>
/// </list>
/// </summary>
public sealed class SubscriptionNeverRemovedCompilationEndTests
{
    private const string Source = """
        using System;
        using Microsoft.AspNetCore.Mvc;
        using Microsoft.Extensions.DependencyInjection;
        using Microsoft.Extensions.Options;

        public sealed class PricingOptions
        {
            public decimal Markup { get; set; }
        }

        public interface IPriceFeed
        {
            event EventHandler Changed;
        }

        public sealed class PriceFeed : IPriceFeed
        {
            public event EventHandler Changed;
        }

        public sealed class PricesController : ControllerBase
        {
            private decimal _markup;
            private int _changes;

            public PricesController(IOptionsMonitor<PricingOptions> options, IPriceFeed feed)
            {
                options.OnChange(o => _markup = o.Markup);
                feed.Changed += (sender, e) => _changes++;
            }
        }

        public sealed class QuoteService
        {
            private decimal _markup;

            public QuoteService(IOptionsMonitor<PricingOptions> options) => options.OnChange(o => _markup = o.Markup);
        }

        public static class Registrations
        {
            public static void AddPricing(IServiceCollection services)
            {
                services.AddSingleton<IPriceFeed, PriceFeed>();
                services.AddScoped<QuoteService>();
            }
        }
        """;

    [Fact]
    public void Descriptors_OnlyTheRegistrationAnalyzerIsACompilationEndAnalyzer()
    {
        var live = Assert.Single(new SubscriptionNeverRemovedAnalyzer().SupportedDiagnostics);
        var end = Assert.Single(new SubscriptionNeverRemovedCompilationEndAnalyzer().SupportedDiagnostics);

        Assert.Equal("LEAK007", live.Id);
        Assert.Equal("LEAK007", end.Id);
        Assert.DoesNotContain(WellKnownDiagnosticTags.CompilationEnd, live.CustomTags);
        Assert.Contains(WellKnownDiagnosticTags.CompilationEnd, end.CustomTags);
        Assert.Equal("LEAK007", Assert.Single(new SubscriptionNeverRemovedFixer().FixableDiagnosticIds));
    }

    /// <summary>
    /// The controller's options listener (framework-known on both ends) is a document diagnostic of the live analyzer;
    /// its feed subscription and the scoped service's listener are compilation diagnostics of the other.
    /// </summary>
    [Fact]
    public async Task Reports_EachSubscriptionFromExactlyOneAnalyzer()
    {
        var (compilation, tree) = await CompileAsync();
        var live = new SubscriptionNeverRemovedAnalyzer();
        var end = new SubscriptionNeverRemovedCompilationEndAnalyzer();

        var result = await compilation.WithAnalyzers([live, end]).GetAnalysisResultAsync(CancellationToken.None);

        var local = Assert.Single(result.SemanticDiagnostics[tree][live]);
        Assert.Same(Descriptors.SubscriptionNeverRemoved, local.Descriptor);
        Assert.Contains("'IOptionsMonitor<PricingOptions>.OnChange'", local.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("'PricesController'", local.GetMessage(), StringComparison.Ordinal);
        Assert.DoesNotContain(result.SemanticDiagnostics[tree], pair => pair.Key == end);

        var wide = result.CompilationDiagnostics[end].OrderBy(d => d.Location.SourceSpan.Start).ToList();
        Assert.Equal(2, wide.Count);
        Assert.All(wide, d => Assert.Same(Descriptors.SubscriptionNeverRemovedCompilationEnd, d.Descriptor));
        Assert.Contains("'IPriceFeed.Changed'", wide[0].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("'QuoteService'", wide[1].GetMessage(), StringComparison.Ordinal);
    }

    /// <summary>The lightbulb: the live diagnostic from document analysis gets the fix.</summary>
    [Fact]
    public async Task Fixes_OfferedForTheDocumentAnalysisDiagnostic()
    {
        var project = await FixChecks.CreateProjectAsync([Source], new TestSettings());
        var compilation = (await project.GetCompilationAsync())!;
        var tree = compilation.SyntaxTrees.Single();
        var diagnostic = Assert.Single(await compilation.WithAnalyzers([new SubscriptionNeverRemovedAnalyzer()])
            .GetAnalyzerSemanticDiagnosticsAsync(compilation.GetSemanticModel(tree), filterSpan: null, CancellationToken.None));

        var actions = new List<CodeAction>();
        await new SubscriptionNeverRemovedFixer().RegisterCodeFixesAsync(new CodeFixContext(project.GetDocument(tree)!, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));

        Assert.Equal(SubscriptionNeverRemovedFixer.Title, Assert.Single(actions).Title);
    }

    private static async Task<(Compilation Compilation, SyntaxTree Tree)> CompileAsync()
    {
        var project = await FixChecks.CreateProjectAsync([Source], new TestSettings());
        var compilation = (await project.GetCompilationAsync())!;
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return (compilation, compilation.SyntaxTrees.Single());
    }
}
