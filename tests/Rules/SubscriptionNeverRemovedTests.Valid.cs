using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.SubscriptionNeverRemovedAnalyzer>;

namespace LeakAnalyzers.Tests.Rules;

/// <summary>LEAK007: look-alikes the rule must leave alone, written as real services are.</summary>
public sealed partial class SubscriptionNeverRemovedTests
{
    // ---------------------------------------------------------------- undone by the type

    [Fact]
    public async Task DoesNotReport_ControllerUnsubscribingInDispose()
    {
        await Analyze.NoDiagnosticsAsync(Source("""
            [ApiController]
            [Route("prices")]
            public sealed class PricesController : ControllerBase, IDisposable
            {
                private readonly List<string> _changed = new();

                public PricesController() => PriceBoard.PriceChanged += OnPriceChanged;

                [HttpGet("changes")]
                public IActionResult Changes() => Ok(_changed);

                private void OnPriceChanged(object sender, PriceChangedEventArgs e) => _changed.Add(e.Sku);

                public void Dispose() => PriceBoard.PriceChanged -= OnPriceChanged;
            }
            """));
    }

    [Fact]
    public async Task DoesNotReport_HubUnsubscribingInItsDisposePatternOverride()
    {
        await Analyze.NoDiagnosticsAsync(Source("""
            public sealed class TickerHub : Hub
            {
                private readonly IPriceFeed _feed;
                private readonly ILogger<TickerHub> _logger;

                public TickerHub(IPriceFeed feed, ILogger<TickerHub> logger)
                {
                    _feed = feed;
                    _logger = logger;
                    _feed.PriceChanged += OnPriceChanged;
                    PriceBoard.PriceChanged += OnPriceChanged;
                }

                private void OnPriceChanged(object sender, PriceChangedEventArgs e) => _logger.LogDebug("{Sku}", e.Sku);

                protected override void Dispose(bool disposing)
                {
                    if (disposing)
                    {
                        _feed.PriceChanged -= OnPriceChanged;
                        PriceBoard.PriceChanged -= new EventHandler<PriceChangedEventArgs>(OnPriceChanged);
                    }

                    base.Dispose(disposing);
                }
            }
            """));
    }

    [Fact]
    public async Task DoesNotReport_RegistrationsDisposedInDisposeOrDisposeAsync()
    {
        await Analyze.NoDiagnosticsAsync(Source("""
            public sealed class QuotesController : ControllerBase, IDisposable
            {
                private readonly IDisposable _optionsSubscription;
                private readonly CancellationTokenRegistration _stopping;
                private PricingOptions _options;

                public QuotesController(IOptionsMonitor<PricingOptions> options, IHostApplicationLifetime lifetime)
                {
                    _options = options.CurrentValue;
                    _optionsSubscription = options.OnChange(o => _options = o);
                    _stopping = lifetime.ApplicationStopping.Register(Flush);
                }

                [HttpGet]
                public decimal Quote(decimal price) => price * (1 + _options.Markup);

                private void Flush() { }

                public void Dispose()
                {
                    _optionsSubscription?.Dispose();
                    _stopping.Unregister();
                }
            }

            public sealed class SettingsModel : PageModel, IAsyncDisposable
            {
                private readonly IDisposable _reload;
                private string _banner;

                public SettingsModel(IConfiguration configuration)
                {
                    _reload = ChangeToken.OnChange(configuration.GetReloadToken, () => _banner = configuration["Banner"]);
                }

                public void OnGet() => ViewData["Banner"] = _banner;

                public ValueTask DisposeAsync()
                {
                    _reload.Dispose();
                    return ValueTask.CompletedTask;
                }
            }
            """));
    }

    [Fact]
    public async Task DoesNotReport_DelegateFieldRemovedOrRegistrationHandedOn()
    {
        await Analyze.NoDiagnosticsAsync(Source("""
            public sealed class AlertsController : ControllerBase, IDisposable
            {
                private readonly List<IDisposable> _subscriptions = new();
                private readonly List<string> _alerts = new();
                private EventHandler<PriceChangedEventArgs> _handler;

                public AlertsController(IOptionsMonitor<PricingOptions> options)
                {
                    _subscriptions.Add(options.OnChange(o => _alerts.Add("options")));
                    _handler = (sender, e) => _alerts.Add(e.Sku);
                    PriceBoard.PriceChanged += _handler;
                }

                [HttpGet]
                public IActionResult Alerts() => Ok(_alerts);

                public IDisposable Watch(IOptionsMonitor<PricingOptions> options) => options.OnChange(o => _alerts.Add("watch"));

                public void Dispose()
                {
                    PriceBoard.PriceChanged -= _handler;
                    foreach (var subscription in _subscriptions)
                        subscription.Dispose();
                }
            }
            """));
    }

    [Fact]
    public async Task DoesNotReport_RegistrationInAUsingOrALocalThatIsDisposed()
    {
        await Analyze.NoDiagnosticsAsync(Source("""
            public sealed class ExportsController : ControllerBase
            {
                private readonly IHostApplicationLifetime _lifetime;
                private bool _stopping;

                public ExportsController(IHostApplicationLifetime lifetime) => _lifetime = lifetime;

                [HttpPost]
                public async Task<IActionResult> Export(CancellationToken cancellationToken)
                {
                    using var registration = _lifetime.ApplicationStopping.Register(() => _stopping = true);
                    await Task.Delay(100, cancellationToken);
                    var second = _lifetime.ApplicationStopping.Register(() => _stopping = true);
                    try
                    {
                        await Task.Delay(100, cancellationToken);
                    }
                    finally
                    {
                        second.Dispose();
                    }

                    return Ok(_stopping);
                }
            }
            """));
    }

    // ---------------------------------------------------------------- the subscriber lives as long as the source

    [Fact]
    public async Task DoesNotReport_SingletonsHostedServicesAndMiddleware()
    {
        await Analyze.NoDiagnosticsAsync(Source("""
            public sealed class PriceCache
            {
                private readonly Dictionary<string, decimal> _prices = new();

                public PriceCache(IPriceFeed feed, IOptionsMonitor<PricingOptions> options)
                {
                    feed.PriceChanged += (sender, e) => _prices[e.Sku] = e.Price;
                    options.OnChange(o => _prices.Clear());
                    PriceBoard.PriceChanged += OnPriceChanged;
                }

                private void OnPriceChanged(object sender, PriceChangedEventArgs e) => _prices[e.Sku] = e.Price;
            }

            public sealed class PriceWatcher : BackgroundService
            {
                private readonly ILogger<PriceWatcher> _logger;

                public PriceWatcher(ILogger<PriceWatcher> logger, IHostApplicationLifetime lifetime)
                {
                    _logger = logger;
                    lifetime.ApplicationStopping.Register(() => _logger.LogInformation("Stopping"));
                    PriceBoard.PriceChanged += OnPriceChanged;
                }

                protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Delay(Timeout.Infinite, stoppingToken);

                private void OnPriceChanged(object sender, PriceChangedEventArgs e) => _logger.LogDebug("{Sku}", e.Sku);
            }

            public sealed class MarkupMiddleware
            {
                private readonly RequestDelegate _next;
                private PricingOptions _options;

                public MarkupMiddleware(RequestDelegate next, IOptionsMonitor<PricingOptions> options)
                {
                    _next = next;
                    _options = options.CurrentValue;
                    options.OnChange(o => _options = o);
                }

                public Task InvokeAsync(HttpContext context)
                {
                    context.Items["markup"] = _options.Markup;
                    return _next(context);
                }
            }
            """, """
            services.AddSingleton<IPriceFeed, PriceFeed>();
                    services.AddSingleton<PriceCache>();
                    services.AddHostedService<PriceWatcher>();
            """));
    }

    [Fact]
    public async Task DoesNotReport_UnknownOrConflictingLifetimes()
    {
        // Not registered in the compilation; registered both as a singleton and scoped: the lifetime is not known.
        await Analyze.NoDiagnosticsAsync(Source("""
            public sealed class PriceHistory
            {
                private readonly List<decimal> _history = new();

                public PriceHistory() => PriceBoard.PriceChanged += (sender, e) => _history.Add(e.Price);
            }

            public interface IPriceStats { }

            public sealed class PriceStats : IPriceStats
            {
                private int _changes;

                public PriceStats() => PriceBoard.PriceChanged += (sender, e) => _changes++;
            }
            """, """
            services.AddSingleton<PriceStats>();
                    services.AddScoped<IPriceStats, PriceStats>();
            """));
    }

    // ---------------------------------------------------------------- the handler does not keep the instance

    [Fact]
    public async Task DoesNotReport_StaticOrCaptureFreeHandlers()
    {
        await Analyze.NoDiagnosticsAsync(Source("""
            public sealed class StatusController : ControllerBase
            {
                private static int s_changes;

                public StatusController(IOptionsMonitor<PricingOptions> options, IHostApplicationLifetime lifetime)
                {
                    PriceBoard.PriceChanged += OnPriceChanged;
                    AppDomain.CurrentDomain.ProcessExit += (sender, e) => Console.WriteLine("bye");
                    options.OnChange(static o => Console.WriteLine(o.Markup));
                    lifetime.ApplicationStopping.Register(() => s_changes = 0);
                }

                [HttpGet]
                public int Changes() => s_changes;

                private static void OnPriceChanged(object sender, PriceChangedEventArgs e) => s_changes++;
            }
            """));
    }

    // ---------------------------------------------------------------- the source does not outlive the subscriber

    [Fact]
    public async Task DoesNotReport_ShortLivedSources()
    {
        // A source created in the method, a token source the controller owns, the request's token, an event of a
        // scoped service, the controller's own event, a service nobody registers.
        await Analyze.NoDiagnosticsAsync(Source("""
            public sealed class BatchesController : ControllerBase
            {
                private readonly CancellationTokenSource _cancel = new();
                private readonly CartService _cart;
                private readonly PriceFeed _localFeed = new();
                private int _events;

                public event EventHandler Finished;

                public BatchesController(CartService cart, IAuditTrail audit)
                {
                    _cart = cart;
                    _cart.Changed += OnCartChanged;
                    audit.Written += OnCartChanged;
                    _cancel.Token.Register(() => _events++);
                    Finished += OnCartChanged;
                    _localFeed.PriceChanged += (sender, e) => _events++;
                }

                [HttpPost]
                public IActionResult Run()
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    timeout.Token.Register(() => _events++);
                    HttpContext.RequestAborted.Register(() => _events++);
                    var feed = new PriceFeed();
                    feed.PriceChanged += (sender, e) => _events++;
                    feed.Publish("sku", 1m);
                    return Ok(_events);
                }

                private void OnCartChanged(object sender, EventArgs e) => _events++;
            }

            public sealed class CartService
            {
                public event EventHandler Changed;
            }

            public interface IAuditTrail
            {
                event EventHandler Written;
            }
            """, """
            services.AddSingleton<IPriceFeed, PriceFeed>();
                    services.AddScoped<CartService>();
            """));
    }

    [Fact]
    public async Task DoesNotReport_InjectedSourceTheTypeCreatesItself()
    {
        await Analyze.NoDiagnosticsAsync(Source("""
            public sealed class SimulationService
            {
                private readonly IPriceFeed _feed;
                private int _changes;

                public SimulationService()
                {
                    _feed = new PriceFeed();
                    _feed.PriceChanged += (sender, e) => _changes++;
                }
            }
            """, """
            services.AddSingleton<IPriceFeed, PriceFeed>();
                    services.AddScoped<SimulationService>();
            """));
    }

    // ---------------------------------------------------------------- startup code and endpoints

    [Fact]
    public async Task DoesNotReport_StartupCodeAndMinimalApis()
    {
        await Analyze.NoDiagnosticsAsync(Usings + """
            var builder = WebApplication.CreateBuilder(args);
            builder.Services.AddSingleton<StartupLog>();
            var app = builder.Build();
            var log = app.Services.GetRequiredService<StartupLog>();
            app.Lifetime.ApplicationStopping.Register(() => log.Write("stopping"));
            AppDomain.CurrentDomain.ProcessExit += (sender, e) => log.Write("exit");
            app.MapGet("/markup", (IOptionsMonitor<PricingOptions> options) => options.CurrentValue.Markup);
            app.Run();

            public sealed class StartupLog
            {
                public void Write(string message) => Console.WriteLine(message);
            }

            public sealed class Startup
            {
                private readonly IConfiguration _configuration;

                public Startup(IConfiguration configuration) => _configuration = configuration;

                public void Configure(IApplicationBuilder app, IHostApplicationLifetime lifetime)
                {
                    lifetime.ApplicationStarted.Register(OnStarted);
                    ChangeToken.OnChange(_configuration.GetReloadToken, OnStarted);
                }

                private void OnStarted() => Console.WriteLine(_configuration["Name"]);
            }

            public sealed class PricingOptions
            {
                public decimal Markup { get; set; }
            }
            """, new TestSettings { OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication });
    }
}
