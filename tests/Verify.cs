using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace LeakAnalyzers.Tests;

/// <summary>What a test may change; everything else is set once, here.</summary>
public sealed class TestSettings
{
    /// <summary>.editorconfig entries for every source file.</summary>
    public (string Key, string Value)[] Options { get; init; } = [];
    public LanguageVersion LanguageVersion { get; init; } = LanguageVersion.Latest;
    public ReferenceSet References { get; init; } = Tests.References.AspNetCore;
    /// <summary>Which of the fixer's actions to apply (its title); null for the first one offered.</summary>
    public string? CodeAction { get; init; }
    public OutputKind OutputKind { get; init; } = OutputKind.DynamicallyLinkedLibrary;
    /// <summary>
    /// Also fix diagnostics reported at compilation end (non-local). The testing library refuses them by default because
    /// the IDE's lightbulb works on local diagnostics; Fix All and <c>dotnet format analyzers</c> fix them.
    /// </summary>
    public bool FixCompilationEndDiagnostics { get; init; }
}

/// <summary>The only harness: compiler warnings count (except the few noisy ones listed), so fixed code must compile cleanly.</summary>
public static class Verify<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    public static Task NoDiagnosticsAsync(string source, TestSettings? settings = null) => DiagnosticsAsync([source], settings);

    public static Task NoDiagnosticsAsync(string[] sources, TestSettings? settings = null) => DiagnosticsAsync(sources, settings);

    /// <summary>Checks the diagnostics marked in the sources (<c>[|…|]</c>, <c>{|LEAK00N:…|}</c>) plus any <paramref name="expected"/>.</summary>
    public static Task DiagnosticsAsync(string source, params DiagnosticResult[] expected) => DiagnosticsAsync([source], null, expected);

    public static Task DiagnosticsAsync(string source, TestSettings? settings, params DiagnosticResult[] expected) => DiagnosticsAsync([source], settings, expected);

    /// <remarks>
    /// Only the diagnostics: that every fix offered for them compiles is checked by the catalog test
    /// <c>FixSweepTests</c>, which collects the sources of these calls (<see cref="FixSweep"/>).
    /// </remarks>
    public static async Task DiagnosticsAsync(string[] sources, TestSettings? settings, params DiagnosticResult[] expected)
    {
        settings ??= new TestSettings();
        if (FixSweep.Collect(Harness.RuleAnalyzers<TAnalyzer>(), sources, settings))
            return;
        var test = new Test();
        Harness.Configure(test, sources, settings);
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    public static DiagnosticResult Diagnostic() => CSharpAnalyzerVerifier<TAnalyzer, DefaultVerifier>.Diagnostic();

    public static DiagnosticResult Diagnostic(DiagnosticDescriptor descriptor) => CSharpAnalyzerVerifier<TAnalyzer, DefaultVerifier>.Diagnostic(descriptor);

    private sealed class Test : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
    {
        protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => Harness.RuleAnalyzers<TAnalyzer>();
    }
}

public static class Verify<TAnalyzer, TFixer>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TFixer : CodeFixProvider, new()
{
    /// <summary>Applies the fix (and Fix All, in document, project and solution) and compares with <paramref name="fixedSource"/>, which must compile without new warnings.</summary>
    public static Task FixAsync(string source, string fixedSource, TestSettings? settings = null) =>
        FixAsync([source], [fixedSource], settings);

    public static async Task FixAsync(string[] sources, string[] fixedSources, TestSettings? settings = null, params DiagnosticResult[] expected)
    {
        settings ??= new TestSettings();
        if (FixSweep.IsCollecting)
            return;                                      // exact outputs are checked by the fix tests themselves
        var test = new Test();
        Harness.Configure(test, sources, settings);
        test.ExpectedDiagnostics.AddRange(expected);
        for (var i = 0; i < fixedSources.Length; i++)
            test.FixedState.Sources.Add(($"/0/Test{i}.cs", fixedSources[i]));
        test.CodeActionEquivalenceKey = settings.CodeAction;
        if (settings.FixCompilationEndDiagnostics)
            test.CodeFixTestBehaviors |= CodeFixTestBehaviors.SkipLocalDiagnosticCheck;
        if (settings.CodeAction is not null)
            test.CodeActionVerifier = (action, verifier) => verifier.Equal(settings.CodeAction, action.Title);
        await test.RunAsync();
    }

    /// <summary>The diagnostic is reported but no fix is offered: the source stays as it is.</summary>
    public static Task NoFixAsync(string source, TestSettings? settings = null) => FixAsync([source], [source], settings);

    private sealed class Test : CSharpCodeFixTest<TAnalyzer, TFixer, DefaultVerifier>
    {
        protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => Harness.RuleAnalyzers<TAnalyzer>();
    }
}

/// <summary>
/// The fix of <typeparamref name="TFixer"/> with <typeparamref name="TOtherAnalyzer"/> running as well: for rules that fire
/// on the same code. Diagnostics of the other rule stay in the markup of both sources (<c>{|LEAK00N:…|}</c>).
/// </summary>
public static class Verify<TAnalyzer, TOtherAnalyzer, TFixer>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TOtherAnalyzer : DiagnosticAnalyzer, new()
    where TFixer : CodeFixProvider, new()
{
    public static async Task FixAsync(string source, string fixedSource, TestSettings? settings = null)
    {
        settings ??= new TestSettings();
        if (FixSweep.IsCollecting)
            return;
        var test = new Test();
        Harness.Configure(test, [source], settings);
        test.FixedState.Sources.Add(("/0/Test0.cs", fixedSource));
        test.CodeActionEquivalenceKey = settings.CodeAction;
        await test.RunAsync();
    }

    private sealed class Test : CSharpCodeFixTest<TAnalyzer, TFixer, DefaultVerifier>
    {
        protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() =>
            Harness.RuleAnalyzers<TAnalyzer>().AddRange(Harness.RuleAnalyzers<TOtherAnalyzer>());
    }
}

internal static class Harness
{
    /// <summary>
    /// What a test of <typeparamref name="TAnalyzer"/> runs: <typeparamref name="TAnalyzer"/> and every other analyzer
    /// that reports one of its IDs. A rule may be split across analyzers (LEAK001: private static fields are judged live
    /// by <c>UnboundedStaticCollectionAnalyzer</c>, the others at compilation end by
    /// <c>UnboundedStaticCollectionCompilationEndAnalyzer</c>); its tests see the rule whole, as a build does. Tests
    /// that pin which analyzer reports what use <c>CompilationWithAnalyzers</c> directly.
    /// </summary>
    public static ImmutableArray<DiagnosticAnalyzer> RuleAnalyzers<TAnalyzer>()
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var analyzer = new TAnalyzer();
        var ids = analyzer.SupportedDiagnostics.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        return AllAnalyzers.Analyzers
            .Where(a => a.GetType() != typeof(TAnalyzer) && a.SupportedDiagnostics.Any(d => ids.Contains(d.Id)))
            .Select(a => (DiagnosticAnalyzer)Activator.CreateInstance(a.GetType())!)
            .Prepend(analyzer)
            .ToImmutableArray();
    }

    /// <summary>Warnings that idiomatic test snippets raise and that say nothing about a fix.</summary>
    public static readonly string[] Noise =
    [
        "CS1998", // async method without await
        "CS4014", // unawaited call (the very shape LEAK002 looks at)
        "CS1591", "CS0168", "CS0219", "CS0162", "CS0169", "CS0414", "CS0649", "CS8321", "CS0067", "CS8632",
    ];

    public static void Configure<TTest>(TTest test, string[] sources, TestSettings settings)
        where TTest : AnalyzerTest<DefaultVerifier>
    {
        for (var i = 0; i < sources.Length; i++)
            test.TestState.Sources.Add(($"/0/Test{i}.cs", sources[i]));
        test.ReferenceAssemblies = ReferenceSet.None;
        test.TestState.AdditionalReferences.AddRange(settings.References.References);
        test.CompilerDiagnostics = CompilerDiagnostics.Warnings;
        test.DisabledDiagnostics.AddRange(Noise);
        if (settings.Options.Length > 0)
        {
            var config = "root = true\n\n[*.cs]\n" + string.Join("\n", settings.Options.Select(o => $"{o.Key} = {o.Value}")) + "\n";
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", config));
        }

        test.SolutionTransforms.Add((solution, projectId) =>
        {
            var project = solution.GetProject(projectId)!;
            var parse = ((CSharpParseOptions)project.ParseOptions!).WithLanguageVersion(settings.LanguageVersion);
            var compilation = ((CSharpCompilationOptions)project.CompilationOptions!).WithOutputKind(settings.OutputKind);
            return solution.WithProjectParseOptions(projectId, parse).WithProjectCompilationOptions(projectId, compilation);
        });
    }
}
