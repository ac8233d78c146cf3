using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace EditorCheck;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine($"EditorCheck: {e.Message}");
            Console.Error.WriteLine(Options.Usage);
            return 2;
        }

        var session = new EditorSession(options);

        // A last guard on top of every request's own timeout: nothing here may hold CI longer than the budget.
        using var watchdog = new Timer(_ =>
        {
            Console.Error.WriteLine($"CI FAILED: the editor check did not finish within {options.Timeout.TotalSeconds + 60:0} s");
            session.Kill();
            Environment.Exit(1);
        }, null, options.Timeout + TimeSpan.FromSeconds(60), Timeout.InfiniteTimeSpan);

        var problems = await session.RunAsync().ConfigureAwait(false);
        foreach (var problem in problems)
            Console.Error.WriteLine($"CI FAILED: {problem}");
        return problems.Count == 0 ? 0 : 1;
    }
}

/// <summary>
/// One editor session against csharp-ls: open the leaky example files and the clean twins, pull diagnostics until the
/// server has analyzed them (bounded by the time budget), then compare with the command-line build.
/// </summary>
internal sealed partial class EditorSession(Options options)
{
    // The canary proves the server computed diagnostics for the clean file itself: the compiler's CS1030 (#warning).
    private const string CanaryId = "CS1030";
    private const string CleanHeader = """
        // The clean twins of samples/LeakyApi/Examples, gathered by the editor check of .ci/run (.ci/EditorCheck):
        // no LEAK rule may report anything in this file.
        #warning editor check canary: the server analyzed this file
        """;

    private static readonly TimeSpan PullInterval = TimeSpan.FromSeconds(2);
    private const int MaxRounds = 120;

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<string> _problems = [];
    private readonly ConcurrentDictionary<string, JsonElement> _pushed = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _registrations = new();
    private readonly TaskCompletionSource _pullRegistered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _pullIdentifier;
    private int _configurationRequests;
    private Process? _server;

    private TimeSpan Remaining => options.Timeout - _clock.Elapsed;

    private sealed record Report(JsonElement Items, string? ResultId, string Source);

    private sealed record Seen(string Id, int Line, int Column, string? Href, int? Severity, string Message, JsonElement Raw)
    {
        public string Where(string file) => $"{file}:{Line}:{Column}";
    }

    /// <summary>Ends the server and the build hosts it started (the watchdog's last resort).</summary>
    public void Kill()
    {
        try
        {
            if (_server is { HasExited: false } server)
                server.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // it exited meanwhile
        }
    }

    public async Task<List<string>> RunAsync()
    {
        var expected = BuildLog.Read(options.BuildLog, options.BuildProject);
        foreach (var rule in options.Rules.Where(r => expected.All(e => e.Id != r)))
            _problems.Add($"{rule}: the build log {options.BuildLog} has no warning of it, nothing to compare the editor with");
        if (expected.Count == 0)
            return _problems;
        var leakyFiles = expected.Select(e => e.File).Distinct(StringComparer.Ordinal).ToList();

        var cleanFile = options.CleanFile.Replace('\\', '/');
        if (!WriteCleanTwins(cleanFile))
            return _problems;

        await using var log = TextWriter.Synchronized(new StreamWriter(options.Log) { AutoFlush = true });
        using var server = StartServer(log);
        _server = server;
        using var lsp = new LspConnection(server.StandardInput.BaseStream, server.StandardOutput.BaseStream, log)
        {
            ServerRequestHandler = AnswerServer,
            NotificationHandler = OnNotification,
        };
        lsp.Start();
        try
        {
            await TalkAsync(lsp, expected, leakyFiles, cleanFile).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or IOException or LspErrorException)
        {
            _problems.Add($"the LSP exchange with csharp-ls failed: {e.Message} (transcript: {options.Log})");
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or JsonException or FormatException)
        {
            _problems.Add($"csharp-ls answered something this client did not expect: {e.Message} (transcript: {options.Log})");
        }
        finally
        {
            await StopServerAsync(lsp, server).ConfigureAwait(false);
        }

        Console.WriteLine($"editor check took {_clock.Elapsed.TotalSeconds:0} s (LSP transcript and server log: {options.Log})");
        return _problems;
    }

    private bool WriteCleanTwins(string cleanFile)
    {
        var path = Path.Combine(options.Project, cleanFile);
        var folder = Path.GetDirectoryName(path)!;
        var sources = Directory.GetFiles(folder, "*.cs").Where(f => Path.GetFullPath(f) != Path.GetFullPath(path));
        var twins = CleanTwins.Gather(sources, CleanHeader);
        if (twins.Gathered.Count == 0)
        {
            _problems.Add($"no clean twin (a '// Clean' comment above a type or member) in {folder}");
            return false;
        }

        File.WriteAllText(path, twins.Text);
        Console.WriteLine($"clean file {cleanFile}: {twins.Gathered.Count} clean twins of the sample, in namespace {CleanTwins.Namespace}");
        foreach (var twin in twins.Gathered)
            Console.WriteLine($"  {twin}");
        foreach (var left in twins.LeftOut)
            Console.WriteLine($"  left out: {left}");
        return true;
    }

    private Process StartServer(TextWriter log)
    {
        var start = new ProcessStartInfo(options.Server)
        {
            WorkingDirectory = options.Project,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var server = Process.Start(start) ?? throw new IOException($"could not start {options.Server}");
        server.ErrorDataReceived += (_, e) =>
        {
            try
            {
                if (e.Data is not null)
                    log.WriteLine($"{DateTime.Now:HH:mm:ss.fff} stderr {e.Data}");
            }
            catch (ObjectDisposedException)
            {
                // a last line after the session ended
            }
        };
        server.BeginErrorReadLine();
        return server;
    }

    private async Task TalkAsync(LspConnection lsp, IReadOnlyList<Expected> expected, List<string> leakyFiles, string cleanFile)
    {
        var initialize = await lsp.RequestAsync("initialize", InitializeParams(), Limit(60)).ConfigureAwait(false);
        var info = initialize.TryGetProperty("serverInfo", out var serverInfo) ? serverInfo.GetRawText() : "(no serverInfo)";
        var staticPull = initialize.TryGetProperty("capabilities", out var caps) && caps.TryGetProperty("diagnosticProvider", out _);
        Console.WriteLine($"initialize: {info} after {_clock.Elapsed.TotalSeconds:0.0} s; pull diagnostics in its capabilities: {(staticPull ? "yes" : "no (registered dynamically)")}");

        await lsp.NotifyAsync("initialized", new JsonObject()).ConfigureAwait(false);

        foreach (var file in leakyFiles.Append(cleanFile))
        {
            await lsp.NotifyAsync("textDocument/didOpen", new JsonObject
            {
                ["textDocument"] = new JsonObject
                {
                    ["uri"] = UriOf(file),
                    ["languageId"] = "csharp",
                    ["version"] = 1,
                    ["text"] = await File.ReadAllTextAsync(Path.Combine(options.Project, file)).ConfigureAwait(false),
                },
            }).ConfigureAwait(false);
        }

        Console.WriteLine($"opened {string.Join(", ", leakyFiles)} (the build's LEAK warnings: {expected.Count}) and {cleanFile}");

        // As an editor does: pull diagnostics once the server offers them, statically or by registering them.
        var pull = staticPull || await Task.WhenAny(_pullRegistered.Task, Task.Delay(Limit(30))).ConfigureAwait(false) == _pullRegistered.Task;
        Console.WriteLine($"the server registered: {string.Join(", ", _registrations)}");
        if (Volatile.Read(ref _configurationRequests) > 0)
        {
            Console.WriteLine($"the server asked for the csharp section (workspace/configuration) {_configurationRequests} time(s); answered {CSharpSection().ToJsonString()}");
        }
        else
        {
            // The server did not ask: push the section instead, as editors do that send settings unasked.
            Console.WriteLine($"the server did not ask for the csharp section: sending workspace/didChangeConfiguration {CSharpSection().ToJsonString()}");
            await lsp.NotifyAsync("workspace/didChangeConfiguration", new JsonObject { ["settings"] = new JsonObject { ["csharp"] = CSharpSection() } })
                .ConfigureAwait(false);
        }

        if (!pull)
            Console.WriteLine("the server offers no pull diagnostics: waiting for pushed ones (textDocument/publishDiagnostics)");

        var (reports, settled) = await PullUntilAnalyzedAsync(lsp, expected, leakyFiles, cleanFile, pull).ConfigureAwait(false);
        var seen = CompareWithBuild(expected, leakyFiles, reports);
        CheckClean(cleanFile, reports, settled, leakyFiles);
        await CheckCodeActionsAsync(lsp, seen).ConfigureAwait(false);
        if (pull && seen.Count > 0)
            await CheckTypingAsync(lsp, seen, reports).ConfigureAwait(false);
    }

    /// <summary>
    /// Pulls <c>textDocument/diagnostic</c> for every open file, round after round, until each leaky file shows the
    /// build's LEAK diagnostics (or the same LEAK diagnostics for the same result id twice in a row: the server's final
    /// word on that snapshot, compared with the build afterwards) and the clean file has a full report of its own (its
    /// canary) pulled once every leaky file showed LEAK diagnostics, or until the budget runs out. Pushed diagnostics
    /// (<c>textDocument/publishDiagnostics</c>) count as well for a file the pull gave nothing for.
    /// </summary>
    private async Task<(Dictionary<string, Report> Reports, HashSet<string> Settled)> PullUntilAnalyzedAsync(
        LspConnection lsp, IReadOnlyList<Expected> expected, List<string> leakyFiles, string cleanFile, bool pullSupported)
    {
        var reports = new Dictionary<string, Report>(StringComparer.Ordinal);
        var settled = new HashSet<string>(StringComparer.Ordinal);
        var analyzed = new HashSet<string>(StringComparer.Ordinal);      // leaky files that showed LEAK diagnostics
        var previous = new Dictionary<string, string>(StringComparer.Ordinal);
        TimeSpan? firstLeak = null;
        var round = 0;
        while (round++ < MaxRounds && Remaining > TimeSpan.Zero && !lsp.Closed)
        {
            foreach (var file in leakyFiles.Append(cleanFile))
            {
                if (settled.Contains(file) || Remaining <= TimeSpan.Zero)
                    continue;
                if (pullSupported)
                {
                    try
                    {
                        var report = await PullAsync(lsp, file).ConfigureAwait(false);
                        if (report is not null)
                            reports[file] = report;
                    }
                    catch (LspErrorException e) when (e.Code == -32601)
                    {
                        Console.WriteLine("the server does not answer textDocument/diagnostic: waiting for pushed diagnostics");
                        pullSupported = false;
                    }
                }

                if (!reports.ContainsKey(file) && _pushed.TryGetValue(Path.GetFullPath(Path.Combine(options.Project, file)), out var pushed))
                    reports[file] = new Report(pushed, null, "textDocument/publishDiagnostics");
                if (!reports.TryGetValue(file, out var current))
                    continue;

                var leaks = LeakDiagnostics(current.Items).ToList();
                if (leaks.Count > 0 && firstLeak is null)
                {
                    firstLeak = _clock.Elapsed;
                    Console.WriteLine($"first LEAK diagnostic from the server after {firstLeak.Value.TotalSeconds:0.0} s (round {round}, {current.Source})");
                }

                bool isSettled;
                if (file == cleanFile)
                {
                    isSettled = leakyFiles.All(analyzed.Contains) && current.ResultId is not null && Canaries(current.Items).Any();
                }
                else
                {
                    if (leaks.Count > 0)
                        analyzed.Add(file);
                    var signature = $"{current.ResultId} {string.Join(' ', leaks.Select(l => $"{l.Id}:{l.Line}:{l.Column}").Order(StringComparer.Ordinal))}";
                    var stable = leaks.Count > 0 && current.ResultId is not null && previous.GetValueOrDefault(file) == signature;
                    previous[file] = signature;
                    isSettled = stable || SameSet(expected.Where(e => e.File == file), leaks);
                }

                if (isSettled)
                    settled.Add(file);
            }

            if (settled.Count == leakyFiles.Count + 1)
            {
                Console.WriteLine($"every open file analyzed after {_clock.Elapsed.TotalSeconds:0.0} s, {round} round(s) of pulls");
                return (reports, settled);
            }

            await Task.Delay(PullInterval).ConfigureAwait(false);
        }

        var waiting = leakyFiles.Append(cleanFile).Where(f => !settled.Contains(f));
        Console.WriteLine($"stopped pulling after {round - 1} round(s), {_clock.Elapsed.TotalSeconds:0} s; not settled: {string.Join(", ", waiting)}");
        return (reports, settled);
    }

    private async Task<Report?> PullAsync(LspConnection lsp, string file)
    {
        var parameters = new JsonObject { ["textDocument"] = new JsonObject { ["uri"] = UriOf(file) } };
        if (_pullIdentifier is not null)
            parameters["identifier"] = _pullIdentifier;
        try
        {
            var result = await lsp.RequestAsync("textDocument/diagnostic", parameters, Limit(Remaining)).ConfigureAwait(false);
            var kind = result.ValueKind == JsonValueKind.Object && result.TryGetProperty("kind", out var k) ? k.GetString() : null;
            if (kind != "full" || !result.TryGetProperty("items", out var items))
                return null;      // "unchanged" cannot come (no previousResultId is sent); anything else: pull again
            var resultId = result.TryGetProperty("resultId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
            return new Report(items, resultId, "textDocument/diagnostic");
        }
        catch (LspErrorException e) when (e.Code != -32601)
        {
            return null;          // ServerCancelled, ContentModified, not ready yet: pull again next round
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private List<(string File, Seen Seen)> CompareWithBuild(IReadOnlyList<Expected> expected, List<string> leakyFiles, Dictionary<string, Report> reports)
    {
        var matched = new List<(string File, Seen Seen)>();
        Console.WriteLine("LEAK diagnostics: build (file:line:col) vs. editor (range start, severity, help link)");
        foreach (var file in leakyFiles)
        {
            if (!reports.TryGetValue(file, out var report))
            {
                _problems.Add($"{file}: the server never reported diagnostics for it (pulled and waited {options.Timeout.TotalSeconds:0} s)");
                continue;
            }

            var seen = LeakDiagnostics(report.Items).ToList();
            foreach (var e in expected.Where(e => e.File == file))
            {
                var s = seen.FirstOrDefault(s => s.Id == e.Id && s.Line == e.Line && s.Column == e.Column);
                if (s is null)
                {
                    var nearby = seen.Where(x => x.Id == e.Id).Select(x => x.Where(file)).ToList();
                    _problems.Add($"{e.Id} at {e.Where}: in the command-line build but not in the editor"
                        + (nearby.Count > 0 ? $" (the editor has {e.Id} at {string.Join(", ", nearby)})" : ""));
                    Console.WriteLine($"  {e.Id} {e.Where,-36} MISSING in the editor");
                    continue;
                }

                seen.Remove(s);
                matched.Add((file, s));
                var link = $"rules.md#{e.Id.ToLowerInvariant()}";
                var linkOk = s.Href?.EndsWith(link, StringComparison.Ordinal) == true;
                Console.WriteLine($"  {e.Id} {e.Where,-36} {SeverityName(s.Severity),-8} {s.Href ?? "(no codeDescription.href)"}{(linkOk ? "" : "  WRONG LINK")}");
                if (!linkOk)
                    _problems.Add($"{e.Id} at {e.Where}: the editor's diagnostic has codeDescription.href {s.Href ?? "(none)"}, not one ending in {link}");
                if (s.Severity != 2)
                    _problems.Add($"{e.Id} at {e.Where}: the editor shows it as {SeverityName(s.Severity)}, the build as a warning");
                if (s.Message != e.Message)
                    _problems.Add($"{e.Id} at {e.Where}: the editor's message \"{s.Message}\" differs from the build's \"{e.Message}\"");
            }

            foreach (var extra in seen)
            {
                _problems.Add($"{extra.Id} at {extra.Where(file)}: in the editor but not in the command-line build: {extra.Message}");
                Console.WriteLine($"  {extra.Id} {extra.Where(file),-36} EXTRA in the editor");
            }
        }

        foreach (var rule in options.Rules.Where(r => matched.All(m => m.Seen.Id != r)))
            _problems.Add($"{rule}: no diagnostic of it in the editor, on the build's lines");
        var shown = options.Rules.Where(r => matched.Any(m => m.Seen.Id == r));
        Console.WriteLine($"rules shown in the editor on the build's lines: {string.Join(" ", shown)} ({matched.Count} of {expected.Count} diagnostics)");
        return matched;
    }

    /// <summary>
    /// The clean file passes only once the server is shown to have analyzed it: a full report with a result id (a
    /// document the server found in the project), the compiler's canary warning in it, pulled after every leaky file
    /// of the same project showed its LEAK diagnostics. Then it must have no LEAK diagnostic and no error.
    /// </summary>
    private void CheckClean(string cleanFile, Dictionary<string, Report> reports, HashSet<string> settled, List<string> leakyFiles)
    {
        if (!settled.Contains(cleanFile) || !reports.TryGetValue(cleanFile, out var report))
        {
            _problems.Add($"{cleanFile}: no proof that the server analyzed the clean file with the analyzers on (a full report with a resultId and "
                + $"the {CanaryId} canary, after the leaky files showed their LEAK diagnostics), so its lack of LEAK diagnostics would prove nothing");
            return;
        }

        var leakyIds = leakyFiles.Select(f => reports.TryGetValue(f, out var r) ? r.ResultId : null).Distinct().ToList();
        var sameSnapshot = leakyIds.Count == 1 && leakyIds[0] == report.ResultId;
        var items = report.Items.EnumerateArray().ToList();
        var leaks = LeakDiagnostics(report.Items).ToList();
        var errors = items.Where(d => d.TryGetProperty("severity", out var s) && s.GetInt32() == 1).ToList();
        Console.WriteLine($"clean file {cleanFile}: full report, resultId {report.ResultId} ({(sameSnapshot ? "the same as the leaky files'" : "leaky files: " + string.Join(", ", leakyIds))}), "
            + $"{items.Count} diagnostic(s): {Canaries(report.Items).Count()} canary {CanaryId}, {leaks.Count} LEAK, {errors.Count} error(s)");
        foreach (var leak in leaks)
            _problems.Add($"{leak.Id} at {leak.Where(cleanFile)}: reported on a clean twin: {leak.Message}");
        foreach (var error in errors)
            _problems.Add($"{cleanFile}: the clean twins do not compile: {Describe(error)} (the gathering in .ci/EditorCheck/CleanTwins.cs needs a look)");
    }

    /// <summary>
    /// What the editor offers in the light bulb at each rule's first diagnostic. README.md says csharp-ls offers no
    /// third-party code fixes (it runs only Roslyn's own fixers and refactorings): none of LeakAnalyzers' fix titles may
    /// be among the actions, or the README is out of date.
    /// </summary>
    private async Task CheckCodeActionsAsync(LspConnection lsp, List<(string File, Seen Seen)> seen)
    {
        var ours = FixTitles();
        if (options.Fixers is not null && ours.Count == 0)
            _problems.Add($"no code fix title (const string …Title = \"…\") in {options.Fixers}: the code action check would look for nothing; adjust FixTitle in .ci/EditorCheck/Program.cs");
        foreach (var (file, s) in seen.GroupBy(m => m.Seen.Id).Select(g => g.First()))
        {
            if (Remaining < TimeSpan.FromSeconds(15))
            {
                Console.WriteLine("code actions: not asked, too little time left");
                return;
            }

            var parameters = new JsonObject
            {
                ["textDocument"] = new JsonObject { ["uri"] = UriOf(file) },
                ["range"] = JsonNode.Parse(s.Raw.GetProperty("range").GetRawText()),
                ["context"] = new JsonObject { ["diagnostics"] = new JsonArray(JsonNode.Parse(s.Raw.GetRawText())), ["triggerKind"] = 1 },
            };
            List<string> titles;
            try
            {
                var actions = await lsp.RequestAsync("textDocument/codeAction", parameters, Limit(30)).ConfigureAwait(false);
                titles = actions.ValueKind == JsonValueKind.Array
                    ? actions.EnumerateArray().Select(a => a.TryGetProperty("title", out var t) ? t.GetString() : null).OfType<string>().ToList()
                    : [];
            }
            catch (Exception e) when (e is TimeoutException or LspErrorException)
            {
                Console.WriteLine($"code actions at {s.Id} {s.Where(file)}: no answer ({e.Message})");
                continue;
            }

            var offered = titles.Where(ours.Contains).ToList();
            var list = titles.Count == 0 ? "" : ": " + string.Join(" | ", titles.Take(4).Select(t => t.Length <= 40 ? t : t[..39] + "…"))
                + (titles.Count > 4 ? " | …" : "");
            Console.WriteLine($"code actions at {s.Id} {s.Where(file)}: {titles.Count}, {offered.Count} of them LeakAnalyzers' fixes{list}");
            foreach (var title in offered)
                _problems.Add($"{s.Id} at {s.Where(file)}: csharp-ls now offers LeakAnalyzers' fix \"{title}\"; README.md ('In your editor') says it offers no third-party fixes: update it");
        }

        if (options.Fixers is not null)
            Console.WriteLine($"LeakAnalyzers' fix titles looked for ({ours.Count}, from {options.Fixers}): {string.Join(" | ", ours)}");
    }

    /// <summary>The titles of LeakAnalyzers' code fixes: the <c>const string …Title = "…"</c> of the fixer sources.</summary>
    private HashSet<string> FixTitles()
    {
        var titles = new HashSet<string>(StringComparer.Ordinal);
        if (options.Fixers is null)
            return titles;
        foreach (var file in Directory.EnumerateFiles(options.Fixers, "*.cs", SearchOption.AllDirectories))
        {
            foreach (Match m in FixTitle().Matches(File.ReadAllText(file)))
                titles.Add(m.Groups["title"].Value);
        }

        return titles;
    }

    [GeneratedRegex(@"const string \w*Title = ""(?<title>[^""]+)""")]
    private static partial Regex FixTitle();

    /// <summary>
    /// As you type: an unsaved edit (a comment line inserted at the top of a leaky file, sent as an incremental
    /// <c>textDocument/didChange</c>, as editors do) must move that file's LEAK diagnostics down one line.
    /// </summary>
    private async Task CheckTypingAsync(LspConnection lsp, List<(string File, Seen Seen)> seen, Dictionary<string, Report> reports)
    {
        var file = seen.GroupBy(m => m.File).OrderByDescending(g => g.Count()).First().Key;
        var before = seen.Where(m => m.File == file).Select(m => m.Seen).ToList();
        var wanted = before.Select(s => (s.Id, s.Line + 1, s.Column)).ToHashSet();
        await lsp.NotifyAsync("textDocument/didChange", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = UriOf(file), ["version"] = 2 },
            ["contentChanges"] = new JsonArray(new JsonObject
            {
                ["range"] = new JsonObject
                {
                    ["start"] = new JsonObject { ["line"] = 0, ["character"] = 0 },
                    ["end"] = new JsonObject { ["line"] = 0, ["character"] = 0 },
                },
                ["text"] = "// typed in the editor, not saved\n",
            }),
        }).ConfigureAwait(false);

        var typed = _clock.Elapsed;
        List<Seen> after = [];
        string? last = null;
        for (var round = 1; round <= MaxRounds && Remaining > TimeSpan.Zero; round++)
        {
            var report = await PullAsync(lsp, file).ConfigureAwait(false);
            if (report is not null && report.ResultId != reports[file].ResultId)
            {
                after = LeakDiagnostics(report.Items).ToList();
                var signature = string.Join(' ', after.Select(l => $"{l.Id}:{l.Line}:{l.Column}").Order(StringComparer.Ordinal));
                if (after.Select(s => (s.Id, s.Line, s.Column)).ToHashSet().SetEquals(wanted) || (after.Count > 0 && signature == last))
                    break;
                last = signature;
            }

            await Task.Delay(PullInterval).ConfigureAwait(false);
        }

        var moved = after.Select(s => (s.Id, s.Line, s.Column)).ToHashSet().SetEquals(wanted);
        Console.WriteLine(moved
            ? $"as you type: after an unsaved edit (a line inserted at the top of {file}), its {after.Count} LEAK diagnostics moved down one line ({(_clock.Elapsed - typed).TotalSeconds:0.0} s)"
            : $"as you type: after an unsaved edit of {file}, the editor shows {string.Join(", ", after.Select(s => $"{s.Id}:{s.Line}:{s.Column}"))}");
        if (!moved)
            _problems.Add($"{file}: after an unsaved edit (a line inserted at the top), its LEAK diagnostics did not move down one line: "
                + $"wanted {string.Join(", ", wanted.Order().Select(w => $"{w.Id}:{w.Item2}:{w.Column}"))}, got {string.Join(", ", after.Select(s => $"{s.Id}:{s.Line}:{s.Column}"))}");
    }

    private async Task StopServerAsync(LspConnection lsp, Process server)
    {
        try
        {
            if (!lsp.Closed && !server.HasExited)
            {
                await lsp.RequestAsync("shutdown", null, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                await lsp.NotifyAsync("exit", null).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is TimeoutException or IOException or LspErrorException)
        {
            Console.WriteLine($"shutdown: {e.Message}");
        }

        using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await server.WaitForExitAsync(exited.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("the server did not exit after shutdown/exit: killed");
        }

        // Also ends the MSBuild build hosts the server started.
        if (!server.HasExited)
            server.Kill(entireProcessTree: true);
    }

    private (bool Known, JsonNode? Result) AnswerServer(string method, JsonElement parameters)
    {
        switch (method)
        {
            case "workspace/configuration":
                Interlocked.Increment(ref _configurationRequests);
                var items = new JsonArray();
                foreach (var item in parameters.GetProperty("items").EnumerateArray())
                {
                    var section = item.TryGetProperty("section", out var s) ? s.GetString() : null;
                    items.Add(section switch
                    {
                        "csharp" => CSharpSection(),
                        null or "" => new JsonObject { ["csharp"] = CSharpSection() },
                        _ => null,
                    });
                }

                return (true, items);
            case "client/registerCapability":
                foreach (var registration in parameters.GetProperty("registrations").EnumerateArray())
                {
                    var registered = registration.GetProperty("method").GetString() ?? "?";
                    _registrations.Enqueue(registered);
                    if (registered != "textDocument/diagnostic")
                        continue;
                    if (registration.TryGetProperty("registerOptions", out var o) && o.ValueKind == JsonValueKind.Object
                        && o.TryGetProperty("identifier", out var id) && id.ValueKind == JsonValueKind.String)
                        _pullIdentifier = id.GetString();
                    _pullRegistered.TrySetResult();
                }

                return (true, null);
            case "workspace/workspaceFolders":
                return (true, new JsonArray(WorkspaceFolder()));
            case "workspace/applyEdit":
                return (true, new JsonObject { ["applied"] = false, ["failureReason"] = "this client applies no edits" });
            case "window/showDocument":
                return (true, new JsonObject { ["success"] = false });
            case "client/unregisterCapability":
            case "window/workDoneProgress/create":
            case "window/showMessageRequest":
            case "workspace/diagnostic/refresh":
            case "workspace/semanticTokens/refresh":
            case "workspace/inlayHint/refresh":
            case "workspace/inlineValue/refresh":
            case "workspace/codeLens/refresh":
            case "workspace/foldingRange/refresh":
                return (true, null);
            default:
                return (false, null);
        }
    }

    private void OnNotification(string method, JsonElement parameters)
    {
        if (method != "textDocument/publishDiagnostics" || parameters.ValueKind != JsonValueKind.Object
            || !parameters.TryGetProperty("uri", out var uri) || !parameters.TryGetProperty("diagnostics", out var diagnostics)
            || diagnostics.ValueKind != JsonValueKind.Array)
            return;
        if (Uri.TryCreate(uri.GetString(), UriKind.Absolute, out var parsed) && parsed.IsFile)
            _pushed[Path.GetFullPath(parsed.LocalPath)] = diagnostics.Clone();
    }

    private JsonObject CSharpSection() => new() { ["analyzersEnabled"] = options.AnalyzersEnabled };

    private JsonObject WorkspaceFolder() => new() { ["uri"] = new Uri(options.Project).AbsoluteUri, ["name"] = Path.GetFileName(options.Project) };

    /// <summary>What an editor says about itself: pull diagnostics, configuration, progress, code actions.</summary>
    private JsonObject InitializeParams() => new()
    {
        ["processId"] = Environment.ProcessId,
        ["clientInfo"] = new JsonObject { ["name"] = "LeakAnalyzers editor check", ["version"] = "1" },
        ["rootUri"] = new Uri(options.Project).AbsoluteUri,
        ["rootPath"] = options.Project,
        ["workspaceFolders"] = new JsonArray(WorkspaceFolder()),
        ["capabilities"] = new JsonObject
        {
            ["workspace"] = new JsonObject
            {
                ["configuration"] = true,
                ["didChangeConfiguration"] = new JsonObject { ["dynamicRegistration"] = true },
                ["workspaceFolders"] = true,
                ["diagnostics"] = new JsonObject { ["refreshSupport"] = true },
            },
            ["textDocument"] = new JsonObject
            {
                ["synchronization"] = new JsonObject { ["dynamicRegistration"] = true, ["didSave"] = true },
                ["diagnostic"] = new JsonObject { ["dynamicRegistration"] = true, ["relatedDocumentSupport"] = false },
                ["publishDiagnostics"] = new JsonObject
                {
                    ["relatedInformation"] = true,
                    ["codeDescriptionSupport"] = true,
                    ["versionSupport"] = true,
                    ["dataSupport"] = true,
                },
                ["codeAction"] = new JsonObject
                {
                    ["dynamicRegistration"] = true,
                    ["codeActionLiteralSupport"] = new JsonObject
                    {
                        ["codeActionKind"] = new JsonObject { ["valueSet"] = new JsonArray("", "quickfix", "refactor", "source") },
                    },
                    ["dataSupport"] = true,
                    ["resolveSupport"] = new JsonObject { ["properties"] = new JsonArray("edit") },
                },
            },
            ["window"] = new JsonObject { ["workDoneProgress"] = true },
            ["general"] = new JsonObject { ["positionEncodings"] = new JsonArray("utf-16") },
        },
    };

    private string UriOf(string file) => new Uri(Path.Combine(options.Project, file)).AbsoluteUri;

    private TimeSpan Limit(TimeSpan wanted) => wanted < Remaining ? wanted : Remaining > TimeSpan.Zero ? Remaining : TimeSpan.FromSeconds(1);

    private TimeSpan Limit(int seconds) => Limit(TimeSpan.FromSeconds(seconds));

    private static bool SameSet(IEnumerable<Expected> expected, List<Seen> seen) =>
        expected.Select(e => (e.Id, e.Line, e.Column)).ToHashSet().SetEquals(seen.Select(s => (s.Id, s.Line, s.Column)));

    private static IEnumerable<Seen> LeakDiagnostics(JsonElement items) =>
        items.EnumerateArray()
            .Where(d => Code(d)?.StartsWith("LEAK", StringComparison.Ordinal) == true)
            .Select(d => new Seen(
                Code(d)!,
                d.GetProperty("range").GetProperty("start").GetProperty("line").GetInt32() + 1,
                d.GetProperty("range").GetProperty("start").GetProperty("character").GetInt32() + 1,
                d.TryGetProperty("codeDescription", out var cd) && cd.TryGetProperty("href", out var href) ? href.GetString() : null,
                d.TryGetProperty("severity", out var severity) ? severity.GetInt32() : null,
                d.TryGetProperty("message", out var message) ? message.GetString() ?? "" : "",
                d));

    private static IEnumerable<JsonElement> Canaries(JsonElement items) => items.EnumerateArray().Where(d => Code(d) == CanaryId);

    private static string? Code(JsonElement diagnostic) =>
        !diagnostic.TryGetProperty("code", out var code) ? null
        : code.ValueKind == JsonValueKind.String ? code.GetString()
        : code.GetRawText();

    private static string Describe(JsonElement d) =>
        $"{Code(d)} at line {d.GetProperty("range").GetProperty("start").GetProperty("line").GetInt32() + 1}: "
        + (d.TryGetProperty("message", out var m) ? m.GetString() : "");

    private static string SeverityName(int? severity) => severity switch
    {
        1 => "error",
        2 => "warning",
        3 => "info",
        4 => "hint",
        _ => "(none)",
    };
}
