using LeakAnalyzers.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.UnboundedStaticCollectionAnalyzer>;

namespace LeakAnalyzers.Tests.Rules;

// Provenance (issue 12): growth is reported when its keys come from unbounded data, with the source in the message;
// each shape of the false alarms read on real code has a look-alike that stays silent.
public sealed partial class UnboundedStaticCollectionTests
{
    // ---------------------------------------------------------------------------------------------------------------
    // Reported: request data, fresh values, input fed through the project's own methods

    [Fact]
    public async Task Reports_MiddlewareCountingRequestPaths_KeysFromTheRequestPath()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Collections.Concurrent;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public sealed class HitCounterMiddleware
            {
                private readonly RequestDelegate _next;
                private readonly ConcurrentDictionary<string, long> {|#0:_hits|} = new();

                public HitCounterMiddleware(RequestDelegate next) => _next = next;

                public async Task InvokeAsync(HttpContext context)
                {
                    var path = {|#2:context.Request.Path|}.Value ?? "/";
                    {|#1:_hits.AddOrUpdate(path, 1, (_, n) => n + 1)|};
                    await _next(context);
                }
            }
            """, Analyze.Diagnostic(Descriptors.UnboundedStaticCollectionCompilationEnd).WithLocation(0).WithLocation(1).WithLocation(2)
                .WithArguments("_hits", "keys from the request path"));
    }

    [Fact]
    public async Task Reports_HubTrackingConnectionsThroughASingletonService()
    {
        await Analyze.DiagnosticsAsync("""
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.SignalR;
            using Microsoft.Extensions.DependencyInjection;

            public sealed class PresenceTracker
            {
                private readonly Dictionary<string, DateTime> [|_seen|] = new();

                public void Seen(string connectionId)
                {
                    lock (_seen)
                        _seen[connectionId] = DateTime.UtcNow;
                }
            }

            public sealed class ChatHub(PresenceTracker presence) : Hub
            {
                public Task Send(string message)
                {
                    presence.Seen(Context.ConnectionId);
                    return Clients.All.SendAsync("message", message);
                }
            }

            public static class ChatSetup
            {
                public static IServiceCollection AddChat(this IServiceCollection services) => services.AddSingleton<PresenceTracker>();
            }
            """);
    }

    [Fact]
    public async Task Reports_ControllerIssuingTokens_ItemsFromNewGuids()
    {
        await Analyze.DiagnosticsAsync("""
            using System;
            using System.Collections.Generic;
            using Microsoft.AspNetCore.Mvc;

            [ApiController]
            [Route("tokens")]
            public sealed class TokensController : ControllerBase
            {
                private static readonly HashSet<string> {|#0:Issued|} = new();

                [HttpPost]
                public IActionResult Issue()
                {
                    var token = {|#2:Guid.NewGuid()|}.ToString("N");
                    lock (Issued)
                        {|#1:Issued.Add(token)|};
                    return Ok(token);
                }
            }
            """, Analyze.Diagnostic().WithLocation(0).WithLocation(1).WithLocation(2).WithArguments("Issued", "items from a new GUID"));
    }

    [Fact]
    public async Task Reports_ControllerCachingPerUser_KeysFromAClaim()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Collections.Concurrent;
            using System.Security.Claims;
            using Microsoft.AspNetCore.Mvc;

            [ApiController]
            [Route("me")]
            public sealed class ProfileController : ControllerBase
            {
                private static readonly ConcurrentDictionary<string, string> [|Profiles|] = new();

                [HttpGet]
                public string Get()
                {
                    var userId = User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "anonymous";
                    return Profiles.GetOrAdd(userId, id => "profile of " + id);
                }
            }
            """);
    }

    [Fact]
    public async Task Reports_KeysPassedThroughAServiceMethodFromAnAction()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Collections.Generic;
            using Microsoft.AspNetCore.Mvc;

            public static class PriceCache
            {
                private static readonly Dictionary<string, decimal> [|Prices|] = new();

                internal static void Remember(string sku, decimal price)
                {
                    lock (Prices)
                        Prices[Normalize(sku)] = price;
                }

                private static string Normalize(string sku) => sku.Trim().ToUpperInvariant();
            }

            [ApiController]
            [Route("prices")]
            public sealed class PricesController : ControllerBase
            {
                [HttpPut("{sku}")]
                public IActionResult Put(string sku, [FromBody] decimal price)
                {
                    PriceCache.Remember(sku, price);
                    return NoContent();
                }
            }
            """);
    }

    [Fact]
    public async Task Reports_MinimalApiEndpointQueryValue()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Collections.Generic;
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Http;

            public static class SearchEndpoints
            {
                private static readonly List<string> [|Searches|] = new();

                public static void MapSearch(this WebApplication app) =>
                    app.MapGet("/search", (HttpContext context) =>
                    {
                        var q = context.Request.Query["q"].ToString();
                        lock (Searches)
                            Searches.Add(q);
                        return Results.Ok();
                    });
            }
            """);
    }

    [Theory]
    [InlineData("var address = context.Connection.RemoteIpAddress?.ToString() ?? \"unknown\";")]
    [InlineData("var address = context.Connection.RemoteIpAddress!.ToString();")]
    [InlineData("var address = context.TraceIdentifier;")]
    public async Task Reports_VisitorLogFedByAnEndpoint_ThroughConditionalAccessAndCoalesce(string line)
    {
        await Analyze.DiagnosticsAsync($$"""
            using System.Collections.Generic;
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Http;
            using Microsoft.AspNetCore.Routing;
            public static class VisitorLog
            {
                private static readonly HashSet<string> [|Visitors|] = new();
                public static void Visit(string address)
                {
                    lock (Visitors)
                        Visitors.Add(address);
                }
            }
            public static class E
            {
                public static void Map(this IEndpointRouteBuilder app)
                {
                    app.MapPost("/visits", (HttpContext context) =>
                    {
                        {{line}}
                        VisitorLog.Visit(address);
                        return Results.Ok();
                    });
                }
            }
            """);
    }

    [Fact]
    public async Task Reports_ServiceMarkedSingletonByAnInterface()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Collections.Generic;
            using Microsoft.AspNetCore.Mvc;
            using Microsoft.Extensions.DependencyInjection;

            public interface ISingletonDependency { }

            public sealed class DraftStore : ISingletonDependency
            {
                private readonly Dictionary<int, string> [|_drafts|] = new();

                public void Save(int id, string text) => _drafts[id] = text;
            }

            [ApiController]
            [Route("drafts")]
            public sealed class DraftsController(DraftStore store) : ControllerBase
            {
                [HttpPut("{id}")]
                public void Put(int id, [FromBody] string text) => store.Save(id, text);
            }

            public static class Registration
            {
                public static IServiceCollection AddAll(this IServiceCollection services) => services;
            }
            """);
    }

    [Fact]
    public async Task Option_singleton_types_NamesASingletonRegisteredElsewhere()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Collections.Generic;
            using Microsoft.AspNetCore.Mvc;
            using Microsoft.Extensions.DependencyInjection;

            namespace Shop;

            public sealed class VisitLog
            {
                private readonly List<string> [|_visits|] = new();

                public void Add(string page) => _visits.Add(page);
            }

            [ApiController]
            [Route("pages")]
            public sealed class PagesController(VisitLog log) : ControllerBase
            {
                [HttpGet("{page}")]
                public void Get(string page) => log.Add(page);
            }

            public static class Registration
            {
                public static IServiceCollection AddShop(this IServiceCollection services) => services;
            }
            """, new TestSettings { Options = [(UnboundedStaticCollectionAnalyzer.SingletonTypesOption, "Shop.VisitLog")] });
    }

    [Fact]
    public async Task Reports_LockPerDatabaseNamedByTheRoute_NextToAServiceFromTheContainer()
    {
        // the endpoint's other parameters are services ([FromServices]); the key is the route's 'database', request data
        await Analyze.DiagnosticsAsync("""
            using System;
            using System.Collections.Concurrent;
            using System.Threading;
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Http;
            using Microsoft.AspNetCore.Mvc;
            using Microsoft.AspNetCore.Routing;
            using Microsoft.Extensions.DependencyInjection;

            public sealed class BackupConnection
            {
                public BackupConnection(string databasePath) => DatabasePath = databasePath;
                public string DatabasePath { get; }
            }

            public sealed class DatabaseLockTracker
            {
                private readonly ConcurrentDictionary<string, SemaphoreSlim> {|#0:_locks|} = new(StringComparer.OrdinalIgnoreCase);

                public SemaphoreSlim For(string databasePath) => {|#1:_locks.GetOrAdd(databasePath, _ => new SemaphoreSlim(1, 1))|};
            }

            public static class BackupEndpoints
            {
                public static void MapBackups(this IEndpointRouteBuilder app)
                {
                    app.MapPost("/backups/{database}/run", ([FromServices] BackupConnection connection, [FromServices] DatabaseLockTracker locks, string {|#2:database|}) =>
                    {
                        var gate = locks.For(database);
                        return gate.CurrentCount > 0 ? Results.Accepted() : Results.Conflict();
                    });
                }

                public static IServiceCollection AddBackups(this IServiceCollection services) =>
                    services.AddSingleton<DatabaseLockTracker>().AddSingleton(new BackupConnection("backups.sqlite"));
            }
            """, Analyze.Diagnostic(Descriptors.UnboundedStaticCollectionCompilationEnd).WithLocation(0).WithLocation(1).WithLocation(2)
                .WithArguments("_locks", "keys from the endpoint parameter 'database'"));
    }

    [Fact]
    public async Task Reports_KeysPassedToAHelperThatFallsBackInsteadOfThrowing()
    {
        // the look-alike of the lookup-or-throw helper: a missing format gets a default exporter, and the write goes on
        await Analyze.DiagnosticsAsync("""
            using System;
            using System.Collections.Concurrent;
            using System.Collections.Generic;
            using Microsoft.AspNetCore.Mvc;

            public interface IExporter
            {
                byte[] LoadTemplate();
            }

            public sealed class CsvExporter : IExporter
            {
                public byte[] LoadTemplate() => Array.Empty<byte>();
            }

            public static class ExporterRegistry
            {
                private static readonly Dictionary<string, IExporter> Exporters = new(StringComparer.OrdinalIgnoreCase)
                {
                    ["csv"] = new CsvExporter(),
                };

                public static IExporter Get(string format)
                {
                    if (!Exporters.TryGetValue(format, out var exporter))
                        return new CsvExporter();
                    return exporter;
                }
            }

            [ApiController]
            [Route("exports")]
            public sealed class ExportController : ControllerBase
            {
                private static readonly ConcurrentDictionary<string, byte[]> {|#0:Templates|} = new(StringComparer.OrdinalIgnoreCase);

                [HttpGet("{format}")]
                public IActionResult Export(string {|#2:format|})
                {
                    var exporter = ExporterRegistry.Get(format);
                    var template = {|#1:Templates.GetOrAdd(format, _ => exporter.LoadTemplate())|};
                    return File(template, "application/octet-stream");
                }
            }
            """, Analyze.Diagnostic().WithLocation(0).WithLocation(1).WithLocation(2)
                .WithArguments("Templates", "keys from the action parameter 'format' of 'ExportController.Export'"));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Silent: the five shapes of false alarms, written as the services that had them

    [Fact]
    public async Task DoesNotReport_KeysCheckedAgainstAConfiguredRegistryBeforeTheWrite()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Collections.Concurrent;
            using System.Collections.Generic;
            using System.Net.Http;
            using Microsoft.AspNetCore.Mvc;
            using Microsoft.Extensions.Configuration;
            using Microsoft.Extensions.Options;

            public sealed class StorageOptions
            {
                public List<string> Providers { get; set; } = new();
            }

            [ApiController]
            [Route("storage")]
            public sealed class StorageController(IOptions<StorageOptions> options, IConfiguration configuration) : ControllerBase
            {
                private static readonly ConcurrentDictionary<string, HttpClient> Clients = new();
                private static readonly ConcurrentDictionary<string, string> ConnectionStrings = new();

                [HttpGet("{provider}")]
                public IActionResult Get(string provider)
                {
                    if (!options.Value.Providers.Contains(provider))
                        return NotFound();
                    var client = Clients.GetOrAdd(provider, _ => new HttpClient());
                    var connection = ConnectionStrings.GetOrAdd(configuration["Storage:Default"] ?? "", c => c);
                    return Ok(client.BaseAddress + connection);
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_KeysPassedFirstToTheProjectsLookupOrThrowHelper()
    {
        // shape 1 through a helper: ExporterRegistry.Get throws for a format the registry does not know, so only the
        // registry's formats reach the write
        await Analyze.NoDiagnosticsAsync("""
            using System;
            using System.Collections.Concurrent;
            using System.Collections.Generic;
            using Microsoft.AspNetCore.Mvc;

            public interface IExporter
            {
                byte[] LoadTemplate();
            }

            public sealed class CsvExporter : IExporter
            {
                public byte[] LoadTemplate() => Array.Empty<byte>();
            }

            public static class ExporterRegistry
            {
                private static readonly Dictionary<string, IExporter> Exporters = new(StringComparer.OrdinalIgnoreCase)
                {
                    ["csv"] = new CsvExporter(),
                };

                public static IExporter Get(string format)
                {
                    if (!Exporters.TryGetValue(format, out var exporter))
                        throw new NotSupportedException($"No exporter for '{format}'.");
                    return exporter;
                }
            }

            [ApiController]
            [Route("exports")]
            public sealed class ExportController : ControllerBase
            {
                private static readonly ConcurrentDictionary<string, byte[]> Templates = new(StringComparer.OrdinalIgnoreCase);

                [HttpGet("{format}")]
                public IActionResult Export(string format)
                {
                    var exporter = ExporterRegistry.Get(format);
                    var template = Templates.GetOrAdd(format, _ => exporter.LoadTemplate());
                    return File(template, "application/octet-stream");
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_KeysDerivedFromReflection()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System;
            using System.Collections.Concurrent;
            using System.Linq;
            using System.Reflection;
            using Microsoft.AspNetCore.Mvc;

            public readonly record struct AccessorKey(Type Type, bool IncludeNonPublic);

            [ApiController]
            [Route("export")]
            public sealed class ExportController : ControllerBase
            {
                private static readonly ConcurrentDictionary<string, string[]> ColumnsByTypeName = new();
                private static readonly ConcurrentDictionary<object, PropertyInfo[]> Accessors = new();

                [HttpPost]
                public string[] Export([FromBody] object model)
                {
                    var type = model.GetType();
                    Accessors.GetOrAdd((type.IsPublic, type.IsValueType), _ => type.GetProperties());
                    return ColumnsByTypeName.GetOrAdd(type.AssemblyQualifiedName!, _ => type.GetProperties().Select(p => p.Name).ToArray());
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_AParameterWhoseCallersAllPassConstants()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Collections.Concurrent;
            using Microsoft.AspNetCore.Mvc;

            internal static class Counters
            {
                private static readonly ConcurrentDictionary<string, long> Hits = new();

                public static void Hit(string name) => Hits.AddOrUpdate(name, 1, (_, n) => n + 1);
            }

            [ApiController]
            [Route("orders")]
            public sealed class OrdersController : ControllerBase
            {
                private const string Checkout = "orders.checkout";

                [HttpGet("{id}")]
                public IActionResult Get(int id)
                {
                    Counters.Hit(nameof(Get));
                    return Ok(id);
                }

                [HttpPost]
                public IActionResult Post()
                {
                    Counters.Hit(Checkout);
                    Counters.Hit("orders.created");
                    return Ok();
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_FilledOnlyDuringStartupThroughAPublicApi()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System;
            using System.Collections.Generic;
            using Microsoft.AspNetCore.Builder;
            using Microsoft.Extensions.DependencyInjection;

            public static class ReportRegistry
            {
                internal static readonly Dictionary<string, Type> Reports = new();
                internal static readonly Dictionary<string, Action<WebApplication>> Handlers = new();
                internal static readonly List<Action<WebApplication>> Endpoints = new();

                public static IServiceCollection AddReport<T>(this IServiceCollection services, string name)
                {
                    Reports[name] = typeof(T);
                    return services;
                }

                public static void Register(string name, Action<WebApplication> map)
                {
                    Handlers[name] = map;
                    Endpoints.Add(map);
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_SmartEnumsAndKeysOfEnumsAndBooleans()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Collections.Generic;
            using Microsoft.AspNetCore.Mvc;

            public enum Channel { Web, Mobile }

            public sealed class OrderStatus
            {
                private static readonly Dictionary<string, OrderStatus> ByName = new();

                public static readonly OrderStatus Pending = new("pending");
                public static readonly OrderStatus Paid = new("paid");

                private OrderStatus(string name)
                {
                    Name = name;
                    ByName[Name] = this;
                }

                public string Name { get; }
            }

            [ApiController]
            [Route("layout")]
            public sealed class LayoutController : ControllerBase
            {
                private static readonly Dictionary<object, string> Layouts = new();

                [HttpGet]
                public string Get(Channel channel, bool compact)
                {
                    lock (Layouts)
                    {
                        object key = (channel, compact);
                        if (!Layouts.TryGetValue(key, out var layout))
                            Layouts[key] = layout = channel + (compact ? "-compact" : "");
                        return layout;
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task Reports_MiddlewareFeedingAPublicHelperOfTheLibrary_KeysFromARequestHeader()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Collections.Concurrent;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public static class ClientQuotas
            {
                private static readonly ConcurrentDictionary<string, int> {|#0:Used|} = new();

                public static int Consume(string client) => {|#1:Used.AddOrUpdate(client, 1, (_, n) => n + 1)|};
            }

            public sealed class QuotaMiddleware(RequestDelegate next)
            {
                public async Task InvokeAsync(HttpContext context)
                {
                    string client = {|#2:context.Request.Headers["X-Client-Id"]|}.ToString();
                    if (ClientQuotas.Consume(client) > 1000)
                    {
                        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                        return;
                    }

                    await next(context);
                }
            }
            """, Analyze.Diagnostic(Descriptors.UnboundedStaticCollectionCompilationEnd).WithLocation(0).WithLocation(1).WithLocation(2)
                .WithArguments("Used", "keys from the request's header value 'X-Client-Id'"));
    }

    [Fact]
    public async Task DoesNotReport_APublicLibraryMethodNothingHereCalls_ButStrictDoes()
    {
        // Metric names: other projects of the solution call the library with constants.
        const string source = """
            using System.Collections.Concurrent;
            using System.Threading;

            public sealed class Counter
            {
                private long _value;
                public long Value => Interlocked.Read(ref _value);
                public void Increment() => Interlocked.Increment(ref _value);
            }

            public static class Metrics
            {
                private static readonly ConcurrentDictionary<string, Counter> {|#0:Counters|} = new();

                public static void Increment(string name) => {|#1:Counters.GetOrAdd(name, _ => new Counter())|}.Increment();

                public static long Read(string name) => Counters.TryGetValue(name, out var counter) ? counter.Value : 0;
            }
            """;
        await Analyze.NoDiagnosticsAsync(System.Text.RegularExpressions.Regex.Replace(source, @"\{\|#\d:|\|\}", ""));
        await Analyze.DiagnosticsAsync(source, Strict, Analyze.Diagnostic().WithLocation(0).WithLocation(1)
            .WithArguments("Counters", "keys the analysis does not trace"));
    }

    [Fact]
    public async Task DoesNotReport_KeysFromAServiceAMiddlewaresInvokeIsGiven()
    {
        // The parameters after the HttpContext are services the container resolves, not request data.
        await Analyze.NoDiagnosticsAsync("""
            using System.Collections.Concurrent;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            public interface ITaskStore
            {
                string[] TaskTypeNames { get; }
            }

            public sealed class TaskSchedulerMiddleware(RequestDelegate next)
            {
                private static readonly ConcurrentDictionary<string, string> Normalized = new();

                public async Task Invoke(HttpContext context, ITaskStore taskStore)
                {
                    foreach (var name in taskStore.TaskTypeNames)
                        Normalized.TryAdd(name, name.ToLowerInvariant());
                    await next(context);
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_KeysTheAnalysisCannotTrace_ButStrictDoes()
    {
        const string source = """
            using System.Collections.Generic;
            using System.Threading.Tasks;

            public interface IRepository
            {
                Task<List<string>> NamesAsync();
            }

            public sealed class NameIndex(IRepository repository)
            {
                private static readonly HashSet<string> {|#0:Names|} = new();

                public async Task RefreshAsync()
                {
                    foreach (var name in await repository.NamesAsync())
                        lock (Names)
                            {|#1:Names.Add(name)|};
                }
            }
            """;
        await Analyze.NoDiagnosticsAsync(System.Text.RegularExpressions.Regex.Replace(source, @"\{\|#\d:|\|\}", ""));
        await Analyze.DiagnosticsAsync(source, Strict, Analyze.Diagnostic().WithLocation(0).WithLocation(1)
            .WithArguments("Names", "items the analysis does not trace"));
    }

    [Theory]
    [InlineData("[FromServices]")]
    [InlineData("[FromKeyedServices(\"backups\")]")]
    public async Task Valid_LockPerDatabaseOfAServiceBoundFromTheContainer(string binding)
    {
        // duplicati's DatabaseLockTracker: the endpoint's 'connection' is a service the container gives ([FromServices]
        // or [FromKeyedServices]), not request data: its database path is the deployment's
        await Analyze.NoDiagnosticsAsync("""
            using System;
            using System.Collections.Concurrent;
            using System.Threading;
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Http;
            using Microsoft.AspNetCore.Mvc;
            using Microsoft.AspNetCore.Routing;
            using Microsoft.Extensions.DependencyInjection;

            public sealed class BackupConnection
            {
                public BackupConnection(string databasePath) => DatabasePath = databasePath;
                public string DatabasePath { get; }
            }

            public sealed class DatabaseLockTracker
            {
                private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.OrdinalIgnoreCase);

                public SemaphoreSlim For(string databasePath) => _locks.GetOrAdd(databasePath, _ => new SemaphoreSlim(1, 1));
            }

            public static class BackupEndpoints
            {
                public static void MapBackups(this IEndpointRouteBuilder app)
                {
                    app.MapPost("/backups/{database}/run", ({{binding}} BackupConnection connection, [FromServices] DatabaseLockTracker locks, string database) =>
                    {
                        var gate = locks.For(connection.DatabasePath);
                        return gate.CurrentCount > 0 ? Results.Accepted() : Results.Conflict();
                    });
                }

                public static IServiceCollection AddBackups(this IServiceCollection services) =>
                    services.AddSingleton<DatabaseLockTracker>().AddSingleton(new BackupConnection("backups.sqlite"));
            }
            """.Replace("{{binding}}", binding, StringComparison.Ordinal));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Code that does not bind: never throws, and still judged where the shape is clear

    [Fact]
    public async Task UnboundCode_DoesNotThrow_AndTheBoundGrowthBesideItStillCounts()
    {
        const string source = """
            using System.Collections.Generic;
            using Microsoft.AspNetCore.Mvc;

            public sealed record CartLine(string Sku);
            public sealed record Cart(CartLine Line);

            [ApiController]
            [Route("carts")]
            public sealed class CartsController : ControllerBase
            {
                private static readonly Dictionary<string, Cart> Carts = new();
                private static readonly List<string> Log = new();
                private static readonly HashSet<string> Seen = new();

                [HttpPost("{id}")]
                public IActionResult Add(string id, [FromBody] CartLine line)
                {
                    lock (Carts)
                        Carts[KeyHelper.For(id)] = new Cart(line);
                    Log.Add(Unknown.Value(line.));
                    lock (Seen)
                        Seen.Add(id);
                    return Ok();
                }
            }
            """;
        var project = await FixChecks.CreateProjectAsync([source], new TestSettings());
        var compilation = (await project.GetCompilationAsync())!;
        Assert.Contains(compilation.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);

        var diagnostics = await compilation.WithAnalyzers(Harness.RuleAnalyzers<UnboundedStaticCollectionAnalyzer>(), project.AnalyzerOptions).GetAllDiagnosticsAsync();

        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        var reported = Assert.Single(diagnostics, d => d.Id == "LEAK001");
        Assert.Contains("'Seen'", reported.GetMessage(), StringComparison.Ordinal);     // a write whose key does not bind is not judged
        Assert.Contains("'id'", reported.GetMessage(), StringComparison.Ordinal);
    }
}
