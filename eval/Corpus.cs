using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace LeakAnalyzers.Eval;

/// <summary>One code base of the corpus, as eval/manifest.json pins it.</summary>
internal sealed class ManifestEntry
{
    /// <summary>GitHub owner/name.</summary>
    public string Name { get; set; } = "";

    /// <summary>The folder under the corpus root (owner+name).</summary>
    public string Dir { get; set; } = "";

    public string Commit { get; set; } = "";
    public string License { get; set; } = "";
    public string Kind { get; set; } = "";

    /// <summary>Regexes on a project's path relative to the repository: projects skipped on top of the default rules.</summary>
    public List<string> Skip { get; set; } = [];

    /// <summary>When set, only projects whose relative path matches one of these regexes are analyzed.</summary>
    public List<string> Only { get; set; } = [];

    public string Note { get; set; } = "";

    /// <summary>Written by <c>--update-manifest</c>: the projects analyzed.</summary>
    public List<string> Analyzed { get; set; } = [];

    /// <summary>Written by <c>--update-manifest</c>: the projects skipped, with the reason.</summary>
    public List<string> Skipped { get; set; } = [];
}

internal static class Manifest
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    public static List<ManifestEntry> Load(string path) =>
        JsonSerializer.Deserialize<List<ManifestEntry>>(File.ReadAllText(path), Json) ?? [];

    public static void Save(string path, List<ManifestEntry> entries) =>
        File.WriteAllText(path, JsonSerializer.Serialize(entries, Json).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
}

/// <summary>A project of a corpus repository, evaluated for one target framework.</summary>
internal sealed class CorpusProject
{
    private static readonly Regex TestName = new(@"(^|[.\-_])(Tests?|UnitTests?|IntegrationTests?|FunctionalTests?|AcceptanceTests?|E2ETests?|Specs?|Benchmarks?|PerfTests?|Performance|TestHelpers?|TestUtilities|TestUtils|Testing|TestCommon|Tests?\.[A-Za-z.]+|Mocks?|Fakes?)$", RegexOptions.IgnoreCase | RegexOptions.Compiled);
    private static readonly Regex SkipSegment = new(@"^(tests?|test-?projects?|test-?assets?|test-?harness|benchmarks?|perf|samples?|examples?|demos?|playground|sandbox|testing|templates?|build|eng|tools?)$", RegexOptions.IgnoreCase | RegexOptions.Compiled);
    private static readonly string[] TestPackages = ["Microsoft.NET.Test.Sdk", "xunit", "xunit.core", "xunit.v3", "NUnit", "MSTest.TestFramework", "MSTest", "BenchmarkDotNet", "TUnit"];

    public required string Path { get; init; }
    public required string RelativePath { get; init; }
    public required string Name { get; init; }
    public required string TargetFramework { get; init; }
    public required MsBuildEvaluation Evaluation { get; init; }
    public string? SkipReason { get; set; }
    public List<string> SourceFiles { get; } = [];
    public List<CorpusProject> References { get; } = [];
    public bool IsExe { get; init; }
    public bool IsWeb { get; init; }
    public bool AllowUnsafe { get; init; }
    public string Nullable { get; init; } = "";
    public bool ImplicitUsings { get; init; }
    public string Sdk { get; init; } = "";

    public IEnumerable<PackageRef> Packages
    {
        get
        {
            foreach (var reference in Evaluation.PackageReferences.Values)
            {
                var version = reference.Version;
                if (version.Length == 0)
                    version = Evaluation.PackageVersions.GetValueOrDefault(reference.Name, "");
                yield return reference with { Version = version };
            }
        }
    }

    /// <summary>
    /// The packages the compiler sees: the project's own and, as NuGet flows them through project references, those of
    /// every project it references (directly or not). The project's own version wins.
    /// </summary>
    public List<PackageRef> AllPackages()
    {
        var result = new Dictionary<string, PackageRef>(StringComparer.OrdinalIgnoreCase);
        var seen = new HashSet<CorpusProject>();
        void Visit(CorpusProject project)
        {
            if (!seen.Add(project))
                return;
            foreach (var package in project.Packages)
                result.TryAdd(package.Name, package);
            foreach (var reference in project.References)
                Visit(reference);
        }

        Visit(this);
        return result.Values.ToList();
    }

    /// <summary>Reads a project: picks its target framework, decides whether it is production code, lists its sources.</summary>
    public static CorpusProject Load(string path, string repoRoot, ManifestEntry entry)
    {
        var relative = System.IO.Path.GetRelativePath(repoRoot, path).Replace('\\', '/');
        var first = MsBuildEvaluation.Evaluate(path, repoRoot);
        var frameworks = first.Properties.GetValueOrDefault("TargetFrameworks", "");
        if (frameworks.Length == 0)
            frameworks = first.Properties.GetValueOrDefault("TargetFramework", "");
        var (tfm, tfmSkip) = PickFramework(frameworks, first);
        var evaluation = tfm.Length > 0
            ? MsBuildEvaluation.Evaluate(path, repoRoot, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["TargetFramework"] = tfm })
            : first;
        var p = evaluation.Properties;
        var sdk = evaluation.Sdk;
        var outputType = p.GetValueOrDefault("OutputType", "");
        var isWeb = sdk.Contains("Web", StringComparison.OrdinalIgnoreCase) || evaluation.FrameworkReferences.Contains("Microsoft.AspNetCore.App");
        var project = new CorpusProject
        {
            Path = path,
            RelativePath = relative,
            Name = System.IO.Path.GetFileNameWithoutExtension(path),
            TargetFramework = tfm,
            Evaluation = evaluation,
            Sdk = sdk,
            IsWeb = isWeb,
            IsExe = outputType.Equals("Exe", StringComparison.OrdinalIgnoreCase) || outputType.Equals("WinExe", StringComparison.OrdinalIgnoreCase)
                || (outputType.Length == 0 && (sdk.Equals("Microsoft.NET.Sdk.Web", StringComparison.OrdinalIgnoreCase) || sdk.Equals("Microsoft.NET.Sdk.Worker", StringComparison.OrdinalIgnoreCase))),
            AllowUnsafe = p.GetValueOrDefault("AllowUnsafeBlocks", "").Equals("true", StringComparison.OrdinalIgnoreCase),
            Nullable = p.GetValueOrDefault("Nullable", ""),
            ImplicitUsings = p.GetValueOrDefault("ImplicitUsings", "") is var iu && (iu.Equals("enable", StringComparison.OrdinalIgnoreCase) || iu.Equals("true", StringComparison.OrdinalIgnoreCase)),
        };
        project.SkipReason = tfmSkip ?? SkipReasonFor(project, entry);
        project.SourceFiles.AddRange(Sources(project));
        return project;
    }

    private static (string Tfm, string? Skip) PickFramework(string frameworks, MsBuildEvaluation evaluation)
    {
        var all = frameworks.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (all.Length == 0)
        {
            // Old-style project: TargetFrameworkVersion v4.x.
            var version = evaluation.Properties.GetValueOrDefault("TargetFrameworkVersion", "");
            return version.Length > 0 ? ("net4x", ".NET Framework only (" + version + ")") : ("", "no target framework found");
        }

        static int Rank(string tfm)
        {
            var m = Regex.Match(tfm, @"^net(\d+)\.(\d+)$");
            if (m.Success)
                return 1000 + (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * 10);
            if (Regex.IsMatch(tfm, @"^netcoreapp\d"))
                return 900;
            if (tfm.StartsWith("netstandard", StringComparison.Ordinal))
                return 800 + (tfm.Length > 11 && char.IsDigit(tfm[11]) ? tfm[11] - '0' : 0);
            return 0;
        }

        var best = all.Where(t => !t.Contains('-', StringComparison.Ordinal)).OrderByDescending(Rank).FirstOrDefault();
        if (best is not null && Rank(best) > 0)
            return (best, null);
        if (all.Any(t => t.Contains('-', StringComparison.Ordinal)))
            return (all[0], "platform-specific target only (" + string.Join(";", all) + ")");
        return (all[0], ".NET Framework only (" + string.Join(";", all) + ")");
    }

    private static string? SkipReasonFor(CorpusProject project, ManifestEntry entry)
    {
        var p = project.Evaluation.Properties;
        if (entry.Only.Count > 0 && !entry.Only.Any(o => Regex.IsMatch(project.RelativePath, o, RegexOptions.IgnoreCase)))
            return "not selected (manifest 'only')";
        foreach (var skip in entry.Skip)
            if (Regex.IsMatch(project.RelativePath, skip, RegexOptions.IgnoreCase))
                return "manifest skip: " + skip;
        if (p.GetValueOrDefault("IsTestProject", "").Equals("true", StringComparison.OrdinalIgnoreCase)
            || project.Evaluation.PackageReferences.Keys.Concat(project.Evaluation.PrivatePackages.Keys).Any(k => TestPackages.Contains(k, StringComparer.OrdinalIgnoreCase)))
            return "test";
        if (TestName.IsMatch(project.Name))
            return "test/benchmark (name)";
        var segments = project.RelativePath.Split('/')[..^1];
        if (segments.FirstOrDefault(s => SkipSegment.IsMatch(s)) is { } segment)
            return "not production code (folder '" + segment + "')";
        if (project.Sdk.Contains("BlazorWebAssembly", StringComparison.OrdinalIgnoreCase))
            return "browser client (Blazor WebAssembly)";
        if (p.GetValueOrDefault("UseMaui", "").Equals("true", StringComparison.OrdinalIgnoreCase)
            || p.GetValueOrDefault("UseWPF", "").Equals("true", StringComparison.OrdinalIgnoreCase)
            || p.GetValueOrDefault("UseWindowsForms", "").Equals("true", StringComparison.OrdinalIgnoreCase))
            return "desktop/mobile UI";
        if (p.GetValueOrDefault("IsAspireHost", "").Equals("true", StringComparison.OrdinalIgnoreCase))
            return "Aspire app host (development orchestration)";
        return null;
    }

    private static IEnumerable<string> Sources(CorpusProject project)
    {
        var evaluation = project.Evaluation;
        var directory = System.IO.Path.GetDirectoryName(project.Path)!;
        var p = evaluation.Properties;
        var files = new HashSet<string>(StringComparer.Ordinal);
        var sdkStyle = evaluation.Sdk.Length > 0;
        var defaults = sdkStyle && !p.GetValueOrDefault("EnableDefaultCompileItems", "true").Equals("false", StringComparison.OrdinalIgnoreCase)
            && !p.GetValueOrDefault("EnableDefaultItems", "true").Equals("false", StringComparison.OrdinalIgnoreCase);
        if (defaults)
        {
            var excludes = "bin/**;obj/**;" + p.GetValueOrDefault("DefaultItemExcludes", "") + ";" + p.GetValueOrDefault("DefaultItemExcludesInProjectFolder", "");
            foreach (var file in Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories))
            {
                if (!Glob.Matches(excludes, directory, file))
                    files.Add(file);
            }
        }

        foreach (var (include, remove, _) in evaluation.CompileItems)
        {
            if (include.Length == 0)
            {
                // Compile Remove: relative to the project (MSBuild evaluates item paths from the project directory).
                files.RemoveWhere(f => Glob.Matches(remove!, directory, f));
                continue;
            }

            foreach (var pattern in include.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                foreach (var file in Glob.Expand(pattern, directory))
                {
                    if (file.EndsWith(".cs", StringComparison.OrdinalIgnoreCase) && (remove is null || !Glob.Matches(remove, directory, file)))
                        files.Add(file);
                }
            }
        }

        return files.Order(StringComparer.Ordinal);
    }
}

/// <summary>The projects of one repository.</summary>
internal sealed class CorpusRepo
{
    public required ManifestEntry Entry { get; init; }
    public required string Root { get; init; }
    public List<CorpusProject> Projects { get; } = [];

    public static CorpusRepo Load(ManifestEntry entry, string corpusRoot)
    {
        var root = Path.GetFullPath(Path.Combine(corpusRoot, entry.Dir));
        var repo = new CorpusRepo { Entry = entry, Root = root };
        var paths = Directory.EnumerateFiles(root, "*.csproj", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var byPath = new Dictionary<string, CorpusProject>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            CorpusProject project;
            try
            {
                project = CorpusProject.Load(path, root, entry);
            }
            catch (System.Xml.XmlException e)
            {
                Console.Error.WriteLine($"  {entry.Name}: cannot read {Path.GetRelativePath(root, path)}: {e.Message}");
                continue;
            }

            byPath[path] = project;
            repo.Projects.Add(project);
        }

        foreach (var project in repo.Projects)
            foreach (var reference in project.Evaluation.ProjectReferences)
                if (byPath.TryGetValue(reference, out var target) && target != project)
                    project.References.Add(target);
        return repo;
    }

    /// <summary>Production projects and everything they reference, dependencies first.</summary>
    public List<CorpusProject> BuildOrder()
    {
        var order = new List<CorpusProject>();
        var state = new Dictionary<CorpusProject, int>();
        void Visit(CorpusProject project)
        {
            if (state.TryGetValue(project, out var s))
                return;                                 // visited, or a cycle (ignored)
            state[project] = 1;
            foreach (var reference in project.References)
                Visit(reference);
            state[project] = 2;
            order.Add(project);
        }

        foreach (var project in Projects.Where(p => p.SkipReason is null))
            Visit(project);
        return order;
    }
}
