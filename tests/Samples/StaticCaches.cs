// Clean, idiomatic process-lifetime collections: bounded keys, one-time initialization, eviction, capacity checks,
// weak or immutable structures, size-limited caches, per-request state.
using System;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Caching.Memory;

namespace Samples.StaticCaches;

public enum OrderStatus { Placed, Paid, Shipped, Cancelled }

// Reflection caches keyed by Type: there are only so many types.
public static class PropertyCache
{
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();
    private static readonly HashSet<Type> Validated = new();

    public static PropertyInfo[] For(Type type) => Properties.GetOrAdd(type, t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance));

    public static void MarkValidated(Type type)
    {
        lock (Validated)
            Validated.Add(type);
    }
}

// Lookup tables filled once, at type initialization.
public static class StatusTexts
{
    private static readonly Dictionary<OrderStatus, string> Texts = new();
    private static readonly Dictionary<string, int> Codes = new(StringComparer.OrdinalIgnoreCase) { ["EUR"] = 978, ["USD"] = 840 };
    private static readonly Dictionary<string, string> Routes = new();

    static StatusTexts()
    {
        foreach (var status in Enum.GetValues<OrderStatus>())
            Texts[status] = status.ToString().ToLowerInvariant();
        Register("/orders", "orders");
        Register("/cart", "cart");
    }

    private static void Register(string path, string name) => Routes[path] = name;

    public static string Text(OrderStatus status) => Texts[status];

    public static int Code(string currency) => Codes.TryGetValue(currency, out var code) ? code : 0;

    public static string? Route(string path) => Routes.GetValueOrDefault(path);
}

// Entries removed when their work ends (the davidfowl NumberCache shape).
public static class Downloads
{
    private static readonly ConcurrentDictionary<string, CancellationTokenSource> Running = new();

    public static CancellationToken Start(string id)
    {
        var source = Running.GetOrAdd(id, _ => new CancellationTokenSource(TimeSpan.FromMinutes(5)));
        source.Token.Register(() => Running.TryRemove(id, out _));
        return source.Token;
    }
}

// A capacity check guards the growth.
public static class RecentErrors
{
    private const int Capacity = 500;
    private static readonly ConcurrentQueue<string> Messages = new();
    private static readonly Dictionary<string, DateTime> FirstSeen = new();

    public static void Add(string message)
    {
        Messages.Enqueue(message);
        while (Messages.Count > Capacity && Messages.TryDequeue(out _))
        {
        }

        lock (FirstSeen)
        {
            if (FirstSeen.Count >= Capacity)
                return;
            FirstSeen.TryAdd(message, DateTime.UtcNow);
        }
    }
}

// Weak, immutable, frozen and size-limited structures.
public static class Attachments
{
    private static readonly ConditionalWeakTable<object, string> Tags = new();
    private static ImmutableDictionary<string, int> Counters = ImmutableDictionary<string, int>.Empty;
    private static readonly FrozenSet<string> Reserved = new[] { "admin", "root" }.ToFrozenSet();
    private static readonly MemoryCache Thumbnails = new(new MemoryCacheOptions { SizeLimit = 1_000 });

    public static void Tag(object target, string tag) => Tags.AddOrUpdate(target, tag);

    public static void Count(string key) => ImmutableInterlocked.AddOrUpdate(ref Counters, key, 1, (_, n) => n + 1);

    public static bool IsReserved(string name) => Reserved.Contains(name);

    public static byte[] Thumbnail(string path) =>
        Thumbnails.GetOrCreate(path, entry =>
        {
            entry.Size = 1;
            entry.SlidingExpiration = TimeSpan.FromMinutes(10);
            return new byte[64];
        })!;
}

// Per-request state: an instance field of a controller is not a process-lifetime collection.
[ApiController]
[Route("basket")]
public sealed class BasketController : ControllerBase
{
    private readonly Dictionary<string, int> _lines = new();

    [HttpPost("{sku}")]
    public IActionResult Add(string sku)
    {
        _lines[sku] = _lines.TryGetValue(sku, out var count) ? count + 1 : 1;
        return Ok(_lines.Count);
    }
}
