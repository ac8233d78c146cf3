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
}
