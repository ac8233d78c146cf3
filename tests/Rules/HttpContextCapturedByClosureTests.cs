namespace LeakAnalyzers.Tests.Rules;

/// <summary>
/// LEAK003 (<see cref="LeakAnalyzers.Rules.HttpContextCapturedByClosureAnalyzer"/>) and its fix, in partial files: reports
/// (<c>.Reports.cs</c>), code it leaves alone (<c>.Valid.cs</c>) and fixes (<c>.Fixes.cs</c>). The shared sources are here.
/// </summary>
public sealed partial class HttpContextCapturedByClosureTests
{
    private const string Usings = Sources.AspNetCoreUsings;

    /// <summary>A conventional middleware whose <c>InvokeAsync</c> body is <paramref name="body"/> (<see cref="Sources.Middleware"/>).</summary>
    private static string Middleware(string body, string members = "") => Sources.Middleware(Usings, body, Helpers, members);

    private const string Helpers = """
            private static void Audit(object? value) { }
        """;
}
