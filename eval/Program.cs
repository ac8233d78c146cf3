using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LeakAnalyzers.Eval;

/// <summary>
/// <c>dotnet run -c Release --project eval [-- --repo NAME] [--rule LEAK00N] [--corpus DIR] [--write-baseline]
/// [--update-manifest] [--retry-restore] [--list]</c>: runs every LEAK analyzer on the corpus of eval/manifest.json
/// and compares the findings with eval/baseline.tsv (verdicts) and eval/labels.tsv (known leak sites).
/// </summary>
internal static class Program
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task<int> Main(string[] args)
    {
        var settings = Settings.Parse(args);
        if (settings is null)
        {
            Console.Error.WriteLine("usage: dotnet run -c Release --project eval [-- --repo NAME]... [--rule LEAK00N]... [--corpus DIR] [--work DIR] "
                + "[--write-baseline] [--update-manifest] [--retry-restore] [--list] [--timing]");
            return 2;
        }

        var total = Stopwatch.StartNew();
        var evalDir = FindEvalDirectory();
        var manifestPath = Path.Combine(evalDir, "manifest.json");
        var baselinePath = Path.Combine(evalDir, "baseline.tsv");
        var labelsPath = Path.Combine(evalDir, "labels.tsv");
        var outDir = Path.Combine(evalDir, "out");
        Directory.CreateDirectory(outDir);

        var manifest = Manifest.Load(manifestPath);
        var selected = manifest.Where(e => Directory.Exists(Path.Combine(settings.Corpus, e.Dir)))
            .Where(e => settings.Repos.Count == 0 || settings.Repos.Any(r => e.Name.Contains(r, StringComparison.OrdinalIgnoreCase) || e.Dir.Contains(r, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        var absent = manifest.Where(e => !Directory.Exists(Path.Combine(settings.Corpus, e.Dir))).Select(e => e.Name).ToList();
        Console.WriteLine($"corpus {settings.Corpus}: {selected.Count} repositories selected of {manifest.Count} in the manifest"
            + (absent.Count > 0 ? $" ({absent.Count} absent: {string.Join(", ", absent)})" : ""));

        // Read the projects.
        var stopwatch = Stopwatch.StartNew();
        var repos = new CorpusRepo[selected.Count];
        Parallel.For(0, selected.Count, i => repos[i] = CorpusRepo.Load(selected[i], settings.Corpus));
        Console.WriteLine($"projects read in {stopwatch.Elapsed.TotalSeconds:F1} s: "
            + $"{repos.Sum(r => r.Projects.Count(p => p.SkipReason is null))} production projects analyzed, {repos.Sum(r => r.Projects.Count(p => p.SkipReason is not null))} skipped");
        if (settings.UpdateManifest)
        {
            foreach (var repo in repos)
            {
                repo.Entry.Analyzed = repo.Projects.Where(p => p.SkipReason is null).Select(p => $"{p.RelativePath} ({p.TargetFramework})").ToList();
                repo.Entry.Skipped = repo.Projects.Where(p => p.SkipReason is not null).Select(p => $"{p.RelativePath}: {p.SkipReason}").ToList();
            }

            Manifest.Save(manifestPath, manifest);
            Console.WriteLine($"wrote the project lists into {manifestPath}");
        }

        if (settings.List)
        {
            foreach (var repo in repos)
                foreach (var p in repo.Projects)
                    Console.WriteLine($"{repo.Entry.Name}\t{p.RelativePath}\t{p.TargetFramework}\t{p.SourceFiles.Count}\t{p.SkipReason ?? "ANALYZE"}");
            return 0;
        }

        // Restore the packages (cached).
        stopwatch.Restart();
        var resolver = new PackageResolver(settings.Work);
        var needed = repos.SelectMany(r => r.BuildOrder())
            .SelectMany(p => p.AllPackages().Select(k => (k.Name, k.Version, PackageResolver.RestoreFramework(p.TargetFramework)))).ToList();
        var frameworks = repos.SelectMany(r => r.BuildOrder()).Select(p => PackageResolver.RestoreFramework(p.TargetFramework)).Distinct().ToList();
        var packs = new List<(string Pack, string Version)>();
        foreach (var framework in frameworks)
        {
            var (netcore, aspnet, _) = PackageResolver.ReferencePacks(framework);
            var version = framework switch { "net8.0" => "8.0.0", "net9.0" => "9.0.23", _ => "10.0.12" };
            if (netcore.Length == 0)
                packs.Add(("Microsoft.NETCore.App.Ref", version));
            if (aspnet.Length == 0)
                packs.Add(("Microsoft.AspNetCore.App.Ref", version));
        }

        resolver.Prepare(needed, packs, settings.RetryRestore);
        var restoreSeconds = stopwatch.Elapsed.TotalSeconds;
        var packFolders = frameworks.ToDictionary(f => f, PackageResolver.ReferencePacks, StringComparer.Ordinal);
        string PackFolder(string key)
        {
            var parts = key.Split('|');
            if (!packFolders.TryGetValue(parts[0], out var found) || found.NetCore.Length == 0)
                found = PackageResolver.ReferencePacks("net8.0");
            return parts[1] == "netcore" ? found.NetCore : found.AspNetCore;
        }

        // Analyze.
        var analyzers = OurAnalyzers(settings.Rules);
        Console.WriteLine($"analyzers: {string.Join(", ", analyzers.Select(a => a.GetType().Name))}");
        var analysis = new Analysis(analyzers, resolver, PackFolder) { Timing = settings.Timing };
        var findings = new List<Finding>();
        var projects = new List<ProjectResult>();
        stopwatch.Restart();
        foreach (var repo in repos)
        {
            var repoWatch = Stopwatch.StartNew();
            var (repoFindings, repoProjects) = await analysis.RunAsync(repo, CancellationToken.None).ConfigureAwait(false);
            findings.AddRange(repoFindings.Where(f => settings.Rules.Count == 0 || settings.Rules.Contains(f.Rule)));
            projects.AddRange(repoProjects);
            Console.Error.WriteLine($"  {repo.Entry.Name,-40} {repoProjects.Count,3} projects {repoProjects.Sum(p => p.Lines),9:N0} lines "
                + $"{repoProjects.Sum(p => p.Errors),6} errors ({repoProjects.Sum(p => p.Unresolved)} unresolved) {repoFindings.Count,4} findings {repoWatch.Elapsed.TotalSeconds,6:F1} s");
        }

        var analyzeSeconds = stopwatch.Elapsed.TotalSeconds;
        WriteFindings(Path.Combine(outDir, "findings.tsv"), findings);
        WriteProjects(Path.Combine(outDir, "projects.tsv"), projects);

        // Compare with the baseline, in the scope of this run.
        var inScope = (Func<string, string, bool>)((rule, repo) =>
            (settings.Rules.Count == 0 || settings.Rules.Contains(rule)) && selected.Any(e => e.Name == repo));
        var baseline = Tsv.ReadBaseline(baselinePath);
        var scoped = baseline.Where(e => inScope(e.Rule, e.Repo)).ToList();
        var (matched, fresh, gone) = Matcher.Match(findings, scoped);
        var labels = Tsv.ReadLabels(labelsPath).Where(l => inScope(l.Rule, l.Repo)).ToList();

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"corpus: {repos.Length} repositories, {projects.Count} projects analyzed, {projects.Sum(p => p.Files):N0} files, {projects.Sum(p => p.Lines):N0} lines");
        var bound = projects.Count(p => p.Unresolved == 0);
        report.AppendLine(CultureInfo.InvariantCulture, $"binding: {projects.Sum(p => p.Errors):N0} compiler errors, {projects.Sum(p => p.Unresolved):N0} of them unresolved names (CS0246/CS0234/CS0103/CS0012…); "
            + $"{bound} of {projects.Count} projects with no unresolved name; {projects.Count(p => p.Errors == 0)} with no error at all; "
            + $"{projects.Sum(p => p.MissingPackages)} package references not restorable (per project, inherited ones included)");
        var cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        report.AppendLine(CultureInfo.InvariantCulture, $"time: {total.Elapsed.TotalSeconds:F0} s wall in all (restore {restoreSeconds:F0} s, compile + analyze {analyzeSeconds:F0} s), {cpu:F0} s CPU on {Environment.ProcessorCount} cores");
        if (settings.Timing)
        {
            var callbacks = string.Join(", ", analysis.AnalyzerSeconds.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => string.Create(Invariant, $"{a.Key} {a.Value:F1} s")));
            report.AppendLine(CultureInfo.InvariantCulture, $"timing: compiler alone {analysis.CompileOnlySeconds:F1} s (a second binding, not part of the pass above); analyzer callbacks (summed over threads): {callbacks}");
        }

        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"{"rule",-8}{"findings",9}{"read",6}{"leak",6}{"clean",6}{"unclear",8}{"precision",10}{"new",5}{"gone",6}{"labels",8}{"found",7}{"recall",8}");
        var rules = findings.Select(f => f.Rule).Concat(scoped.Select(e => e.Rule)).Concat(labels.Select(l => l.Rule))
            .Concat(analyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id)).Where(r => r.StartsWith("LEAK", StringComparison.Ordinal))
            .Where(r => settings.Rules.Count == 0 || settings.Rules.Contains(r)).Distinct().Order(StringComparer.Ordinal).ToList();
        foreach (var rule in rules.Append("all"))
        {
            bool Of(string r) => rule == "all" || r == rule;
            var ruleFindings = findings.Where(f => Of(f.Rule)).ToList();
            var verdicts = ruleFindings.Select(f => matched.TryGetValue(f, out var e) ? e.Verdict : "").ToList();
            var read = verdicts.Count(v => v is "leak" or "clean" or "unclear");
            var leak = verdicts.Count(v => v == "leak");
            var clean = verdicts.Count(v => v == "clean");
            var unclear = verdicts.Count(v => v == "unclear");
            var precision = leak + clean == 0 ? "-" : ((double)leak / (leak + clean)).ToString("P0", Invariant);
            var ruleLabels = labels.Where(l => Of(l.Rule)).ToList();
            var found = ruleLabels.Count(l => findings.Any(f => Matcher.Covers(f, l)));
            var recall = ruleLabels.Count == 0 ? "-" : ((double)found / ruleLabels.Count).ToString("P0", Invariant);
            report.AppendLine(CultureInfo.InvariantCulture, $"{rule,-8}{ruleFindings.Count,9}{read,6}{leak,6}{clean,6}{unclear,8}{precision,10}{fresh.Count(f => Of(f.Rule)),5}{gone.Count(e => Of(e.Rule)),6}{ruleLabels.Count,8}{found,7}{recall,8}");
        }

        if (fresh.Count > 0)
        {
            report.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"NEW findings (not in the baseline): {fresh.Count}");
            foreach (var f in fresh.OrderBy(f => f.Rule, StringComparer.Ordinal).ThenBy(f => f.Repo, StringComparer.Ordinal).ThenBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line))
                report.AppendLine(CultureInfo.InvariantCulture, $"  + {f.Rule} {f.Repo} {f.File}:{f.Line} [{f.Member}] {f.Message}");
        }

        if (gone.Count > 0)
        {
            report.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"DISAPPEARED baseline entries: {gone.Count}");
            foreach (var e in gone.OrderBy(e => e.Rule, StringComparer.Ordinal).ThenBy(e => e.Repo, StringComparer.Ordinal).ThenBy(e => e.File, StringComparer.Ordinal).ThenBy(e => e.Line))
                report.AppendLine(CultureInfo.InvariantCulture, $"  - {e.Rule} {e.Repo} {e.File}:{e.Line} [{e.Member}] {e.Verdict}: {e.Message}");
        }

        var missed = labels.Where(l => !findings.Any(f => Matcher.Covers(f, l))).ToList();
        if (missed.Count > 0)
        {
            report.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"labelled leak sites not reported: {missed.Count}");
            foreach (var l in missed.OrderBy(l => l.Rule, StringComparer.Ordinal).ThenBy(l => l.Repo, StringComparer.Ordinal))
                report.AppendLine(CultureInfo.InvariantCulture, $"  ? {l.Rule} {l.Repo} {l.File}:{l.Line} [{l.Member}] {l.Note}");
        }

        if (analysis.AnalyzerExceptions.Count > 0)
        {
            report.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"!!! ANALYZER EXCEPTIONS (AD0001): {analysis.AnalyzerExceptions.Count}");
            foreach (var exception in analysis.AnalyzerExceptions.Distinct(StringComparer.Ordinal).Take(20))
                report.AppendLine("!!! " + exception);
        }

        Console.WriteLine();
        Console.Write(report);
        File.WriteAllText(Path.Combine(outDir, "summary.txt"), report.ToString());
        Console.WriteLine();
        Console.WriteLine($"results: {Path.Combine(outDir, "findings.tsv")} (every finding, with its baseline verdict), {Path.Combine(outDir, "projects.tsv")} (binding per project), summary.txt");

        if (settings.WriteBaseline)
        {
            var kept = baseline.Where(e => !inScope(e.Rule, e.Repo)).ToList();
            var current = findings.Select(f => matched.TryGetValue(f, out var e)
                ? new BaselineEntry(f.Rule, f.Repo, f.File, f.Line, f.Member, f.Message, f.Excerpt, e.Verdict, e.Reason)
                : new BaselineEntry(f.Rule, f.Repo, f.File, f.Line, f.Member, f.Message, f.Excerpt, "", ""));
            Tsv.WriteBaseline(baselinePath, kept.Concat(current), Tsv.Preamble(baselinePath));
            Console.WriteLine($"wrote {baselinePath}: {fresh.Count} new entries without a verdict, {gone.Count} disappeared entries dropped");
        }

        return analysis.AnalyzerExceptions.Count > 0 ? 1 : 0;
    }

    private static ImmutableArray<DiagnosticAnalyzer> OurAnalyzers(IReadOnlyCollection<string> rules) =>
        typeof(Descriptors).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .Where(a => rules.Count == 0 || a.SupportedDiagnostics.Any(d => rules.Contains(d.Id)))
            .OrderBy(a => a.SupportedDiagnostics[0].Id, StringComparer.Ordinal)
            .ToImmutableArray();

    private static string FindEvalDirectory()
    {
        for (var d = AppContext.BaseDirectory; d is not null; d = Path.GetDirectoryName(d))
        {
            if (File.Exists(Path.Combine(d, "LeakAnalyzers.Eval.csproj")))
                return d;
            if (File.Exists(Path.Combine(d, "eval", "LeakAnalyzers.Eval.csproj")))
                return Path.Combine(d, "eval");
        }

        return Path.Combine(Directory.GetCurrentDirectory(), "eval");
    }

    private static void WriteFindings(string path, List<Finding> findings)
    {
        var text = new StringBuilder("rule\trepo\tfile\tline\tmember\tmessage\texcerpt\tproject\n");
        foreach (var f in findings.OrderBy(f => f.Rule, StringComparer.Ordinal).ThenBy(f => f.Repo, StringComparer.Ordinal).ThenBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line))
            text.AppendJoin('\t', f.Rule, f.Repo, f.File, f.Line.ToString(Invariant), Tsv.Clean(f.Member), Tsv.Clean(f.Message), Tsv.Clean(f.Excerpt), f.Project).Append('\n');
        File.WriteAllText(path, text.ToString());
    }

    private static void WriteProjects(string path, List<ProjectResult> projects)
    {
        var text = new StringBuilder("repo\tproject\tframework\tfiles\tlines\terrors\tunresolved\tmissing_packages\tseconds\ttop_errors\n");
        foreach (var p in projects)
            text.AppendJoin('\t', p.Repo, p.Project, p.Framework, p.Files.ToString(Invariant), p.Lines.ToString(Invariant), p.Errors.ToString(Invariant),
                p.Unresolved.ToString(Invariant), p.MissingPackages.ToString(Invariant), p.Seconds.ToString("F1", Invariant),
                string.Join(" ", p.TopErrors.Select(e => $"{e.Key}:{e.Value}"))).Append('\n');
        File.WriteAllText(path, text.ToString());
    }

    private sealed record Settings(string Corpus, string Work, List<string> Repos, HashSet<string> Rules, bool WriteBaseline, bool UpdateManifest, bool RetryRestore, bool List, bool Timing)
    {
        public static Settings? Parse(string[] args)
        {
            var corpus = Environment.GetEnvironmentVariable("LEAK_CORPUS") is { Length: > 0 } c ? c : "/work/corpus";
            var work = Environment.GetEnvironmentVariable("LEAK_EVAL_WORK") is { Length: > 0 } w ? w
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "leakanalyzers-eval");
            var repos = new List<string>();
            var rules = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            bool writeBaseline = false, updateManifest = false, retry = false, list = false, timing = false;
            for (var i = 0; i < args.Length; i++)
            {
                string? Next() => i + 1 < args.Length ? args[++i] : null;
                switch (args[i])
                {
                    case "--corpus" when Next() is { } v: corpus = v; break;
                    case "--work" when Next() is { } v: work = v; break;
                    case "--repo" when Next() is { } v: repos.Add(v); break;
                    case "--rule" when Next() is { } v: rules.Add(v.ToUpperInvariant()); break;
                    case "--write-baseline": writeBaseline = true; break;
                    case "--update-manifest": updateManifest = true; break;
                    case "--retry-restore": retry = true; break;
                    case "--list": list = true; break;
                    case "--timing": timing = true; break;
                    default: return null;
                }
            }

            return new Settings(Path.GetFullPath(corpus), Path.GetFullPath(work), repos, rules, writeBaseline, updateManifest, retry, list, timing);
        }
    }
}
