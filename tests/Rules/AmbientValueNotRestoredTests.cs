namespace LeakAnalyzers.Tests.Rules;

/// <summary>
/// LEAK005 (<see cref="LeakAnalyzers.Rules.AmbientValueNotRestoredAnalyzer"/> and
/// <see cref="LeakAnalyzers.Rules.AmbientValueNotRestoredFixer"/>), in partial files: what it reports (<c>.Reports.cs</c>),
/// what it stays silent on (<c>.Valid.cs</c>), its fixes (<c>.Fixes.cs</c>) and its option (<c>.Options.cs</c>). The
/// model's questions are tested directly in <c>tests/Model/AmbientTests.cs</c>.
/// </summary>
public sealed partial class AmbientValueNotRestoredTests
{
}
