using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace EditorCheck;

internal sealed record Options(
    string Server,
    string Project,
    string BuildLog,
    string BuildProject,
    IReadOnlyList<string> Rules,
    string CleanFile,
    TimeSpan Timeout,
    string Log,
    string? Fixers,
    bool AnalyzersEnabled)
{
    public const string Usage = """
        usage: EditorCheck --server <csharp-ls> --project <dir> --build-log <file> --build-project <dir>
                           --rules "LEAK001 LEAK002 ..." --clean-file <path in project> --log <file>
                           [--fixers <dir>] [--timeout <seconds, default 180>] [--analyzers-enabled true|false]
          --project        the consumer project the editor opens (the LSP root); restored beforehand
          --build-log      a command-line build log of the same sources: its LEAK warnings are the expected ones
          --build-project  the project directory of that build, to match its file paths with the editor's
          --clean-file     where to write the sample's clean twins; it must draw no LEAK diagnostic
          --log            the LSP transcript and the server's stderr
          --fixers         LeakAnalyzers' code fix sources: their titles must not be among the server's code actions,
                           as README.md says (csharp-ls offers no third-party code fixes)
          --analyzers-enabled false   the control experiment: csharp-ls then shows no LEAK diagnostic at all
        """;

    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            values[args[i][2..]] = args[++i];
        }

        string Required(string name) =>
            values.Remove(name, out var value) ? value : throw new ArgumentException($"--{name} is required");

        var options = new Options(
            Server: Required("server"),
            Project: Path.GetFullPath(Required("project")),
            BuildLog: Required("build-log"),
            BuildProject: Path.GetFullPath(Required("build-project")),
            Rules: Required("rules").Split(new[] { ' ', '\n', '\t', ',' }, StringSplitOptions.RemoveEmptyEntries),
            CleanFile: Required("clean-file"),
            Timeout: TimeSpan.FromSeconds(values.Remove("timeout", out var t) ? double.Parse(t, CultureInfo.InvariantCulture) : 180),
            Log: Path.GetFullPath(Required("log")),
            Fixers: values.Remove("fixers", out var f) ? f : null,
            AnalyzersEnabled: !values.Remove("analyzers-enabled", out var a) || bool.Parse(a));
        foreach (var unknown in values.Keys)
            throw new ArgumentException($"unknown option --{unknown}");
        return options;
    }
}
