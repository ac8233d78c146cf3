using System.Globalization;
using System.Text;

namespace LeakAnalyzers.Eval;

/// <summary>A human verdict on one finding (a line of eval/baseline.tsv).</summary>
internal sealed record BaselineEntry(string Rule, string Repo, string File, int Line, string Member, string Message, string Excerpt, string Verdict, string Reason)
{
    public string Key => string.Join('\u001f', Rule, Repo, File, Member, Message, Excerpt);
    public string LooseKey => string.Join('\u001f', Rule, Repo, File, Member, Message);
}

/// <summary>A known leak site the rules should find (a line of eval/labels.tsv).</summary>
internal sealed record Label(string Rule, string Repo, string File, int Line, string Member, string Contains, string Note);

internal static class Tsv
{
    public const string BaselineHeader = "rule\trepo\tfile\tline\tmember\tmessage\texcerpt\tverdict\treason";
    public const string LabelsHeader = "rule\trepo\tfile\tline\tmember\tcontains\tnote";

    private static IEnumerable<string[]> Rows(string path)
    {
        if (!File.Exists(path))
            yield break;
        var header = true;
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            if (header)
            {
                header = false;
                continue;
            }

            yield return line.Split('\t');
        }
    }

    private static string At(string[] row, int i) => i < row.Length ? row[i] : "";

    private static int Int(string text) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;

    public static List<BaselineEntry> ReadBaseline(string path) =>
        Rows(path).Select(r => new BaselineEntry(At(r, 0), At(r, 1), At(r, 2), Int(At(r, 3)), At(r, 4), At(r, 5), At(r, 6), At(r, 7), At(r, 8))).ToList();

    public static List<Label> ReadLabels(string path) =>
        Rows(path).Select(r => new Label(At(r, 0), At(r, 1), At(r, 2), Int(At(r, 3)), At(r, 4), At(r, 5), At(r, 6))).ToList();

    public static string Clean(string text) => text.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');

    public static void WriteBaseline(string path, IEnumerable<BaselineEntry> entries, string preamble)
    {
        var text = new StringBuilder(preamble);
        text.Append(BaselineHeader).Append('\n');
        foreach (var e in entries.OrderBy(e => e.Rule, StringComparer.Ordinal).ThenBy(e => e.Repo, StringComparer.Ordinal)
            .ThenBy(e => e.File, StringComparer.Ordinal).ThenBy(e => e.Line))
        {
            text.AppendJoin('\t', e.Rule, e.Repo, e.File, e.Line.ToString(CultureInfo.InvariantCulture), Clean(e.Member), Clean(e.Message), Clean(e.Excerpt),
                e.Verdict, Clean(e.Reason)).Append('\n');
        }

        File.WriteAllText(path, text.ToString());
    }

    /// <summary>The comment lines at the top of a TSV file, kept when the tool rewrites it.</summary>
    public static string Preamble(string path) =>
        File.Exists(path) ? string.Concat(File.ReadLines(path).TakeWhile(l => l.StartsWith('#')).Select(l => l + "\n")) : "";
}

/// <summary>Matches findings with baseline entries: first on the exact key (rule, repo, file, member, message, line text), then on the loose key.</summary>
internal static class Matcher
{
    public static (Dictionary<Finding, BaselineEntry> Matched, List<Finding> New, List<BaselineEntry> Gone) Match(IReadOnlyList<Finding> findings, IReadOnlyList<BaselineEntry> baseline)
    {
        var matched = new Dictionary<Finding, BaselineEntry>();
        var pool = baseline.ToList();

        // Exact pass.
        var exact = pool.GroupBy(e => e.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => new Queue<BaselineEntry>(g.OrderBy(e => e.Line)), StringComparer.Ordinal);
        var used = new HashSet<BaselineEntry>(ReferenceEqualityComparer.Instance);
        foreach (var finding in findings.OrderBy(f => f.Line))
        {
            if (exact.TryGetValue(finding.Key, out var queue) && queue.Count > 0)
            {
                var entry = queue.Dequeue();
                matched[finding] = entry;
                used.Add(entry);
            }
        }

        // Loose pass: the line text changed, everything else did not; nearest line first.
        var loose = pool.Where(e => !used.Contains(e)).GroupBy(e => e.LooseKey, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        foreach (var finding in findings.Where(f => !matched.ContainsKey(f)).OrderBy(f => f.Line))
        {
            if (!loose.TryGetValue(finding.LooseKey, out var candidates) || candidates.Count == 0)
                continue;
            var entry = candidates.MinBy(e => Math.Abs(e.Line - finding.Line))!;
            candidates.Remove(entry);
            matched[finding] = entry;
            used.Add(entry);
        }

        var fresh = findings.Where(f => !matched.ContainsKey(f)).ToList();
        var gone = pool.Where(e => !used.Contains(e)).ToList();
        return (matched, fresh, gone);
    }

    /// <summary>Whether a finding covers a label: same rule, repository, file and member, and the label's text in the finding's line or message.</summary>
    public static bool Covers(Finding f, Label l) =>
        f.Rule == l.Rule && f.Repo == l.Repo && f.File == l.File && f.Member == l.Member
        && (l.Contains.Length == 0 || f.Excerpt.Contains(l.Contains, StringComparison.Ordinal) || f.Message.Contains(l.Contains, StringComparison.Ordinal));
}
