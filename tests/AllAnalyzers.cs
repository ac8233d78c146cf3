using System.Collections.Immutable;
using System.Reflection;
using LeakAnalyzers.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LeakAnalyzers.Tests;

/// <summary>Every analyzer and fixer we ship, found by reflection, and plain compilations to run them on.</summary>
public static class AllAnalyzers
{
    public static Assembly AnalyzerAssembly { get; } = typeof(Descriptors).Assembly;
    public static Assembly FixerAssembly { get; } = typeof(UndisposedHttpResponseMessageFixer).Assembly;

    public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } = AnalyzerAssembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .ToImmutableArray();

    public static ImmutableArray<CodeFixProvider> Fixers { get; } = FixerAssembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t))
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
        .ToImmutableArray();

    /// <summary>
    /// Every descriptor object the analyzers support. An ID has one, or two that differ only in the <c>CompilationEnd</c>
    /// tag (a rule split into a live and a compilation-end analyzer; CatalogTests checks that they agree). Compare them by
    /// reference: <see cref="DiagnosticDescriptor.Equals(DiagnosticDescriptor)"/> ignores custom tags.
    /// </summary>
    public static ImmutableArray<DiagnosticDescriptor> AllDescriptors { get; } = Analyzers
        .SelectMany(a => a.SupportedDiagnostics)
        .Distinct(ReferenceEqualityComparer.Instance)
        .Cast<DiagnosticDescriptor>()
        .OrderBy(d => d.Id, StringComparer.Ordinal)
        .ThenBy(d => d.CustomTags.Contains(WellKnownDiagnosticTags.CompilationEnd))
        .ToImmutableArray();

    /// <summary>One descriptor per ID (the live one where an ID has two): the rule as users see it in rules.md and the IDE.</summary>
    public static ImmutableArray<DiagnosticDescriptor> Descriptors { get; } = AllDescriptors
        .GroupBy(d => d.Id, StringComparer.Ordinal)
        .Select(g => g.First())
        .ToImmutableArray();

    /// <summary>A compilation of <paramref name="sources"/> against .NET 8 and ASP.NET Core 8, as the tests see them.</summary>
    public static Task<CSharpCompilation> CompileAsync(IEnumerable<(string Path, string Text)> sources, LanguageVersion languageVersion = LanguageVersion.Latest)
    {
        var parse = new CSharpParseOptions(languageVersion);
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, parse, s.Path));
        return Task.FromResult(CSharpCompilation.Create("Corpus", trees, References.AspNetCore.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, concurrentBuild: false)));
    }

    /// <summary>Runs <paramref name="analyzers"/> (all of ours by default) and returns what they report, analyzer exceptions included (AD0001).</summary>
    public static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Compilation compilation, ImmutableArray<DiagnosticAnalyzer>? analyzers = null,
        AnalyzerOptions? options = null, CancellationToken cancellationToken = default)
    {
        var withAnalyzers = compilation.WithAnalyzers(analyzers ?? Analyzers, new CompilationWithAnalyzersOptions(
            options ?? new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null,
            concurrentAnalysis: true, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false));
        return await withAnalyzers.GetAllDiagnosticsAsync(cancellationToken);
    }
}
