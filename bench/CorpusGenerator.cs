namespace LeakAnalyzers.Bench;

/// <summary>The generated sources, the leaks planted in them, and their size.</summary>
internal sealed record Corpus(int Slices, IReadOnlyList<(string Path, string Text)> Files, IReadOnlyList<Plant> Plants)
{
    public int Lines { get; } = Files.Sum(f => f.Text.Count(c => c == '\n'));
}

/// <summary>
/// A deterministic ASP.NET Core application of <c>slices</c> feature slices. Each slice is a namespace with a controller,
/// a service (records, an interface, <c>IMemoryCache</c>, LINQ), a typed <c>HttpClient</c> and an
/// <c>IHttpClientFactory</c> caller, a conventional middleware, two MVC filters, an endpoint filter with minimal-API
/// endpoints and DI registration, options and a static metadata class; every fourth slice also has a hosted service.
/// The code is clean, with a look-alike of every leak (using responses, Type-keyed and guarded static caches, awaited and
/// cancellable Task.Run, values copied before background work, AsyncLocals restored or set in async code, services
/// resolved from the request's provider or a scope, a singleton from the middleware's root provider); a seeded few
/// percent of slices get one leak of a kind instead, and the generator records the line each rule must report.
/// </summary>
internal static class CorpusGenerator
{
    public static readonly string[] Rules = { "LEAK001", "LEAK002", "LEAK003", "LEAK004", "LEAK005", "LEAK006", "LEAK007" };

    /// <summary>Chance that a slice gets a leak of a given kind.</summary>
    private const double LeakRate = 0.04;

    /// <summary>How many shapes of each leak the generator knows (see <see cref="Slice"/>).</summary>
    private static readonly Dictionary<string, int> Variants = new(StringComparer.Ordinal)
    {
        ["LEAK001"] = 2,   // a dictionary nothing removes from; a dictionary filled without its Count guard
        ["LEAK002"] = 2,   // Task.Run without a token; a dropped call given CancellationToken.None
        ["LEAK003"] = 2,   // the controller's HttpContext read in background work; the request headers captured
        ["LEAK004"] = 3,   // a response never disposed; discarded; not disposed on every path
        ["LEAK005"] = 2,   // an AsyncLocal set in OnActionExecuting and never cleared; a [ThreadStatic] user
        ["LEAK006"] = 2,   // the middleware resolves the scoped service from its root provider; an endpoint from app.ServiceProvider
        ["LEAK007"] = 2,   // a controller registering on ApplicationStopping in its constructor; the scoped service not removing its handler from the singleton webhooks
    };

    private static readonly string[] Nouns =
    {
        "Order", "Invoice", "Customer", "Product", "Shipment", "Payment", "Review", "Coupon", "Ticket", "Booking",
        "Account", "Refund", "Supplier", "Warehouse", "Carrier", "Subscription", "Campaign", "Report", "Device", "Tenant",
    };

    public static Corpus Generate(int slices, int seed)
    {
        // The plan first, so that every kind is planted at least once even in a small corpus; then the code.
        var random = new Random(seed);
        var plan = new Dictionary<string, int>[slices];
        for (var i = 0; i < slices; i++)
        {
            plan[i] = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var rule in Rules)
            {
                if (random.NextDouble() < LeakRate)
                    plan[i][rule] = random.Next(Variants[rule]);
            }
        }

        foreach (var rule in Rules)
        {
            if (!plan.Any(p => p.ContainsKey(rule)))
                plan[random.Next(slices)][rule] = random.Next(Variants[rule]);
        }

        var files = new List<(string, string)>();
        var plants = new List<Plant>();
        files.Add(("GlobalUsings.cs", GlobalUsings));
        for (var i = 0; i < slices; i++)
        {
            var slice = new Slice(i, Nouns[i % Nouns.Length], plan[i]);
            foreach (var write in new Action<SourceWriter>[] { slice.Controller, slice.Service, slice.Client, slice.Middleware, slice.Filters, slice.Endpoints, slice.Options })
            {
                var writer = new SourceWriter($"F{i:0000}/{slice.Noun}{write.Method.Name}.cs", plants);
                write(writer);
                files.Add((writer.Path, writer.ToString()));
            }
        }

        files.Add(("Program.cs", Program(slices)));
        return new Corpus(slices, files, plants);
    }

    private const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Net.Http.Json;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using Microsoft.AspNetCore.Builder;
        global using Microsoft.AspNetCore.Hosting;
        global using Microsoft.AspNetCore.Http;
        global using Microsoft.AspNetCore.Routing;
        global using Microsoft.Extensions.Configuration;
        global using Microsoft.Extensions.DependencyInjection;
        global using Microsoft.Extensions.Hosting;
        global using Microsoft.Extensions.Logging;
        """;

    private static string Program(int slices)
    {
        var writer = new SourceWriter("Program.cs", new List<Plant>());
        writer.Add("""
            var builder = WebApplication.CreateBuilder(args);
            builder.Services.AddControllers();
            builder.Services.AddMemoryCache(options => options.SizeLimit = 100_000);
            builder.Services.AddHttpClient("webhooks", client => client.BaseAddress = new Uri("https://hooks.internal.example/"));
            """);
        for (var i = 0; i < slices; i++)
            writer.Add($"Shop.F{i:0000}.{Nouns[i % Nouns.Length]}Feature.Add{Nouns[i % Nouns.Length]}Feature(builder.Services, builder.Configuration);");
        writer.Add("""

            var app = builder.Build();
            app.UseHttpsRedirection();
            """);
        for (var i = 0; i < slices; i++)
            writer.Add($"app.UseMiddleware<Shop.F{i:0000}.{Nouns[i % Nouns.Length]}AuditMiddleware>();");
        writer.Add("app.MapControllers();");
        for (var i = 0; i < slices; i++)
            writer.Add($"Shop.F{i:0000}.{Nouns[i % Nouns.Length]}Feature.Map{Nouns[i % Nouns.Length]}Endpoints(app);");
        writer.Add("app.Run();");
        return writer.ToString();
    }

    /// <summary>One feature slice: its names, and the leaks planned for it (rule → variant).</summary>
    private sealed class Slice
    {
        private readonly int _index;
        private readonly IReadOnlyDictionary<string, int> _leaks;

        public Slice(int index, string noun, IReadOnlyDictionary<string, int> leaks)
        {
            _index = index;
            Noun = noun;
            _leaks = leaks;
        }

        public string Noun { get; }

        private string Ns => $"Shop.F{_index:0000}";

        private string Route => Noun.ToLowerInvariant() + "s";

        /// <summary>True when this slice plants <paramref name="rule"/> in its variant <paramref name="variant"/>.</summary>
        private bool Has(string rule, int variant) => _leaks.TryGetValue(rule, out var v) && v == variant;

        public void Controller(SourceWriter w)
        {
            var n = Noun;
            w.Add($$"""
                using Microsoft.AspNetCore.Mvc;

                namespace {{Ns}};

                [ApiController]
                [Route("api/{{_index}}/{{Route}}")]
                public sealed class {{n}}sController : ControllerBase
                {
                    private const int PageSize = 20;
                    private readonly I{{n}}Service _service;
                    private readonly ILogger<{{n}}sController> _logger;
                    private readonly IHostApplicationLifetime _lifetime;

                    public {{n}}sController(I{{n}}Service service, ILogger<{{n}}sController> logger, IHostApplicationLifetime lifetime)
                    {
                        _service = service;
                        _logger = logger;
                        _lifetime = lifetime;
                """);
            if (Has("LEAK007", 0))
                w.Leak("LEAK007", $"        _lifetime.ApplicationStopping.Register(() => _logger.LogInformation(\"{n}s controller stopping\"));");
            w.Add($$"""
                    }

                    [HttpGet("{id:int}")]
                    public async Task<ActionResult<{{n}}Dto>> Get(int id, CancellationToken cancellationToken)
                    {
                        var item = await _service.FindAsync(id, cancellationToken);
                        if (item is null)
                        {
                            _logger.LogInformation("{{n}} {Id} not found", id);
                            return NotFound();
                        }

                        return Ok(item);
                    }

                    [HttpGet]
                    public async Task<ActionResult<{{n}}Page>> List([FromQuery] string? filter, [FromQuery] int page = 1, CancellationToken cancellationToken = default)
                    {
                        var all = await _service.ListAsync(cancellationToken);
                        var matching = all
                            .Where(x => filter is null || x.Name.Contains(filter, StringComparison.OrdinalIgnoreCase))
                            .OrderBy(x => x.Name, StringComparer.OrdinalIgnoreCase)
                            .ThenByDescending(x => x.CreatedAt)
                            .ToList();
                        var summary = await Task.Run(() => {{n}}Summary.Of(matching), cancellationToken);
                        return new {{n}}Page(matching.Skip((Math.Max(page, 1) - 1) * PageSize).Take(PageSize).ToList(), matching.Count, summary);
                    }

                    [HttpPost]
                    public async Task<IActionResult> Create({{n}}CreateRequest request, CancellationToken cancellationToken)
                    {
                        if (string.IsNullOrWhiteSpace(request.Name))
                            return BadRequest(new { error = "Name is required" });
                        using var stopping = _lifetime.ApplicationStopping.Register(() => _logger.LogDebug("Create interrupted"));
                        var created = await _service.CreateAsync(request, cancellationToken);
                """);
            if (Has("LEAK003", 1))
            {
                w.Add("        var headers = Request.Headers;");
                w.Leak("LEAK003", "        _ = Task.Run(() => _logger.LogInformation(\"Created {Id} by {Agent}\", created.Id, headers.UserAgent.ToString()), _lifetime.ApplicationStopping);");
            }
            else if (Has("LEAK003", 0))
            {
                w.Leak("LEAK003", "        _ = Task.Run(() => _logger.LogInformation(\"Created {Id} for {Path}\", created.Id, HttpContext.Request.Path), _lifetime.ApplicationStopping);");
            }
            else
            {
                w.Add("""
                            var path = HttpContext.Request.Path;
                            var agent = Request.Headers.UserAgent.ToString();
                            _ = Task.Run(() => _logger.LogInformation("Created {Id} for {Path} by {Agent}", created.Id, path, agent), _lifetime.ApplicationStopping);
                    """);
            }

            w.Add($$"""
                        return CreatedAtAction(nameof(Get), new { id = created.Id }, created);
                    }

                    [HttpDelete("{id:int}")]
                    public async Task<IActionResult> Delete(int id, CancellationToken cancellationToken) =>
                        await _service.DeleteAsync(id, cancellationToken) ? NoContent() : NotFound();
                }
                """);
        }

        public void Service(SourceWriter w)
        {
            var n = Noun;
            w.Add($$"""
                using System.Globalization;
                using Microsoft.Extensions.Caching.Memory;
                using Microsoft.Extensions.Options;

                namespace {{Ns}};

                public sealed record {{n}}Dto(int Id, string Name, decimal Amount, DateTimeOffset CreatedAt, string Status);

                public sealed record {{n}}CreateRequest(string Name, decimal Amount);

                public sealed record {{n}}Summary(int Count, decimal Total, decimal Average)
                {
                    public static {{n}}Summary Of(IReadOnlyCollection<{{n}}Dto> items) =>
                        items.Count == 0 ? new(0, 0m, 0m) : new(items.Count, items.Sum(i => i.Amount), items.Average(i => i.Amount));
                }

                public sealed record {{n}}Page(IReadOnlyList<{{n}}Dto> Items, int Total, {{n}}Summary Summary);

                public interface I{{n}}Service
                {
                    Task<{{n}}Dto?> FindAsync(int id, CancellationToken cancellationToken);

                    Task<IReadOnlyList<{{n}}Dto>> ListAsync(CancellationToken cancellationToken);

                    Task<{{n}}Dto> CreateAsync({{n}}CreateRequest request, CancellationToken cancellationToken);

                    Task<bool> DeleteAsync(int id, CancellationToken cancellationToken);
                }

                public sealed class {{n}}Service : I{{n}}Service, IDisposable
                {
                    private readonly {{n}}Client _client;
                    private readonly {{n}}Webhooks _webhooks;
                    private readonly IMemoryCache _cache;
                    private readonly {{n}}Options _options;
                    private readonly ILogger<{{n}}Service> _logger;

                    public {{n}}Service({{n}}Client client, {{n}}Webhooks webhooks, IMemoryCache cache, IOptions<{{n}}Options> options, ILogger<{{n}}Service> logger)
                    {
                        _client = client;
                        _webhooks = webhooks;
                        _cache = cache;
                        _options = options.Value;
                        _logger = logger;
                """);
            // The same line either way: whether it leaks depends on Dispose removing the handler.
            w.Either(Has("LEAK007", 1), "LEAK007",
                "        _webhooks.Delivered += OnDelivered;",
                "        _webhooks.Delivered += OnDelivered;");
            w.Add($$"""
                    }

                    public void Dispose()
                    {
                """);
            if (!Has("LEAK007", 1))
                w.Add("        _webhooks.Delivered -= OnDelivered;");
            w.Add($$"""
                    }

                    public async Task<{{n}}Dto?> FindAsync(int id, CancellationToken cancellationToken) =>
                        await _cache.GetOrCreateAsync(CacheKey(id), async entry =>
                        {
                            entry.SetSize(1);
                            entry.SetAbsoluteExpiration(_options.CacheDuration);
                            return await _client.GetAsync(id, cancellationToken);
                        });

                    public async Task<IReadOnlyList<{{n}}Dto>> ListAsync(CancellationToken cancellationToken)
                    {
                        var items = await _client.ListAsync(cancellationToken);
                        return items
                            .Where(item => item.Amount >= _options.MinimumAmount && item.Status != "deleted")
                            .OrderByDescending(item => item.CreatedAt)
                            .ToArray();
                    }

                    public async Task<{{n}}Dto> CreateAsync({{n}}CreateRequest request, CancellationToken cancellationToken)
                    {
                        var created = await _client.CreateAsync(request, cancellationToken);
                        _cache.Remove(CacheKey(created.Id));
                        {{n}}Metadata.Remember(created);
                        await _webhooks.NotifyAsync(created, cancellationToken);
                        _logger.LogInformation("Created {{n}} {Id} ({Amount})", created.Id, created.Amount);
                        return created;
                    }

                    public async Task<bool> DeleteAsync(int id, CancellationToken cancellationToken)
                    {
                        var deleted = await _client.DeleteAsync(id, cancellationToken);
                        if (deleted)
                            _cache.Remove(CacheKey(id));
                        return deleted;
                    }

                    public static string Describe({{n}}Dto item) => item.Status switch
                    {
                        "new" => $"{item.Name} (new)",
                        "done" => $"{item.Name}: {item.Amount.ToString("C", CultureInfo.InvariantCulture)}",
                        _ => {{n}}Metadata.Label(item.Status) + " " + item.Name,
                    };

                    private void OnDelivered(object? sender, {{n}}Dto item) => _cache.Remove(CacheKey(item.Id));

                    private static string CacheKey(int id) => "{{Route}}:" + id.ToString(CultureInfo.InvariantCulture);
                }
                """);
            if (_index % 4 == 0)
            {
                w.Add($$"""

                    public sealed class {{n}}RefreshService : BackgroundService
                    {
                        private readonly IServiceScopeFactory _scopes;
                        private readonly ILogger<{{n}}RefreshService> _logger;

                        public {{n}}RefreshService(IServiceScopeFactory scopes, ILogger<{{n}}RefreshService> logger)
                        {
                            _scopes = scopes;
                            _logger = logger;
                        }

                        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
                        {
                            using var timer = new PeriodicTimer(TimeSpan.FromMinutes(5));
                            while (await timer.WaitForNextTickAsync(stoppingToken))
                            {
                                await using var scope = _scopes.CreateAsyncScope();
                                var service = scope.ServiceProvider.GetRequiredService<I{{n}}Service>();
                                var items = await service.ListAsync(stoppingToken);
                                _logger.LogDebug("Refreshed {Count} {{Route}}", items.Count);
                            }
                        }
                    }
                    """);
            }
        }

        public void Client(SourceWriter w)
        {
            var n = Noun;
            w.Add($$"""
                using System.Net;
                using Microsoft.Extensions.Options;

                namespace {{Ns}};

                public sealed class {{n}}Client
                {
                    private readonly HttpClient _http;
                    private readonly ILogger<{{n}}Client> _logger;

                    public {{n}}Client(HttpClient http, ILogger<{{n}}Client> logger)
                    {
                        _http = http;
                        _logger = logger;
                    }

                    public async Task<{{n}}Dto?> GetAsync(int id, CancellationToken cancellationToken)
                    {
                        using var response = await _http.GetAsync($"{{Route}}/{id}", cancellationToken);
                        if (response.StatusCode == HttpStatusCode.NotFound)
                            return null;
                        response.EnsureSuccessStatusCode();
                        return await response.Content.ReadFromJsonAsync<{{n}}Dto>(cancellationToken);
                    }

                    public async Task<IReadOnlyList<{{n}}Dto>> ListAsync(CancellationToken cancellationToken) =>
                        await _http.GetFromJsonAsync<List<{{n}}Dto>>("{{Route}}", cancellationToken) ?? new List<{{n}}Dto>();

                    public async Task<{{n}}Dto> CreateAsync({{n}}CreateRequest request, CancellationToken cancellationToken)
                    {
                        using var response = await _http.PostAsJsonAsync("{{Route}}", request, cancellationToken);
                        response.EnsureSuccessStatusCode();
                        var created = await response.Content.ReadFromJsonAsync<{{n}}Dto>(cancellationToken);
                        return created ?? throw new InvalidOperationException("The service returned no {{n}}.");
                    }

                    public async Task<bool> DeleteAsync(int id, CancellationToken cancellationToken)
                    {
                """);
            if (Has("LEAK004", 1))
            {
                w.Leak("LEAK004", $$"""        await _http.DeleteAsync($"{{Route}}/{id}", cancellationToken);""");
                w.Add("        return true;");
            }
            else
            {
                w.Add($$"""
                            using var response = await _http.DeleteAsync($"{{Route}}/{id}", cancellationToken);
                            return response.IsSuccessStatusCode;
                    """);
            }

            w.Add("""
                    }

                    public async Task<bool> PingAsync(CancellationToken cancellationToken)
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Head, "health");
                """);
            w.Either(Has("LEAK004", 0), "LEAK004",
                "        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);",
                "        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);");
            w.Add("""
                        _logger.LogDebug("Ping: {Status}", response.StatusCode);
                        return response.IsSuccessStatusCode;
                    }

                    public async Task<string?> StatusAsync(int id, CancellationToken cancellationToken)
                    {
                """);
            if (Has("LEAK004", 2))
            {
                w.Leak("LEAK004", $$"""        var response = await _http.GetAsync($"{{Route}}/{id}/status", cancellationToken);""");
                w.Add("""
                            if (!response.IsSuccessStatusCode)
                                return null;
                            var status = await response.Content.ReadAsStringAsync(cancellationToken);
                            response.Dispose();
                            return status;
                    """);
            }
            else
            {
                w.Add($$"""
                            using var response = await _http.GetAsync($"{{Route}}/{id}/status", cancellationToken);
                            if (!response.IsSuccessStatusCode)
                                return null;
                            return await response.Content.ReadAsStringAsync(cancellationToken);
                    """);
            }

            w.Add($$"""
                    }
                }

                public sealed class {{n}}Webhooks
                {
                    private readonly IHttpClientFactory _factory;
                    private readonly ILogger<{{n}}Webhooks> _logger;
                    private TimeSpan _timeout;

                    public {{n}}Webhooks(IHttpClientFactory factory, ILogger<{{n}}Webhooks> logger, IOptionsMonitor<{{n}}Options> options)
                    {
                        _factory = factory;
                        _logger = logger;
                        _timeout = options.CurrentValue.Timeout;
                        options.OnChange(updated => _timeout = updated.Timeout);
                    }

                    public event EventHandler<{{n}}Dto>? Delivered;

                    public async Task NotifyAsync({{n}}Dto item, CancellationToken cancellationToken)
                    {
                        var client = _factory.CreateClient("webhooks");
                        using var content = JsonContent.Create(item);
                        using var response = await client.PostAsync("hooks/{{Route}}", content, cancellationToken);
                        if (!response.IsSuccessStatusCode)
                            _logger.LogWarning("Webhook for {{n}} {Id} failed after {Timeout}: {Status}", item.Id, _timeout, response.StatusCode);
                        else
                            Delivered?.Invoke(this, item);
                    }
                }
                """);
        }

        public void Middleware(SourceWriter w)
        {
            var n = Noun;
            w.Add($$"""
                using System.Diagnostics;

                namespace {{Ns}};

                public sealed class {{n}}AuditMiddleware
                {
                    private static readonly AsyncLocal<string?> CurrentRoute = new();
                    private readonly RequestDelegate _next;
                    private readonly ILogger<{{n}}AuditMiddleware> _logger;
                    private readonly IHostApplicationLifetime _lifetime;
                    private readonly IServiceProvider _services;

                    public {{n}}AuditMiddleware(RequestDelegate next, ILogger<{{n}}AuditMiddleware> logger, IHostApplicationLifetime lifetime, IServiceProvider services)
                    {
                        _next = next;
                        _logger = logger;
                        _lifetime = lifetime;
                        _services = services;
                    }

                    public static string? Route => CurrentRoute.Value;

                    public async Task InvokeAsync(HttpContext context)
                    {
                        if (!context.Request.Path.StartsWithSegments("/api/{{_index}}/{{Route}}"))
                        {
                            await _next(context);
                            return;
                        }

                        var started = Stopwatch.GetTimestamp();
                        CurrentRoute.Value = context.Request.Path.Value;
                        {{n}}Metadata.Touch(context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
                        var webhooks = _services.GetRequiredService<{{n}}Webhooks>();
                """);
            // The middleware is created once, with the root provider: the scoped service must come from the request's.
            w.Either(Has("LEAK006", 0), "LEAK006",
                $"        var service = _services.GetRequiredService<I{n}Service>();",
                $"        var service = context.RequestServices.GetRequiredService<I{n}Service>();");
            w.Add("""
                        _logger.LogTrace("Auditing with {Webhooks} and {Service}", webhooks, service);
                        try
                        {
                            await _next(context);
                        }
                        finally
                        {
                            var elapsed = Stopwatch.GetElapsedTime(started);
                            if (elapsed > TimeSpan.FromSeconds(1))
                                _logger.LogWarning("Slow {Method} {Path}: {Elapsed}", context.Request.Method, context.Request.Path, elapsed);
                        }

                        var path = context.Request.Path.Value ?? "/";
                        var status = context.Response.StatusCode;
                """);
            if (Has("LEAK002", 1))
                w.Leak("LEAK002", "        _ = AuditAsync(path, status, CancellationToken.None);");
            else if (Has("LEAK002", 0))
                w.Leak("LEAK002", "        _ = Task.Run(() => _logger.LogInformation(\"Audited {Path} {Status}\", path, status));");
            else
                w.Add("""
                            _ = Task.Run(() => AuditAsync(path, status, _lifetime.ApplicationStopping), _lifetime.ApplicationStopping);
                            await AuditAsync(path, status, context.RequestAborted);
                    """);
            w.Add("""
                    }

                    private async Task AuditAsync(string path, int status, CancellationToken cancellationToken)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken);
                        _logger.LogDebug("Audit {Path} {Status}", path, status);
                    }
                }
                """);
        }

        public void Filters(SourceWriter w)
        {
            var n = Noun;
            w.Add($$"""
                using Microsoft.AspNetCore.Mvc.Filters;

                namespace {{Ns}};

                public sealed class {{n}}TenantFilter : IActionFilter
                {
                    private static readonly AsyncLocal<string?> Tenant = new();

                    public static string? Current => Tenant.Value;

                    public void OnActionExecuting(ActionExecutingContext context) =>
                """);
            // The same line either way: whether it leaks depends on OnActionExecuted clearing the value.
            w.Either(Has("LEAK005", 0), "LEAK005",
                "        Tenant.Value = context.HttpContext.Request.Headers[\"X-Tenant\"].ToString();",
                "        Tenant.Value = context.HttpContext.Request.Headers[\"X-Tenant\"].ToString();");
            w.Add("""

                    public void OnActionExecuted(ActionExecutedContext context)
                    {
                        if (context.Exception is not null)
                            context.HttpContext.Response.Headers["X-Failed-Tenant"] = Current;
                """);
            if (!Has("LEAK005", 0))
                w.Add("        Tenant.Value = null;");
            w.Add($$"""
                    }
                }

                public sealed class {{n}}AuditFilter : IAsyncActionFilter
                {
                """);
            w.Add(Has("LEAK005", 1) ? "    [ThreadStatic] private static string? t_lastUser;" : "    [ThreadStatic] private static int t_calls;");
            w.Add($$"""
                    private readonly ILogger<{{n}}AuditFilter> _logger;

                    public {{n}}AuditFilter(ILogger<{{n}}AuditFilter> logger) => _logger = logger;

                    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
                    {
                """);
            if (Has("LEAK005", 1))
            {
                w.Leak("LEAK005", "        t_lastUser = context.HttpContext.User.Identity?.Name;");
                w.Add("        var user = t_lastUser;");
            }
            else
            {
                w.Add("""
                            t_calls = t_calls + 1;
                            var user = context.HttpContext.User.Identity?.Name;
                    """);
            }

            w.Add($$"""
                        using (_logger.BeginScope("{{n}} action by {User}", user))
                        {
                            var executed = await next();
                            if (executed.Exception is not null && !executed.ExceptionHandled)
                                _logger.LogError(executed.Exception, "{{n}} action failed");
                        }
                    }
                }

                public static class {{n}}Correlation
                {
                    private static readonly AsyncLocal<string?> Id = new();

                    public static string? Current => Id.Value;

                    public static T Run<T>(string correlationId, Func<T> action)
                    {
                        var previous = Id.Value;
                        Id.Value = correlationId;
                        try
                        {
                            return action();
                        }
                        finally
                        {
                            Id.Value = previous;
                        }
                    }
                }
                """);
        }

        public void Endpoints(SourceWriter w)
        {
            var n = Noun;
            w.Add($$"""
                using Microsoft.Extensions.Options;

                namespace {{Ns}};

                public sealed class {{n}}ValidationFilter : IEndpointFilter
                {
                    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
                    {
                        var request = context.Arguments.OfType<{{n}}CreateRequest>().FirstOrDefault();
                        if (request is not null && (string.IsNullOrWhiteSpace(request.Name) || request.Amount < 0))
                            return Results.ValidationProblem(new Dictionary<string, string[]> { ["name"] = new[] { "A name and a positive amount are required." } });
                        return await next(context);
                    }
                }

                public static class {{n}}Feature
                {
                    public static IServiceCollection Add{{n}}Feature(IServiceCollection services, IConfiguration configuration)
                    {
                        services.Configure<{{n}}Options>(configuration.GetSection({{n}}Options.Section));
                        services.AddHttpClient<{{n}}Client>((provider, client) =>
                        {
                            var options = provider.GetRequiredService<IOptions<{{n}}Options>>().Value;
                            client.BaseAddress = options.BaseAddress;
                            client.Timeout = options.Timeout;
                        });
                        services.AddScoped<I{{n}}Service, {{n}}Service>();
                        services.AddSingleton<{{n}}Webhooks>();
                        services.AddScoped<{{n}}TenantFilter>();
                """);
            if (_index % 4 == 0)
                w.Add($"        services.AddHostedService<{n}RefreshService>();");
            w.Add($$"""
                        return services;
                    }

                    public static IEndpointRouteBuilder Map{{n}}Endpoints(IEndpointRouteBuilder app)
                    {
                        var group = app.MapGroup("/minimal/{{_index}}/{{Route}}");
                        group.MapGet("/{id:int}", async (int id, I{{n}}Service service, CancellationToken cancellationToken) =>
                            await service.FindAsync(id, cancellationToken) is { } item ? Results.Ok(item) : Results.NotFound());
                        group.MapPost("/", async ({{n}}CreateRequest request, I{{n}}Service service, CancellationToken cancellationToken) =>
                        {
                            var created = await service.CreateAsync(request, cancellationToken);
                            return Results.Created($"/minimal/{{_index}}/{{Route}}/{created.Id}", created);
                        }).AddEndpointFilter<{{n}}ValidationFilter>();
                """);
            // app.ServiceProvider is the root provider: read in a handler, it hands every request one service.
            w.Either(Has("LEAK006", 1), "LEAK006",
                $"        group.MapGet(\"/count\", async (CancellationToken cancellationToken) => (await app.ServiceProvider.GetRequiredService<I{n}Service>().ListAsync(cancellationToken)).Count);",
                $"        group.MapGet(\"/count\", async (HttpContext context, CancellationToken cancellationToken) => (await context.RequestServices.GetRequiredService<I{n}Service>().ListAsync(cancellationToken)).Count);");
            w.Add("""
                        return app;
                    }
                }
                """);
        }

        public void Options(SourceWriter w)
        {
            var n = Noun;
            w.Add($$"""
                using System.Collections.Concurrent;
                using System.Reflection;

                namespace {{Ns}};

                public sealed class {{n}}Options
                {
                    public const string Section = "Features:{{n}}";

                    public Uri BaseAddress { get; set; } = new("https://{{Route}}.internal.example/");

                    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

                    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromMinutes(5);

                    public decimal MinimumAmount { get; set; }
                }

                public static class {{n}}Metadata
                {
                    private const int Capacity = 1_000;
                    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();
                    private static readonly Dictionary<string, string> Labels = new(StringComparer.OrdinalIgnoreCase)
                    {
                        ["new"] = "New",
                        ["done"] = "Done",
                        ["deleted"] = "Deleted",
                    };
                """);
            var unguarded = Has("LEAK001", 1);
            var neverForgotten = Has("LEAK001", 0);
            w.Either(unguarded, "LEAK001",
                $"    private static readonly Dictionary<int, {n}Dto> Recent = new();",
                $"    private static readonly Dictionary<int, {n}Dto> Recent = new();");
            w.Either(neverForgotten, "LEAK001",
                "    private static readonly ConcurrentDictionary<string, DateTimeOffset> LastSeen = new();",
                "    private static readonly ConcurrentDictionary<string, DateTimeOffset> LastSeen = new();");
            w.Add($$"""

                    public static PropertyInfo[] PropertiesOf(Type type) =>
                        Properties.GetOrAdd(type, static t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance));

                    public static string Label(string status) => Labels.TryGetValue(status, out var label) ? label : status;

                    public static void Remember({{n}}Dto item)
                    {
                        lock (Recent)
                        {
                """);
            if (!unguarded)
            {
                w.Add("""
                                if (Recent.Count >= Capacity)
                                    Recent.Clear();
                    """);
            }

            w.Add("""
                            Recent[item.Id] = item;
                        }
                    }

                    public static void Touch(string key) => LastSeen[key] = DateTimeOffset.UtcNow;

                    public static bool SeenWithin(string key, TimeSpan window) =>
                        LastSeen.TryGetValue(key, out var at) && DateTimeOffset.UtcNow - at < window;
                """);
            if (!neverForgotten)
                w.Add("\n    public static void Forget(string key) => LastSeen.TryRemove(key, out _);");
            w.Add("}");
        }
    }
}
