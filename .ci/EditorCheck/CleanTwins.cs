using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace EditorCheck;

/// <summary>
/// Gathers the clean twins of the sample (the code under a <c>// Clean…</c> comment in Examples/*.cs) into one file that
/// must draw no LEAK diagnostic. No example file of the sample is clean as a whole: each leaky example has its twin next
/// to it. Whole types (a comment at column 0) are copied as they are; members (a comment at the members' indentation) are
/// copied into a type with the declaration of the type they come from. The copies live in their own namespace, so they
/// do not collide with the originals, which stay where they are. Twins deeper inside a member (a lambda in a method) are
/// left out and listed as such.
/// </summary>
internal static partial class CleanTwins
{
    internal const string Namespace = "LeakyApi.CleanTwins";
    private const string MemberIndent = "    ";

    internal sealed record Result(string Text, IReadOnlyList<string> Gathered, IReadOnlyList<string> LeftOut);

    [GeneratedRegex(@"^(?<indent>\s*)// Clean\b")]
    private static partial Regex CleanComment();

    [GeneratedRegex(@"^(?:(?:public|internal|static|sealed|abstract|partial|file)\s+)*(?:class|record|struct)\s+(?<name>\w+)")]
    private static partial Regex TopLevelType();

    [GeneratedRegex(@"^using\s+[\w.]+;$")]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"^namespace\s+(?<name>[\w.]+)\s*;")]
    private static partial Regex FileScopedNamespace();

    public static Result Gather(IEnumerable<string> files, string header)
    {
        var usings = new SortedSet<string>(StringComparer.Ordinal);
        var types = new StringBuilder();
        var gathered = new List<string>();
        var leftOut = new List<string>();

        foreach (var file in files.Order(StringComparer.Ordinal))
        {
            var lines = File.ReadAllLines(file);
            var name = Path.GetFileName(file);
            var members = new List<(string Declaration, string TypeName, List<string> Lines)>();
            string? declaration = null;
            string? typeName = null;

            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i];
                if (UsingDirective().IsMatch(line))
                    usings.Add(line);
                if (FileScopedNamespace().Match(line) is { Success: true } ns)
                    usings.Add($"using {ns.Groups["name"].Value};");
                if (TopLevelType().Match(line) is { Success: true } type)
                {
                    declaration = DeclarationAt(lines, i);
                    typeName = type.Groups["name"].Value;
                }

                if (CleanComment().Match(line) is not { Success: true } clean)
                    continue;
                var indent = clean.Groups["indent"].Value;
                var end = BlockEnd(lines, i, indent);
                var where = $"{name}:{i + 1}";
                if (end < 0 || indent.Length > MemberIndent.Length || (indent.Length > 0 && declaration is null))
                {
                    leftOut.Add($"{where} (inside a member)");
                    continue;
                }

                var block = lines[i..(end + 1)].ToList();
                if (indent.Length == 0)
                {
                    var declared = block.Select(l => TopLevelType().Match(l)).FirstOrDefault(m => m.Success);
                    types.AppendLine(string.Join('\n', block)).AppendLine();
                    gathered.Add($"{where} type {declared?.Groups["name"].Value}");
                }
                else
                {
                    var group = members.FindIndex(m => m.TypeName == typeName);
                    if (group < 0)
                        members.Add((declaration!, typeName!, block));
                    else
                        members[group].Lines.AddRange(new[] { "" }.Concat(block));
                    gathered.Add($"{where} member of {typeName}");
                }

                i = end;
            }

            foreach (var (typeDeclaration, _, memberLines) in members)
            {
                types.AppendLine(typeDeclaration).AppendLine("{");
                types.AppendLine(string.Join('\n', memberLines)).AppendLine("}").AppendLine();
            }
        }

        usings.Remove($"using {Namespace};");
        var text = new StringBuilder()
            .AppendLine(header)
            .AppendLine(string.Join('\n', usings))
            .AppendLine()
            .AppendLine($"namespace {Namespace};")
            .AppendLine()
            .Append(types.ToString().TrimEnd('\n'))
            .AppendLine();
        return new Result(text.ToString(), gathered, leftOut);
    }

    /// <summary>A type's declaration: its line and any continuation lines up to the opening brace.</summary>
    private static string DeclarationAt(string[] lines, int start)
    {
        var end = start;
        while (end + 1 < lines.Length && lines[end + 1].Trim() != "{" && !lines[end].TrimEnd().EndsWith(';'))
            end++;
        return string.Join('\n', lines[start..(end + 1)]);
    }

    /// <summary>
    /// The last line of the declaration under the comment at <paramref name="start"/>: the first line at the comment's
    /// indentation that closes a body (<c>}</c>) or ends a declaration (<c>;</c>); -1 when a line with less
    /// indentation comes first (the comment is inside a statement, not above a declaration).
    /// </summary>
    private static int BlockEnd(string[] lines, int start, string indent)
    {
        for (var i = start + 1; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Trim().Length == 0)
                continue;
            var lineIndent = line.Length - line.TrimStart().Length;
            if (lineIndent < indent.Length)
                return -1;
            if (lineIndent > indent.Length || line.TrimStart().StartsWith("//", StringComparison.Ordinal))
                continue;
            var code = line.Trim();
            if (code == "}" || (code.EndsWith(';') && !code.StartsWith('[')))
                return i;
        }

        return -1;
    }
}
