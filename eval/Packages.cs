using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LeakAnalyzers.Eval;

/// <summary>What restoring one package (with its dependencies) gave: compile-time assemblies, or why not.</summary>
internal sealed class PackageAssets
{
    public string Status { get; set; } = "";          // ok, partial, failed, not-served
    public string ResolvedVersion { get; set; } = "";
    public List<string> Assemblies { get; set; } = [];
    public string Error { get; set; } = "";
}

/// <summary>
/// Finds the compile-time assemblies of the corpus's NuGet packages without building anything: one throw-away
/// restore project per package (so that one package the registry does not serve spoils only itself), all restored by
/// one <c>dotnet restore</c> of a generated solution, each read from its obj/project.assets.json. Results are cached in
/// the work folder, so later runs restore only what is new. Versions the registry does not serve are replaced by the
/// nearest served one when the machine's package list (LEAK_NUGET_LIST) says which are served.
/// </summary>
internal sealed class PackageResolver
{
    private readonly string _work;
    private readonly string _cachePath;
    private readonly Dictionary<string, PackageAssets> _cache;
    private readonly Dictionary<string, List<string>>? _served;

    public PackageResolver(string workFolder)
    {
        _work = workFolder;
        Directory.CreateDirectory(_work);
        // Stop MSBuild's upward search for Directory.Build.props/Packages.props at the work folder.
        File.WriteAllText(Path.Combine(_work, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(_work, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(_work, "Directory.Packages.props"), "<Project />\n");
        _cachePath = Path.Combine(_work, "packages-cache.json");
        _cache = File.Exists(_cachePath)
            ? JsonSerializer.Deserialize<Dictionary<string, PackageAssets>>(File.ReadAllText(_cachePath)) ?? new()
            : new();
        var list = Environment.GetEnvironmentVariable("LEAK_NUGET_LIST") ?? "/work/.library/env/packages/nuget.tsv";
        if (File.Exists(list))
            _served = ReadServedList(list);
    }

    public static string RestoreFramework(string tfm) => tfm switch
    {
        _ when tfm.StartsWith("net10", StringComparison.Ordinal) => "net10.0",
        _ when tfm.StartsWith("net9", StringComparison.Ordinal) => "net9.0",
        _ => "net8.0",
    };

    private static Dictionary<string, List<string>> ReadServedList(string path)
    {
        var served = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var columns = line.Split('\t');
            if (columns.Length < 5 || columns[1] is "not-served")
                continue;
            var versions = columns[4].Split(' ', StringSplitOptions.RemoveEmptyEntries).TakeWhile(v => !v.StartsWith('(')).ToList();
            if (versions.Count > 0)
                served[columns[0]] = versions;
        }

        return served;
    }

    /// <summary>The version to restore: the one asked for when served, else the lowest served above it, else the newest served.</summary>
    public (string? Version, string Note) MapVersion(string name, string requested)
    {
        var wanted = requested.Trim().TrimStart('[', '(').Split(',')[0].Trim().TrimEnd(']', ')').Replace("*", "0", StringComparison.Ordinal);
        if (_served is null)
            return (wanted.Length == 0 ? null : wanted, "");
        if (!_served.TryGetValue(name, out var versions))
            return (null, "not served");
        if (wanted.Length == 0)
            return (versions[^1], "no version given: newest served");
        if (versions.Contains(wanted, StringComparer.OrdinalIgnoreCase))
            return (wanted, "");
        var parsed = NuGetVersion(wanted);
        var above = versions.Where(v => NuGetVersion(v).CompareTo(parsed) >= 0).OrderBy(NuGetVersion).FirstOrDefault();
        return above is not null ? (above, "not served: took " + above) : (versions.OrderBy(NuGetVersion).Last(), "not served: took the newest served");
    }

    private static Version NuGetVersion(string v)
    {
        var core = v.Split('-', '+')[0];
        var parts = core.Split('.').Select(x => int.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0).Concat([0, 0, 0, 0]).Take(4).ToArray();
        return new Version(parts[0], parts[1], parts[2], parts[3]);
    }

    private static string Key(string name, string version, string framework) => $"{name.ToLowerInvariant()}/{version.ToLowerInvariant()}/{framework}";

    /// <summary>Restores what the cache lacks (one <c>dotnet restore</c>), then answers from the cache.</summary>
    public void Prepare(IEnumerable<(string Name, string Version, string Framework)> packages, IEnumerable<(string Pack, string Version)> packs, bool retryFailed)
    {
        var missing = new List<(string Name, string Version, string Framework)>();
        foreach (var (name, version, framework) in packages.DistinctBy(p => Key(p.Name, p.Version, p.Framework)))
        {
            var key = Key(name, version, framework);
            if (_cache.TryGetValue(key, out var cached) && (cached.Status is "not-served" || (!retryFailed && cached.Status == "failed")
                || (cached.Assemblies.Count > 0 && cached.Assemblies.All(File.Exists)) || (cached.Status == "ok" && cached.Assemblies.Count == 0)))
                continue;
            missing.Add((name, version, framework));
        }

        var packDownloads = packs.Where(p => !Directory.Exists(PackFolder(p.Pack, p.Version))).ToList();
        if (missing.Count == 0 && packDownloads.Count == 0)
            return;

        var stopwatch = Stopwatch.StartNew();
        var restoreRoot = Path.Combine(_work, "restore");
        Directory.CreateDirectory(restoreRoot);
        var solution = new StringBuilder("<Solution>\n");
        var projects = new List<(string Key, string Dir, string Framework)>();
        foreach (var (name, version, framework) in missing)
        {
            var key = Key(name, version, framework);
            var (mapped, note) = MapVersion(name, version);
            if (mapped is null)
            {
                _cache[key] = new PackageAssets { Status = "not-served", Error = note.Length > 0 ? note : "no version" };
                continue;
            }

            var dir = Path.Combine(restoreRoot, Hash(key));
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, Hash(key) + ".csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>{framework}</TargetFramework>
                    <NoWarn>$(NoWarn);NU1603;NU1605;NU1608;NU1701;NU1107;NU1900;NU1901;NU1902;NU1903;NU1904;NU1510;NU1903</NoWarn>
                    <NuGetAudit>false</NuGetAudit>
                    <WarningsAsErrors></WarningsAsErrors>
                    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                    <DisableImplicitFrameworkReferences>false</DisableImplicitFrameworkReferences>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="{System.Security.SecurityElement.Escape(name)}" Version="{System.Security.SecurityElement.Escape(mapped)}" />
                  </ItemGroup>
                </Project>
                """);
            solution.Append(CultureInfo.InvariantCulture, $"  <Project Path=\"{Hash(key)}/{Hash(key)}.csproj\" />\n");
            projects.Add((key, dir, framework));
            _cache[key] = new PackageAssets { Status = "pending", ResolvedVersion = mapped, Error = note };
        }

        if (packDownloads.Count > 0)
        {
            var dir = Path.Combine(restoreRoot, "packs");
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "packs.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup><TargetFramework>net10.0</TargetFramework><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally><NuGetAudit>false</NuGetAudit></PropertyGroup>
                  <ItemGroup>
                {string.Concat(packDownloads.Select(p => $"    <PackageDownload Include=\"{p.Pack}\" Version=\"[{p.Version}]\" />\n"))}  </ItemGroup>
                </Project>
                """);
            solution.Append("  <Project Path=\"packs/packs.csproj\" />\n");
        }

        solution.Append("</Solution>\n");
        var slnx = Path.Combine(restoreRoot, "restore.slnx");
        File.WriteAllText(slnx, solution.ToString());
        Console.Error.WriteLine($"restoring {projects.Count} package(s) and {packDownloads.Count} reference pack(s) (cached for later runs)...");
        var log = Path.Combine(_work, "restore.log");
        var start = new ProcessStartInfo("dotnet", ["restore", slnx, "-v:q", "-nologo", "-p:NuGetAudit=false", "--disable-build-servers"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = restoreRoot,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using (var process = Process.Start(start)!)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            File.WriteAllText(log, output.Result + error.Result);
        }

        foreach (var (key, dir, framework) in projects)
            _cache[key] = ReadAssets(Path.Combine(dir, "obj", "project.assets.json"), framework, _cache[key]);
        File.WriteAllText(_cachePath, JsonSerializer.Serialize(_cache, new JsonSerializerOptions { WriteIndented = true }));
        Console.Error.WriteLine($"restore took {stopwatch.Elapsed.TotalSeconds:F0} s; log: {log}");
    }

    private static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16].ToLowerInvariant();

    private static PackageAssets ReadAssets(string assetsPath, string framework, PackageAssets pending)
    {
        if (!File.Exists(assetsPath))
            return new PackageAssets { Status = "failed", ResolvedVersion = pending.ResolvedVersion, Error = "no assets file" };
        var json = JsonNode.Parse(File.ReadAllText(assetsPath))!;
        var folders = json["packageFolders"]?.AsObject().Select(p => p.Key).ToList() ?? [];
        var libraries = json["libraries"]?.AsObject();
        var target = json["targets"]?.AsObject().FirstOrDefault(t => !t.Key.Contains('/', StringComparison.Ordinal)).Value?.AsObject();
        var errors = json["logs"]?.AsArray().Where(l => (string?)l?["level"] == "Error").Select(l => (string?)l?["message"] ?? "").ToList() ?? [];
        var result = new PackageAssets { ResolvedVersion = pending.ResolvedVersion, Error = string.Join(" | ", new[] { pending.Error }.Concat(errors.Take(3)).Where(e => e.Length > 0)) };
        if (target is null || libraries is null)
        {
            result.Status = "failed";
            return result;
        }

        foreach (var (name, value) in target)
        {
            if ((string?)value?["type"] != "package" || value?["compile"] is not JsonObject compile)
                continue;
            var libraryPath = (string?)libraries[name]?["path"];
            if (libraryPath is null)
                continue;
            foreach (var (file, _) in compile)
            {
                if (!file.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
                    continue;
                var full = folders.Select(f => Path.Combine(f, libraryPath, file)).FirstOrDefault(File.Exists);
                if (full is not null)
                    result.Assemblies.Add(full);
            }
        }

        result.Status = errors.Count == 0 ? "ok" : result.Assemblies.Count > 0 ? "partial" : "failed";
        return result;
    }

    public PackageAssets Get(string name, string version, string framework) =>
        _cache.TryGetValue(Key(name, version, framework), out var assets) ? assets : new PackageAssets { Status = "failed", Error = "not restored" };

    private static string PackFolder(string pack, string version) =>
        Path.Combine(NuGetRoot, pack.ToLowerInvariant(), version);

    public static string NuGetRoot => Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>The reference packs to use for a restore framework: the SDK's own packs when their major matches, else NuGet's.</summary>
    public static (string NetCore, string AspNetCore, string Version) ReferencePacks(string framework)
    {
        var major = framework["net".Length..framework.IndexOf('.', StringComparison.Ordinal)];
        var dotnetRoot = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(typeof(object).Assembly.Location)))!;
        string? Find(string pack, out string version)
        {
            foreach (var root in new[] { Path.Combine(dotnetRoot, "packs", pack), Path.Combine(NuGetRoot, pack.ToLowerInvariant()) })
            {
                if (!Directory.Exists(root))
                    continue;
                var best = Directory.GetDirectories(root).Select(Path.GetFileName).Where(v => v!.StartsWith(major + ".", StringComparison.Ordinal))
                    .Where(v => Directory.Exists(Path.Combine(root, v!, "ref"))).OrderBy(v => NuGetVersion(v!)).LastOrDefault();
                if (best is not null)
                {
                    version = best;
                    return Path.Combine(root, best, "ref", framework);
                }
            }

            version = "";
            return null;
        }

        var netcore = Find("Microsoft.NETCore.App.Ref", out var v1);
        var aspnet = Find("Microsoft.AspNetCore.App.Ref", out _);
        return (netcore ?? "", aspnet ?? "", v1);
    }

    /// <summary>Reads an assembly's name and version (null when it is not a managed assembly).</summary>
    public static AssemblyName? Identity(string path)
    {
        try
        {
            return AssemblyName.GetAssemblyName(path);
        }
        catch (BadImageFormatException)
        {
            return null;
        }
        catch (FileLoadException)
        {
            return null;
        }
    }
}
