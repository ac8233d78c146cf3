using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace LeakAnalyzers.Tests.Robustness;

/// <summary>
/// No analyzer and no code fix may throw on code as it is while being typed: truncated, with tokens missing, or
/// shaped to break naive walkers. An exception would surface as AD0001 in the user's build and IDE.
/// </summary>
public sealed class BrokenCodeTests
{
    /// <summary>
    /// Generous: a file of the corpus analyzes in milliseconds on an idle machine; this only catches runaway analysis
    /// (an exponential walk, a loop that never ends), even on a loaded shared machine.
    /// </summary>
    private static readonly TimeSpan PerFileBound = TimeSpan.FromSeconds(30);

    [Fact]
    public Task BrokenTestSources_NoAnalyzerOrFixThrows() =>
        AssertSurvivesAsync(Corpus.Broken(Corpus.TestSources(), cuts: 3, deletions: 2).ToList(), minimumFiles: 50);

    [Fact]
    public Task BrokenSamples_NoAnalyzerOrFixThrows() =>
        AssertSurvivesAsync(Corpus.Broken(Corpus.SampleSources(), cuts: 16, deletions: 8).ToList(), minimumFiles: 24);

    [Fact]
    public Task PathologicalInputs_NoAnalyzerOrFixThrows() =>
        AssertSurvivesAsync(Corpus.Pathological(), minimumFiles: 9, batchSize: 100);

    private static async Task AssertSurvivesAsync(IReadOnlyList<(string Name, string Text)> files, int minimumFiles, int batchSize = 40)
    {
        Assert.True(files.Count >= minimumFiles, $"the corpus shrank to {files.Count} files");
        var failures = new ConcurrentQueue<string>();
        var batches = files.Chunk(batchSize).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (batch, _) =>
        {
            try
            {
                await AnalyzeAndFixAsync(batch, failures);
            }
            catch (Exception exception)
            {
                failures.Enqueue($"batch starting at {batch[0].Name}: {exception}");
            }
        });
        Assert.True(failures.IsEmpty, string.Join("\n\n", failures.Take(10)));
    }

    private static async Task AnalyzeAndFixAsync((string Name, string Text)[] batch, ConcurrentQueue<string> failures)
    {
        var settings = new TestSettings();
        var project = await FixChecks.CreateProjectAsync(batch.Select(f => f.Text).ToArray(), settings);
        var names = project.Documents.ToDictionary(d => d.FilePath!, d => batch[int.Parse(Path.GetFileNameWithoutExtension(d.FilePath!)["Test".Length..])].Name);
        var compilation = (await project.GetCompilationAsync())!;
        var options = new CompilationWithAnalyzersOptions(project.AnalyzerOptions,
            onAnalyzerException: (exception, analyzer, _) => failures.Enqueue($"{analyzer.GetType().Name} threw {exception}"),
            concurrentAnalysis: true, logAnalyzerExecutionTime: false);
        var withAnalyzers = compilation.WithAnalyzers(AllAnalyzers.Analyzers, options);

        foreach (var tree in compilation.SyntaxTrees)
        {
            using var timeout = new CancellationTokenSource(PerFileBound * 4);
            var watch = Stopwatch.StartNew();
            await withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(compilation.GetSemanticModel(tree), null, timeout.Token);
            if (watch.Elapsed > PerFileBound)
                failures.Enqueue($"{names[tree.FilePath]}: analysis took {watch.Elapsed}");
        }

        var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync();
        foreach (var crash in diagnostics.Where(d => d.Id == "AD0001"))
            failures.Enqueue($"{names.GetValueOrDefault(crash.Location.SourceTree?.FilePath ?? "", "?")}: {crash}");

        var leaks = diagnostics.Where(d => d.Id.StartsWith("LEAK", StringComparison.Ordinal) && d.Location.IsInSource).ToImmutableArray();
        foreach (var diagnostic in Sample(leaks, 40))
        {
            var document = project.GetDocument(diagnostic.Location.SourceTree)!;
            foreach (var fixer in AllAnalyzers.Fixers.Where(f => f.FixableDiagnosticIds.Contains(diagnostic.Id)))
            {
                try
                {
                    var actions = new List<CodeAction>();
                    await fixer.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));
                    foreach (var action in actions)
                        await action.GetOperationsAsync(CancellationToken.None);
                }
                catch (Exception exception)
                {
                    failures.Enqueue($"{fixer.GetType().Name} threw on {names[document.FilePath!]} {diagnostic}: {exception}");
                }
            }
        }

        // Fix All once per fixer and document that has its diagnostics. Fix All re-binds the document between fixes,
        // so a generated document with hundreds of findings is left to the single fixes above.
        foreach (var group in leaks.GroupBy(d => (Document: project.GetDocument(d.Location.SourceTree)!, d.Id)).Where(g => g.Count() <= 40).Take(12))
        {
            foreach (var fixer in AllAnalyzers.Fixers.Where(f => f.FixableDiagnosticIds.Contains(group.Key.Id)))
            {
                try
                {
                    var actions = new List<CodeAction>();
                    await fixer.RegisterCodeFixesAsync(new CodeFixContext(group.Key.Document, group.First(), (action, _) => actions.Add(action), CancellationToken.None));
                    foreach (var key in actions.Select(a => a.EquivalenceKey).Distinct())
                    {
                        var context = new FixAllContext(group.Key.Document, fixer, FixAllScope.Document, key, [group.Key.Id], new Provider(leaks), CancellationToken.None);
                        if (await fixer.GetFixAllProvider()!.GetFixAsync(context) is { } fixAll)
                            await fixAll.GetOperationsAsync(CancellationToken.None);
                    }
                }
                catch (Exception exception)
                {
                    failures.Enqueue($"{fixer.GetType().Name} Fix All threw on {names[group.Key.Document.FilePath!]}: {exception}");
                }
            }
        }
    }

    /// <summary>At most <paramref name="count"/> diagnostics, evenly spread (deterministic).</summary>
    private static IEnumerable<Diagnostic> Sample(ImmutableArray<Diagnostic> diagnostics, int count)
    {
        var step = Math.Max(1, diagnostics.Length / count);
        for (var i = 0; i < diagnostics.Length; i += step)
            yield return diagnostics[i];
    }

    private sealed class Provider(ImmutableArray<Diagnostic> diagnostics) : FixAllContext.DiagnosticProvider
    {
        public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
        {
            var tree = await document.GetSyntaxTreeAsync(cancellationToken);
            return diagnostics.Where(d => d.Location.SourceTree == tree);
        }

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult(diagnostics.Where(d => !d.Location.IsInSource));

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);
    }
}
