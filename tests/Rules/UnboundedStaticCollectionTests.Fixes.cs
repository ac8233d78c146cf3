using System.Collections.Immutable;
using LeakAnalyzers.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;
using VerifyCS = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.UnboundedStaticCollectionAnalyzer, LeakAnalyzers.Rules.UnboundedStaticCollectionFixer>;

namespace LeakAnalyzers.Tests.Rules;

// Fixes: "Use a size-limited MemoryCache" and "Bound the collection", one by one and with Fix All.
public sealed partial class UnboundedStaticCollectionTests
{
    [Fact]
    public async Task Fixes_MemoryCache_RewritesEveryUseAndKeepsComments()
    {
        await VerifyCS.FixAsync("""
            using System.Collections.Concurrent;
            using System.Collections.Generic;

            public sealed record Product(int Id, string Name);

            public static class Products
            {
                // Products by id.
                private static readonly ConcurrentDictionary<int, Product> [|ById|] = new();
                private static readonly Dictionary<string, int> [|Hits|] = new();

                public static Product Get(int id) => ById.GetOrAdd(id, key => new Product(key, "p" + key));

                public static Product GetCached(int id) => ById.GetOrAdd(id, Load);

                public static Product GetNamed(int id)
                {
                    return ById.GetOrAdd(id, key =>
                    {
                        var name = "p" + key; // computed once
                        return new Product(key, name);
                    });
                }

                public static void Put(Product product) => ById[product.Id] = product;

                public static bool Has(int id) => ById.ContainsKey(id) && ById.Count > 0;

                public static void Offer(Product product) => ById.TryAdd(product.Id, product);

                public static Product Read(int id) => ById[id];

                public static void Hit(string page)
                {
                    lock (Hits)
                    {
                        Hits[page] = Hits.TryGetValue(page, out var n) ? n + 1 : 1;
                    }
                }

                private static Product Load(int id) => new(id, "x");
            }
            """, """
            using System.Collections.Concurrent;
            using System.Collections.Generic;
            using Microsoft.Extensions.Caching.Memory;

            public sealed record Product(int Id, string Name);

            public static class Products
            {
                // Products by id.
                private static readonly MemoryCache ById = new(new MemoryCacheOptions { SizeLimit = ByIdSizeLimit });
                private const int ByIdSizeLimit = 10_000;
                private const int ByIdSlidingExpirationMinutes = 10;
                private static readonly MemoryCacheEntryOptions ByIdEntryOptions = new()
                {
                    Size = 1,
                    SlidingExpiration = System.TimeSpan.FromMinutes(ByIdSlidingExpirationMinutes)
                };
                private static readonly MemoryCache Hits = new(new MemoryCacheOptions { SizeLimit = HitsSizeLimit });
                private const int HitsSizeLimit = 10_000;
                private const int HitsSlidingExpirationMinutes = 10;
                private static readonly MemoryCacheEntryOptions HitsEntryOptions = new()
                {
                    Size = 1,
                    SlidingExpiration = System.TimeSpan.FromMinutes(HitsSlidingExpirationMinutes)
                };

                public static Product Get(int id) => ById.GetOrCreate(id, entry =>
                {
                    entry.SetOptions(ByIdEntryOptions);
                    var key = (int)entry.Key;
                    return new Product(key, "p" + key);
                });

                public static Product GetCached(int id) => ById.GetOrCreate(id, entry =>
                {
                    entry.SetOptions(ByIdEntryOptions);
                    return Load((int)entry.Key);
                });

                public static Product GetNamed(int id)
                {
                    return ById.GetOrCreate(id, entry =>
                    {
                        entry.SetOptions(ByIdEntryOptions);
                        var key = (int)entry.Key;
                        var name = "p" + key; // computed once
                        return new Product(key, name);
                    });
                }

                public static void Put(Product product) => ById.Set(product.Id, product, ByIdEntryOptions);

                public static bool Has(int id) => ById.TryGetValue(id, out _) && ById.Count > 0;

                public static void Offer(Product product) => ById.GetOrCreate(product.Id, entry =>
                {
                    entry.SetOptions(ByIdEntryOptions);
                    return product;
                });

                public static Product Read(int id) => ById.Get<Product>(id);

                public static void Hit(string page)
                {
                    lock (Hits)
                    {
                        Hits.Set(page, Hits.TryGetValue<int>(page, out var n) ? n + 1 : 1, HitsEntryOptions);
                    }
                }

                private static Product Load(int id) => new(id, "x");
            }
            """, StrictCache);
    }

    [Fact]
    public async Task Fixes_MemoryCache_SeveralUsesAcrossMethodsAndPartialClasses()
    {
        await VerifyCS.FixAsync([
            """
            using System.Collections.Concurrent;

            namespace Shop;

            public static partial class PriceCache
            {
                // Latest price per SKU, filled from the pricing service.
                private static readonly ConcurrentDictionary<string, decimal> [|Prices|] = new();

                public static decimal? Find(string sku) => Prices.TryGetValue(sku, out var price) ? price : null;
            }
            """,
            """
            // Writes to the price cache.
            namespace Shop;

            public static partial class PriceCache
            {
                public static void Update(string sku, decimal price) => Prices.AddOrUpdate(sku, price, (_, _) => price);

                public static decimal Bump(string sku) => Prices.AddOrUpdate(sku, key => 1m, (key, old) => old + 1m);
            }
            """,
        ], [
            """
            using System.Collections.Concurrent;
            using Microsoft.Extensions.Caching.Memory;

            namespace Shop;

            public static partial class PriceCache
            {
                // Latest price per SKU, filled from the pricing service.
                private static readonly MemoryCache Prices = new(new MemoryCacheOptions { SizeLimit = PricesSizeLimit });
                private const int PricesSizeLimit = 10_000;
                private const int PricesSlidingExpirationMinutes = 10;
                private static readonly MemoryCacheEntryOptions PricesEntryOptions = new()
                {
                    Size = 1,
                    SlidingExpiration = System.TimeSpan.FromMinutes(PricesSlidingExpirationMinutes)
                };

                public static decimal? Find(string sku) => Prices.TryGetValue<decimal>(sku, out var price) ? price : null;
            }
            """,
            """
            // Writes to the price cache.
            using Microsoft.Extensions.Caching.Memory;

            namespace Shop;

            public static partial class PriceCache
            {
                public static void Update(string sku, decimal price) => Prices.Set(sku, price, PricesEntryOptions);

                public static decimal Bump(string sku) => Prices.Set(sku, Prices.TryGetValue<decimal>(sku, out var current) ? current + 1m : 1m, PricesEntryOptions);
            }
            """,
        ], StrictCache);
    }

    private const string TenantsSource = """
        using System.Collections.Generic;
        using Microsoft.AspNetCore.Builder;
        using Microsoft.AspNetCore.Http;

        public static class Tenants
        {
            internal static readonly Dictionary<string, string> [|Names|] = new();
        }

        public static class TenantEndpoints
        {
            public static void Map(WebApplication app)
            {
                app.MapPut("/tenants/{id}", (string id, string name) =>
                {
                    lock (Tenants.Names)
                        Tenants.Names[id] = name;
                    return Results.NoContent();
                });
                app.MapGet("/tenants/{id}", (string id) =>
                    Tenants.Names.TryGetValue(id, out var name) ? Results.Ok(name) : Results.NotFound());
            }
        }
        """;

    [Fact]
    public async Task Fixes_MemoryCache_WiderFieldUsedFromAnotherType()
    {
        await VerifyCS.FixAsync(TenantsSource, """
            using System.Collections.Generic;
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Http;
            using Microsoft.Extensions.Caching.Memory;

            public static class Tenants
            {
                internal static readonly MemoryCache Names = new(new MemoryCacheOptions { SizeLimit = NamesSizeLimit });
                private const int NamesSizeLimit = 10_000;
                private const int NamesSlidingExpirationMinutes = 10;
                internal static readonly MemoryCacheEntryOptions NamesEntryOptions = new()
                {
                    Size = 1,
                    SlidingExpiration = System.TimeSpan.FromMinutes(NamesSlidingExpirationMinutes)
                };
            }

            public static class TenantEndpoints
            {
                public static void Map(WebApplication app)
                {
                    app.MapPut("/tenants/{id}", (string id, string name) =>
                    {
                        lock (Tenants.Names)
                            Tenants.Names.Set(id, name, Tenants.NamesEntryOptions);
                        return Results.NoContent();
                    });
                    app.MapGet("/tenants/{id}", (string id) =>
                        Tenants.Names.TryGetValue<string>(id, out var name) ? Results.Ok(name) : Results.NotFound());
                }
            }
            """, CacheAtCompilationEnd);
    }

    [Fact]
    public async Task Fixes_MemoryCache_SingletonInstanceField()
    {
        await VerifyCS.FixAsync("""
            using System.Collections.Generic;
            using Microsoft.Extensions.DependencyInjection;

            public sealed class UserDirectory
            {
                private readonly Dictionary<int, string> [|_names|] = new();

                public string Find(int id) => _names.TryGetValue(id, out var name) ? name : "unknown";

                public void Remember(int id, string name) => _names[id] = name;
            }

            public static class Setup
            {
                public static void Configure(IServiceCollection services) => services.AddSingleton<UserDirectory>();
            }
            """, """
            using System.Collections.Generic;
            using Microsoft.Extensions.Caching.Memory;
            using Microsoft.Extensions.DependencyInjection;

            public sealed class UserDirectory
            {
                private readonly MemoryCache _names = new(new MemoryCacheOptions { SizeLimit = NamesSizeLimit });
                private const int NamesSizeLimit = 10_000;
                private const int NamesSlidingExpirationMinutes = 10;
                private static readonly MemoryCacheEntryOptions NamesEntryOptions = new()
                {
                    Size = 1,
                    SlidingExpiration = System.TimeSpan.FromMinutes(NamesSlidingExpirationMinutes)
                };

                public string Find(int id) => _names.TryGetValue<string>(id, out var name) ? name : "unknown";

                public void Remember(int id, string name) => _names.Set(id, name, NamesEntryOptions);
            }

            public static class Setup
            {
                public static void Configure(IServiceCollection services) => services.AddSingleton<UserDirectory>();
            }
            """, new TestSettings { CodeAction = UnboundedStaticCollectionFixer.MemoryCacheTitle, Options = StrictSingletons.Options, FixCompilationEndDiagnostics = true });
    }

    /// <summary>
    /// MemoryCache's <c>Get&lt;T&gt;</c>/<c>GetOrCreate&lt;T&gt;</c> return <c>T?</c>: where the dictionary's values could not be null,
    /// the fix keeps that guarantee (a missing key still throws), so no nullable warning appears.
    /// </summary>
    [Fact]
    public async Task Fixes_MemoryCache_InANullableContext()
    {
        await VerifyCS.FixAsync("""
            #nullable enable
            using System.Collections.Concurrent;

            public sealed record ProductView(int Id, string Name);

            public static class ProductCatalog
            {
                private static readonly ConcurrentDictionary<int, ProductView> [|Products|] = new();

                public static ProductView Get(int id) => Products.GetOrAdd(id, key => new ProductView(key, $"Product {key}"));

                public static ProductView? Find(int id) => Products.TryGetValue(id, out var product) ? product : null;

                public static ProductView Read(int id) => Products[id];

                public static string Name(int id) => Products[id].Name;

                public static void Rename(ProductView product) => Products[product.Id] = product;
            }
            """, """
            #nullable enable
            using System.Collections.Concurrent;
            using Microsoft.Extensions.Caching.Memory;

            public sealed record ProductView(int Id, string Name);

            public static class ProductCatalog
            {
                private static readonly MemoryCache Products = new(new MemoryCacheOptions { SizeLimit = ProductsSizeLimit });
                private const int ProductsSizeLimit = 10_000;
                private const int ProductsSlidingExpirationMinutes = 10;
                private static readonly MemoryCacheEntryOptions ProductsEntryOptions = new()
                {
                    Size = 1,
                    SlidingExpiration = System.TimeSpan.FromMinutes(ProductsSlidingExpirationMinutes)
                };

                public static ProductView Get(int id) => Products.GetOrCreate(id, entry =>
                {
                    entry.SetOptions(ProductsEntryOptions);
                    var key = (int)entry.Key;
                    return new ProductView(key, $"Product {key}");
                })!;

                public static ProductView? Find(int id) => Products.TryGetValue<ProductView>(id, out var product) ? product : null;

                public static ProductView Read(int id) => Products.Get<ProductView>(id) ?? throw new System.Collections.Generic.KeyNotFoundException();

                public static string Name(int id) => (Products.Get<ProductView>(id) ?? throw new System.Collections.Generic.KeyNotFoundException()).Name;

                public static void Rename(ProductView product) => Products.Set(product.Id, product, ProductsEntryOptions);
            }
            """, StrictCache);
    }

    [Fact]
    public async Task Fixes_MemoryCache_BeforeCSharp9SpellsTheTypesOut()
    {
        await VerifyCS.FixAsync("""
            using System.Collections.Concurrent;

            public static class Thumbnails
            {
                private static readonly ConcurrentDictionary<string, byte[]> [|ByPath|] = new ConcurrentDictionary<string, byte[]>();

                public static byte[] Get(string path) => ByPath.GetOrAdd(path, Render);

                private static byte[] Render(string path) => new byte[16];
            }
            """, """
            using System.Collections.Concurrent;
            using Microsoft.Extensions.Caching.Memory;

            public static class Thumbnails
            {
                private static readonly MemoryCache ByPath = new MemoryCache(new MemoryCacheOptions { SizeLimit = ByPathSizeLimit });
                private const int ByPathSizeLimit = 10_000;
                private const int ByPathSlidingExpirationMinutes = 10;
                private static readonly MemoryCacheEntryOptions ByPathEntryOptions = new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = System.TimeSpan.FromMinutes(ByPathSlidingExpirationMinutes) };

                public static byte[] Get(string path) => ByPath.GetOrCreate(path, entry =>
                {
                    entry.SetOptions(ByPathEntryOptions);
                    return Render((string)entry.Key);
                });

                private static byte[] Render(string path) => new byte[16];
            }
            """, new TestSettings { Options = [(UnboundedStaticCollectionAnalyzer.StrictOption, "true")], CodeAction = UnboundedStaticCollectionFixer.MemoryCacheTitle, LanguageVersion = Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp8, FixCompilationEndDiagnostics = true });
    }

    private const string NamesSource = """
        using System.Collections.Generic;

        public static class Products
        {
            private static readonly Dictionary<int, string> [|Names|] = new();

            public static void Put(int id, string name) => Names[id] = name;
        }
        """;

    [Fact]
    public async Task NoFix_MemoryCache_WithoutMicrosoftExtensionsCachingMemory()
    {
        await VerifyCS.FixAsync(NamesSource, NamesSource, new TestSettings { Options = [(UnboundedStaticCollectionAnalyzer.StrictOption, "true")], References = References.NetOnly, CodeAction = UnboundedStaticCollectionFixer.MemoryCacheTitle, FixCompilationEndDiagnostics = true });
    }

    [Fact]
    public async Task Fixes_WithoutMicrosoftExtensionsCachingMemory_OffersTheBound()
    {
        await VerifyCS.FixAsync(NamesSource, """
            using System.Collections.Generic;

            public static class Products
            {
                private static readonly Dictionary<int, string> Names = new();
                private const int NamesCapacity = 10_000;

                public static void Put(int id, string name)
                {
                    if (Names.Count >= NamesCapacity)
                        Names.Clear();
                    Names[id] = name;
                }
            }
            """, new TestSettings { Options = [(UnboundedStaticCollectionAnalyzer.StrictOption, "true")], References = References.NetOnly, FixCompilationEndDiagnostics = true });
    }

    [Theory]
    [InlineData("foreach (var pair in Sessions) System.Console.WriteLine(pair.Key);")]
    [InlineData("System.Console.WriteLine(string.Join(\",\", Sessions.Keys));")]
    [InlineData("Sessions[user] += \"!\";")]
    [InlineData("if (Sessions.TryAdd(user, \"x\")) System.Console.WriteLine(user);")]
    [InlineData("Sessions.TryUpdate(user, \"x\", \"y\");")]
    [InlineData("Sessions.GetOrAdd(user, (k, a) => a, \"x\");")]
    [InlineData("Show(Sessions);")]
    [InlineData("Sessions.AddOrUpdate(Key(), \"x\", (_, v) => v);")]
    [InlineData("Sessions.AddOrUpdate(user, \"x\", (_, v) => { return v; });")]
    [InlineData("Sessions.GetOrAdd(user, k => Sessions.Count.ToString());")]
    public async Task NoFix_MemoryCache_WhenAUseCannotBeRewritten(string use)
    {
        var source = $$"""
            using System.Collections.Concurrent;
            using System.Collections.Generic;

            public static class Presence
            {
                private static readonly ConcurrentDictionary<string, string> [|Sessions|] = new();

                public static void Seen(string user)
                {
                    Sessions[user] = System.DateTime.UtcNow.ToString("O");
                    {{use}}
                }

                private static string Key() => "k";

                private static void Show(IReadOnlyDictionary<string, string> map) { }
            }
            """;
        await VerifyCS.FixAsync(source, source, StrictCache);
    }

    [Theory]
    [InlineData("Dictionary<string, int>", "new(System.StringComparer.OrdinalIgnoreCase)", "Items[key] = 1;")]
    [InlineData("Dictionary<string, int>", "new() { [\"seed\"] = 1 }", "Items[key] = 1;")]
    [InlineData("Dictionary<string, int>", "Create()", "Items[key] = 1;")]
    [InlineData("Dictionary<string, int>", "new()", "Items.Add(key, 1);")]
    [InlineData("HashSet<string>", "new()", "Items.Add(key);")]
    [InlineData("Hashtable", "new()", "Items[key] = 1;")]
    [InlineData("Dictionary<string, int>", "new(), Spare = new()", "Items[key] = 1;")]
    public async Task NoFix_MemoryCache_WhenTheCollectionCannotBecomeACache(string type, string creation, string growth)
    {
        var source = $$"""
            using System.Collections;
            using System.Collections.Generic;

            public static class Registry
            {
                private static readonly {{type}} [|Items|] = {{creation}};

                public static void Track(string key)
                {
                    {{growth}}
                }

                private static Dictionary<string, int> Create() => new();
            }
            """;
        await VerifyCS.FixAsync(source, source, StrictCache);
    }

    [Fact]
    public async Task Fixes_Bound_GuardsEveryGrowthKeepingCommentsAndLayout()
    {
        await VerifyCS.FixAsync("""
            using System;
            using System.Collections.Generic;
            using Microsoft.AspNetCore.Mvc;

            [ApiController]
            [Route("sessions")]
            public sealed class SessionsController : ControllerBase
            {
                // When each user was last seen.
                private static readonly Dictionary<string, string> [|LastSeen|] = new();

                [HttpPost("{user}")]
                public IActionResult Touch(string user)
                {
                    lock (LastSeen)
                    {
                        // Remember the visit.
                        LastSeen[user] = DateTime.UtcNow.ToString("O");
                    }

                    return NoContent();
                }

                [HttpPut("{user}")]
                public void Set(string user, string when) => LastSeen[user] = when;

                [HttpPost("{user}/guest")]
                public void Guest(string user, bool known)
                {
                    if (!known) LastSeen[user] = "guest";
                    if (known)
                        LastSeen[user] = "known";
                    else LastSeen.Add(user + "?", "unknown");
                    Func<string, string> mark = u => LastSeen[u] = "marked";
                    mark(user);
                }
            }
            """, """
            using System;
            using System.Collections.Generic;
            using Microsoft.AspNetCore.Mvc;

            [ApiController]
            [Route("sessions")]
            public sealed class SessionsController : ControllerBase
            {
                // When each user was last seen.
                private static readonly Dictionary<string, string> LastSeen = new();
                private const int LastSeenCapacity = 10_000;

                [HttpPost("{user}")]
                public IActionResult Touch(string user)
                {
                    lock (LastSeen)
                    {
                        if (LastSeen.Count >= LastSeenCapacity)
                            LastSeen.Clear();
                        // Remember the visit.
                        LastSeen[user] = DateTime.UtcNow.ToString("O");
                    }

                    return NoContent();
                }

                [HttpPut("{user}")]
                public void Set(string user, string when)
                {
                    if (LastSeen.Count >= LastSeenCapacity)
                        LastSeen.Clear();
                    LastSeen[user] = when;
                }

                [HttpPost("{user}/guest")]
                public void Guest(string user, bool known)
                {
                    if (!known)
                    {
                        if (LastSeen.Count >= LastSeenCapacity)
                            LastSeen.Clear();
                        LastSeen[user] = "guest";
                    }
                    if (known)
                    {
                        if (LastSeen.Count >= LastSeenCapacity)
                            LastSeen.Clear();
                        LastSeen[user] = "known";
                    }
                    else
                    {
                        if (LastSeen.Count >= LastSeenCapacity)
                            LastSeen.Clear();
                        LastSeen.Add(user + "?", "unknown");
                    }
                    Func<string, string> mark = u => LastSeen[u] = "marked";
                    mark(user);
                }
            }
            """, Bound);
    }

    [Fact]
    public async Task Fixes_Bound_SeveralUsesAcrossMethodsAndPartialClasses()
    {
        await VerifyCS.FixAsync([
            """
            using System.Collections.Generic;

            public static partial class AuditLog
            {
                private static readonly List<string> [|Entries|] = new();

                static AuditLog() => Seed("started");

                private static void Seed(string entry) => Entries.Add(entry);

                public static void Write(string entry)
                {
                    Entries.Add(entry);
                }
            }
            """,
            """
            public static partial class AuditLog
            {
                public static void Login(string user) => Entries.Add("login " + user);

                public static void Logout(string user)
                {
                    if (Entries.Count < 100)
                        Entries.Add("logout " + user);
                    Entries.Insert(0, "last: " + user);
                }
            }
            """,
        ], [
            """
            using System.Collections.Generic;

            public static partial class AuditLog
            {
                private static readonly List<string> Entries = new();
                private const int EntriesCapacity = 10_000;

                static AuditLog() => Seed("started");

                private static void Seed(string entry) => Entries.Add(entry);

                public static void Write(string entry)
                {
                    if (Entries.Count >= EntriesCapacity)
                        Entries.Clear();
                    Entries.Add(entry);
                }
            }
            """,
            """
            public static partial class AuditLog
            {
                public static void Login(string user)
                {
                    if (Entries.Count >= EntriesCapacity)
                        Entries.Clear();
                    Entries.Add("login " + user);
                }

                public static void Logout(string user)
                {
                    if (Entries.Count < 100)
                        Entries.Add("logout " + user);
                    if (Entries.Count >= EntriesCapacity)
                        Entries.Clear();
                    Entries.Insert(0, "last: " + user);
                }
            }
            """,
        ], StrictBound);
    }

    [Fact]
    public async Task Fixes_Bound_WiderFieldUsedFromAnotherType()
    {
        await VerifyCS.FixAsync(TenantsSource, """
            using System.Collections.Generic;
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Http;

            public static class Tenants
            {
                internal static readonly Dictionary<string, string> Names = new();
                internal const int NamesCapacity = 10_000;
            }

            public static class TenantEndpoints
            {
                public static void Map(WebApplication app)
                {
                    app.MapPut("/tenants/{id}", (string id, string name) =>
                    {
                        lock (Tenants.Names)
                        {
                            if (Tenants.Names.Count >= Tenants.NamesCapacity)
                                Tenants.Names.Clear();
                            Tenants.Names[id] = name;
                        }
                        return Results.NoContent();
                    });
                    app.MapGet("/tenants/{id}", (string id) =>
                        Tenants.Names.TryGetValue(id, out var name) ? Results.Ok(name) : Results.NotFound());
                }
            }
            """, BoundAtCompilationEnd);
    }

    [Fact]
    public async Task Fixes_Bound_FixAllWithSeveralFieldsAndGrowthSites()
    {
        await VerifyCS.FixAsync("""
            using System.Collections.Concurrent;
            using System.Collections.Generic;

            public sealed class RequestMetrics
            {
                private static readonly ConcurrentQueue<string> [|RecentPaths|] = new();
                private static readonly HashSet<string> [|UserAgents|] = new();
                private static readonly bool Seeded = UserAgents.Add("health-check");

                public void Record(string path, string userAgent)
                {
                    RecentPaths.Enqueue(path);
                    lock (UserAgents)
                        UserAgents.Add(userAgent);
                }

                public void RecordError(string path) => RecentPaths.Enqueue("error " + path);
            }
            """, """
            using System.Collections.Concurrent;
            using System.Collections.Generic;

            public sealed class RequestMetrics
            {
                private static readonly ConcurrentQueue<string> RecentPaths = new();
                private const int RecentPathsCapacity = 10_000;
                private static readonly HashSet<string> UserAgents = new();
                private const int UserAgentsCapacity = 10_000;
                private static readonly bool Seeded = UserAgents.Add("health-check");

                public void Record(string path, string userAgent)
                {
                    if (RecentPaths.Count >= RecentPathsCapacity)
                        RecentPaths.Clear();
                    RecentPaths.Enqueue(path);
                    lock (UserAgents)
                    {
                        if (UserAgents.Count >= UserAgentsCapacity)
                            UserAgents.Clear();
                        UserAgents.Add(userAgent);
                    }
                }

                public void RecordError(string path)
                {
                    if (RecentPaths.Count >= RecentPathsCapacity)
                        RecentPaths.Clear();
                    RecentPaths.Enqueue("error " + path);
                }
            }
            """, StrictBound);
    }

    [Fact]
    public async Task NoFix_GrowthThroughAMethodGroup()
    {
        await VerifyCS.NoFixAsync("""
            using System;
            using System.Collections.Generic;

            public static class Tags
            {
                private static readonly List<string> [|All|] = new();

                public static void Import(string[] tags) => Array.ForEach(tags, All.Add);
            }
            """, StrictFix);
    }

    [Fact]
    public async Task NoFix_GrowthInALoopCondition()
    {
        await VerifyCS.NoFixAsync("""
            using System;
            using System.Collections.Generic;

            public static class Ids
            {
                private static readonly HashSet<string> [|Issued|] = new();

                public static string Next()
                {
                    string id;
                    do
                        id = Guid.NewGuid().ToString("N");
                    while (!Issued.Add(id));
                    return id;
                }
            }
            """, AnyFix);
    }

    [Theory]
    [InlineData("public static void Track(string key) => Items?.Add(key);")]
    [InlineData("public static bool Tracked => Items.Add(\"tracked\");")]
    [InlineData("public static void Track(string key) { retry: Items.Add(key); if (key.Length == 0) goto retry; }")]
    public async Task NoFix_GrowthThatCannotBeGuarded(string member)
    {
        await VerifyCS.NoFixAsync($$"""
            using System.Collections.Generic;

            public static class Tracker
            {
                private static readonly HashSet<string> [|Items|] = new();

                {{member}}
            }
            """, StrictFix);
    }

    private const string MixedSource = """
        using System.Collections.Generic;

        public static class Visits
        {
            private static readonly Dictionary<string, int> PerPage = new();
            private static readonly HashSet<string> Addresses = new();

            public static void Visit(string page, string address)
            {
                PerPage[page] = PerPage.TryGetValue(page, out var n) ? n + 1 : 1;
                Addresses.Add(address);
            }
        }

        // Request code feeds the public helper: the keys are the request's path and client address.
        public static class VisitEndpoints
        {
            public static void Record(Microsoft.AspNetCore.Http.HttpContext context) =>
                Visits.Visit(context.Request.Path.Value ?? "/", context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        }
        """;

    /// <summary>
    /// <c>dotnet format</c> runs Fix All over the solution with the key of whichever diagnostic it meets first: whichever
    /// key that is, every field gets fixed (the chosen fix where it applies, the other one elsewhere).
    /// </summary>
    [Theory]
    [InlineData(UnboundedStaticCollectionFixer.MemoryCacheTitle, """
        using System.Collections.Generic;
        using Microsoft.Extensions.Caching.Memory;

        public static class Visits
        {
            private static readonly MemoryCache PerPage = new(new MemoryCacheOptions { SizeLimit = PerPageSizeLimit });
            private const int PerPageSizeLimit = 10_000;
            private const int PerPageSlidingExpirationMinutes = 10;
            private static readonly MemoryCacheEntryOptions PerPageEntryOptions = new()
            {
                Size = 1,
                SlidingExpiration = System.TimeSpan.FromMinutes(PerPageSlidingExpirationMinutes)
            };
            private static readonly HashSet<string> Addresses = new();
            private const int AddressesCapacity = 10_000;

            public static void Visit(string page, string address)
            {
                PerPage.Set(page, PerPage.TryGetValue<int>(page, out var n) ? n + 1 : 1, PerPageEntryOptions);
                if (Addresses.Count >= AddressesCapacity)
                    Addresses.Clear();
                Addresses.Add(address);
            }
        }

        // Request code feeds the public helper: the keys are the request's path and client address.
        public static class VisitEndpoints
        {
            public static void Record(Microsoft.AspNetCore.Http.HttpContext context) =>
                Visits.Visit(context.Request.Path.Value ?? "/", context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        }
        """)]
    [InlineData(UnboundedStaticCollectionFixer.BoundTitle, """
        using System.Collections.Generic;

        public static class Visits
        {
            private static readonly Dictionary<string, int> PerPage = new();
            private const int PerPageCapacity = 10_000;
            private static readonly HashSet<string> Addresses = new();
            private const int AddressesCapacity = 10_000;

            public static void Visit(string page, string address)
            {
                if (PerPage.Count >= PerPageCapacity)
                    PerPage.Clear();
                PerPage[page] = PerPage.TryGetValue(page, out var n) ? n + 1 : 1;
                if (Addresses.Count >= AddressesCapacity)
                    Addresses.Clear();
                Addresses.Add(address);
            }
        }

        // Request code feeds the public helper: the keys are the request's path and client address.
        public static class VisitEndpoints
        {
            public static void Record(Microsoft.AspNetCore.Http.HttpContext context) =>
                Visits.Visit(context.Request.Path.Value ?? "/", context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        }
        """)]
    public async Task Fixes_FixAllInTheSolution_UsesTheOtherFixWhereTheChosenOneDoesNotApply(string key, string expected)
    {
        var references = References.AspNetCore.References;
        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(ProjectId.CreateNewId(), VersionStamp.Default, "Sample", "Sample", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary), metadataReferences: references));
        var document = workspace.AddDocument(project.Id, "Visits.cs", SourceText.From(MixedSource));
        var compilation = (await document.Project.GetCompilationAsync())!;
        var diagnostics = await compilation.WithAnalyzers(Harness.RuleAnalyzers<UnboundedStaticCollectionAnalyzer>()).GetAnalyzerDiagnosticsAsync();
        Assert.Equal(2, diagnostics.Length);

        var fixer = new UnboundedStaticCollectionFixer();
        var context = new FixAllContext(document, fixer, FixAllScope.Solution, key, fixer.FixableDiagnosticIds, new FixedDiagnostics(diagnostics), CancellationToken.None);
        var action = await fixer.GetFixAllProvider().GetFixAsync(context);
        var operations = await action!.GetOperationsAsync(CancellationToken.None);
        var changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution.GetDocument(document.Id)!;
        Assert.Equal(expected.ReplaceLineEndings("\n"), (await changed.GetTextAsync()).ToString().ReplaceLineEndings("\n"));

        var fixedCompilation = (await changed.Project.GetCompilationAsync())!;
        Assert.Empty(fixedCompilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Assert.Empty(await fixedCompilation.WithAnalyzers(Harness.RuleAnalyzers<UnboundedStaticCollectionAnalyzer>()).GetAnalyzerDiagnosticsAsync());
    }

    /// <summary>
    /// The fixer acts on what the diagnostic says and judges nothing again: it offers only the fixes the properties
    /// allow, and the bound fix guards the growth sites of the additional locations, no others.
    /// </summary>
    [Fact]
    public async Task Fixes_FollowTheDiagnosticsPropertiesAndGrowthSites()
    {
        const string source = """
            using System.Collections.Generic;

            public static class Visits
            {
                private static readonly Dictionary<string, int> PerPage = new();

                public static void Visit(string page) => PerPage[page] = 1;

                public static void Revisit(string page) => PerPage[page] = 2;
            }
            """;
        var project = await FixChecks.CreateProjectAsync([source], new TestSettings());
        var document = project.Documents.Single();
        var tree = (await document.GetSyntaxTreeAsync())!;
        var text = source.ReplaceLineEndings("\n");
        Location At(string code) => Location.Create(tree, new TextSpan(text.IndexOf(code, StringComparison.Ordinal), code.Length));
        var diagnostic = Diagnostic.Create(Descriptors.UnboundedStaticCollection, At("PerPage"), [At("PerPage[page] = 2")],
            ImmutableDictionary<string, string?>.Empty
                .Add(UnboundedStaticCollectionAnalyzer.Properties.MemoryCache, "false")
                .Add(UnboundedStaticCollectionAnalyzer.Properties.Bound, "true"),
            "PerPage");

        var actions = new List<CodeAction>();
        await new UnboundedStaticCollectionFixer().RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));

        var action = Assert.Single(actions);
        Assert.Equal(UnboundedStaticCollectionFixer.BoundTitle, action.Title);
        var operations = await action.GetOperationsAsync(CancellationToken.None);
        var changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution.GetDocument(document.Id)!;
        Assert.Equal("""
            using System.Collections.Generic;

            public static class Visits
            {
                private static readonly Dictionary<string, int> PerPage = new();
                private const int PerPageCapacity = 10_000;

                public static void Visit(string page) => PerPage[page] = 1;

                public static void Revisit(string page)
                {
                    if (PerPage.Count >= PerPageCapacity)
                        PerPage.Clear();
                    PerPage[page] = 2;
                }
            }
            """.ReplaceLineEndings("\n"), (await changed.GetTextAsync()).ToString().ReplaceLineEndings("\n"));
    }

    private sealed class FixedDiagnostics(ImmutableArray<Diagnostic> diagnostics) : FixAllContext.DiagnosticProvider
    {
        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);

        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) =>
            Task.FromResult(diagnostics.Where(d => d.Location.SourceTree?.FilePath == document.FilePath));

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult(Enumerable.Empty<Diagnostic>());
    }
}
