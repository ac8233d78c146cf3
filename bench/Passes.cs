using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LeakAnalyzers.Bench;

/// <summary>What one compiler pass measured.</summary>
internal sealed record CompileResult(double WallMs, int Errors, int Warnings, ImmutableArray<Diagnostic> FirstErrors);

/// <summary>What one analyzer pass measured: wall clock (after the declaration phase), each analyzer's own execution time, what it reported.</summary>
internal sealed record AnalyzerResult(double WallMs, ImmutableArray<double> AnalyzerMs, ImmutableArray<Diagnostic> Diagnostics, ImmutableArray<string> Exceptions)
{
    public double TotalMs => AnalyzerMs.Sum();
}

/// <summary>
/// The passes the benchmark times on one corpus. Every pass builds a fresh compilation from the same parsed syntax
/// trees, so no pass reuses another's bound symbols or semantic models. Everything runs on one thread (no concurrent
/// build or analysis): callback times are then CPU work, comparable with the compiler's, and free of contention.
/// </summary>
internal sealed class Passes
{
    private readonly ImmutableArray<SyntaxTree> _trees;
    private readonly ImmutableArray<MetadataReference> _references;
    private readonly CSharpCompilationOptions _options;

    public Passes(Corpus corpus, ImmutableArray<MetadataReference> references, IEnumerable<DiagnosticAnalyzer> allAnalyzers, IEnumerable<string> enabledIds)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        _trees = corpus.Files.Select(f => CSharpSyntaxTree.ParseText(f.Text, parse, f.Path)).ToImmutableArray();
        _references = references;

        // The rules measured report as warnings (CA2000 is off by default); the other rules of the peers' analyzers are
        // silenced so that only the measured IDs are counted. An analyzer still runs whole while any of its IDs is on.
        var enabled = enabledIds.ToHashSet(StringComparer.Ordinal);
        var specific = allAnalyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).Distinct(StringComparer.Ordinal)
            .ToDictionary(id => id, id => enabled.Contains(id) ? ReportDiagnostic.Warn : ReportDiagnostic.Suppress, StringComparer.Ordinal);
        _options = new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable,
                concurrentBuild: false, specificDiagnosticOptions: specific);
    }

    /// <summary>The references of an ASP.NET Core app on the running host: its two shared-framework folders.</summary>
    public static ImmutableArray<MetadataReference> SharedFrameworkReferences() =>
        new[] { typeof(object), typeof(Microsoft.AspNetCore.Http.HttpContext) }
            .Select(t => Path.GetDirectoryName(t.Assembly.Location)!)
            .Distinct(StringComparer.Ordinal)
            .SelectMany(directory => Directory.GetFiles(directory, "*.dll"))
            .Where(IsManagedAssembly)
            .OrderBy(path => path, StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();

    private static bool IsManagedAssembly(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new PEReader(stream);
        return reader.HasMetadata && reader.GetMetadataReader().IsAssembly;
    }

    private CSharpCompilation FreshCompilation() => CSharpCompilation.Create("BenchCorpus", _trees, _references, _options);

    /// <summary>The compiler alone: declaration and method-body binding with its diagnostics (no emit).</summary>
    public CompileResult Compile()
    {
        var compilation = FreshCompilation();
        Settle();
        var stopwatch = Stopwatch.StartNew();
        var diagnostics = compilation.GetDiagnostics();
        stopwatch.Stop();
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray();
        return new CompileResult(stopwatch.Elapsed.TotalMilliseconds, errors.Length,
            diagnostics.Count(d => d.Severity == DiagnosticSeverity.Warning), errors.Take(10).ToImmutableArray());
    }

    /// <summary>One set of analyzers on its own fresh compilation, with execution-time telemetry per analyzer.</summary>
    public async Task<AnalyzerResult> AnalyzeAsync(ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        var compilation = FreshCompilation();
        var exceptions = new ConcurrentQueue<string>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (exception, analyzer, _) => exceptions.Enqueue($"{analyzer.GetType().Name}: {exception.GetType().Name}: {exception.Message}"),
            concurrentAnalysis: false, logAnalyzerExecutionTime: true, reportSuppressedDiagnostics: false);
        RunDeclarationPhase(compilation);
        Settle();
        var stopwatch = Stopwatch.StartNew();
        var withAnalyzers = compilation.WithAnalyzers(analyzers, options);
        var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None).ConfigureAwait(false);
        stopwatch.Stop();
        var times = ImmutableArray.CreateBuilder<double>(analyzers.Length);
        foreach (var analyzer in analyzers)
        {
            var telemetry = await withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, CancellationToken.None).ConfigureAwait(false);
            times.Add(telemetry.ExecutionTime.TotalMilliseconds);
        }

        return new AnalyzerResult(stopwatch.Elapsed.TotalMilliseconds, times.MoveToImmutable(), diagnostics, exceptions.ToImmutableArray());
    }

    /// <summary>
    /// The compiler's declaration phase, run before the analyzers start and outside their telemetry. The analyzer
    /// driver's compilation (made with <c>WithEventQueue</c>) shares what it warms: the bound references with their
    /// metadata namespaces, and the declaration table. In a build the compiler does this work whether analyzers run or
    /// not; left undone, it is charged to whichever analyzer's compilation-start action first asks for a type. Source
    /// symbols and method bodies are not shared: the analyzers' compilation binds its own.
    /// </summary>
    private static void RunDeclarationPhase(Compilation compilation) => compilation.GetDeclarationDiagnostics();

    /// <summary>Leaves no garbage from the previous pass to be collected on this one's clock.</summary>
    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
