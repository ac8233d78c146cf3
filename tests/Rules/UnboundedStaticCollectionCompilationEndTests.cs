using System.Collections.Immutable;
using LeakAnalyzers.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace LeakAnalyzers.Tests.Rules;

/// <summary>
/// How LEAK001 is split between its two analyzers. What the rule reports and fixes is tested in
/// <see cref="UnboundedStaticCollectionTests"/>, whose harness runs both (as a build does); these tests pin who reports
/// what, and when the IDE can see it:
/// <list type="bullet">
/// <item><see cref="UnboundedStaticCollectionAnalyzer"/> judges the private static fields of a type without nested
/// types at the type's symbol end, when the type alone tells where the keys come from (request data, fresh values, a
/// private method's callers). Its diagnostics are local to the document, its descriptor has no
/// <c>CompilationEnd</c> tag, so the IDE computes them as you type and offers the fixes from the lightbulb.</item>
/// <item><see cref="UnboundedStaticCollectionCompilationEndAnalyzer"/> judges every other field, and the private ones whose
/// keys are parameters of non-private methods (their call sites decide), at compilation end:
/// only a whole-compilation analysis (a build, full-solution analysis, Fix All, <c>dotnet format</c>) reports them.</item>
/// </list>
/// </summary>
public sealed class UnboundedStaticCollectionCompilationEndTests
{
    private const string Declarations = """
        using System.Collections.Concurrent;
        using System.Collections.Generic;

        public static partial class Sessions
        {
            private static readonly ConcurrentDictionary<string, string> Active = new();
            public static readonly Dictionary<string, int> Hits = new();
        }
        """;

    private const string Uses = """
        public static partial class Sessions
        {
            public static void Open(string user) => Active[System.Guid.NewGuid().ToString("N")] = user;
        }

        public static class Counter
        {
            public static void Hit(Microsoft.AspNetCore.Http.HttpContext context) => Sessions.Hits[context.Request.Path.Value ?? "/"] = 1;
        }
        """;

    [Fact]
    public void Descriptors_OnlyTheAnalyzerOfWiderFieldsIsACompilationEndAnalyzer()
    {
        var live = Assert.Single(new UnboundedStaticCollectionAnalyzer().SupportedDiagnostics);
        var end = Assert.Single(new UnboundedStaticCollectionCompilationEndAnalyzer().SupportedDiagnostics);

        Assert.Equal("LEAK001", live.Id);
        Assert.Equal("LEAK001", end.Id);
        Assert.DoesNotContain(WellKnownDiagnosticTags.CompilationEnd, live.CustomTags);
        Assert.Contains(WellKnownDiagnosticTags.CompilationEnd, end.CustomTags);
        Assert.Equal("LEAK001", Assert.Single(new UnboundedStaticCollectionFixer().FixableDiagnosticIds));
    }

    /// <summary>The registered actions, as the IDE reads them (<c>GetAnalyzerTelemetryInfoAsync</c>): only the compilation-end analyzer has a compilation-end action.</summary>
    [Fact]
    public async Task Actions_OnlyTheAnalyzerOfWiderFieldsReportsAtCompilationEnd()
    {
        var (_, compilation, analyzers) = await AnalyzeAsync();
        var withAnalyzers = compilation.WithAnalyzers(analyzers.All, new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null,
            concurrentAnalysis: false, logAnalyzerExecutionTime: true));
        await withAnalyzers.GetAnalyzerDiagnosticsAsync();

        var live = await withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzers.Live, CancellationToken.None);
        var end = await withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzers.End, CancellationToken.None);
        Assert.Equal(0, live.CompilationEndActionsCount);
        Assert.Equal(1, live.SymbolStartActionsCount);
        Assert.Equal(1, end.CompilationEndActionsCount);
    }

    /// <summary>
    /// Analysis of one document (what the IDE runs for an open file, <c>GetAnalyzerSemanticDiagnosticsAsync</c>) reports
    /// the private field, grown in another <c>partial</c> file, and not the public one in the same document.
    /// </summary>
    [Fact]
    public async Task Reports_PrivateFieldInDocumentAnalysis_NotThePublicOne()
    {
        var (trees, compilation, analyzers) = await AnalyzeAsync();
        var withAnalyzers = compilation.WithAnalyzers(analyzers.All);

        var document = await withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(compilation.GetSemanticModel(trees[0]), filterSpan: null, CancellationToken.None);

        var diagnostic = Assert.Single(document);
        Assert.Same(Descriptors.UnboundedStaticCollection, diagnostic.Descriptor);
        Assert.Contains("'Active'", diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.All(diagnostic.AdditionalLocations, location => Assert.Same(trees[1], location.SourceTree));   // the growth, then the key's source
    }

    /// <summary>
    /// In a whole-compilation analysis the private field's diagnostic is local to its document (the IDE's document
    /// diagnostics) and comes from the live analyzer; the public field's is a compilation diagnostic of the other.
    /// </summary>
    [Fact]
    public async Task Reports_PublicFieldOnlyAsACompilationDiagnostic()
    {
        var (trees, compilation, analyzers) = await AnalyzeAsync();

        var result = await compilation.WithAnalyzers(analyzers.All).GetAnalysisResultAsync(CancellationToken.None);

        var local = Assert.Single(result.SemanticDiagnostics.SelectMany(tree => tree.Value).SelectMany(analyzer => analyzer.Value));
        Assert.Same(trees[0], local.Location.SourceTree);
        Assert.Contains("'Active'", local.GetMessage(), StringComparison.Ordinal);
        Assert.Same(local, Assert.Single(result.SemanticDiagnostics[trees[0]][analyzers.Live]));

        var end = Assert.Single(result.CompilationDiagnostics.SelectMany(analyzer => analyzer.Value));
        Assert.Same(end, Assert.Single(result.CompilationDiagnostics[analyzers.End]));
        Assert.Same(Descriptors.UnboundedStaticCollectionCompilationEnd, end.Descriptor);
        Assert.Contains("'Hits'", end.GetMessage(), StringComparison.Ordinal);
        Assert.Same(trees[0], end.Location.SourceTree);
    }

    /// <summary>Each field belongs to exactly one of the two analyzers.</summary>
    [Theory]
    [InlineData("private static", "", true)]
    [InlineData("internal static", "", false)]
    [InlineData("public static", "", false)]
    [InlineData("private protected static", "", false)]
    [InlineData("private static", "public sealed class Entry { }", false)]      // a nested type could grow it too
    public async Task Reports_EachFieldFromExactlyOneAnalyzer(string modifiers, string nested, bool live)
    {
        var source = $$"""
            using System.Collections.Generic;

            public class Registry
            {
                {{modifiers}} readonly Dictionary<string, int> Items = new();

                public static void Put() => Items[System.Guid.NewGuid().ToString("N")] = 1;

                {{nested}}
            }
            """;
        var project = await FixChecks.CreateProjectAsync([source], new TestSettings());
        var compilation = (await project.GetCompilationAsync())!;

        var byLive = await compilation.WithAnalyzers([new UnboundedStaticCollectionAnalyzer()]).GetAnalyzerDiagnosticsAsync();
        var byEnd = await compilation.WithAnalyzers([new UnboundedStaticCollectionCompilationEndAnalyzer()]).GetAnalyzerDiagnosticsAsync();

        Assert.Equal(live ? 1 : 0, byLive.Length);
        Assert.Equal(live ? 0 : 1, byEnd.Length);
        Assert.Contains("'Items'", byLive.Concat(byEnd).Single().GetMessage(), StringComparison.Ordinal);
    }

    /// <summary>The lightbulb: a diagnostic from document analysis gets both fixes, and the cache fix clears it there.</summary>
    [Fact]
    public async Task Fixes_OfferedForTheDocumentAnalysisDiagnostic()
    {
        var project = await FixChecks.CreateProjectAsync([Declarations, Uses], new TestSettings());
        var compilation = (await project.GetCompilationAsync())!;
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath.EndsWith("Test0.cs", StringComparison.Ordinal));
        var analyzers = Harness.RuleAnalyzers<UnboundedStaticCollectionAnalyzer>();
        var diagnostic = Assert.Single(await compilation.WithAnalyzers(analyzers, project.AnalyzerOptions)
            .GetAnalyzerSemanticDiagnosticsAsync(compilation.GetSemanticModel(tree), filterSpan: null, CancellationToken.None));
        var document = project.GetDocument(tree)!;

        var actions = new List<CodeAction>();
        await new UnboundedStaticCollectionFixer().RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));

        Assert.Equal([UnboundedStaticCollectionFixer.MemoryCacheTitle, UnboundedStaticCollectionFixer.BoundTitle], actions.Select(a => a.Title));
        var operations = await actions[0].GetOperationsAsync(CancellationToken.None);
        var changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution.GetProject(project.Id)!;
        var fixedCompilation = (await changed.GetCompilationAsync())!;
        Assert.Empty(fixedCompilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var fixedTree = fixedCompilation.SyntaxTrees.Single(t => t.FilePath.EndsWith("Test0.cs", StringComparison.Ordinal));
        Assert.Empty(await fixedCompilation.WithAnalyzers(analyzers, changed.AnalyzerOptions)
            .GetAnalyzerSemanticDiagnosticsAsync(fixedCompilation.GetSemanticModel(fixedTree), filterSpan: null, CancellationToken.None));
    }

    private static async Task<(SyntaxTree[] Trees, Compilation Compilation, Analyzers Analyzers)> AnalyzeAsync()
    {
        var project = await FixChecks.CreateProjectAsync([Declarations, Uses], new TestSettings());
        var compilation = (await project.GetCompilationAsync())!;
        var trees = compilation.SyntaxTrees.OrderBy(t => t.FilePath, StringComparer.Ordinal).ToArray();
        return (trees, compilation, new Analyzers(new UnboundedStaticCollectionAnalyzer(), new UnboundedStaticCollectionCompilationEndAnalyzer()));
    }

    private sealed record Analyzers(UnboundedStaticCollectionAnalyzer Live, UnboundedStaticCollectionCompilationEndAnalyzer End)
    {
        public ImmutableArray<DiagnosticAnalyzer> All => [Live, End];
    }
}
