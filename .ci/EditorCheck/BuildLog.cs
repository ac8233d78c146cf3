using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace EditorCheck;

/// <summary>A LEAK warning: file relative to its project, 1-based line and column, and the message.</summary>
internal sealed record Expected(string File, int Line, int Column, string Id, string Message)
{
    public string Where => $"{File}:{Line}:{Column}";
}

/// <summary>The LEAK warnings of a command-line build: <c>path(line,col): warning LEAK00N: message (help link) [project]</c>.</summary>
internal static partial class BuildLog
{
    [GeneratedRegex(@"^(?<path>.+?)\((?<line>\d+),(?<col>\d+)\): warning (?<id>LEAK\d{3}): (?<message>.*?)(?: \((?<link>https?://[^ )]+)\))?(?: \[[^\]]+\])?$")]
    private static partial Regex Warning();

    public static IReadOnlyList<Expected> Read(string logFile, string projectDirectory)
    {
        var found = new SortedSet<Expected>(Comparer<Expected>.Create((a, b) =>
            (a.File, a.Line, a.Column, a.Id).CompareTo((b.File, b.Line, b.Column, b.Id))));
        foreach (var line in File.ReadLines(logFile))
        {
            if (Warning().Match(line.Trim()) is not { Success: true } m)
                continue;
            var file = Path.GetRelativePath(projectDirectory, m.Groups["path"].Value).Replace('\\', '/');
            if (file.StartsWith("../", StringComparison.Ordinal))
                continue;                     // not a file of this project
            found.Add(new Expected(file, Parse(m, "line"), Parse(m, "col"), m.Groups["id"].Value, m.Groups["message"].Value));
        }

        return found.ToList();
    }

    private static int Parse(Match m, string group) => int.Parse(m.Groups[group].Value, NumberStyles.None, CultureInfo.InvariantCulture);
}
