namespace LeakAnalyzers.Helpers;

/// <summary>Reads rule options (<c>LEAKnnn.snake_case = value</c>) from .editorconfig / .globalconfig.</summary>
internal static class OptionsExtensions
{
    public static string? GetOption(this AnalyzerOptions options, SyntaxTree tree, string key) =>
        options.AnalyzerConfigOptionsProvider.GetOptions(tree).TryGetValue(key, out var value) ? value : null;

    public static bool GetBool(this AnalyzerOptions options, SyntaxTree tree, string key, bool defaultValue) =>
        options.GetOption(tree, key) is { } text && bool.TryParse(text.Trim(), out var value) ? value : defaultValue;

    public static int GetInt(this AnalyzerOptions options, SyntaxTree tree, string key, int defaultValue) =>
        options.GetOption(tree, key) is { } text && int.TryParse(text.Trim(), out var value) && value > 0 ? value : defaultValue;

    /// <summary>A comma- or semicolon-separated list, trimmed, empty entries dropped.</summary>
    public static ImmutableArray<string> GetList(this AnalyzerOptions options, SyntaxTree tree, string key) =>
        options.GetOption(tree, key) is { } text ? SplitList(text) : ImmutableArray<string>.Empty;

    /// <summary>The same list from the global options (.globalconfig or properties), for compilation-wide rules.</summary>
    public static ImmutableArray<string> GetGlobalList(this AnalyzerOptions options, string key) =>
        options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue(key, out var text) ? SplitList(text) : ImmutableArray<string>.Empty;

    private static ImmutableArray<string> SplitList(string text)
    {
        var builder = ImmutableArray.CreateBuilder<string>();
        foreach (var part in text.Split(',', ';'))
        {
            var trimmed = part.Trim();
            if (trimmed.Length > 0)
                builder.Add(trimmed);
        }

        return builder.ToImmutable();
    }
}
