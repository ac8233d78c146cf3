using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace LeakAnalyzers.Eval;

/// <summary>A package the project asks for: name and the version text as written (after property substitution).</summary>
internal sealed record PackageRef(string Name, string Version);

/// <summary>A <c>Using</c> item (the SDK's implicit global usings and the project's own).</summary>
internal sealed record UsingItem(string Namespace, string? Alias, bool Static);

/// <summary>
/// Just enough of MSBuild's evaluation to read a corpus project without running MSBuild: properties (with
/// <c>$(…)</c> substitution), conditions of the usual shapes, imports of files inside the repository,
/// Directory.Build.props/targets, Directory.Packages.props, and the items we need (Compile, PackageReference,
/// PackageVersion, ProjectReference, Using, FrameworkReference). Anything it cannot evaluate it treats as true or
/// empty: the result is an approximation meant for analysis, never for a build.
/// </summary>
internal sealed class MsBuildEvaluation
{
    private static readonly Regex PropertyRef = new(@"\$\(([A-Za-z_][A-Za-z0-9_\-\.]*)\)", RegexOptions.Compiled);
    private static readonly Regex PropertyFunction = new(@"\$\(\[[^\]]*\]::[^()]*\((?:[^()]|\([^()]*\))*\)\)|\$\([A-Za-z_][A-Za-z0-9_]*\.[A-Za-z]+\((?:[^()]|\([^()]*\))*\)\)", RegexOptions.Compiled);
    private static readonly Regex FileAbove = new(@"\$\(\[MSBuild\]::(GetPathOfFileAbove|GetDirectoryNameOfFileAbove)\(((?:[^()]|\$\([^()]*\))*)\)\)", RegexOptions.Compiled | RegexOptions.IgnoreCase);
    private static readonly Regex StringFunction = new(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\.(Contains|StartsWith|EndsWith|Equals|ToLower|ToLowerInvariant|ToUpper|ToUpperInvariant|Trim|TrimEnd|TrimStart|Replace)\(((?:[^()'])*|(?:'[^']*'\s*,?\s*)*)\)\)", RegexOptions.Compiled);

    private readonly string _repoRoot;
    private readonly HashSet<string> _imported = new(StringComparer.Ordinal);

    public Dictionary<string, string> Properties { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<(string Include, string? Remove, string Directory)> CompileItems { get; } = [];
    public Dictionary<string, PackageRef> PackageReferences { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, string> PackageVersions { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, string> PrivatePackages { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<string> ProjectReferences { get; } = [];
    public List<UsingItem> Usings { get; } = [];
    public HashSet<string> RemovedUsings { get; } = new(StringComparer.Ordinal);
    public HashSet<string> FrameworkReferences { get; } = new(StringComparer.OrdinalIgnoreCase);
    public string Sdk { get; private set; } = "";

    private MsBuildEvaluation(string repoRoot) => _repoRoot = repoRoot;

    /// <summary>Evaluates <paramref name="projectPath"/> with the given global properties (a chosen TargetFramework).</summary>
    public static MsBuildEvaluation Evaluate(string projectPath, string repoRoot, IReadOnlyDictionary<string, string>? globals = null)
    {
        var evaluation = new MsBuildEvaluation(repoRoot);
        var directory = Path.GetDirectoryName(projectPath)!;
        var p = evaluation.Properties;
        p["MSBuildProjectDirectory"] = directory;
        p["MSBuildProjectFullPath"] = projectPath;
        p["MSBuildProjectName"] = Path.GetFileNameWithoutExtension(projectPath);
        p["MSBuildProjectFile"] = Path.GetFileName(projectPath);
        p["MSBuildProjectExtension"] = Path.GetExtension(projectPath);
        p["SolutionDir"] = repoRoot + "/";
        p["Configuration"] = "Release";
        p["Platform"] = "AnyCPU";
        p["OS"] = "Unix";
        p["MSBuildRuntimeType"] = "Core";
        p["DefineConstants"] = "";
        if (globals is not null)
            foreach (var (key, value) in globals)
                p[key] = value;

        var root = XDocument.Load(projectPath).Root!;
        evaluation.Sdk = root.Attribute("Sdk")?.Value
            ?? root.Elements().Where(e => e.Name.LocalName == "Sdk").Select(e => e.Attribute("Name")?.Value).FirstOrDefault()
            ?? root.Elements().Where(e => e.Name.LocalName == "Import" && (e.Attribute("Sdk")?.Value ?? "").Length > 0).Select(e => e.Attribute("Sdk")!.Value).FirstOrDefault()
            ?? "";
        var sdkStyle = evaluation.Sdk.Length > 0;

        if (sdkStyle)
        {
            if (evaluation.FindAbove(directory, "Directory.Build.props") is { } buildProps)
                evaluation.ImportFile(buildProps, globals);
            if (evaluation.FindAbove(directory, "Directory.Packages.props") is { } packagesProps)
                evaluation.ImportFile(packagesProps, globals);
        }

        evaluation.ProcessFile(projectPath, root, globals);

        if (sdkStyle && evaluation.FindAbove(directory, "Directory.Build.targets") is { } buildTargets)
            evaluation.ImportFile(buildTargets, globals);
        return evaluation;
    }

    private string? FindAbove(string directory, string fileName)
    {
        for (var d = directory; d is not null && d.StartsWith(_repoRoot, StringComparison.Ordinal); d = Path.GetDirectoryName(d))
        {
            var candidate = Path.Combine(d, fileName);
            if (File.Exists(candidate))
                return candidate;
        }

        return null;
    }

    private void ImportFile(string path, IReadOnlyDictionary<string, string>? globals)
    {
        path = Path.GetFullPath(path);
        if (!_imported.Add(path) || !File.Exists(path) || !path.StartsWith(_repoRoot, StringComparison.Ordinal))
            return;
        XElement root;
        try
        {
            root = XDocument.Load(path).Root!;
        }
        catch (System.Xml.XmlException)
        {
            return;
        }

        ProcessFile(path, root, globals);
    }

    private void ProcessFile(string path, XElement root, IReadOnlyDictionary<string, string>? globals)
    {
        var saved = Properties.GetValueOrDefault("MSBuildThisFileDirectory");
        var savedFile = Properties.GetValueOrDefault("MSBuildThisFileFullPath");
        Properties["MSBuildThisFileDirectory"] = Path.GetDirectoryName(path)! + "/";
        Properties["MSBuildThisFileFullPath"] = path;
        Properties["MSBuildThisFile"] = Path.GetFileName(path);
        _imported.Add(path);
        ProcessChildren(root, globals);
        if (saved is not null)
            Properties["MSBuildThisFileDirectory"] = saved;
        if (savedFile is not null)
            Properties["MSBuildThisFileFullPath"] = savedFile;
    }

    private void ProcessChildren(XElement parent, IReadOnlyDictionary<string, string>? globals)
    {
        foreach (var element in parent.Elements())
        {
            if (!Condition(element))
                continue;
            switch (element.Name.LocalName)
            {
                case "PropertyGroup":
                    foreach (var property in element.Elements())
                    {
                        if (!Condition(property) || (globals?.ContainsKey(property.Name.LocalName) ?? false))
                            continue;
                        Properties[property.Name.LocalName] = Expand(property.Value.Trim());
                    }

                    break;
                case "ItemGroup":
                    foreach (var item in element.Elements())
                        if (Condition(item))
                            Item(item);
                    break;
                case "Import":
                    var project = element.Attribute("Project")?.Value;
                    if (project is null)
                        break;
                    foreach (var file in ResolveImport(project))
                        ImportFile(file, globals);
                    break;
                case "Choose":
                    foreach (var branch in element.Elements())
                    {
                        if (branch.Name.LocalName == "Otherwise" || (branch.Name.LocalName == "When" && Condition(branch)))
                        {
                            ProcessChildren(branch, globals);
                            break;
                        }
                    }

                    break;
            }
        }
    }

    private IEnumerable<string> ResolveImport(string project)
    {
        var match = FileAbove.Match(project);
        if (match.Success)
        {
            var found = FileAboveValue(match);
            if (found.Length == 0)
                yield break;
            project = project.Replace(match.Value, found, StringComparison.Ordinal);
        }

        var path = Expand(project).Replace('\\', '/');
        if (path.Length == 0)
            yield break;
        if (!Path.IsPathRooted(path))
            path = Path.Combine(Properties["MSBuildThisFileDirectory"], path);
        if (path.Contains('*', StringComparison.Ordinal))
        {
            var directory = Path.GetDirectoryName(path)!;
            if (Directory.Exists(directory))
                foreach (var file in Directory.GetFiles(directory, Path.GetFileName(path)).Order(StringComparer.Ordinal))
                    yield return file;
            yield break;
        }

        yield return path;
    }

    private void Item(XElement item)
    {
        string? Attr(string name) => item.Attribute(name)?.Value ?? item.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
        var include = Attr("Include");
        var update = Attr("Update");
        var remove = Attr("Remove");
        var directory = Properties["MSBuildThisFileDirectory"];
        switch (item.Name.LocalName)
        {
            case "Compile":
                if (include is not null)
                    CompileItems.Add((Expand(include), Attr("Exclude") is { } exclude ? Expand(exclude) : null, directory));
                else if (remove is not null)
                    CompileItems.Add(("", Expand(remove), directory));
                break;
            case "PackageReference":
            case "GlobalPackageReference":
                {
                    var name = Expand(include ?? update ?? "");
                    if (name.Length == 0)
                        break;
                    var version = Expand(Attr("VersionOverride") ?? Attr("Version") ?? "");
                    var privateAssets = Attr("PrivateAssets") ?? "";
                    var includeAssets = Attr("IncludeAssets") ?? "";
                    var excluded = Attr("ExcludeAssets") ?? "";
                    var noCompile = (privateAssets.Equals("all", StringComparison.OrdinalIgnoreCase) && !includeAssets.Contains("compile", StringComparison.OrdinalIgnoreCase))
                        || (includeAssets.Length > 0 && !includeAssets.Contains("compile", StringComparison.OrdinalIgnoreCase) && !includeAssets.Equals("all", StringComparison.OrdinalIgnoreCase))
                        || excluded.Contains("compile", StringComparison.OrdinalIgnoreCase) || excluded.Equals("all", StringComparison.OrdinalIgnoreCase);
                    if (include is null)
                    {
                        if (PackageReferences.TryGetValue(name, out var existing) && version.Length > 0)
                            PackageReferences[name] = existing with { Version = version };
                        break;
                    }

                    if (noCompile || item.Name.LocalName == "GlobalPackageReference")
                        PrivatePackages[name] = version;
                    else
                        PackageReferences[name] = new PackageRef(name, version);
                    break;
                }

            case "PackageVersion":
                if (include is not null)
                    PackageVersions[Expand(include)] = Expand(Attr("Version") ?? "");
                else if (update is not null && Attr("Version") is { } updated)
                    PackageVersions[Expand(update)] = Expand(updated);
                break;
            case "ProjectReference":
                if (include is not null)
                    foreach (var reference in Expand(include).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                        ProjectReferences.Add(Path.GetFullPath(Path.Combine(directory, reference.Replace('\\', '/'))));
                break;
            case "Using":
                if (include is not null)
                    Usings.Add(new UsingItem(Expand(include), Attr("Alias") is { Length: > 0 } alias ? alias : null,
                        string.Equals(Attr("Static"), "true", StringComparison.OrdinalIgnoreCase)));
                else if (remove is not null)
                    RemovedUsings.Add(Expand(remove));
                break;
            case "FrameworkReference":
                if (include is not null)
                    FrameworkReferences.Add(Expand(include));
                break;
        }
    }

    /// <summary>Like <see cref="Expand"/>, but a property function it does not know makes the condition unknown (treated as true).</summary>
    public string ExpandForCondition(string text)
    {
        var known = FileAbove.Replace(StringFunction.Replace(text, "x"), "x");
        if (known.Contains("$([", StringComparison.Ordinal) || PropertyFunction.IsMatch(known))
            throw new FormatException();
        return Expand(text);
    }

    /// <summary>Substitutes <c>$(Name)</c>; property functions it does not know become empty.</summary>
    public string Expand(string text)
    {
        if (!text.Contains("$(", StringComparison.Ordinal))
            return text;
        for (var i = 0; i < 5 && text.Contains("$(", StringComparison.Ordinal); i++)
        {
            text = FileAbove.Replace(text, FileAboveValue);
            text = StringFunction.Replace(text, StringFunctionValue);
            text = PropertyRef.Replace(text, m => Properties.GetValueOrDefault(m.Groups[1].Value, ""));
            text = PropertyFunction.Replace(text, "");
        }

        return text;
    }

    /// <summary><c>GetPathOfFileAbove(file, start)</c> / <c>GetDirectoryNameOfFileAbove(start, file)</c>; empty when not found.</summary>
    private string FileAboveValue(Match m)
    {
        var args = m.Groups[2].Value.Split(',').Select(a => Expand(a.Trim().Trim('\'').Trim())).ToArray();
        var directoryForm = m.Groups[1].Value.Equals("GetDirectoryNameOfFileAbove", StringComparison.OrdinalIgnoreCase);
        var name = directoryForm ? (args.Length > 1 ? args[1] : "") : args[0];
        var start = directoryForm ? args[0] : args.Length > 1 && args[1].Length > 0 ? args[1] : Properties["MSBuildThisFileDirectory"];
        if (name.Length == 0)
            return "";
        if (!Path.IsPathRooted(start))
            start = Path.Combine(Properties["MSBuildThisFileDirectory"], start);
        var found = FindAbove(Path.GetFullPath(start).TrimEnd('/'), name);
        return found is null ? "" : directoryForm ? Path.GetDirectoryName(found)! : found;
    }

    /// <summary>The string property functions that project files use in conditions: <c>$(Name.StartsWith('x'))</c> and kin.</summary>
    private string StringFunctionValue(Match m)
    {
        var value = Properties.GetValueOrDefault(m.Groups[1].Value, "");
        var args = Regex.Matches(m.Groups[3].Value, "'([^']*)'").Select(a => Expand(a.Groups[1].Value)).ToArray();
        string Arg(int i) => i < args.Length ? args[i] : "";
        static string Bool(bool b) => b ? "true" : "false";
        return m.Groups[2].Value switch
        {
            "Contains" => Bool(value.Contains(Arg(0), StringComparison.Ordinal)),
            "StartsWith" => Bool(value.StartsWith(Arg(0), StringComparison.Ordinal)),
            "EndsWith" => Bool(value.EndsWith(Arg(0), StringComparison.Ordinal)),
            "Equals" => Bool(value.Equals(Arg(0), StringComparison.Ordinal)),
            "ToLower" or "ToLowerInvariant" => value.ToLowerInvariant(),
            "ToUpper" or "ToUpperInvariant" => value.ToUpperInvariant(),
            "Trim" => value.Trim(),
            "TrimEnd" => args.Length > 0 ? value.TrimEnd(Arg(0).ToCharArray()) : value.TrimEnd(),
            "TrimStart" => args.Length > 0 ? value.TrimStart(Arg(0).ToCharArray()) : value.TrimStart(),
            "Replace" => Arg(0).Length > 0 ? value.Replace(Arg(0), Arg(1), StringComparison.Ordinal) : value,
            _ => "",
        };
    }

    /// <summary>Evaluates an element's <c>Condition</c>: comparisons, <c>and</c>/<c>or</c>/<c>!</c>, <c>Exists</c>; unknown shapes are true.</summary>
    private bool Condition(XElement element)
    {
        var condition = element.Attribute("Condition")?.Value;
        if (string.IsNullOrWhiteSpace(condition))
            return true;
        try
        {
            var parser = new ConditionParser(condition, this);
            return parser.Parse();
        }
        catch (FormatException)
        {
            return true;
        }
    }

    private sealed class ConditionParser(string text, MsBuildEvaluation evaluation)
    {
        private int _pos;

        public bool Parse()
        {
            var result = Or();
            Skip();
            if (_pos != text.Length)
                throw new FormatException();
            return result;
        }

        private bool Or()
        {
            var left = And();
            while (Keyword("or"))
                left = And() | left;
            return left;
        }

        private bool And()
        {
            var left = Unary();
            while (Keyword("and"))
                left = Unary() & left;
            return left;
        }

        private bool Unary()
        {
            Skip();
            if (Peek('!') && !PeekAt(1, '='))
            {
                _pos++;
                return !Unary();
            }

            if (Peek('('))
            {
                _pos++;
                var inner = Or();
                Expect(')');
                return inner;
            }

            if (Keyword("Exists"))
            {
                Expect('(');
                var path = Value().Replace('\\', '/');
                Expect(')');
                if (path.Length == 0)
                    return false;
                if (!Path.IsPathRooted(path))
                    path = Path.Combine(evaluation.Properties["MSBuildThisFileDirectory"], path);
                return File.Exists(path) || Directory.Exists(path);
            }

            if (Keyword("HasTrailingSlash"))
            {
                Expect('(');
                var value = Value();
                Expect(')');
                return value.EndsWith('/') || value.EndsWith('\\');
            }

            var left = Value();
            Skip();
            foreach (var op in new[] { "==", "!=", "<=", ">=", "<", ">" })
            {
                if (string.CompareOrdinal(text, _pos, op, 0, op.Length) != 0)
                    continue;
                _pos += op.Length;
                var right = Value();
                return op switch
                {
                    "==" => string.Equals(left, right, StringComparison.OrdinalIgnoreCase),
                    "!=" => !string.Equals(left, right, StringComparison.OrdinalIgnoreCase),
                    _ => Compare(left, right, op),
                };
            }

            return left.Equals("true", StringComparison.OrdinalIgnoreCase);
        }

        private static bool Compare(string left, string right, string op)
        {
            if (!Version.TryParse(Pad(left), out var l) || !Version.TryParse(Pad(right), out var r))
                throw new FormatException();
            var c = l.CompareTo(r);
            return op switch { "<" => c < 0, ">" => c > 0, "<=" => c <= 0, _ => c >= 0 };
        }

        private static string Pad(string v) => v.Contains('.', StringComparison.Ordinal) ? v : v + ".0";

        private string Value()
        {
            Skip();
            if (_pos >= text.Length)
                throw new FormatException();
            if (text[_pos] == '\'')
            {
                var end = text.IndexOf('\'', _pos + 1);
                if (end < 0)
                    throw new FormatException();
                var raw = text[(_pos + 1)..end];
                _pos = end + 1;
                return evaluation.ExpandForCondition(raw);
            }

            var start = _pos;
            if (text[_pos] == '$')
            {
                var depth = 0;
                for (; _pos < text.Length; _pos++)
                {
                    if (text[_pos] == '(')
                        depth++;
                    else if (text[_pos] == ')' && --depth == 0)
                    {
                        _pos++;
                        break;
                    }
                }

                return evaluation.ExpandForCondition(text[start.._pos]);
            }

            while (_pos < text.Length && (char.IsLetterOrDigit(text[_pos]) || text[_pos] is '.' or '_' or '-'))
                _pos++;
            if (_pos == start)
                throw new FormatException();
            return text[start.._pos];
        }

        private bool Keyword(string word)
        {
            Skip();
            if (_pos + word.Length <= text.Length && string.Compare(text, _pos, word, 0, word.Length, StringComparison.OrdinalIgnoreCase) == 0
                && (_pos + word.Length == text.Length || !char.IsLetterOrDigit(text[_pos + word.Length])))
            {
                _pos += word.Length;
                return true;
            }

            return false;
        }

        private void Expect(char c)
        {
            Skip();
            if (!Peek(c))
                throw new FormatException();
            _pos++;
        }

        private bool Peek(char c) => _pos < text.Length && text[_pos] == c;

        private bool PeekAt(int offset, char c) => _pos + offset < text.Length && text[_pos + offset] == c;

        private void Skip()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
                _pos++;
        }
    }
}

/// <summary>MSBuild-style globs (<c>**</c>, <c>*</c>, <c>?</c>) over paths relative to a directory.</summary>
internal static class Glob
{
    public static Regex ToRegex(string pattern)
    {
        var builder = new StringBuilder("^");
        pattern = pattern.Replace('\\', '/');
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                i++;
                if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                {
                    i++;
                    builder.Append("(?:.*/)?");
                }
                else
                {
                    builder.Append(".*");
                }
            }
            else if (c == '*')
            {
                builder.Append("[^/]*");
            }
            else if (c == '?')
            {
                builder.Append("[^/]");
            }
            else
            {
                builder.Append(Regex.Escape(c.ToString()));
            }
        }

        return new Regex(builder.Append('$').ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }

    /// <summary>Whether <paramref name="fullPath"/> matches one of the ';'-separated patterns, relative to <paramref name="baseDirectory"/>.</summary>
    public static bool Matches(string patterns, string baseDirectory, string fullPath)
    {
        foreach (var raw in patterns.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pattern = raw.Replace('\\', '/');
            var absolute = Path.IsPathRooted(pattern) ? pattern : Path.GetFullPath(Path.Combine(baseDirectory, FixedPart(pattern))) + WildPart(pattern);
            if (ToRegex(absolute).IsMatch(fullPath))
                return true;
        }

        return false;
    }

    /// <summary>Files matching one pattern (relative to <paramref name="baseDirectory"/>).</summary>
    public static IEnumerable<string> Expand(string pattern, string baseDirectory)
    {
        pattern = pattern.Replace('\\', '/');
        if (!pattern.Contains('*', StringComparison.Ordinal) && !pattern.Contains('?', StringComparison.Ordinal))
        {
            var file = Path.GetFullPath(Path.Combine(baseDirectory, pattern));
            if (File.Exists(file))
                yield return file;
            yield break;
        }

        var root = Path.GetFullPath(Path.Combine(baseDirectory, FixedPart(pattern)));
        if (!Directory.Exists(root))
            yield break;
        var regex = ToRegex(root.TrimEnd('/') + "/" + WildPart(pattern).TrimStart('/'));
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            if (regex.IsMatch(file))
                yield return file;
    }

    private static string FixedPart(string pattern)
    {
        var wild = pattern.IndexOfAny(['*', '?']);
        if (wild < 0)
            return pattern;
        var slash = pattern.LastIndexOf('/', wild);
        return slash < 0 ? "." : pattern[..slash];
    }

    private static string WildPart(string pattern)
    {
        var wild = pattern.IndexOfAny(['*', '?']);
        if (wild < 0)
            return "";
        var slash = pattern.LastIndexOf('/', wild);
        return slash < 0 ? "/" + pattern : pattern[slash..];
    }
}
