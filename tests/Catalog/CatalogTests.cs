using System.Composition;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace LeakAnalyzers.Tests.Catalog;

/// <summary>Keeps descriptors, rules.md, release tracking, fixers and test classes in agreement.</summary>
public sealed partial class CatalogTests
{
    private const string TableBegin = "<!-- rules:begin -->";
    private const string TableEnd = "<!-- rules:end -->";

    private static string RulesMdPath => Path.Combine(AppContext.BaseDirectory, "rules.md");

    private static string RulesMd => File.ReadAllText(RulesMdPath).ReplaceLineEndings("\n");

    public static TheoryData<string> Ids => new(AllAnalyzers.Descriptors.Select(d => d.Id));

    /// <summary>
    /// Every descriptor is a field of <see cref="Descriptors"/> that some analyzer supports, and the reverse. An ID has one
    /// descriptor, or two that differ only in the <c>CompilationEnd</c> tag: a rule reported both live and at compilation
    /// end (LEAK001) needs one of each, because the IDE does not run an analyzer that supports a compilation-end descriptor
    /// as you type.
    /// </summary>
    [Fact]
    public void Ids_AreWellFormed_AndSharedOnlyByACompilationEndTwin()
    {
        Assert.NotEmpty(AllAnalyzers.AllDescriptors);
        foreach (var descriptor in AllAnalyzers.AllDescriptors)
        {
            Assert.Matches(IdPattern(), descriptor.Id);
            Assert.Equal("Leaks", descriptor.Category);
        }

        var fields = DescriptorFields().Select(f => f.Descriptor).ToList();
        Assert.Equal(fields.Count, fields.Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.Equal(
            fields.OrderBy(d => d.Id, StringComparer.Ordinal).ThenBy(IsCompilationEnd),
            AllAnalyzers.AllDescriptors,
            ReferenceEqualityComparer.Instance);

        foreach (var group in fields.GroupBy(d => d.Id, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            Assert.True(group.Count() == 2, $"{group.Key} has {group.Count()} descriptors; at most two (live and compilation end) may share an ID");
            var live = Assert.Single(group, d => !IsCompilationEnd(d));
            var end = Assert.Single(group, IsCompilationEnd);
            Assert.Equal(live.Title.ToString(), end.Title.ToString());
            Assert.Equal(live.MessageFormat.ToString(), end.MessageFormat.ToString());
            Assert.Equal(live.Description.ToString(), end.Description.ToString());
            Assert.Equal(live.Category, end.Category);
            Assert.Equal(live.DefaultSeverity, end.DefaultSeverity);
            Assert.Equal(live.IsEnabledByDefault, end.IsEnabledByDefault);
            Assert.Equal(live.HelpLinkUri, end.HelpLinkUri);
            Assert.Equal(live.CustomTags, end.CustomTags.Where(t => t != WellKnownDiagnosticTags.CompilationEnd));
        }
    }

    /// <summary>The analyzer of a rule's live descriptor supports no compilation-end descriptor: the IDE would skip it whole.</summary>
    [Fact]
    public void SplitRules_KeepTheirLiveAnalyzerFreeOfCompilationEndDescriptors()
    {
        var split = AllAnalyzers.AllDescriptors.GroupBy(d => d.Id, StringComparer.Ordinal).Where(g => g.Count() == 2).ToList();
        foreach (var pair in split)
        {
            var live = pair.Single(d => !IsCompilationEnd(d));
            var end = pair.Single(IsCompilationEnd);
            var liveAnalyzer = Assert.Single(AllAnalyzers.Analyzers, a => a.SupportedDiagnostics.Contains(live, ReferenceEqualityComparer.Instance));
            var endAnalyzer = Assert.Single(AllAnalyzers.Analyzers, a => a.SupportedDiagnostics.Contains(end, ReferenceEqualityComparer.Instance));
            Assert.NotSame(liveAnalyzer, endAnalyzer);
            Assert.DoesNotContain(liveAnalyzer.SupportedDiagnostics, IsCompilationEnd);
        }
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void HelpLink_ResolvesToItsSection(string id)
    {
        var descriptor = AllAnalyzers.Descriptors.Single(d => d.Id == id);
        Assert.Equal("https://github.com/leakanalyzers/LeakAnalyzers/blob/main/rules.md#" + id.ToLowerInvariant(), descriptor.HelpLinkUri);
        var anchor = descriptor.HelpLinkUri[(descriptor.HelpLinkUri.IndexOf('#') + 1)..];
        Assert.Contains(RulesMd.Split('\n'), line => line.StartsWith("## ", StringComparison.Ordinal) && Anchor(line[3..]) == anchor);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void RulesMd_HasOneSectionWithTheTitle(string id)
    {
        var descriptor = AllAnalyzers.Descriptors.Single(d => d.Id == id);
        var lines = RulesMd.Split('\n');
        var headings = lines.Select((line, index) => (line, index)).Where(x => x.line == "## " + id).ToList();
        Assert.Single(headings);
        Assert.Equal($"**{descriptor.Title}**", lines[headings[0].index + 1]);
    }

    [Fact]
    public void RulesMd_HasNoSectionWithoutARule()
    {
        var documented = RulesMd.Split('\n').Where(l => Regex.IsMatch(l, @"^## LEAK\d{3}$")).Select(l => l[3..]);
        Assert.Equal(AllAnalyzers.Descriptors.Select(d => d.Id), documented.OrderBy(x => x, StringComparer.Ordinal));
    }

    /// <summary>The table between the markers is generated; <c>UPDATE_RULES_MD=1</c> rewrites it in the source tree.</summary>
    [Fact]
    public void RulesMd_TableIsUpToDate()
    {
        var text = RulesMd;
        var begin = text.IndexOf(TableBegin, StringComparison.Ordinal);
        var end = text.IndexOf(TableEnd, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, "rules.md needs the rules:begin / rules:end markers");
        var current = text[(begin + TableBegin.Length)..end].Trim('\n');
        var expected = GenerateTable();
        if (current != expected && Environment.GetEnvironmentVariable("UPDATE_RULES_MD") == "1")
        {
            var source = Path.Combine(FindRepositoryRoot(), "rules.md");
            File.WriteAllText(source, text[..(begin + TableBegin.Length)] + "\n" + expected + "\n" + text[end..]);
            return;
        }

        Assert.True(current == expected, "rules.md's table is out of date; run the tests with UPDATE_RULES_MD=1, or paste:\n" + expected);
    }

    [Fact]
    public void Options_AreDocumentedInTheirSection()
    {
        var options = AllAnalyzers.AnalyzerAssembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string) && f.Name.EndsWith("Option", StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();
        foreach (var option in options)
        {
            var id = option[..option.IndexOf('.')];
            Assert.Matches(IdPattern(), id);
            Assert.Contains(option, Section(id));
        }
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Release_TracksTheRule(string id)
    {
        var descriptor = AllAnalyzers.Descriptors.Single(d => d.Id == id);
        var releases = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "AnalyzerReleases.Unshipped.md"))
            + File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "AnalyzerReleases.Shipped.md"));
        Assert.Contains(releases.Split('\n'), line => line.StartsWith($"{id} | {descriptor.Category} | {descriptor.DefaultSeverity} |", StringComparison.Ordinal));
    }

    /// <summary>
    /// Each analyzer supports exactly the descriptor field named after its stem (<c>X</c> for <c>XAnalyzer</c>, and no
    /// other analyzer supports that object), and has a <c>XTests</c> class.
    /// </summary>
    [Fact]
    public void Analyzers_AreNamedForTheirDescriptorAndHaveATestClass()
    {
        var testTypes = typeof(CatalogTests).Assembly.GetTypes().Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var fields = DescriptorFields().ToDictionary(f => f.Name, f => f.Descriptor, StringComparer.Ordinal);
        foreach (var analyzer in AllAnalyzers.Analyzers)
        {
            var name = analyzer.GetType().Name;
            Assert.EndsWith("Analyzer", name, StringComparison.Ordinal);
            var stem = name[..^"Analyzer".Length];
            Assert.True(fields.TryGetValue(stem, out var descriptor), $"{name} has no descriptor field Descriptors.{stem}");
            Assert.Same(descriptor, Assert.Single(analyzer.SupportedDiagnostics));
            Assert.Single(AllAnalyzers.Analyzers, a => a.SupportedDiagnostics.Contains(descriptor, ReferenceEqualityComparer.Instance));
            Assert.Contains(stem + "Tests", testTypes);
        }
    }

    [Fact]
    public void Fixers_AreSharedExportedAndFixKnownRules()
    {
        Assert.NotEmpty(AllAnalyzers.Fixers);
        var ids = AllAnalyzers.Descriptors.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var fixer in AllAnalyzers.Fixers)
        {
            var type = fixer.GetType();
            Assert.NotNull(type.GetCustomAttribute<SharedAttribute>());
            var export = type.GetCustomAttribute<ExportCodeFixProviderAttribute>();
            Assert.NotNull(export);
            Assert.Equal(type.Name, export.Name);
            Assert.Equal([LanguageNames.CSharp], export.Languages);
            Assert.NotEmpty(fixer.FixableDiagnosticIds);
            Assert.All(fixer.FixableDiagnosticIds, id => Assert.Contains(id, ids));
            Assert.NotNull(fixer.GetFixAllProvider());
            var stem = type.Name[..^"Fixer".Length];
            Assert.Contains(AllAnalyzers.Analyzers, a => a.GetType().Name == stem + "Analyzer");
        }
    }

    private static IEnumerable<(string Name, DiagnosticDescriptor Descriptor)> DescriptorFields() =>
        typeof(Descriptors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (f.Name, (DiagnosticDescriptor)f.GetValue(null)!));

    private static bool IsCompilationEnd(DiagnosticDescriptor descriptor) =>
        descriptor.CustomTags.Contains(WellKnownDiagnosticTags.CompilationEnd);

    internal static string GenerateTable()
    {
        var fixable = AllAnalyzers.Fixers.SelectMany(f => f.FixableDiagnosticIds).ToHashSet(StringComparer.Ordinal);
        var table = new StringBuilder()
            .Append("| ID | Title | Category | Severity | On by default | Code fix |\n")
            .Append("|----|-------|----------|----------|---------------|----------|\n");
        foreach (var d in AllAnalyzers.Descriptors)
        {
            table.Append($"| [{d.Id}](#{d.Id.ToLowerInvariant()}) | {d.Title} | {d.Category} | {d.DefaultSeverity} | ")
                .Append(d.IsEnabledByDefault ? "yes" : "no").Append(" | ")
                .Append(fixable.Contains(d.Id) ? "yes" : "no").Append(" |\n");
        }

        return table.ToString().TrimEnd('\n');
    }

    /// <summary>The section of rules.md under <c>## id</c>, up to the next second-level heading.</summary>
    internal static string Section(string id)
    {
        var text = RulesMd;
        var start = text.IndexOf("\n## " + id + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"rules.md has no section for {id}");
        var next = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return next < 0 ? text[start..] : text[start..next];
    }

    /// <summary>GitHub's heading anchor: lower case, spaces to dashes, punctuation dropped.</summary>
    private static string Anchor(string heading) =>
        Regex.Replace(heading.Trim().ToLowerInvariant().Replace(' ', '-'), @"[^a-z0-9\-_]", "");

    internal static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "LeakAnalyzers.sln")))
                return directory.FullName;
        }

        throw new InvalidOperationException("LeakAnalyzers.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^LEAK\d{3}$")]
    private static partial Regex IdPattern();
}
