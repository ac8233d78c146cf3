namespace LeakAnalyzers.Tests.Rules;

/// <summary>
/// LEAK002 (<see cref="LeakAnalyzers.Rules.UncancelledFireAndForgetAnalyzer"/>) and its fixes, in partial files: reports
/// (<c>.Reports.cs</c>), code it leaves alone (<c>.Valid.cs</c>) and fixes (<c>.Fixes.cs</c>). The shared sources are here.
/// </summary>
public sealed partial class UncancelledFireAndForgetTests
{
    private const string Usings = Sources.AspNetCoreUsings;

    /// <summary>A conventional middleware whose <c>InvokeAsync</c> body is <paramref name="body"/> (<see cref="Sources.Middleware"/>).</summary>
    private static string Middleware(string body, string members = "") => Sources.Middleware(Usings, body, Helpers, members);

    private const string Helpers = """
            private static Task AuditAsync(string path, CancellationToken cancellationToken = default) => Task.Delay(10, cancellationToken);
            private static void Audit(string path) { }
        """;
}
