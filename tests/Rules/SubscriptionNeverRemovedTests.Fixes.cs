using Xunit;
using VerifyCS = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.SubscriptionNeverRemovedAnalyzer, LeakAnalyzers.Rules.SubscriptionNeverRemovedFixer>;

namespace LeakAnalyzers.Tests.Rules;

/// <summary>LEAK007's fix, "Unsubscribe when disposed": exact outputs (the harness also runs Fix All and compiles the result).</summary>
public sealed partial class SubscriptionNeverRemovedTests
{
    private static readonly TestSettings CompilationEnd = new() { FixCompilationEndDiagnostics = true };

    [Fact]
    public async Task Fixes_MethodGroupOnAStaticEvent_ImplementsIDisposable()
    {
        await VerifyCS.FixAsync(Source("""
            [ApiController]
            [Route("prices")]
            public sealed class PricesController : ControllerBase
            {
                private readonly List<string> _changed = new();

                public PricesController()
                {
                    [|PriceBoard.PriceChanged += OnPriceChanged|];
                }

                [HttpGet("changes")]
                public IActionResult Changes() => Ok(_changed);

                private void OnPriceChanged(object sender, PriceChangedEventArgs e) => _changed.Add(e.Sku);
            }
            """), Source("""
            [ApiController]
            [Route("prices")]
            public sealed class PricesController : ControllerBase, IDisposable
            {
                private readonly List<string> _changed = new();

                public PricesController()
                {
                    PriceBoard.PriceChanged += OnPriceChanged;
                }

                [HttpGet("changes")]
                public IActionResult Changes() => Ok(_changed);

                private void OnPriceChanged(object sender, PriceChangedEventArgs e) => _changed.Add(e.Sku);

                public void Dispose()
                {
                    PriceBoard.PriceChanged -= OnPriceChanged;
                }
            }
            """));
    }

    [Fact]
    public async Task Fixes_HubOptionsListener_KeepsTheRegistrationAndOverridesDisposeBool()
    {
        await VerifyCS.FixAsync(Source("""
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
            """), Source("""
            public sealed class PricingHub : Hub
            {
                private PricingOptions _options;
                private readonly IDisposable _pricingOptionsSubscription;

                public PricingHub(IOptionsMonitor<PricingOptions> options)
                {
                    _options = options.CurrentValue;
                    _pricingOptionsSubscription = options.OnChange(updated => _options = updated);
                }

                public Task<decimal> Quote(decimal price) => Task.FromResult(price * (1 + _options.Markup));

                protected override void Dispose(bool disposing)
                {
                    if (disposing)
                    {
                        _pricingOptionsSubscription?.Dispose();
                    }

                    base.Dispose(disposing);
                }
            }
            """));
    }

    [Fact]
    public async Task Fixes_LambdaIsStoredInAFieldAndAnExistingDisposeIsExtended()
    {
        await VerifyCS.FixAsync(Source("""
            public sealed class OrdersController : ControllerBase, IDisposable
            {
                private readonly ILogger<OrdersController> _logger;
                private readonly CancellationTokenSource _cancel = new();

                public OrdersController(ILogger<OrdersController> logger)
                {
                    _logger = logger;
                    [|AppDomain.CurrentDomain.UnhandledException += (sender, e) => _logger.LogCritical("Unhandled: {Error}", e.ExceptionObject)|];
                }

                [HttpPost]
                public IActionResult Place() => Accepted();

                public void Dispose() => _cancel.Dispose();
            }
            """), Source("""
            public sealed class OrdersController : ControllerBase, IDisposable
            {
                private readonly ILogger<OrdersController> _logger;
                private readonly CancellationTokenSource _cancel = new();
                private readonly UnhandledExceptionEventHandler _unhandledExceptionHandler;

                public OrdersController(ILogger<OrdersController> logger)
                {
                    _logger = logger;
                    _unhandledExceptionHandler = (sender, e) => _logger.LogCritical("Unhandled: {Error}", e.ExceptionObject);
                    AppDomain.CurrentDomain.UnhandledException += _unhandledExceptionHandler;
                }

                [HttpPost]
                public IActionResult Place() => Accepted();

                public void Dispose()
                {
                    _cancel.Dispose();
                    AppDomain.CurrentDomain.UnhandledException -= _unhandledExceptionHandler;
                }
            }
            """));
    }

    [Fact]
    public async Task Fixes_FixAllSharesOneDispose()
    {
        await VerifyCS.FixAsync(Source("""
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
                    [|PriceBoard.PriceChanged += OnPriceChanged|];
                }

                [HttpGet]
                public decimal Quote(decimal price) => price * (1 + _options.Markup);

                private void Flush() { }

                private void OnPriceChanged(object sender, PriceChangedEventArgs e) { }
            }
            """), Source("""
            public sealed class QuotesController : ControllerBase, IDisposable
            {
                private readonly IDisposable _optionsSubscription;
                private CancellationTokenRegistration _stopping;
                private PricingOptions _options;

                public QuotesController(IOptionsMonitor<PricingOptions> options, IHostApplicationLifetime lifetime)
                {
                    _options = options.CurrentValue;
                    _optionsSubscription = options.OnChange(o => _options = o);
                    _stopping = lifetime.ApplicationStopping.Register(Flush);
                    PriceBoard.PriceChanged += OnPriceChanged;
                }

                [HttpGet]
                public decimal Quote(decimal price) => price * (1 + _options.Markup);

                private void Flush() { }

                private void OnPriceChanged(object sender, PriceChangedEventArgs e) { }

                public void Dispose()
                {
                    _optionsSubscription?.Dispose();
                    _stopping.Dispose();
                    PriceBoard.PriceChanged -= OnPriceChanged;
                }
            }
            """));
    }

    [Fact]
    public async Task Fixes_ExistingDisposePatternOverrideAndUnreadLocal()
    {
        await VerifyCS.FixAsync(Source("""
            public sealed class TickerHub : Hub
            {
                private readonly ILogger<TickerHub> _logger;

                public TickerHub(ILogger<TickerHub> logger, IHostApplicationLifetime lifetime)
                {
                    _logger = logger;
                    [|PriceBoard.PriceChanged += OnPriceChanged|];
                    var stopping = [|lifetime.ApplicationStopping.Register(() => _logger.LogInformation("Stopping"))|];
                }

                private void OnPriceChanged(object sender, PriceChangedEventArgs e) => _logger.LogDebug("{Sku}", e.Sku);

                protected override void Dispose(bool disposing)
                {
                    _logger.LogDebug("Hub disposed");
                    base.Dispose(disposing);
                }
            }
            """), Source("""
            public sealed class TickerHub : Hub
            {
                private readonly ILogger<TickerHub> _logger;
                private readonly CancellationTokenRegistration _stoppingRegistration;

                public TickerHub(ILogger<TickerHub> logger, IHostApplicationLifetime lifetime)
                {
                    _logger = logger;
                    PriceBoard.PriceChanged += OnPriceChanged;
                    _stoppingRegistration = lifetime.ApplicationStopping.Register(() => _logger.LogInformation("Stopping"));
                }

                private void OnPriceChanged(object sender, PriceChangedEventArgs e) => _logger.LogDebug("{Sku}", e.Sku);

                protected override void Dispose(bool disposing)
                {
                    _logger.LogDebug("Hub disposed");
                    if (disposing)
                    {
                        PriceBoard.PriceChanged -= OnPriceChanged;
                        _stoppingRegistration.Dispose();
                    }

                    base.Dispose(disposing);
                }
            }
            """));
    }

    [Fact]
    public async Task Fixes_DisposeBoolWithItsDisposingGuard()
    {
        await VerifyCS.FixAsync(Source("""
            public class ReportsController : Controller
            {
                private readonly Timer _timer;

                public ReportsController()
                {
                    _timer = new Timer(_ => { });
                    [|PriceBoard.PriceChanged += OnPriceChanged|];
                }

                private void OnPriceChanged(object sender, PriceChangedEventArgs e) => _timer.Change(0, Timeout.Infinite);

                protected override void Dispose(bool disposing)
                {
                    if (disposing)
                        _timer.Dispose();
                    base.Dispose(disposing);
                }
            }
            """), Source("""
            public class ReportsController : Controller
            {
                private readonly Timer _timer;

                public ReportsController()
                {
                    _timer = new Timer(_ => { });
                    PriceBoard.PriceChanged += OnPriceChanged;
                }

                private void OnPriceChanged(object sender, PriceChangedEventArgs e) => _timer.Change(0, Timeout.Infinite);

                protected override void Dispose(bool disposing)
                {
                    if (disposing)
                    {
                        _timer.Dispose();
                        PriceBoard.PriceChanged -= OnPriceChanged;
                    }

                    base.Dispose(disposing);
                }
            }
            """));
    }

    [Fact]
    public async Task Fixes_PageModelWithDisposeAsync()
    {
        await VerifyCS.FixAsync(Source("""
            public sealed class SettingsModel : PageModel, IAsyncDisposable
            {
                private readonly IConfiguration _configuration;
                private readonly Stream _log = Stream.Null;
                private string _banner;

                public SettingsModel(IConfiguration configuration)
                {
                    _configuration = configuration;
                    [|ChangeToken.OnChange(configuration.GetReloadToken, () => _banner = _configuration["Banner"])|];
                }

                public void OnGet() => ViewData["Banner"] = _banner;

                public ValueTask DisposeAsync() => _log.DisposeAsync();
            }
            """), Source("""
            public sealed class SettingsModel : PageModel, IAsyncDisposable
            {
                private readonly IConfiguration _configuration;
                private readonly Stream _log = Stream.Null;
                private string _banner;
                private readonly IDisposable _reloadSubscription;

                public SettingsModel(IConfiguration configuration)
                {
                    _configuration = configuration;
                    _reloadSubscription = ChangeToken.OnChange(configuration.GetReloadToken, () => _banner = _configuration["Banner"]);
                }

                public void OnGet() => ViewData["Banner"] = _banner;

                public ValueTask DisposeAsync()
                {
                    _reloadSubscription?.Dispose();
                    return _log.DisposeAsync();
                }
            }
            """));
    }

    [Fact]
    public async Task Fixes_ScopedServiceUnsubscribesThroughTheFieldThatKeepsTheFeed()
    {
        await VerifyCS.FixAsync(Source("""
            public sealed class CartService
            {
                private readonly IPriceFeed _feed;
                private readonly Dictionary<string, decimal> _prices = new();

                public CartService(IPriceFeed feed)
                {
                    _feed = feed;
                    [|feed.PriceChanged += OnPriceChanged|];
                }

                public decimal PriceOf(string sku) => _prices.TryGetValue(sku, out var price) ? price : 0m;

                private void OnPriceChanged(object sender, PriceChangedEventArgs e) => _prices[e.Sku] = e.Price;
            }
            """, """
            services.AddSingleton<IPriceFeed, PriceFeed>();
                    services.AddScoped<CartService>();
            """), Source("""
            public sealed class CartService : IDisposable
            {
                private readonly IPriceFeed _feed;
                private readonly Dictionary<string, decimal> _prices = new();

                public CartService(IPriceFeed feed)
                {
                    _feed = feed;
                    feed.PriceChanged += OnPriceChanged;
                }

                public decimal PriceOf(string sku) => _prices.TryGetValue(sku, out var price) ? price : 0m;

                private void OnPriceChanged(object sender, PriceChangedEventArgs e) => _prices[e.Sku] = e.Price;

                public void Dispose()
                {
                    _feed.PriceChanged -= OnPriceChanged;
                }
            }
            """, """
            services.AddSingleton<IPriceFeed, PriceFeed>();
                    services.AddScoped<CartService>();
            """), CompilationEnd);
    }

    [Fact]
    public async Task Fixes_PrimaryConstructorParameterAndExpressionBodiedConstructor()
    {
        await VerifyCS.FixAsync(Source("""
            public sealed class TickerController(IPriceFeed feed) : ControllerBase
            {
                private readonly List<string> _changes = new();

                [HttpGet]
                public IActionResult Ticker()
                {
                    [|feed.PriceChanged += OnPriceChanged|];
                    return Ok(_changes);
                }

                private void OnPriceChanged(object sender, PriceChangedEventArgs e) => _changes.Add(e.Sku);
            }

            public sealed class TracingController : ControllerBase, IObserver<DiagnosticListener>
            {
                private readonly List<string> _names = new();

                public TracingController() => [|DiagnosticListener.AllListeners.Subscribe(this)|];

                public void OnNext(DiagnosticListener value) => _names.Add(value.Name);
                public void OnError(Exception error) { }
                public void OnCompleted() { }
            }
            """), Source("""
            public sealed class TickerController(IPriceFeed feed) : ControllerBase, IDisposable
            {
                private readonly List<string> _changes = new();

                [HttpGet]
                public IActionResult Ticker()
                {
                    feed.PriceChanged += OnPriceChanged;
                    return Ok(_changes);
                }

                private void OnPriceChanged(object sender, PriceChangedEventArgs e) => _changes.Add(e.Sku);

                public void Dispose()
                {
                    feed.PriceChanged -= OnPriceChanged;
                }
            }

            public sealed class TracingController : ControllerBase, IObserver<DiagnosticListener>, IDisposable
            {
                private readonly List<string> _names = new();
                private readonly IDisposable _allListenersSubscription;

                public TracingController() => _allListenersSubscription = DiagnosticListener.AllListeners.Subscribe(this);

                public void OnNext(DiagnosticListener value) => _names.Add(value.Name);
                public void OnError(Exception error) { }
                public void OnCompleted() { }

                public void Dispose()
                {
                    _allListenersSubscription?.Dispose();
                }
            }
            """), CompilationEnd);
    }

    [Fact]
    public async Task Fixes_NullableLambdaInAnActionIsGuardedInDispose()
    {
        // Nullable annotations on: fields set outside the constructor may be null, so the release checks them (an event
        // of a non-nullable delegate type takes no null handler).
        const string Board = """

            public sealed class PriceChangedEventArgs(string sku) : EventArgs
            {
                public string Sku { get; } = sku;
            }

            public static class PriceBoard
            {
                public static event EventHandler<PriceChangedEventArgs> PriceChanged = delegate { };
            }

            public sealed class PricingOptions
            {
                public decimal Markup { get; set; }
            }
            """;
        await VerifyCS.FixAsync("#nullable enable\n" + Usings + """
            public sealed class AlertsController : ControllerBase
            {
                private readonly List<string> _alerts = new();

                [HttpPost("watch/{sku}")]
                public IActionResult Watch(string sku)
                {
                    [|PriceBoard.PriceChanged += (sender, e) => { if (e.Sku == sku) _alerts.Add(e.Sku); }|];
                    return Ok();
                }

                [HttpPost("settings")]
                public IActionResult Settings(IHostApplicationLifetime lifetime, IOptionsMonitor<PricingOptions> options)
                {
                    _ = [|options.OnChange(o => _alerts.Add("markup"))|];
                    [|lifetime.ApplicationStopping.Register(() => _alerts.Clear())|];
                    return Ok();
                }
            }
            """ + Board, "#nullable enable\n" + Usings + """
            public sealed class AlertsController : ControllerBase, IDisposable
            {
                private readonly List<string> _alerts = new();
                private EventHandler<PriceChangedEventArgs>? _priceChangedHandler;
                private IDisposable? _pricingOptionsSubscription;
                private CancellationTokenRegistration _applicationStoppingRegistration;

                [HttpPost("watch/{sku}")]
                public IActionResult Watch(string sku)
                {
                    _priceChangedHandler = (sender, e) => { if (e.Sku == sku) _alerts.Add(e.Sku); };
                    PriceBoard.PriceChanged += _priceChangedHandler;
                    return Ok();
                }

                [HttpPost("settings")]
                public IActionResult Settings(IHostApplicationLifetime lifetime, IOptionsMonitor<PricingOptions> options)
                {
                    _pricingOptionsSubscription = options.OnChange(o => _alerts.Add("markup"));
                    _applicationStoppingRegistration = lifetime.ApplicationStopping.Register(() => _alerts.Clear());
                    return Ok();
                }

                public void Dispose()
                {
                    if (_priceChangedHandler != null)
                    {
                        PriceBoard.PriceChanged -= _priceChangedHandler;
                    }

                    _pricingOptionsSubscription?.Dispose();
                    _applicationStoppingRegistration.Dispose();
                }
            }
            """ + Board);
    }

    [Fact]
    public async Task NoFix_SourceThatDisposeCannotReachOrNoHookToExtend()
    {
        // An event of an action's parameter; a base class that is disposable without an overridable Dispose.
        await VerifyCS.NoFixAsync(Source("""
            public sealed class TickerController : ControllerBase
            {
                private readonly List<string> _changes = new();

                [HttpGet]
                public IActionResult Ticker([FromServices] IPriceFeed feed)
                {
                    [|feed.PriceChanged += OnPriceChanged|];
                    return Ok(_changes);
                }

                private void OnPriceChanged(object sender, PriceChangedEventArgs e) => _changes.Add(e.Sku);
            }

            public class SealedDisposableController : ControllerBase, IDisposable
            {
                public void Dispose() { }
            }

            public sealed class PricesController : SealedDisposableController
            {
                private int _changes;

                public PricesController() => [|PriceBoard.PriceChanged += OnPriceChanged|];

                private void OnPriceChanged(object sender, PriceChangedEventArgs e) => _changes++;
            }
            """), CompilationEnd);
    }
}
