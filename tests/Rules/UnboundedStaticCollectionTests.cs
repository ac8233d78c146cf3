using LeakAnalyzers.Rules;

namespace LeakAnalyzers.Tests.Rules;

/// <summary>
/// LEAK001 (<see cref="UnboundedStaticCollectionAnalyzer"/> and <see cref="UnboundedStaticCollectionCompilationEndAnalyzer"/>,
/// run together as a build does, and <see cref="UnboundedStaticCollectionFixer"/>), in partial files: what it reports
/// (<c>.Reports.cs</c>), the traps it stays silent on (<c>.Valid.cs</c>), its fixes (<c>.Fixes.cs</c>) and its options
/// (<c>.Options.cs</c>). The model's questions are tested directly in <c>tests/Model/CollectionsTests.cs</c>.
/// </summary>
public sealed partial class UnboundedStaticCollectionTests
{
    private static readonly TestSettings Singletons = new() { Options = [(UnboundedStaticCollectionAnalyzer.IncludeSingletonsOption, "true")] };
    // A key that is a parameter of a public method is judged with the compilation's call sites, at compilation end.
    private static readonly TestSettings Cache = new() { CodeAction = UnboundedStaticCollectionFixer.MemoryCacheTitle, FixCompilationEndDiagnostics = true };
    private static readonly TestSettings Bound = new() { CodeAction = UnboundedStaticCollectionFixer.BoundTitle, FixCompilationEndDiagnostics = true };
    private static readonly TestSettings AnyFix = new() { FixCompilationEndDiagnostics = true };

    // The old breadth: growth whose keys cannot be traced is reported too.
    private static readonly TestSettings Strict = new() { Options = [(UnboundedStaticCollectionAnalyzer.StrictOption, "true")] };
    private static readonly TestSettings StrictSingletons = new() { Options = [(UnboundedStaticCollectionAnalyzer.IncludeSingletonsOption, "true"), (UnboundedStaticCollectionAnalyzer.StrictOption, "true")] };
    // Fix tests whose key is a parameter of a public library method nothing in the compilation calls (unknown by default).
    private static readonly TestSettings StrictCache = new() { CodeAction = UnboundedStaticCollectionFixer.MemoryCacheTitle, FixCompilationEndDiagnostics = true, Options = [(UnboundedStaticCollectionAnalyzer.StrictOption, "true")] };
    private static readonly TestSettings StrictBound = new() { CodeAction = UnboundedStaticCollectionFixer.BoundTitle, FixCompilationEndDiagnostics = true, Options = [(UnboundedStaticCollectionAnalyzer.StrictOption, "true")] };
    private static readonly TestSettings StrictFix = new() { Options = [(UnboundedStaticCollectionAnalyzer.StrictOption, "true")], FixCompilationEndDiagnostics = true };

    // Fields visible outside their type (or reachable from nested types) are reported at compilation end.
    private static readonly TestSettings CacheAtCompilationEnd = new() { CodeAction = UnboundedStaticCollectionFixer.MemoryCacheTitle, FixCompilationEndDiagnostics = true };
    private static readonly TestSettings BoundAtCompilationEnd = new() { CodeAction = UnboundedStaticCollectionFixer.BoundTitle, FixCompilationEndDiagnostics = true };
}
