using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace LeakAnalyzers.Eval;

/// <summary>One LEAK diagnostic on the corpus, with what a human needs to match it again after lines move.</summary>
internal sealed record Finding(string Rule, string Repo, string Project, string File, int Line, string Member, string Message, string Excerpt)
{
    /// <summary>The exact match key (no line number).</summary>
    public string Key => string.Join('\u001f', Rule, Repo, File, Member, Message, Excerpt);

    /// <summary>The loose match key: the same finding whose line text changed.</summary>
    public string LooseKey => string.Join('\u001f', Rule, Repo, File, Member, Message);
}

/// <summary>How one project bound and what it reported.</summary>
internal sealed record ProjectResult(string Repo, string Project, string Framework, int Files, int Lines, int Errors, int Unresolved,
    int MissingPackages, double Seconds, IReadOnlyDictionary<string, int> TopErrors);

/// <summary>Builds in-memory compilations of a repository's projects and runs the LEAK analyzers on its production ones.</summary>
internal sealed class Analysis(ImmutableArray<DiagnosticAnalyzer> analyzers, PackageResolver packages, Func<string, string> referencePackFolder)
{
    /// <summary>Compiler errors that mean a name did not bind to anything (a missing reference or generated code).</summary>
    private static readonly HashSet<string> UnresolvedIds = ["CS0246", "CS0234", "CS0103", "CS0012", "CS0400", "CS0138", "CS8179"];

    private static readonly string[] SdkUsings = ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];
    private static readonly string[] WebUsings = ["System.Net.Http.Json", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Http",
        "Microsoft.AspNetCore.Routing", "Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging"];
    private static readonly string[] WorkerUsings = ["Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging"];

    private readonly ConcurrentDictionary<string, ImmutableArray<MetadataReference>> _frameworkRefs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MetadataReference> _fileRefs = new(StringComparer.Ordinal);

    public List<string> AnalyzerExceptions { get; } = [];

    /// <summary>Each analyzer's callback time summed over the projects (with <c>--timing</c>).</summary>
    public ConcurrentDictionary<string, double> AnalyzerSeconds { get; } = new(StringComparer.Ordinal);

    /// <summary>Wall time of the compiler alone, summed (with <c>--timing</c>: each project is bound twice).</summary>
    public double CompileOnlySeconds { get; private set; }

    public bool Timing { get; init; }

    public async Task<(List<Finding> Findings, List<ProjectResult> Projects)> RunAsync(CorpusRepo repo, CancellationToken cancellationToken)
    {
        var findings = new List<Finding>();
        var results = new List<ProjectResult>();
        var compilations = new Dictionary<CorpusProject, CSharpCompilation>();
        foreach (var project in repo.BuildOrder())
        {
            var stopwatch = Stopwatch.StartNew();
            var (compilation, lines, missing) = Create(project, compilations);
            compilations[project] = compilation;
            if (project.SkipReason is not null)
                continue;                                  // a dependency only: referenced, not analyzed

            var exceptions = new ConcurrentQueue<string>();
            var options = new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                onAnalyzerException: (exception, analyzer, diagnostic) => exceptions.Enqueue(
                    $"{repo.Entry.Name} {project.RelativePath}: {analyzer.GetType().Name}: {exception.GetType().Name}: {exception.Message}\n{exception.StackTrace}"),
                concurrentAnalysis: true, logAnalyzerExecutionTime: Timing, reportSuppressedDiagnostics: false);
            if (Timing)
            {
                var compileWatch = Stopwatch.StartNew();
                _ = compilation.Clone().GetDiagnostics(cancellationToken);
                CompileOnlySeconds += compileWatch.Elapsed.TotalSeconds;
            }

            var withAnalyzers = compilation.WithAnalyzers(analyzers, options);
            var diagnostics = await withAnalyzers.GetAllDiagnosticsAsync(cancellationToken).ConfigureAwait(false);
            if (Timing)
            {
                foreach (var analyzer in analyzers)
                {
                    var telemetry = await withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, cancellationToken).ConfigureAwait(false);
                    AnalyzerSeconds.AddOrUpdate(analyzer.GetType().Name, telemetry.ExecutionTime.TotalSeconds, (_, t) => t + telemetry.ExecutionTime.TotalSeconds);
                }
            }
            var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error && d.Id.StartsWith("CS", StringComparison.Ordinal)).ToList();
            foreach (var diagnostic in diagnostics.Where(d => d.Id.StartsWith("LEAK", StringComparison.Ordinal)))
                findings.Add(ToFinding(diagnostic, repo, project));
            foreach (var diagnostic in diagnostics.Where(d => d.Id == "AD0001"))
                exceptions.Enqueue($"{repo.Entry.Name} {project.RelativePath}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}");
            lock (AnalyzerExceptions)
                AnalyzerExceptions.AddRange(exceptions);
            var top = errors.GroupBy(e => e.Id).OrderByDescending(g => g.Count()).Take(4).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            results.Add(new ProjectResult(repo.Entry.Name, project.RelativePath, project.TargetFramework, project.SourceFiles.Count, lines,
                errors.Count, errors.Count(e => UnresolvedIds.Contains(e.Id)), missing, stopwatch.Elapsed.TotalSeconds, top));
        }

        return (findings, results);
    }

    private (CSharpCompilation Compilation, int Lines, int MissingPackages) Create(CorpusProject project, Dictionary<CorpusProject, CSharpCompilation> built)
    {
        var evaluation = project.Evaluation;
        var p = evaluation.Properties;
        var defines = Defines(project.TargetFramework)
            .Concat(p.GetValueOrDefault("DefineConstants", "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(d => d.Length > 0 && !d.Contains('$', StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).ToArray();
        var parse = new CSharpParseOptions(LanguageVersion.Preview, DocumentationMode.None, SourceCodeKind.Regular, defines);
        var texts = new SourceText[project.SourceFiles.Count];
        var trees = new SyntaxTree[project.SourceFiles.Count + 1];
        Parallel.For(0, project.SourceFiles.Count, i =>
        {
            using var stream = File.OpenRead(project.SourceFiles[i]);
            texts[i] = SourceText.From(stream, Encoding.UTF8, canBeEmbedded: false);
            trees[i] = CSharpSyntaxTree.ParseText(texts[i], parse, project.SourceFiles[i]);
        });
        var lines = texts.Sum(t => t.Lines.Count);
        trees[^1] = CSharpSyntaxTree.ParseText(GlobalUsings(project), parse, Path.Combine(Path.GetDirectoryName(project.Path)!, "obj", project.Name + ".GlobalUsings.g.cs"));

        // References: the framework's reference packs, the packages' compile assemblies, the referenced projects.
        // Like the SDK's conflict resolution, one assembly per simple name: the highest version, the framework's on a tie.
        var framework = PackageResolver.RestoreFramework(project.TargetFramework);
        var byName = new Dictionary<string, (Version Version, MetadataReference Reference, bool Framework)>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, version, reference) in FrameworkReferences(framework))
            byName[name] = (version, reference, true);
        var missing = 0;
        foreach (var package in project.AllPackages())
        {
            var assets = packages.Get(package.Name, package.Version, framework);
            if (assets.Status is not ("ok" or "partial"))
            {
                missing++;
                continue;
            }

            foreach (var path in assets.Assemblies)
            {
                var identity = PackageResolver.Identity(path);
                if (identity?.Name is not { } name)
                    continue;
                var version = identity.Version ?? new Version(0, 0);
                if (byName.TryGetValue(name, out var existing) && (existing.Version > version || (existing.Version == version && existing.Framework)))
                    continue;
                byName[name] = (version, _fileRefs.GetOrAdd(path, static f => MetadataReference.CreateFromFile(f)), false);
            }
        }

        var references = byName.Values.Select(v => v.Reference).ToList();
        var seen = new HashSet<CorpusProject>();
        void AddProjects(CorpusProject p)
        {
            foreach (var reference in p.References)
            {
                if (!seen.Add(reference) || !built.TryGetValue(reference, out var compilation))
                    continue;
                references.Add(compilation.ToMetadataReference());
                AddProjects(reference);                  // transitive project references flow, as in the SDK
            }
        }

        AddProjects(project);

        var nullable = project.Nullable.ToLowerInvariant() switch
        {
            "enable" or "true" => NullableContextOptions.Enable,
            "warnings" => NullableContextOptions.Warnings,
            "annotations" => NullableContextOptions.Annotations,
            _ => NullableContextOptions.Disable,
        };
        var options = new CSharpCompilationOptions(project.IsExe ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
            nullableContextOptions: nullable, allowUnsafe: project.AllowUnsafe, concurrentBuild: true,
            generalDiagnosticOption: ReportDiagnostic.Default);
        var assemblyName = p.GetValueOrDefault("AssemblyName", "") is { Length: > 0 } a ? a : project.Name;
        return (CSharpCompilation.Create(assemblyName, trees, references, options), lines, missing);
    }

    private IEnumerable<(string Name, Version Version, MetadataReference Reference)> FrameworkReferences(string framework)
    {
        var refs = _frameworkRefs.GetOrAdd(framework, f =>
        {
            var list = new List<MetadataReference>();
            foreach (var folder in new[] { referencePackFolder(f + "|netcore"), referencePackFolder(f + "|aspnetcore") })
            {
                if (folder.Length == 0 || !Directory.Exists(folder))
                    continue;
                foreach (var dll in Directory.GetFiles(folder, "*.dll").Order(StringComparer.Ordinal))
                    if (PackageResolver.Identity(dll) is not null)
                        list.Add(MetadataReference.CreateFromFile(dll));
            }

            return list.ToImmutableArray();
        });
        foreach (var reference in refs)
        {
            var identity = PackageResolver.Identity(((PortableExecutableReference)reference).FilePath!)!;
            yield return (identity.Name!, identity.Version ?? new Version(0, 0), reference);
        }
    }

    private static string GlobalUsings(CorpusProject project)
    {
        var usings = new List<UsingItem>();
        if (project.ImplicitUsings)
        {
            usings.AddRange(SdkUsings.Select(u => new UsingItem(u, null, false)));
            if (project.Sdk.Contains("Web", StringComparison.OrdinalIgnoreCase))
                usings.AddRange(WebUsings.Select(u => new UsingItem(u, null, false)));
            else if (project.Sdk.Contains("Worker", StringComparison.OrdinalIgnoreCase))
                usings.AddRange(WorkerUsings.Select(u => new UsingItem(u, null, false)));
        }

        usings.AddRange(project.Evaluation.Usings);
        var text = new StringBuilder("// <auto-generated/>\n");
        foreach (var u in usings.Where(u => !project.Evaluation.RemovedUsings.Contains(u.Namespace)).DistinctBy(u => (u.Namespace, u.Alias, u.Static)))
        {
            text.Append("global using ");
            if (u.Static)
                text.Append("static ");
            if (u.Alias is not null)
                text.Append(u.Alias).Append(" = ");
            text.Append("global::").Append(u.Namespace).Append(";\n");
        }

        return text.ToString();
    }

    /// <summary>The SDK's implicit preprocessor symbols for a target framework (Release configuration).</summary>
    private static IEnumerable<string> Defines(string tfm)
    {
        yield return "TRACE";
        yield return "RELEASE";
        var m = System.Text.RegularExpressions.Regex.Match(tfm, @"^net(\d+)\.(\d+)$");
        if (m.Success)
        {
            var major = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            yield return "NET";
            yield return "NETCOREAPP";
            yield return $"NET{major}_0";
            for (var v = 5; v <= major; v++)
                yield return $"NET{v}_0_OR_GREATER";
            foreach (var core in new[] { "1_0", "1_1", "2_0", "2_1", "2_2", "3_0", "3_1" })
                yield return $"NETCOREAPP{core}_OR_GREATER";
        }
        else if (tfm.StartsWith("netstandard", StringComparison.Ordinal))
        {
            yield return "NETSTANDARD";
            var version = tfm["netstandard".Length..].Replace('.', '_');
            yield return "NETSTANDARD" + version;
            foreach (var v in new[] { "1_0", "1_1", "1_2", "1_3", "1_4", "1_5", "1_6", "2_0", "2_1" })
            {
                yield return $"NETSTANDARD{v}_OR_GREATER";
                if (v == version)
                    break;
            }
        }
        else if (tfm.StartsWith("netcoreapp", StringComparison.Ordinal))
        {
            yield return "NETCOREAPP";
        }
    }

    private static Finding ToFinding(Diagnostic diagnostic, CorpusRepo repo, CorpusProject project)
    {
        var location = diagnostic.Location;
        var tree = location.SourceTree;
        var span = location.GetLineSpan();
        var file = Path.GetRelativePath(repo.Root, span.Path).Replace('\\', '/');
        var line = span.StartLinePosition.Line + 1;
        var excerpt = "";
        var member = "";
        if (tree is not null)
        {
            var text = tree.GetText();
            excerpt = Normalize(text.Lines[span.StartLinePosition.Line].ToString());
            var node = tree.GetRoot().FindNode(location.SourceSpan, getInnermostNodeForTie: true);
            member = MemberName(node);
        }

        return new Finding(diagnostic.Id, repo.Entry.Name, project.RelativePath, file, line, member,
            Normalize(diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)), excerpt);
    }

    public static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text.Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }

            if (space && builder.Length > 0)
                builder.Append(' ');
            space = false;
            builder.Append(c);
        }

        var result = builder.ToString();
        return result.Length > 160 ? result[..160] : result;
    }

    /// <summary><c>Namespace-free Type.Member</c> of the innermost member around the node (nested types joined with '+').</summary>
    public static string MemberName(SyntaxNode node)
    {
        string? member = null;
        var types = new List<string>();
        for (var current = node; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case BaseTypeDeclarationSyntax typeDeclaration:
                    types.Add(typeDeclaration.Identifier.Text);
                    break;
                case DelegateDeclarationSyntax d when member is null:
                    member = d.Identifier.Text;
                    break;
                case MethodDeclarationSyntax m when member is null:
                    member = m.Identifier.Text;
                    break;
                case ConstructorDeclarationSyntax c when member is null:
                    member = c.Modifiers.Any(SyntaxKind.StaticKeyword) ? ".cctor" : ".ctor";
                    break;
                case DestructorDeclarationSyntax when member is null:
                    member = "Finalize";
                    break;
                case PropertyDeclarationSyntax pr when member is null:
                    member = pr.Identifier.Text;
                    break;
                case IndexerDeclarationSyntax when member is null:
                    member = "this[]";
                    break;
                case EventDeclarationSyntax e when member is null:
                    member = e.Identifier.Text;
                    break;
                case OperatorDeclarationSyntax o when member is null:
                    member = "operator " + o.OperatorToken.Text;
                    break;
                case ConversionOperatorDeclarationSyntax when member is null:
                    member = "conversion";
                    break;
                case BaseFieldDeclarationSyntax f when member is null:
                    member = string.Join(",", f.Declaration.Variables.Select(v => v.Identifier.Text));
                    break;
                case GlobalStatementSyntax when member is null:
                    member = "<top-level>";
                    break;
            }
        }

        types.Reverse();
        var type = string.Join("+", types);
        return member is null ? type : type.Length == 0 ? member : type + "." + member;
    }
}
