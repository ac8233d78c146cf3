// LEAK001: static collections that only grow. Each leaky example has a clean twin below it.
using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Caching.Memory;

namespace LeakyApi.Examples;

public sealed record ProductView(int Id, string Name);

// Leaky: every product id anyone ever asks for stays in memory for the life of the process.
// The fix turns the dictionary into a size-limited MemoryCache.
public static class ProductCatalog
{
    private static readonly ConcurrentDictionary<int, ProductView> Products = new();

    public static ProductView Get(int id) => Products.GetOrAdd(id, key => new ProductView(key, $"Product {key}"));

    public static void Rename(ProductView product) => Products[product.Id] = product;
}

// Clean twin: a cache with a size limit and a sliding expiration.
public static class ProductCatalogClean
{
    private static readonly MemoryCache Products = new(new MemoryCacheOptions { SizeLimit = 10_000 });
    private static readonly MemoryCacheEntryOptions EntryOptions = new() { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(10) };

    public static ProductView? Get(int id) => Products.GetOrCreate(id, entry =>
    {
        entry.SetOptions(EntryOptions);
        return new ProductView(id, $"Product {id}");
    });
}

// Leaky: one entry per client address, never removed. A set cannot become a cache: the fix adds a capacity check.
public static class VisitorLog
{
    private static readonly HashSet<string> Visitors = new();

    public static void Visit(string address)
    {
        lock (Visitors)
            Visitors.Add(address);
    }

    public static int Count
    {
        get
        {
            lock (Visitors)
                return Visitors.Count;
        }
    }
}

// Clean twin: the capacity check bounds it.
public static class VisitorLogClean
{
    private const int Capacity = 10_000;
    private static readonly HashSet<string> Visitors = new();

    public static void Visit(string address)
    {
        lock (Visitors)
        {
            if (Visitors.Count >= Capacity)
                Visitors.Clear();
            Visitors.Add(address);
        }
    }
}

// Leaky: a field other types grow (reported once the whole compilation is analyzed).
internal static class RateCounters
{
    internal static readonly Dictionary<string, int> Hits = new();
}

// Clean: keys of a bounded type (reflection caches keyed by Type are everywhere, and fine).
public static class PropertyCache
{
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    public static PropertyInfo[] For(Type type) => Properties.GetOrAdd(type, t => t.GetProperties());
}

// Clean: a lookup table filled once, in the static constructor.
public static class StatusTexts
{
    private static readonly Dictionary<int, string> Texts = new();

    static StatusTexts()
    {
        foreach (var code in new[] { 200, 404, 500 })
            Texts[code] = $"HTTP {code}";
    }

    public static string Text(int code) => Texts.TryGetValue(code, out var text) ? text : "unknown";
}

// Clean: each entry is removed when its work is cancelled or times out.
public static class Exports
{
    private static readonly ConcurrentDictionary<string, CancellationTokenSource> Running = new();

    public static CancellationToken Start(string id)
    {
        var source = Running.GetOrAdd(id, _ => new CancellationTokenSource(TimeSpan.FromMinutes(5)));
        source.Token.Register(() => Running.TryRemove(id, out _));
        return source.Token;
    }
}

public static class StaticCacheEndpoints
{
    public static void MapStaticCacheExamples(this IEndpointRouteBuilder app)
    {
        app.MapGet("/products/{id:int}", (int id) => ProductCatalog.Get(id));
        app.MapGet("/products/clean/{id:int}", (int id) => ProductCatalogClean.Get(id));
        app.MapPost("/visits", (HttpContext context) =>
        {
            var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            VisitorLog.Visit(address);
            VisitorLogClean.Visit(address);
            return Results.Ok(VisitorLog.Count);
        });
        app.MapPost("/hits/{page}", (string page) =>
        {
            lock (RateCounters.Hits)
                RateCounters.Hits[page] = RateCounters.Hits.TryGetValue(page, out var count) ? count + 1 : 1;
            return Results.NoContent();
        });
        app.MapGet("/properties/{type}", (string type) =>
            Type.GetType(type) is { } found ? Results.Ok(PropertyCache.For(found).Select(p => p.Name)) : Results.NotFound());
        app.MapGet("/status/{code:int}", (int code) => StatusTexts.Text(code));
        app.MapPost("/exports/{id}", (string id) => Exports.Start(id).IsCancellationRequested ? Results.Conflict() : Results.Accepted());
    }
}
