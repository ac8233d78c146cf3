// LEAK007: objects created per request that subscribe to something the application keeps for its whole life, and never
// unsubscribe. Each leaky example has a clean twin below it.
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace LeakyApi.Examples;

public sealed class QuoteOptions
{
    public decimal Markup { get; set; } = 0.1m;
}

public sealed class PriceChangedEventArgs(string sku, decimal price) : EventArgs
{
    public string Sku { get; } = sku;
    public decimal Price { get; } = price;
}

/// <summary>A price feed: one for the application (registered as a singleton in Program.cs).</summary>
public sealed class PriceFeed
{
    public event EventHandler<PriceChangedEventArgs>? PriceChanged;

    public void Publish(string sku, decimal price) => PriceChanged?.Invoke(this, new PriceChangedEventArgs(sku, price));

    /// <summary>Prices published by anyone in the process.</summary>
    public static event EventHandler<PriceChangedEventArgs>? Published;

    public static void PublishEverywhere(string sku, decimal price) => Published?.Invoke(null, new PriceChangedEventArgs(sku, price));
}

// Leaky: MVC creates a controller per request, and the static event keeps every one of them (with its logger and the
// list it fills) for the life of the process. The fix makes the controller IDisposable and unsubscribes there.
[ApiController]
[Route("ticker")]
public sealed class PriceTickerController : ControllerBase
{
    private readonly ILogger<PriceTickerController> _logger;
    private readonly List<string> _seen = new();

    public PriceTickerController(ILogger<PriceTickerController> logger)
    {
        _logger = logger;
        PriceFeed.Published += OnPublished;
    }

    [HttpGet]
    public IActionResult Seen() => Ok(_seen);

    private void OnPublished(object? sender, PriceChangedEventArgs e)
    {
        _seen.Add(e.Sku);
        _logger.LogDebug("Price of {Sku} is {Price}", e.Sku, e.Price);
    }
}

// Clean twin: MVC disposes the controller when the request ends, and the handler goes with it.
[ApiController]
[Route("ticker-clean")]
public sealed class PriceTickerCleanController : ControllerBase, IDisposable
{
    private readonly List<string> _seen = new();

    public PriceTickerCleanController() => PriceFeed.Published += OnPublished;

    [HttpGet]
    public IActionResult Seen() => Ok(_seen);

    private void OnPublished(object? sender, PriceChangedEventArgs e) => _seen.Add(e.Sku);

    public void Dispose() => PriceFeed.Published -= OnPublished;
}

// Leaky: a hub lives for one invocation, but the options monitor keeps the listener (and the hub) forever: the
// IDisposable that OnChange returns is dropped. The fix keeps it and disposes it in a Dispose(bool) override.
public sealed class QuotesHub : Hub
{
    private QuoteOptions _options;

    public QuotesHub(IOptionsMonitor<QuoteOptions> options)
    {
        _options = options.CurrentValue;
        options.OnChange(updated => _options = updated);
    }

    public decimal Quote(decimal price) => price * (1 + _options.Markup);
}

// Clean twin: the listener is disposed with the hub.
public sealed class QuotesCleanHub : Hub
{
    private readonly IDisposable? _optionsSubscription;
    private QuoteOptions _options;

    public QuotesCleanHub(IOptionsMonitor<QuoteOptions> options)
    {
        _options = options.CurrentValue;
        _optionsSubscription = options.OnChange(updated => _options = updated);
    }

    public decimal Quote(decimal price) => price * (1 + _options.Markup);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _optionsSubscription?.Dispose();
        base.Dispose(disposing);
    }
}

// Leaky: a scoped service (one per request) subscribes to the singleton feed with a lambda that uses its dictionary:
// the feed keeps every request's cart. Reported after a build (the registrations in Program.cs decide). The fix
// stores the lambda in a field and removes it in Dispose.
public sealed class CartPricing
{
    private readonly Dictionary<string, decimal> _prices = new();

    public CartPricing(PriceFeed feed)
    {
        feed.PriceChanged += (sender, e) => _prices[e.Sku] = e.Price;
        Feed = feed;
    }

    public PriceFeed Feed { get; }

    public decimal PriceOf(string sku) => _prices.TryGetValue(sku, out var price) ? price : 0m;
}

// Clean twin: the container disposes the scoped service at the end of the request.
public sealed class CartPricingClean : IDisposable
{
    private readonly PriceFeed _feed;
    private readonly Dictionary<string, decimal> _prices = new();

    public CartPricingClean(PriceFeed feed)
    {
        _feed = feed;
        _feed.PriceChanged += OnPriceChanged;
    }

    public decimal PriceOf(string sku) => _prices.TryGetValue(sku, out var price) ? price : 0m;

    private void OnPriceChanged(object? sender, PriceChangedEventArgs e) => _prices[e.Sku] = e.Price;

    public void Dispose() => _feed.PriceChanged -= OnPriceChanged;
}

public static class SubscriptionEndpoints
{
    public static IServiceCollection AddSubscriptionExamples(this IServiceCollection services)
    {
        services.AddSingleton<PriceFeed>();
        services.AddScoped<CartPricing>();
        services.AddScoped<CartPricingClean>();
        services.Configure<QuoteOptions>(options => options.Markup = 0.2m);
        services.AddSignalR();
        return services;
    }

    public static void MapSubscriptionExamples(this WebApplication app)
    {
        app.MapHub<QuotesHub>("/hubs/quotes");
        app.MapHub<QuotesCleanHub>("/hubs/quotes-clean");
        app.MapGet("/cart/{sku}", (string sku, CartPricing cart) => cart.PriceOf(sku));
        app.MapGet("/cart-clean/{sku}", (string sku, CartPricingClean cart) => cart.PriceOf(sku));
        app.MapPost("/prices/{sku}", (string sku, decimal price, PriceFeed feed) =>
        {
            feed.Publish(sku, price);
            PriceFeed.PublishEverywhere(sku, price);
        });
    }
}
