using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace LeakAnalyzers.Tests;

/// <summary>
/// Runs on every reporting test case (every <c>Verify.DiagnosticsAsync</c> call, collected by <see cref="FixSweep"/>): each code fix
/// offered for each diagnostic of the rule's analyzers, applied on its own, must produce code that compiles (raises no
/// compiler error the case did not have: cases about unbound code keep theirs), raises no new compiler warning, and
/// carries fewer diagnostics of that ID. This covers the cases that have no exact expected output.
/// </summary>
internal static partial class FixChecks
{
    public static async Task EveryFixCompilesAsync(ImmutableArray<DiagnosticAnalyzer> analyzers, string[] markedSources, TestSettings settings, string test = "")
    {
        var ids = analyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        var fixers = AllAnalyzers.Fixers.Where(f => f.FixableDiagnosticIds.Any(ids.Contains)).ToList();
        if (fixers.Count == 0)
            return;

        var project = await CreateProjectAsync(markedSources.Select(StripMarkup).ToArray(), settings);
        var before = await AnalyzeAsync(project, analyzers);
        foreach (var diagnostic in before.Analyzer.Where(d => d.Location.IsInSource))
        {
            var document = project.GetDocument(diagnostic.Location.SourceTree)!;
            foreach (var fixer in fixers.Where(f => f.FixableDiagnosticIds.Contains(diagnostic.Id)))
            {
                var actions = new List<CodeAction>();
                await fixer.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));
                foreach (var action in actions)
                {
                    var operations = await action.GetOperationsAsync(CancellationToken.None);
                    var changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution.GetProject(project.Id)!;
                    var after = await AnalyzeAsync(changed, analyzers);
                    var fixedText = string.Join("\n// ----\n", await Task.WhenAll(changed.Documents.Select(async d => (await d.GetTextAsync()).ToString())));
                    var context = $"{test}: '{action.Title}' for {diagnostic} produced:\n{fixedText}";

                    // A case written to not fully bind (an unresolved name) keeps its own errors; a fix must add none.
                    foreach (var error in after.Compiler.Where(d => d.Severity == DiagnosticSeverity.Error).GroupBy(d => d.Id))
                    {
                        Assert.True(error.Count() <= before.Compiler.Count(d => d.Id == error.Key),
                            $"{context}\nwhich does not compile:\n{string.Join("\n", error)}");
                    }

                    foreach (var warning in after.Compiler.Where(d => d.Severity == DiagnosticSeverity.Warning).GroupBy(d => d.Id))
                    {
                        Assert.True(warning.Count() <= before.Compiler.Count(d => d.Id == warning.Key),
                            $"{context}\nwhich raises a new warning: {warning.First()}");
                    }

                    Assert.True(after.Analyzer.Count(d => d.Id == diagnostic.Id) < before.Analyzer.Count(d => d.Id == diagnostic.Id),
                        $"{context}\nwhich still carries every {diagnostic.Id}: {string.Join("\n", after.Analyzer)}");
                }
            }
        }
    }

    private static async Task<(ImmutableArray<Diagnostic> Compiler, ImmutableArray<Diagnostic> Analyzer)> AnalyzeAsync(Project project, ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        var compilation = (await project.GetCompilationAsync())!;
        var withAnalyzers = compilation.WithAnalyzers(analyzers, project.AnalyzerOptions);
        var compiler = compilation.GetDiagnostics().Where(d => !Harness.Noise.Contains(d.Id)).ToImmutableArray();
        return (compiler, await withAnalyzers.GetAnalyzerDiagnosticsAsync());
    }

    /// <summary>The same project the testing library builds: references, language version, output kind, .editorconfig.</summary>
    public static async Task<Project> CreateProjectAsync(string[] sources, TestSettings settings)
    {
        var references = settings.References.References;
        var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(ProjectId.CreateNewId(), VersionStamp.Default, "Test", "Test", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(settings.OutputKind, nullableContextOptions: NullableContextOptions.Disable),
            parseOptions: new CSharpParseOptions(settings.LanguageVersion),
            metadataReferences: references));
        for (var i = 0; i < sources.Length; i++)
            project = project.AddDocument($"Test{i}.cs", SourceText.From(sources[i]), filePath: $"/0/Test{i}.cs").Project;
        if (settings.Options.Length > 0)
        {
            var config = "root = true\n\n[*.cs]\n" + string.Join("\n", settings.Options.Select(o => $"{o.Key} = {o.Value}")) + "\n";
            project = project.AddAnalyzerConfigDocument(".editorconfig", SourceText.From(config), filePath: "/.editorconfig").Project;
        }

        return project;
    }

    /// <summary>Removes the testing library's diagnostic markup (<c>[|…|]</c>, <c>{|ID:…|}</c>, <c>{|#0:…|}</c>).</summary>
    public static string StripMarkup(string source) => Markup().Replace(source, "");

    [GeneratedRegex(@"\[\||\|\]|\{\|[^:|{}\s]*:|\|\}")]
    private static partial Regex Markup();
}
