using System.Collections.Immutable;
using System.Globalization;
using System.Reflection;
using System.Runtime;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LeakAnalyzers.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench [-- --size 100 --runs 5 --warmup 1 --seed 20261127]</c>: times the compiler,
/// each LEAK rule and the peers (CA2000, IDISP001/IDISP004) on one generated ASP.NET Core corpus, side by side in one
/// run; checks the diagnostics against the leaks the generator planted; then times the compiler and the LEAK rules on
/// the corpus and on one twice its size, to show that our cost grows linearly.
/// </summary>
internal static class Program
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task<int> Main(string[] args)
    {
        var settings = Settings.Parse(args);
        if (settings is null)
        {
            Console.Error.WriteLine("usage: dotnet run -c Release --project bench [-- --size SLICES] [--runs N] [--warmup N] [--seed N] [--only LEAK00N|FLOOR]");
            return 2;
        }

        if (settings.Only is { } only)
            return await ProfileOneRuleAsync(settings, only).ConfigureAwait(false);

        var ours = OurAnalyzers();
        var ca2000 = Peers.NetAnalyzersCA2000();
        var idisp = Peers.IDisposableAnalyzers();
        var everyone = ours.Select(o => o.Analyzer).Concat(ca2000.Analyzers).Concat(idisp.Analyzers).ToImmutableArray();
        var enabledIds = ours.Select(o => o.Id).Concat(ca2000.Ids).Concat(idisp.Ids).ToImmutableArray();
        var references = Passes.SharedFrameworkReferences();

        var corpus = CorpusGenerator.Generate(settings.Size, settings.Seed);
        var passes = new Passes(corpus, references, everyone, enabledIds);
        PrintHeader(settings, corpus, ca2000, idisp);
        if (!await PeersAreEnabledAsync(references, everyone, enabledIds, ca2000, idisp).ConfigureAwait(false))
            return 1;

        var check = passes.Compile();
        if (check.Errors > 0)
        {
            Console.WriteLine($"the generated corpus does not compile ({check.Errors} errors); first ones:");
            foreach (var error in check.FirstErrors)
                Console.WriteLine("  " + error);
            return 1;
        }

        // Main table: compiler, our analyzers, each peer; each run rotates the order of the passes.
        var ourSet = ours.Select(o => o.Analyzer).ToImmutableArray();
        var compile = new List<CompileResult>();
        var leak = new List<AnalyzerResult>();
        var caRuns = new List<AnalyzerResult>();
        var idispRuns = new List<AnalyzerResult>();
        var steps = new Func<bool, Task>[]
        {
            async record => { var r = passes.Compile(); if (record) compile.Add(r); await Task.CompletedTask.ConfigureAwait(false); },
            async record => { var r = await passes.AnalyzeAsync(ourSet).ConfigureAwait(false); if (record) leak.Add(r); },
            async record => { var r = await passes.AnalyzeAsync(ca2000.Analyzers).ConfigureAwait(false); if (record) caRuns.Add(r); },
            async record => { var r = await passes.AnalyzeAsync(idisp.Analyzers).ConfigureAwait(false); if (record) idispRuns.Add(r); },
        };
        for (var run = 0; run < settings.Warmup + settings.Runs; run++)
        {
            var record = run >= settings.Warmup;
            for (var s = 0; s < steps.Length; s++)
                await steps[(run + s) % steps.Length](record).ConfigureAwait(false);
            Console.Error.Write(record ? $"\rrun {run - settings.Warmup + 1}/{settings.Runs}   " : "\rwarm-up...   ");
        }

        Console.Error.WriteLine();
        var exceptions = leak.Concat(caRuns).Concat(idispRuns).SelectMany(r => r.Exceptions).Distinct(StringComparer.Ordinal).ToList();
        foreach (var exception in exceptions.Take(10))
            Console.WriteLine("analyzer exception (AD0001): " + exception);

        var compileMs = compile.Select(c => c.WallMs).ToList();
        var perKLines = 1000.0 / corpus.Lines;
        Console.WriteLine();
        Console.WriteLine($"{"",-46}{"median ms",11}{"ms/1k lines",13}{"% compile",11}{"min..max ms",17}{"diagnostics",24}{"planted",9}");
        Console.WriteLine(Row("compiler: binding (GetDiagnostics)", compile.Select(c => c.WallMs).ToList(), compileMs, perKLines, $"{check.Warnings} warn", ""));
        for (var i = 0; i < ours.Length; i++)
        {
            var (id, name, _) = ours[i];
            var times = leak.Select(r => r.AnalyzerMs[i]).ToList();
            var found = leak[^1].Diagnostics.Count(d => d.Id == id);
            var planted = corpus.Plants.Count(p => p.Rule == id);
            Console.WriteLine(Row($"{id} {name}", times, compileMs, perKLines, found.ToString(Invariant), planted.ToString(Invariant)));
        }

        Console.WriteLine(Row("all LEAK rules", leak.Select(r => r.TotalMs).ToList(), compileMs, perKLines,
            leak[^1].Diagnostics.Length.ToString(Invariant), corpus.Plants.Count.ToString(Invariant)));
        Console.WriteLine(Row(ca2000.Name, caRuns.Select(r => r.TotalMs).ToList(), compileMs, perKLines, Counts(caRuns[^1], ca2000), ""));
        Console.WriteLine(Row(idisp.Name, idispRuns.Select(r => r.TotalMs).ToList(), compileMs, perKLines, Counts(idispRuns[^1], idisp), ""));
        Console.WriteLine();
        Console.WriteLine("wall clock of the analyzer passes after the declaration phase (method binding, operation trees, driver, callbacks), medians: "
            + $"LEAK rules {F(Median(leak.Select(r => r.WallMs)), 0)} ms, CA2000 {F(Median(caRuns.Select(r => r.WallMs)), 0)} ms, "
            + $"IDISP001+IDISP004 {F(Median(idispRuns.Select(r => r.WallMs)), 0)} ms");
        if (leak.Select(r => r.Diagnostics.Length).Distinct().Count() > 1)
            Console.WriteLine("NOTE: the LEAK rules reported different counts in different runs: " + string.Join(", ", leak.Select(r => r.Diagnostics.Length)));

        PrintPlantedCheck(corpus, leak[^1], caRuns[^1], ca2000, idispRuns[^1], idisp);

        // Growth: the same passes on the corpus and on one twice its size, interleaved run by run.
        var growth = await MeasureGrowthAsync(settings, corpus, references, everyone, enabledIds, ours).ConfigureAwait(false);

        // Ratios come from the same run: each run's LEAK time over that run's compile time, and so on; then the median.
        var overhead = Median(leak.Zip(compile, (l, c) => l.TotalMs / c.WallMs * 100));
        var worstRule = Enumerable.Range(0, ours.Length)
            .Select(i => (ours[i].Id, Percent: Median(leak.Zip(compile, (l, c) => l.AnalyzerMs[i] / c.WallMs * 100))))
            .MaxBy(x => x.Percent);
        var leak004 = Array.FindIndex(ours, o => o.Id == "LEAK004");
        var vsCa = Median(leak.Zip(caRuns, (l, c) => c.TotalMs / l.AnalyzerMs[leak004]));
        var vsIdisp = Median(leak.Zip(idispRuns, (l, d) => d.TotalMs / l.AnalyzerMs[leak004]));
        Console.WriteLine();
        Console.WriteLine("targets: " + string.Join("; ",
            $"all LEAK rules under 3% of compile: {F(overhead, 2)}% {Verdict(overhead < 3)}",
            $"no rule over 1%: worst {worstRule.Id} {F(worstRule.Percent, 2)}% {Verdict(worstRule.Percent <= 1)}",
            $"LEAK004 faster than CA2000 {Verdict(vsCa > 1)} and than IDISP001+IDISP004 {Verdict(vsIdisp > 1)}",
            $"linear growth: x{F(growth, 2)} for twice the code {Verdict(growth < 2.5)}"));
        Console.WriteLine($"overhead: {F(overhead, 2)}% of compile time (all LEAK rules)");
        Console.WriteLine($"vs peers: LEAK004 is {F(vsCa, 1)}× faster than CA2000, {F(vsIdisp, 1)}× faster than IDISP001+IDISP004");
        return exceptions.Count == 0 ? 0 : 1;
    }

    /// <summary>
    /// A peer that reports nothing on the corpus may simply not be enabled: each must report its IDs on a canary first
    /// (a token source created and never disposed, another created and ignored; CA2000 exempts memory streams).
    /// </summary>
    private static async Task<bool> PeersAreEnabledAsync(ImmutableArray<MetadataReference> references, ImmutableArray<DiagnosticAnalyzer> everyone,
        ImmutableArray<string> enabledIds, AnalyzerSet ca2000, AnalyzerSet idisp)
    {
        const string Canary = """
            public static class Canary
            {
                public static void Created() { var source = new System.Threading.CancellationTokenSource(); source.Cancel(); }
                public static void Ignored() => System.Console.WriteLine(new System.Threading.CancellationTokenSource().Token);
                public static void Main() { }
            }
            """;
        var passes = new Passes(new Corpus(0, new[] { ("Canary.cs", Canary) }, Array.Empty<Plant>()), references, everyone, enabledIds);
        var found = new List<string>();
        foreach (var set in new[] { ca2000, idisp })
        {
            var result = await passes.AnalyzeAsync(set.Analyzers).ConfigureAwait(false);
            found.AddRange(set.Ids.Select(id => $"{id} {result.Diagnostics.Count(d => d.Id == id)}"));
        }

        var enabled = found.All(f => !f.EndsWith(" 0", StringComparison.Ordinal));
        Console.WriteLine($"peers on a canary (one undisposed and one ignored CancellationTokenSource): {string.Join(", ", found)}{(enabled ? "" : ": a peer is NOT enabled")}");
        return enabled;
    }

    /// <summary>Our analyzers, one per rule, found by reflection like the tests' AllAnalyzers.</summary>
    /// <summary>
    /// <c>--only LEAK00N</c>: that rule's analyzers alone, warm-up then <c>--runs</c> passes, for a profiler
    /// (<c>dotnet-trace collect -- dotnet bench.dll --only LEAK005 --runs 30</c>) or a quick before/after of one change.
    /// <c>--only FLOOR</c>: the same for <see cref="FloorAnalyzer"/>, what the driver charges a callback that does nothing.
    /// </summary>
    private static async Task<int> ProfileOneRuleAsync(Settings settings, string id)
    {
        var analyzers = id == "FLOOR"
            ? ImmutableArray.Create<DiagnosticAnalyzer>(new FloorAnalyzer())
            : OurAnalyzers().Where(o => o.Id == id).Select(o => o.Analyzer).ToImmutableArray();
        if (analyzers.IsEmpty)
        {
            Console.Error.WriteLine($"no analyzer reports {id}");
            return 2;
        }

        var corpus = CorpusGenerator.Generate(settings.Size, settings.Seed);
        var passes = new Passes(corpus, Passes.SharedFrameworkReferences(), analyzers, [id]);
        for (var i = 0; i < settings.Warmup; i++)
            await passes.AnalyzeAsync(analyzers).ConfigureAwait(false);
        var times = new List<double>();
        for (var i = 0; i < settings.Runs; i++)
            times.Add((await passes.AnalyzeAsync(analyzers).ConfigureAwait(false)).TotalMs);
        Console.WriteLine($"{id} alone on {corpus.Lines.ToString("N0", Invariant)} lines: median {F(Median(times), 1)} ms, min {F(times.Min(), 1)} ms over {settings.Runs} runs");
        return 0;
    }

    private static (string Id, string Name, DiagnosticAnalyzer Analyzer)[] OurAnalyzers() =>
        typeof(Descriptors).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .Select(a => (a.SupportedDiagnostics[0].Id, a.GetType().Name.Replace("Analyzer", "", StringComparison.Ordinal), a))
            .OrderBy(x => x.Id, StringComparer.Ordinal)
            .ToArray();

    private static void PrintHeader(Settings settings, Corpus corpus, AnalyzerSet ca2000, AnalyzerSet idisp)
    {
        var roslyn = typeof(CSharpCompilation).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];
        Console.WriteLine("LeakAnalyzers benchmark");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores{CpuModel()}, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, "
            + $"Roslyn {roslyn}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC");
        Console.WriteLine($"peers: CA2000 from Microsoft.CodeAnalysis.NetAnalyzers {ca2000.Version}; IDISP001/IDISP004 from IDisposableAnalyzers {idisp.Version} "
            + $"({string.Join(", ", idisp.Analyzers.Select(a => a.GetType().Name))})");
        Console.WriteLine($"corpus: {corpus.Slices} feature slices, {corpus.Files.Count} files, {corpus.Lines:N0} lines (seed {settings.Seed}), "
            + $"{corpus.Plants.Count} planted leaks");
        Console.WriteLine($"method: a fresh compilation per pass (parsed trees shared, nothing bound shared); one thread (concurrentBuild and concurrentAnalysis off); "
            + $"compile = GetDiagnostics wall clock; "
            + "analyzer time = CompilationWithAnalyzers telemetry (ExecutionTime of each analyzer's callbacks), the compiler's declaration phase run first; "
            + $"{settings.Warmup} warm-up + {settings.Runs} runs, pass order rotated each run; medians");
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "" : " (" + line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim() + ")";
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>The LEAK diagnostics against the planted leaks, file and line; and how many planted responses each peer reports.</summary>
    private static void PrintPlantedCheck(Corpus corpus, AnalyzerResult leak, AnalyzerResult ca, AnalyzerSet ca2000, AnalyzerResult idispResult, AnalyzerSet idisp)
    {
        Console.WriteLine();
        Console.WriteLine("planted leaks vs LEAK diagnostics (matched by file and line):");
        foreach (var rule in CorpusGenerator.Rules)
        {
            var planted = corpus.Plants.Where(p => p.Rule == rule).Select(p => (p.Path, p.Line)).ToHashSet();
            var found = leak.Diagnostics.Where(d => d.Id == rule).Select(Site).ToList();
            var hits = found.Count(planted.Contains);
            var missed = planted.Where(p => !found.Contains(p)).ToList();
            var elsewhere = found.Where(f => !planted.Contains(f)).ToList();
            var verdict = missed.Count == 0 && elsewhere.Count == 0 ? "match" : "MISMATCH";
            Console.WriteLine($"  {rule}: planted {planted.Count}, found {found.Count}, on planted lines {hits}, missed {missed.Count}, elsewhere {elsewhere.Count}: {verdict}");
            foreach (var (path, line) in missed.Take(5))
                Console.WriteLine($"    missed {path}:{line}");
            foreach (var diagnostic in leak.Diagnostics.Where(d => d.Id == rule && !planted.Contains(Site(d))).Take(5))
                Console.WriteLine($"    unexpected {diagnostic}");
        }

        var responses = corpus.Plants.Where(p => p.Rule == "LEAK004").Select(p => (p.Path, p.Line)).ToHashSet();
        Console.WriteLine($"  peers on the {responses.Count} planted LEAK004 lines: "
            + $"{ca2000.Name} {PeerHits(ca, ca2000, responses)}, {idisp.Name} {PeerHits(idispResult, idisp, responses)}");
    }

    private static string PeerHits(AnalyzerResult result, AnalyzerSet set, HashSet<(string, int)> lines)
    {
        var on = result.Diagnostics.Where(d => set.Ids.Contains(d.Id) && lines.Contains(Site(d))).Select(Site).Distinct().Count();
        var total = result.Diagnostics.Count(d => set.Ids.Contains(d.Id));
        return $"{on} reported ({total} diagnostics in all)";
    }

    private static (string Path, int Line) Site(Diagnostic diagnostic)
    {
        var span = diagnostic.Location.GetLineSpan();
        return (span.Path, span.StartLinePosition.Line + 1);
    }

    /// <summary>
    /// Median LEAK time per 1,000 lines at the corpus size and at twice it, in all and per rule; returns the growth of
    /// the total. Linear code takes twice the time for twice the lines (a little less: per-compilation setup is fixed).
    /// </summary>
    private static async Task<double> MeasureGrowthAsync(Settings settings, Corpus corpus, ImmutableArray<MetadataReference> references,
        ImmutableArray<DiagnosticAnalyzer> everyone, ImmutableArray<string> enabledIds, (string Id, string Name, DiagnosticAnalyzer Analyzer)[] ours)
    {
        var sizes = new[] { corpus, CorpusGenerator.Generate(settings.Size * 2, settings.Seed) };
        var passes = sizes.Select(c => new Passes(c, references, everyone, enabledIds)).ToArray();
        var analyzers = ours.Select(o => o.Analyzer).ToImmutableArray();
        var compile = sizes.Select(_ => new List<double>()).ToArray();
        var leak = sizes.Select(_ => new List<AnalyzerResult>()).ToArray();
        for (var run = 0; run < settings.Warmup + settings.Runs; run++)
        {
            for (var s = 0; s < sizes.Length; s++)
            {
                var c = passes[s].Compile();
                var l = await passes[s].AnalyzeAsync(analyzers).ConfigureAwait(false);
                if (run >= settings.Warmup)
                {
                    compile[s].Add(c.WallMs);
                    leak[s].Add(l);
                }
            }

            Console.Error.Write($"\rgrowth run {run + 1}/{settings.Warmup + settings.Runs}   ");
        }

        Console.Error.WriteLine();
        Console.WriteLine();
        Console.WriteLine("growth (compiler and LEAK rules at two sizes, interleaved; medians):");
        for (var s = 0; s < sizes.Length; s++)
        {
            var k = sizes[s].Lines / 1000.0;
            var total = Median(leak[s].Select(r => r.TotalMs));
            Console.WriteLine($"  {sizes[s].Slices,5} slices, {sizes[s].Lines,9:N0} lines: compiler {F(Median(compile[s]), 0),7} ms ({F(Median(compile[s]) / k, 2)} ms/1k lines), "
                + $"LEAK rules {F(total, 1),7} ms ({F(total / k, 3)} ms/1k lines)");
        }

        var lines = (double)sizes[1].Lines / sizes[0].Lines;
        var growth = Median(leak[1].Select(r => r.TotalMs)) / Median(leak[0].Select(r => r.TotalMs));
        var perRule = Enumerable.Range(0, ours.Length).Select(i =>
            $"{ours[i].Id} x{F(Median(leak[1].Select(r => r.AnalyzerMs[i])) / Median(leak[0].Select(r => r.AnalyzerMs[i])), 2)}");
        Console.WriteLine($"  x{F(lines, 2)} the lines: compiler x{F(Median(compile[1]) / Median(compile[0]), 2)}, LEAK rules x{F(growth, 2)} ({string.Join(", ", perRule)})");
        return growth;
    }

    /// <summary>One line of the table; the percentage is the median of each run's ratio to that run's compile time.</summary>
    private static string Row(string name, IReadOnlyList<double> times, IReadOnlyList<double> compileMs, double perKLines, string diagnostics, string planted)
    {
        var median = Median(times);
        var percent = Median(times.Zip(compileMs, (t, c) => t / c * 100));
        return $"{name,-46}{F(median, 1),11}{F(median * perKLines, 3),13}{F(percent, 2) + "%",11}"
            + $"{F(times.Min(), 1) + ".." + F(times.Max(), 1),17}{diagnostics,24}{planted,9}";
    }

    private static string Counts(AnalyzerResult result, AnalyzerSet set) =>
        string.Join(" ", set.Ids.Select(id => $"{id}:{result.Diagnostics.Count(d => d.Id == id)}"));

    private static string Verdict(bool met) => met ? "(met)" : "(MISSED)";

    private static string F(double value, int decimals) => value.ToString("N" + decimals.ToString(Invariant), Invariant);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private sealed record Settings(int Size, int Runs, int Warmup, int Seed, string? Only = null)
    {
        public static Settings? Parse(string[] args)
        {
            var settings = new Settings(Size: 100, Runs: 5, Warmup: 1, Seed: 20261127);
            for (var i = 0; i < args.Length; i++)
            {
                if (args[i] == "--only" && i + 1 < args.Length)
                {
                    settings = settings with { Only = args[++i] };
                    continue;
                }

                if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.None, Invariant, out var value) || value < 0)
                    return null;
                settings = args[i++] switch
                {
                    "--size" when value > 0 => settings with { Size = value },
                    "--runs" when value > 0 => settings with { Runs = value },
                    "--warmup" => settings with { Warmup = value },
                    "--seed" => settings with { Seed = value },
                    _ => null,
                };
                if (settings is null)
                    return null;
            }

            return settings;
        }
    }
}
