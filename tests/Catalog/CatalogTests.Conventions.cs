using System.Reflection;
using System.Text.RegularExpressions;
using LeakAnalyzers.Model;
using Xunit;

namespace LeakAnalyzers.Tests.Catalog;

public sealed partial class CatalogTests
{
    /// <summary>
    /// rules.md's "Name-based conventions" lists every decision a rule takes from a name: each public predicate of
    /// <see cref="Conventions"/> is named there (in an HTML comment before its bullet, invisible to readers), and every name
    /// listed there is still a predicate. A convention added without telling the user fails here.
    /// </summary>
    [Fact]
    public void NameBasedConventions_AreAllListedInRulesMd()
    {
        var predicates = typeof(Conventions)
            .GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Select(m => m.Name)
            .Distinct(StringComparer.Ordinal)
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToList();
        var section = ConventionsSection();
        var listed = Regex.Matches(section, @"<!-- Conventions\.(\w+) -->")
            .Select(m => m.Groups[1].Value)
            .Distinct(StringComparer.Ordinal)
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(predicates);
        Assert.Equal(predicates, listed);
    }

    private static string ConventionsSection()
    {
        var text = RulesMd;
        var start = text.IndexOf("\n## Name-based conventions\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "rules.md has no \"## Name-based conventions\" section");
        var end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return end < 0 ? text[start..] : text[start..end];
    }
}
