using System.Text;

namespace LeakAnalyzers.Bench;

/// <summary>A leak the generator planted: which rule must report it, in which file, on which line (1-based).</summary>
internal readonly record struct Plant(string Rule, string Path, int Line);

/// <summary>Builds one generated file line by line, remembering the lines where leaks are planted.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _text = new();
    private readonly List<Plant> _plants;
    private readonly string _path;
    private int _line = 1;

    public SourceWriter(string path, List<Plant> plants)
    {
        _path = path;
        _plants = plants;
    }

    public string Path => _path;

    /// <summary>Appends lines (a raw string may hold several).</summary>
    public SourceWriter Add(string lines)
    {
        foreach (var line in lines.Split('\n'))
        {
            _text.Append(line.TrimEnd('\r')).Append('\n');
            _line++;
        }

        return this;
    }

    /// <summary>Appends one line that <paramref name="rule"/> must report.</summary>
    public SourceWriter Leak(string rule, string line)
    {
        _plants.Add(new Plant(rule, _path, _line));
        return Add(line);
    }

    /// <summary>Appends <paramref name="leak"/> (reported by <paramref name="rule"/>) when <paramref name="planted"/>, else its clean twin.</summary>
    public SourceWriter Either(bool planted, string rule, string leak, string clean) =>
        planted ? Leak(rule, leak) : Add(clean);

    public int Lines => _line - 1;

    public override string ToString() => _text.ToString();
}
