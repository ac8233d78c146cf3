using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.UnboundedStaticCollectionAnalyzer>;

namespace LeakAnalyzers.Tests.Rules;

// Provenance through the members of objects (issue 12, the clean findings read on real code): a member of what a lookup
// found is the store's data, not the lookup's key; a member of a new object is what its initializer put there, not every
// other member; a call given nothing returns what its return statements return; a method that merely takes the request's
// context is handed its other arguments by the application. Each rule has a reported look-alike.
public sealed partial class UnboundedStaticCollectionTests
{
    // ---------------------------------------------------------------------------------------------------------------
    // A member of what a lookup found

    [Fact]
    public async Task DoesNotReport_LockPerDatabaseOfTheBackupTheRouteIdLoads()
    {
        await Analyze.NoDiagnosticsAsync(BackupLogSource(
            action: """
                [HttpGet("{id}/log")]
                public IActionResult GetLog(string id)
                {
                    var backup = backups.GetBackup(id);
                    if (backup is null)
                        return NotFound();
                    return Ok(LogReader.Read(locks, backup));
                }
                """,
            reader: """
                public static string[] Read(DatabaseLockTracker locks, Backup backup)
                {
                    var gate = locks.For(backup.DatabasePath);
                    return gate.Wait(0) ? File.ReadAllLines(backup.DatabasePath) : Array.Empty<string>();
                }
                """));
    }

    [Fact]
    public async Task DoesNotReport_LockPerDatabasePathComputedFromTheLoadedBackup()
    {
        await Analyze.NoDiagnosticsAsync(BackupLogSource(
            action: """
                [HttpGet("{id}/log")]
                public async Task<IActionResult> GetLog(string id)
                {
                    var backup = await backups.FindAsync(id) ?? throw new KeyNotFoundException(id);
                    return Ok(LogReader.Read(locks, backup));
                }
                """,
            reader: """
                public static string[] Read(DatabaseLockTracker locks, Backup backup)
                {
                    var path = EffectiveDatabasePath(backup);
                    return locks.For(path).Wait(0) ? File.ReadAllLines(path) : Array.Empty<string>();
                }

                private static string EffectiveDatabasePath(Backup backup) =>
                    backup.Options.TryGetValue("dbpath", out var configured) ? configured : backup.DatabasePath;
                """));
    }

    [Fact]
    public async Task Reports_LockPerDatabasePathTheRequestBodyNames()
    {
        await Analyze.DiagnosticsAsync(BackupLogSource(
            action: """
                [HttpPost("log")]
                public IActionResult GetLog([FromBody] Backup backup) =>
                    backups.GetBackup(backup.Id) is null ? NotFound() : Ok(LogReader.Read(locks, backup));
                """,
            reader: """
                public static string[] Read(DatabaseLockTracker locks, Backup backup)
                {
                    var gate = locks.For(backup.DatabasePath);
                    return gate.Wait(0) ? File.ReadAllLines(backup.DatabasePath) : Array.Empty<string>();
                }
                """,
            field: "[|_locks|]"));
    }

    [Fact]
    public async Task Reports_LockPerRouteIdEvenWhenTheBackupIsLoaded()
    {
        await Analyze.DiagnosticsAsync(BackupLogSource(
            action: """
                [HttpGet("{id}/log")]
                public IActionResult GetLog(string id)
                {
                    var backup = backups.GetBackup(id);
                    if (backup is null)
                        return NotFound();
                    return Ok(locks.For(id).Wait(0) ? System.IO.File.ReadAllLines(backup.DatabasePath) : Array.Empty<string>());
                }
                """,
            reader: "",
            field: "[|_locks|]"));
    }

    private static string BackupLogSource(string action, string reader, string field = "_locks") => $$"""
        using System;
        using System.Collections.Concurrent;
        using System.Collections.Generic;
        using System.IO;
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.AspNetCore.Mvc;
        using Microsoft.Extensions.DependencyInjection;

        public sealed class Backup
        {
            public string Id { get; set; } = "";
            public string DatabasePath { get; set; } = "";
            public Dictionary<string, string> Options { get; } = new();
        }

        public interface IBackupRepository
        {
            Backup? GetBackup(string id);
            Task<Backup?> FindAsync(string id);
        }

        public sealed class DatabaseLockTracker
        {
            private readonly ConcurrentDictionary<string, SemaphoreSlim> {{field}} = new(StringComparer.OrdinalIgnoreCase);

            public SemaphoreSlim For(string databasePath) =>
                _locks.GetOrAdd(Path.GetFullPath(databasePath), _ => new SemaphoreSlim(1, 1));
        }

        [ApiController]
        [Route("backups")]
        public sealed class BackupsController(IBackupRepository backups, DatabaseLockTracker locks) : ControllerBase
        {
        {{Indent(action, 4)}}
        }

        public static class LogReader
        {
        {{Indent(reader, 4)}}
        }

        public static class BackupSetup
        {
            public static IServiceCollection AddBackups(this IServiceCollection services) => services.AddSingleton<DatabaseLockTracker>();
        }
        """;

    // ---------------------------------------------------------------------------------------------------------------
    // A member of a new object

    [Fact]
    public async Task DoesNotReport_SourceRegistryKeyedByTheEventsSourceIdBesideACounter()
    {
        await Analyze.NoDiagnosticsAsync(LogSourcesSource(sourceId: "registry.Current.Id"));
    }

    [Fact]
    public async Task Reports_SourceRegistryKeyedByANewGuidPerEvent()
    {
        await Analyze.DiagnosticsAsync(LogSourcesSource(sourceId: "Guid.NewGuid().ToString(\"N\")", field: "[|_sources|]"));
    }

    private static string LogSourcesSource(string sourceId, string field = "_sources") => $$"""
        using System;
        using System.Collections.Concurrent;
        using System.Threading;
        using Microsoft.Extensions.DependencyInjection;
        using Microsoft.Extensions.Logging;

        public sealed class LogEvent
        {
            public long Sequence { get; init; }
            public DateTimeOffset Timestamp { get; init; }
            public string Message { get; init; } = "";
            public string SourceId { get; init; } = "";
        }

        public sealed class LogSource(string id)
        {
            public string Id { get; } = id;
        }

        public sealed class LogSourceRegistry
        {
            private readonly ConcurrentDictionary<string, DateTimeOffset> {{field}} = new();

            public LogSource Current { get; } = new($"{Environment.MachineName}-{Environment.ProcessId}");

            public void MarkSeen(LogEvent logEvent) => _sources[logEvent.SourceId] = logEvent.Timestamp;
        }

        public sealed class StructuredLogger(string category, LogSourceRegistry registry) : ILogger
        {
            private long _sequence;

            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var logEvent = new LogEvent
                {
                    Sequence = Interlocked.Increment(ref _sequence),
                    Timestamp = DateTimeOffset.UtcNow,
                    Message = category + ": " + formatter(state, exception),
                    SourceId = {{sourceId}},
                };
                registry.MarkSeen(Redact(logEvent));
            }

            private static LogEvent Redact(LogEvent logEvent) =>
                new() { Sequence = logEvent.Sequence, Timestamp = logEvent.Timestamp, Message = logEvent.Message.Replace("password", "***"), SourceId = logEvent.SourceId };
        }

        public static class LoggingSetup
        {
            public static IServiceCollection AddStructuredLogs(this IServiceCollection services) => services.AddSingleton<LogSourceRegistry>();
        }
        """;

    // ---------------------------------------------------------------------------------------------------------------
    // What a method of the project given nothing returns

    [Fact]
    public async Task Reports_GrantStoreKeyedByARandomTokenFromAHelper()
    {
        await Analyze.DiagnosticsAsync(GrantsSource(code: "CreateOpaqueValue()", field: "[|_grants|]"));
    }

    [Fact]
    public async Task DoesNotReport_GrantStoreKeyedByTheConfiguredClientFromAHelper()
    {
        await Analyze.NoDiagnosticsAsync(GrantsSource(code: "DefaultClient()"));
    }

    private static string GrantsSource(string code, string field = "_grants") => $$"""
        using System;
        using System.Collections.Generic;
        using System.Security.Cryptography;
        using System.Threading.Tasks;
        using Microsoft.AspNetCore.Mvc;
        using Microsoft.Extensions.DependencyInjection;
        using Microsoft.Extensions.Options;

        public sealed class BrokerOptions
        {
            public string ClientId { get; set; } = "";
        }

        public sealed class GrantStore
        {
            private readonly Dictionary<string, string> {{field}} = new(StringComparer.Ordinal);

            public void Save(string code, string userId)
            {
                lock (_grants)
                    _grants[code] = userId;
            }
        }

        [ApiController]
        [Route("callback")]
        public sealed class CallbackController(GrantStore grants, IOptions<BrokerOptions> options) : ControllerBase
        {
            [HttpGet]
            public IActionResult Complete(string user)
            {
                var code = {{code}};
                grants.Save(code, user);
                return Redirect("/done?code=" + Uri.EscapeDataString(code));
            }

            private static string CreateOpaqueValue() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=');

            private string DefaultClient() => options.Value.ClientId;
        }

        public static class BrokerSetup
        {
            public static IServiceCollection AddBroker(this IServiceCollection services) => services.AddSingleton<GrantStore>();
        }
        """;

    // ---------------------------------------------------------------------------------------------------------------
    // A method that takes the request's context: its other parameters come from the application

    [Fact]
    public async Task DoesNotReport_WidgetInvokerKeyedByTheWidgetTheApplicationPasses()
    {
        await Analyze.NoDiagnosticsAsync(WidgetSource(key: "$\"{widget.Module}/{widget.ComponentName}\""));
    }

    [Fact]
    public async Task Reports_WidgetInvokerKeyedByTheRequestPath()
    {
        await Analyze.DiagnosticsAsync(WidgetSource(key: "context.HttpContext.Request.Path.Value ?? \"/\"", field: "[|ComponentTypes|]"));
    }

    private static string WidgetSource(string key, string field = "ComponentTypes") => $$"""
        using System;
        using System.Collections.Concurrent;
        using System.Linq;
        using System.Threading.Tasks;
        using Microsoft.AspNetCore.Http;

        public sealed class WidgetContext(HttpContext httpContext)
        {
            public HttpContext HttpContext { get; } = httpContext;
        }

        public sealed class ComponentWidget
        {
            public string Module { get; init; } = "";
            public string ComponentName { get; init; } = "";
        }

        public sealed class ComponentWidgetInvoker
        {
            private static readonly ConcurrentDictionary<string, Type?> {{field}} = new();

            public Task<string> InvokeAsync(WidgetContext context, ComponentWidget widget)
            {
                var type = ComponentTypes.GetOrAdd({{key}}, _ => AppDomain.CurrentDomain.GetAssemblies()
                    .SelectMany(a => a.GetTypes())
                    .FirstOrDefault(t => t.Name == widget.ComponentName + "ViewComponent"));
                return Task.FromResult(type?.Name ?? "");
            }
        }
        """;

    private static string Indent(string text, int spaces) =>
        string.Join("\n", text.Split('\n').Select((line, i) => i == 0 || line.Length == 0 ? line : new string(' ', spaces) + line));
}
