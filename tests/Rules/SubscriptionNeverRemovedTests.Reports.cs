using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.SubscriptionNeverRemovedAnalyzer>;

namespace LeakAnalyzers.Tests.Rules;

/// <summary>LEAK007: what the rule reports (both analyzers run, as in a build: <see cref="Harness.RuleAnalyzers{TAnalyzer}"/>).</summary>
public sealed partial class SubscriptionNeverRemovedTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Diagnostics;
        using System.IO;
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.AspNetCore.Builder;
        using Microsoft.AspNetCore.Http;
        using Microsoft.AspNetCore.Mvc;
        using Microsoft.AspNetCore.Mvc.RazorPages;
        using Microsoft.AspNetCore.SignalR;
        using Microsoft.Extensions.Configuration;
        using Microsoft.Extensions.DependencyInjection;
        using Microsoft.Extensions.Hosting;
        using Microsoft.Extensions.Logging;
        using Microsoft.Extensions.Options;
        using Microsoft.Extensions.Primitives;

        """;

    /// <summary>The pricing domain the sources share: options, a static price board, a price feed service and its registration.</summary>
    private const string Pricing = """

        public sealed class PricingOptions
        {
            public decimal Markup { get; set; }
        }

        public sealed class PriceChangedEventArgs : EventArgs
        {
            public PriceChangedEventArgs(string sku, decimal price)
            {
                Sku = sku;
                Price = price;
            }

            public string Sku { get; }
            public decimal Price { get; }
        }

        public static class PriceBoard
        {
            public static event EventHandler<PriceChangedEventArgs> PriceChanged;

            public static void Publish(string sku, decimal price) => PriceChanged?.Invoke(null, new PriceChangedEventArgs(sku, price));
        }

        public interface IPriceFeed
        {
            event EventHandler<PriceChangedEventArgs> PriceChanged;
        }

        public sealed class PriceFeed : IPriceFeed
        {
            public event EventHandler<PriceChangedEventArgs> PriceChanged;

            public void Publish(string sku, decimal price) => PriceChanged?.Invoke(this, new PriceChangedEventArgs(sku, price));
        }
        """;

    /// <summary>A source with <paramref name="code"/>, the pricing domain, and <paramref name="registrations"/> (statements on <c>services</c>).</summary>
    private static string Source(string code, string registrations = "services.AddSingleton<IPriceFeed, PriceFeed>();") => Usings + code + Pricing + $$"""


        public static class PricingServiceCollectionExtensions
        {
            public static IServiceCollection AddPricing(this IServiceCollection services)
            {
                {{registrations}}
                return services;
            }
        }
        """;

    // ---------------------------------------------------------------- reports: controllers, pages, hubs (live)

    [Fact]
    public async Task Reports_ControllerSubscribingToAStaticEventWithAMethodGroup()
    {
        await Analyze.DiagnosticsAsync(Source("""
            [ApiController]
            [Route("prices")]
            public sealed class PricesController : ControllerBase
            {
                private readonly ILogger<PricesController> _logger;
                private readonly List<string> _changed = new();

                public PricesController(ILogger<PricesController> logger)
                {
                    _logger = logger;
                    [|PriceBoard.PriceChanged += OnPriceChanged|];
                }

                [HttpGet("changes")]
                public IActionResult Changes() => Ok(_changed);

                private void OnPriceChanged(object sender, PriceChangedEventArgs e)
                {
                    _changed.Add(e.Sku);
                    _logger.LogInformation("Price of {Sku} changed", e.Sku);
                }
            }
            """));
    }

    [Fact]
    public async Task Reports_WithTheSourceAndTheSubscriberInTheMessage()
    {
        await Analyze.DiagnosticsAsync(Source("""
            public sealed class PricesController : ControllerBase
            {
                public PricesController() => {|#0:PriceBoard.PriceChanged += OnPriceChanged|};

                private void OnPriceChanged(object sender, PriceChangedEventArgs e) { }
            }
            """), Analyze.Diagnostic().WithLocation(0).WithArguments("PriceBoard.PriceChanged", "PricesController"));
    }

    [Fact]
    public async Task Reports_LambdaUsingTheControllerOnAppDomainEvents()
    {
        await Analyze.DiagnosticsAsync(Source("""
            [ApiController]
            [Route("orders")]
            public sealed class OrdersController : ControllerBase
            {
                private readonly ILogger<OrdersController> _logger;

                public OrdersController(ILogger<OrdersController> logger)
                {
                    _logger = logger;
                    [|AppDomain.CurrentDomain.UnhandledException += (sender, e) => _logger.LogCritical("Unhandled: {Error}", e.ExceptionObject)|];
                }

                [HttpPost]
                public IActionResult Place() => Accepted();

                [HttpGet("watch")]
                public IActionResult Watch()
                {
                    [|Console.CancelKeyPress += OnCancel|];
                    return Ok();
                }

                private void OnCancel(object sender, ConsoleCancelEventArgs e) => _logger.LogWarning("Cancelled");
            }
            """));
    }

    [Fact]
    public async Task Reports_PrimaryConstructorParameterCapturedByTheLambda()
    {
        await Analyze.DiagnosticsAsync(Source("""
            [ApiController]
            [Route("orders")]
            public sealed class OrdersController(ILogger<OrdersController> logger) : ControllerBase
            {
                [HttpGet]
                public IActionResult Get()
                {
                    [|AppDomain.CurrentDomain.ProcessExit += (sender, e) => logger.LogInformation("Exiting")|];
                    return Ok();
                }
            }
            """));
    }

    [Fact]
    public async Task Reports_HubListeningToTheOptionsMonitor()
    {
        await Analyze.DiagnosticsAsync(Source("""
            public sealed class PricingHub : Hub
            {
                private PricingOptions _options;

                public PricingHub(IOptionsMonitor<PricingOptions> options)
                {
                    _options = options.CurrentValue;
                    [|options.OnChange(updated => _options = updated)|];
                }

                public Task<decimal> Quote(decimal price) => Task.FromResult(price * (1 + _options.Markup));
            }
            """));
    }

    [Fact]
    public async Task Reports_OnChangeWithTheListenerTakingTheName()
    {
        await Analyze.DiagnosticsAsync(Source("""
            public sealed class PricingController : ControllerBase
            {
                private readonly IOptionsMonitor<PricingOptions> _options;
                private string _lastChange;

                public PricingController(IOptionsMonitor<PricingOptions> options) => _options = options;

                [HttpGet]
                public IActionResult Get()
                {
                    _ = [|_options.OnChange(Changed)|];
                    return Ok(_lastChange);
                }

                private void Changed(PricingOptions options, string name) => _lastChange = name;
            }
            """));
    }

    [Fact]
    public async Task Reports_PageModelRegisteringOnTheApplicationStoppingToken()
    {
        await Analyze.DiagnosticsAsync(Source("""
            public sealed class CheckoutModel : PageModel
            {
                private readonly ILogger<CheckoutModel> _logger;

                public CheckoutModel(IHostApplicationLifetime lifetime, ILogger<CheckoutModel> logger)
                {
                    _logger = logger;
                    [|lifetime.ApplicationStopping.Register(() => _logger.LogWarning("Checkout interrupted for {User}", User.Identity?.Name))|];
                }

                public void OnGet()
                {
                }
            }
            """));
    }

    [Fact]
    public async Task Reports_ConfigurationReloadTokens()
    {
        await Analyze.DiagnosticsAsync(Source("""
            public sealed class SettingsController : ControllerBase
            {
                private readonly IConfiguration _configuration;
                private string _banner;

                public SettingsController(IConfiguration configuration)
                {
                    _configuration = configuration;
                    _banner = configuration["Banner"];
                    [|ChangeToken.OnChange(() => _configuration.GetReloadToken(), Reload)|];
                    [|configuration.GetReloadToken().RegisterChangeCallback(_ => Reload(), null)|];
                }

                [HttpGet("banner")]
                public string Banner() => _banner;

                private void Reload() => _banner = _configuration["Banner"];
            }
            """));
    }

    [Fact]
    public async Task Reports_ObserverOfAllDiagnosticListeners()
    {
        await Analyze.DiagnosticsAsync(Source("""
            public sealed class TracingController : ControllerBase, IObserver<DiagnosticListener>
            {
                private readonly List<string> _names = new();

                public TracingController() => [|DiagnosticListener.AllListeners.Subscribe(this)|];

                [HttpGet("listeners")]
                public IActionResult Listeners() => Ok(_names);

                public void OnNext(DiagnosticListener value) => _names.Add(value.Name);
                public void OnError(Exception error) { }
                public void OnCompleted() { }
            }

            public sealed class ListenerNames : IObserver<DiagnosticListener>
            {
                private readonly TracingHub _hub;

                public ListenerNames(TracingHub hub) => _hub = hub;

                public void OnNext(DiagnosticListener value) => _hub.Seen(value.Name);
                public void OnError(Exception error) { }
                public void OnCompleted() { }
            }

            public sealed class TracingHub : Hub
            {
                private readonly List<string> _seen = new();

                public TracingHub() => _ = [|DiagnosticListener.AllListeners.Subscribe(new ListenerNames(this))|];

                public void Seen(string name) => _seen.Add(name);
            }
            """));
    }

    [Fact]
    public async Task Reports_RegistrationKeptInAFieldNobodyDisposes()
    {
        await Analyze.DiagnosticsAsync(Source("""
            public sealed class QuotesController : ControllerBase
            {
                private readonly IDisposable _optionsSubscription;
                private CancellationTokenRegistration _stopping;
                private PricingOptions _options;

                public QuotesController(IOptionsMonitor<PricingOptions> options, IHostApplicationLifetime lifetime)
                {
                    _options = options.CurrentValue;
                    _optionsSubscription = [|options.OnChange(o => _options = o)|];
                    _stopping = [|lifetime.ApplicationStopping.Register(Flush)|];
                }

                [HttpGet]
                public decimal Quote(decimal price) => price * (1 + _options.Markup);

                private void Flush() { }
            }
            """));
    }

    [Fact]
    public async Task Reports_RegistrationKeptInALocalNobodyReads()
    {
        await Analyze.DiagnosticsAsync(Source("""
            public sealed class ReportsController : ControllerBase
            {
                private readonly IHostApplicationLifetime _lifetime;
                private bool _stopping;

                public ReportsController(IHostApplicationLifetime lifetime) => _lifetime = lifetime;

                [HttpPost]
                public IActionResult Generate()
                {
                    var registration = [|_lifetime.ApplicationStopping.Register(() => _stopping = true)|];
                    return Accepted(_stopping);
                }
            }
            """));
    }

    [Fact]
    public async Task Reports_TokenOfAStaticCancellationSource()
    {
        await Analyze.DiagnosticsAsync(Source("""
            public static class Shutdown
            {
                public static readonly CancellationTokenSource Source = new();
            }

            public sealed class ExportsController : ControllerBase
            {
                private bool _cancelled;

                [HttpPost]
                public IActionResult Export()
                {
                    [|Shutdown.Source.Token.Register(OnShutdown)|];
                    return Accepted();
                }

                private void OnShutdown() => _cancelled = true;
            }
            """));
    }

    [Fact]
    public async Task Reports_HubWhoseDisposePatternOverrideDoesNotUnsubscribe()
    {
        await Analyze.DiagnosticsAsync(Source("""
            public sealed class TickerHub : Hub
            {
                private readonly ILogger<TickerHub> _logger;

                public TickerHub(ILogger<TickerHub> logger)
                {
                    _logger = logger;
                    [|PriceBoard.PriceChanged += OnPriceChanged|];
                }

                private void OnPriceChanged(object sender, PriceChangedEventArgs e) => _logger.LogDebug("{Sku}", e.Sku);

                protected override void Dispose(bool disposing)
                {
                    _logger.LogDebug("Hub disposed");
                    base.Dispose(disposing);
                }
            }
            """));
    }

    [Fact]
    public async Task Reports_RemovingAnotherHandlerOrANewLambda()
    {
        // `-=` of another method leaves this one; `-=` of a new lambda removes nothing.
        await Analyze.DiagnosticsAsync(Source("""
            public sealed class DashboardController : ControllerBase, IDisposable
            {
                private int _changes;

                public DashboardController()
                {
                    [|PriceBoard.PriceChanged += OnPriceChanged|];
                    [|PriceBoard.PriceChanged += (s, e) => _changes++|];
                }

                private void OnPriceChanged(object sender, PriceChangedEventArgs e) => _changes++;
                private void OnOtherChange(object sender, PriceChangedEventArgs e) => _changes--;

                public void Dispose()
                {
                    PriceBoard.PriceChanged -= OnOtherChange;
                    PriceBoard.PriceChanged -= (s, e) => _changes++;
                }
            }
            """));
    }

    [Fact]
    public async Task Reports_DelegateFieldSubscribedAndNeverRemoved()
    {
        await Analyze.DiagnosticsAsync(Source("""
            public sealed class AlertsController : ControllerBase
            {
                private EventHandler<PriceChangedEventArgs> _handler;
                private readonly List<string> _alerts = new();

                [HttpPost("watch/{sku}")]
                public IActionResult Watch(string sku)
                {
                    _handler = (sender, e) => { if (e.Sku == sku) _alerts.Add(e.Sku); };
                    [|PriceBoard.PriceChanged += _handler|];
                    return Ok();
                }
            }
            """));
    }

    [Fact]
    public async Task Reports_AbstractControllerBase()
    {
        // Every controller derived from the base subscribes when it is built.
        await Analyze.DiagnosticsAsync(Source("""
            public abstract class ApiControllerBase : ControllerBase
            {
                protected PricingOptions Options { get; private set; }

                protected ApiControllerBase(IOptionsMonitor<PricingOptions> options)
                {
                    Options = options.CurrentValue;
                    [|options.OnChange(o => Options = o)|];
                }
            }

            public sealed class CatalogController : ApiControllerBase
            {
                public CatalogController(IOptionsMonitor<PricingOptions> options) : base(options) { }

                [HttpGet]
                public decimal Markup() => Options.Markup;
            }
            """));
    }

    // ---------------------------------------------------------------- reports: registrations (compilation end)

    [Fact]
    public async Task Reports_ScopedServiceSubscribingToASingletonServiceEvent()
    {
        await Analyze.DiagnosticsAsync(Source("""
            public sealed class CartService
            {
                private readonly IPriceFeed _feed;
                private readonly Dictionary<string, decimal> _prices = new();

                public CartService(IPriceFeed feed)
                {
                    _feed = feed;
                    [|_feed.PriceChanged += OnPriceChanged|];
                }

                public decimal PriceOf(string sku) => _prices.TryGetValue(sku, out var price) ? price : 0m;

                private void OnPriceChanged(object sender, PriceChangedEventArgs e) => _prices[e.Sku] = e.Price;
            }
            """, """
            services.AddSingleton<IPriceFeed, PriceFeed>();
                    services.AddScoped<CartService>();
            """));
    }

    [Fact]
    public async Task Reports_TransientServiceRegisteredByItsInterfaceOnAStaticEvent()
    {
        await Analyze.DiagnosticsAsync(Source("""
            public interface IPriceAlerts
            {
                IReadOnlyList<string> Alerts { get; }
            }

            public sealed class PriceAlerts : IPriceAlerts
            {
                private readonly List<string> _alerts = new();

                public PriceAlerts() => [|PriceBoard.PriceChanged += (sender, e) => _alerts.Add(e.Sku)|];

                public IReadOnlyList<string> Alerts => _alerts;
            }
            """, "services.AddTransient<IPriceAlerts, PriceAlerts>();"));
    }

    [Fact]
    public async Task Reports_ControllerSubscribingToARegisteredSingleton()
    {
        await Analyze.DiagnosticsAsync(Source("""
            public sealed class TickerController(IPriceFeed feed) : ControllerBase
            {
                private readonly List<string> _changes = new();

                [HttpGet]
                public IActionResult Ticker()
                {
                    [|feed.PriceChanged += (sender, e) => _changes.Add(e.Sku)|];
                    return Ok(_changes);
                }
            }
            """));
    }

    [Fact]
    public async Task Reports_ScopedServiceRegisteredWithAFactory()
    {
        await Analyze.DiagnosticsAsync(Source("""
            public sealed class QuoteCalculator
            {
                private PricingOptions _options;

                public QuoteCalculator(IOptionsMonitor<PricingOptions> options)
                {
                    _options = options.CurrentValue;
                    [|options.OnChange(o => _options = o)|];
                }

                public decimal Quote(decimal price) => price * (1 + _options.Markup);
            }
            """, "services.AddScoped(sp => new QuoteCalculator(sp.GetRequiredService<IOptionsMonitor<PricingOptions>>()));"));
    }
}
