using System.Collections.Immutable;
using LeakAnalyzers.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.UnboundedStaticCollectionAnalyzer>;
using VerifyCS = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.UnboundedStaticCollectionAnalyzer, LeakAnalyzers.Rules.UnboundedStaticCollectionFixer>;

namespace LeakAnalyzers.Tests.Rules;

public sealed class UnboundedStaticCollectionTests
{
    private static readonly TestSettings Singletons = new() { Options = [(UnboundedStaticCollectionAnalyzer.IncludeSingletonsOption, "true")] };
    private static readonly TestSettings Cache = new() { CodeAction = UnboundedStaticCollectionFixer.MemoryCacheTitle };
    private static readonly TestSettings Bound = new() { CodeAction = UnboundedStaticCollectionFixer.BoundTitle };

    // Fields visible outside their type (or reachable from nested types) are reported at compilation end.
    private static readonly TestSettings CacheAtCompilationEnd = new() { CodeAction = UnboundedStaticCollectionFixer.MemoryCacheTitle, FixCompilationEndDiagnostics = true };
    private static readonly TestSettings BoundAtCompilationEnd = new() { CodeAction = UnboundedStaticCollectionFixer.BoundTitle, FixCompilationEndDiagnostics = true };

    // ---------------------------------------------------------------------------------------------------------------
    // Reports

    [Fact]
    public async Task Reports_StaticDictionaryFilledPerRequest_AtTheFieldWithTheGrowthSite()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Collections.Generic;
            using Microsoft.AspNetCore.Mvc;

            [ApiController]
            [Route("sessions")]
            public sealed class SessionsController : ControllerBase
            {
                private static readonly Dictionary<string, string> {|#0:LastSeen|} = new();

                [HttpPost("{user}")]
                public IActionResult Touch(string user)
                {
                    lock (LastSeen)
                    {
                        {|#1:LastSeen[user] = System.DateTime.UtcNow.ToString("O")|};
                    }

                    return NoContent();
                }
            }
            """, Analyze.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("LastSeen"));
    }

    [Theory]
    [InlineData("Dictionary<string, int>", "Items[key] = 1;")]
    [InlineData("Dictionary<string, int>", "Items.Add(key, 1);")]
    [InlineData("Dictionary<string, int>", "Items.TryAdd(key, 1);")]
    [InlineData("ConcurrentDictionary<string, int>", "Items.GetOrAdd(key, k => k.Length);")]
    [InlineData("ConcurrentDictionary<string, int>", "Items.AddOrUpdate(key, 1, (_, n) => n + 1);")]
    [InlineData("ConcurrentDictionary<string, int>", "Items[key] = 1;")]
    [InlineData("SortedDictionary<string, int>", "Items[key] = 1;")]
    [InlineData("SortedList<string, int>", "Items.Add(key, 1);")]
    [InlineData("HashSet<string>", "Items.Add(key);")]
    [InlineData("SortedSet<string>", "Items.Add(key);")]
    [InlineData("List<string>", "Items.Add(key);")]
    [InlineData("List<string>", "Items.Insert(0, key);")]
    [InlineData("List<string>", "Items.AddRange(new[] { key });")]
    [InlineData("Queue<string>", "Items.Enqueue(key);")]
    [InlineData("Stack<string>", "Items.Push(key);")]
    [InlineData("ConcurrentBag<string>", "Items.Add(key);")]
    [InlineData("ConcurrentQueue<string>", "Items.Enqueue(key);")]
    [InlineData("ConcurrentStack<string>", "Items.Push(key);")]
    [InlineData("Hashtable", "Items[key] = 1;")]
    [InlineData("IDictionary<string, int>", "Items[key] = 1;", "new Dictionary<string, int>()")]
    [InlineData("IDictionary<string, int>", "Items.TryAdd(key, 1);", "new ConcurrentDictionary<string, int>()")]
    [InlineData("ICollection<string>", "Items.Add(key);", "new HashSet<string>()")]
    [InlineData("ISet<string>", "Items.Add(key);", "new HashSet<string>()")]
    [InlineData("IList<string>", "Items.Add(key);", "new List<string>()")]
    [InlineData("IDictionary", "Items[key] = 1;", "new Hashtable()")]
    [InlineData("Dictionary<string, int>", "((ICollection<KeyValuePair<string, int>>)Items).Add(new(key, 1));")]
    [InlineData("List<string>", "Items?.Add(key);")]
    [InlineData("List<string>", "System.Array.ForEach(new[] { key }, Items.Add);")]
    public async Task Reports_EveryTrackedCollectionAndGrowth(string type, string growth, string creation = "new()")
    {
        await Analyze.DiagnosticsAsync($$"""
            using System.Collections;
            using System.Collections.Concurrent;
            using System.Collections.Generic;

            public static class Registry
            {
                private static readonly {{type}} [|Items|] = {{creation}};

                public static void Track(string key)
                {
                    {{growth}}
                }
            }
            """);
    }

    [Fact]
    public async Task Reports_WiderFieldGrownFromAnotherType()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Collections.Concurrent;
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Http;

            public static class Tenants
            {
                public static readonly ConcurrentDictionary<string, string> [|Names|] = new();
            }

            public static class TenantEndpoints
            {
                public static void Map(WebApplication app) =>
                    app.MapPut("/tenants/{id}", (string id, string name) =>
                    {
                        Tenants.Names[id] = name;
                        return Results.NoContent();
                    });
            }
            """);
    }

    [Fact]
    public async Task Reports_InternalFieldOfNestedHolder()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Collections.Generic;

            public sealed class Telemetry
            {
                internal static class Store
                {
                    internal static readonly List<string> [|Events|] = new();
                }

                public void Record(string name) => Store.Events.Add(name);
            }
            """);
    }

    [Fact]
    public async Task Reports_PrivateFieldGrownFromANestedType()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Collections.Concurrent;

            public sealed class Throttle
            {
                private static readonly ConcurrentDictionary<string, int> [|Hits|] = new();

                public sealed class Middleware
                {
                    public void Invoke(string ip) => Hits.AddOrUpdate(ip, 1, (_, n) => n + 1);
                }
            }
            """);
    }

    [Fact]
    public async Task Reports_PartialClass_GrowthInAnotherFile()
    {
        await Analyze.DiagnosticsAsync([
            """
            using System.Collections.Generic;

            public static partial class Catalog
            {
                private static readonly Dictionary<int, string> [|Names|] = new();
            }
            """,
            """
            public static partial class Catalog
            {
                public static void Remember(int id, string name) => Names[id] = name;
            }
            """,
        ], null);
    }

    [Fact]
    public async Task Reports_GrowthInACallbackRegisteredByTheStaticConstructor()
    {
        await Analyze.DiagnosticsAsync("""
            using System;
            using System.Collections.Generic;

            public static class Crashes
            {
                private static readonly List<string> [|Messages|] = new();

                static Crashes()
                {
                    AppDomain.CurrentDomain.FirstChanceException += (_, e) => Messages.Add(e.Exception.Message);
                }
            }
            """);
    }

    [Fact]
    public async Task Reports_StaticFieldGrownByEveryInstance()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Collections.Generic;

            public sealed class Connection
            {
                private static readonly List<Connection> [|All|] = new();

                public Connection() => All.Add(this);
            }
            """);
    }

    [Fact]
    public async Task Reports_PrivateHelperAlsoCalledAtRuntime()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Collections.Generic;

            public static class Routes
            {
                private static readonly Dictionary<string, string> [|Map|] = new();

                static Routes() => Register("/", "home");

                public static void Learn(string path, string name) => Register(path, name);

                private static void Register(string path, string name) => Map[path] = name;
            }
            """);
    }

    /// <summary>The inner collection shrinks, the outer one only grows: <c>Rooms[key].Remove(x)</c> does not bound <c>Rooms</c>.</summary>
    [Fact]
    public async Task Reports_RemovingFromAnInnerCollectionDoesNotBoundTheOuterOne()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Collections.Concurrent;
            using System.Collections.Generic;

            public static class ChatRooms
            {
                private static readonly ConcurrentDictionary<string, HashSet<string>> [|Rooms|] = new();

                public static void Join(string room, string user)
                {
                    lock (Rooms)
                        Rooms.GetOrAdd(room, _ => new HashSet<string>()).Add(user);
                }

                public static void Leave(string room, string user)
                {
                    lock (Rooms)
                        Rooms[room].Remove(user);
                }
            }
            """);
    }

    [Fact]
    public async Task Reports_ReadsAndACountCheckOfAnotherCollectionDoNotBoundIt()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Collections.Generic;
            using System.Linq;

            public static class Visitors
            {
                private static readonly List<string> Recent = new();
                private static readonly HashSet<string> [|Seen|] = new();

                public static int Unique => Seen.Count;

                public static IEnumerable<string> Report() => Seen.Where(s => s.Length > 0).OrderBy(s => s).ToList();

                public static void Visit(string ip)
                {
                    foreach (var s in Seen)
                        System.Console.WriteLine(s);
                    if (Recent.Count < 100)
                        Seen.Add(ip);
                    System.Console.WriteLine(string.Join(",", Seen));
                }
            }
            """);
    }

    [Fact]
    public async Task Reports_GenericKeyOfABoundedTypeButUnboundedTuple()
    {
        await Analyze.DiagnosticsAsync("""
            using System;
            using System.Collections.Concurrent;

            public static class Handlers
            {
                private static readonly ConcurrentDictionary<(Type Type, string Name), object> [|ByName|] = new();

                public static object Get(Type type, string name) => ByName.GetOrAdd((type, name), k => Activator.CreateInstance(k.Type)!);
            }
            """);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Does not report: the traps

    [Fact]
    public async Task DoesNotReport_FilledOnlyDuringStaticInitialization()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System;
            using System.Collections.Generic;
            using System.Linq;
            using System.Runtime.CompilerServices;

            public enum Kind { Small, Large }

            public static class Lookups
            {
                private static readonly Dictionary<string, int> Codes = new() { ["a"] = 1, ["b"] = 2 };
                private static readonly Dictionary<int, string> Names = new();
                private static readonly HashSet<string> Reserved = new();
                private static readonly List<string> Aliases = new();
                private static readonly Dictionary<string, string> Mirrors = Build();
                private static readonly int Primed = Prime();
                private static readonly bool Seeded = Reserved.Add("system");
                public static readonly List<string> Registered = new();

                static Lookups()
                {
                    foreach (var kind in Enum.GetValues<Kind>())
                        Names[(int)kind] = kind.ToString();
                    new[] { "admin", "root" }.ToList().ForEach(r => Reserved.Add(r));
                    void Alias(string a) => Aliases.Add(a);
                    Alias("x");
                }

                private static Dictionary<string, string> Build()
                {
                    var map = new Dictionary<string, string>();
                    map["a"] = "b";
                    return map;
                }

                private static int Prime()
                {
                    Names[-1] = "none";
                    return 0;
                }

                [ModuleInitializer]
                internal static void Init() => Registered.Add("boot");

                public static int Code(string key) => Codes[key] + Names.Count + Reserved.Count + Aliases.Count + Mirrors.Count + Primed + (Seeded ? 1 : 0);
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_GrowthAtStartupInTopLevelStatements()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Collections.Generic;
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Http;

            var builder = WebApplication.CreateBuilder(args);
            foreach (var origin in builder.Configuration.GetSection("Cors").GetChildren())
                Settings.AllowedOrigins.Add(origin.Value ?? "");
            var app = builder.Build();
            app.MapGet("/origins", () => Settings.AllowedOrigins.Count);
            app.Run();

            public static class Settings
            {
                public static readonly List<string> AllowedOrigins = new();
            }
            """, new TestSettings { OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication });
    }

    [Fact]
    public async Task Reports_GrowthInAnEndpointMappedByTopLevelStatements()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Collections.Generic;
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Http;

            var app = WebApplication.CreateBuilder(args).Build();
            Settings.AllowedOrigins.Add("https://example.org");
            app.MapPost("/origins", (string origin) => Settings.AllowedOrigins.Add(origin));
            app.Run();

            public static class Settings
            {
                public static readonly List<string> [|AllowedOrigins|] = new();
            }
            """, new TestSettings { OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication });
    }

    [Fact]
    public async Task DoesNotReport_PrivateHelpersCalledOnlyDuringInitialization()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Collections.Generic;

            public static class Routes
            {
                private static readonly Dictionary<string, string> Map = new();

                static Routes()
                {
                    Register("/", "home");
                    RegisterAll();
                }

                private static void RegisterAll()
                {
                    Register("/about", "about");
                    Register("/contact", "contact");
                }

                private static void Register(string path, string name) => Map[path] = name;

                public static string? Find(string path) => Map.TryGetValue(path, out var name) ? name : null;
            }
            """);
    }

    [Theory]
    [InlineData("Type", "System.Type")]
    [InlineData("PropertyInfo[]", "System.Type")]
    [InlineData("MethodInfo", "MemberInfo")]
    [InlineData("string", "PropertyInfo")]
    [InlineData("string", "Assembly")]
    [InlineData("string", "Module")]
    [InlineData("string", "ParameterInfo")]
    [InlineData("string", "Color")]
    [InlineData("string", "Color?")]
    [InlineData("string", "bool")]
    [InlineData("string", "byte")]
    [InlineData("string", "(Type, bool)")]
    public async Task DoesNotReport_KeysOfABoundedType(string value, string key)
    {
        await Analyze.NoDiagnosticsAsync($$"""
            using System;
            using System.Collections.Concurrent;
            using System.Reflection;

            public enum Color { Red, Green }

            public static class ReflectionCache
            {
                private static readonly ConcurrentDictionary<{{key}}, {{value}}> Cache = new();

                public static void Put({{key}} key, {{value}} value) => Cache[key] = value;
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_KeysOfATypeParameterConstrainedToABoundedType()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System;
            using System.Collections.Concurrent;
            using System.Collections.Generic;

            public static class EnumNames<T> where T : struct, Enum
            {
                private static readonly Dictionary<T, string> Names = new();

                public static string Of(T value)
                {
                    if (!Names.TryGetValue(value, out var name))
                        Names[value] = name = value.ToString();
                    return name;
                }
            }

            public static class Handlers<TKey> where TKey : Type
            {
                private static readonly ConcurrentDictionary<TKey, object> Cache = new();
                public static object Get(TKey key) => Cache.GetOrAdd(key, k => Activator.CreateInstance(k)!);
            }
            """);
    }

    [Fact]
    public async Task Reports_KeysOfAnUnconstrainedTypeParameter()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Collections.Generic;

            public static class Memo<TKey> where TKey : notnull
            {
                private static readonly Dictionary<TKey, string> [|Texts|] = new();

                public static string Of(TKey key)
                {
                    if (!Texts.TryGetValue(key, out var text))
                        Texts[key] = text = key.ToString() ?? "";
                    return text;
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_SetsAndListsOfABoundedElementType()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System;
            using System.Collections.Generic;

            public static class Plugins
            {
                private static readonly HashSet<Type> Loaded = new();
                private static readonly List<System.Reflection.Assembly> Scanned = new();

                public static void Load(Type type)
                {
                    Loaded.Add(type);
                    Scanned.Add(type.Assembly);
                }
            }
            """);
    }

    [Theory]
    [InlineData("public static void Forget(string key) => Cache.TryRemove(key, out _);")]
    [InlineData("public static void Reset() => Cache.Clear();")]
    [InlineData("public static void Reset() => Cache = new();")]
    [InlineData("public static void Reset() => System.Threading.Interlocked.Exchange(ref Cache, new());")]
    [InlineData("public static void Expire(string key, System.Threading.CancellationToken token) => token.Register(() => Cache.TryRemove(key, out _));")]
    [InlineData("private static readonly System.Threading.Timer Sweeper = new(_ => Cache.Clear(), null, 60_000, 60_000);")]
    [InlineData("public static void Forget(string key) => System.Collections.Generic.CollectionExtensions.Remove(Cache, key, out _);")]
    [InlineData("public static void Forget(string key) => ((System.Collections.Generic.IDictionary<string, string>)Cache).Remove(key);")]
    public async Task DoesNotReport_AnEvictionAnywhere(string eviction)
    {
        await Analyze.NoDiagnosticsAsync($$"""
            using System.Collections.Concurrent;

            public static class Sessions
            {
                private static ConcurrentDictionary<string, string> Cache = new();

                public static void Start(string key, string user) => Cache[key] = user;

                {{eviction}}
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_EvictionInAnotherPartialFile()
    {
        await Analyze.NoDiagnosticsAsync([
            """
            using System.Collections.Generic;

            public sealed partial class ProductCache
            {
                private static readonly Dictionary<int, string> Names = new();

                public void Put(int id, string name)
                {
                    lock (Names)
                        Names[id] = name;
                }
            }
            """,
            """
            public sealed partial class ProductCache
            {
                public void Invalidate(int id)
                {
                    lock (Names)
                        Names.Remove(id);
                }
            }
            """,
        ]);
    }

    [Fact]
    public async Task DoesNotReport_WiderFieldEvictedByAnotherType()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Collections.Concurrent;

            public static class Tokens
            {
                public static readonly ConcurrentDictionary<string, string> Issued = new();

                public static void Issue(string token, string user) => Issued[token] = user;
            }

            public sealed class TokenSweeper
            {
                public void Revoke(string token) => Tokens.Issued.TryRemove(token, out _);
            }
            """);
    }

    [Theory]
    [InlineData("if (Cache.Count < Max) Cache[key] = value;")]
    [InlineData("if (Cache.Count >= Max) return; Cache[key] = value;")]
    [InlineData("if (Cache.Count >= Max) { throw new System.InvalidOperationException(); } Cache.Add(key, value);")]
    [InlineData("_ = Cache.Count < Max && Cache.TryAdd(key, value);")]
    [InlineData("if (Cache.Keys.Count + 1 > Max) return; Cache[key] = value;")]
    [InlineData("if (Cache.Count is >= Max) return; Cache[key] = value;")]
    [InlineData("if (!IsFull) Cache[key] = value;")]
    [InlineData("if (HasRoom()) Cache[key] = value;")]
    [InlineData("if (Cache.Count() < Max) Cache[key] = value;")]
    [InlineData("while (Cache.Count < Max) Cache[key + Cache.Count] = value;")]
    [InlineData("foreach (var part in key.Split('/')) { if (Cache.Count > Max) break; Cache[part] = value; }")]
    public async Task DoesNotReport_ACountCheckGuardingTheGrowth(string body)
    {
        await Analyze.NoDiagnosticsAsync($$"""
            using System.Collections.Generic;
            using System.Linq;

            public static class Limited
            {
                private const int Max = 1000;
                private static readonly Dictionary<string, string> Cache = new();

                private static bool IsFull => Cache.Count >= Max;

                private static bool HasRoom() => Cache.Count < Max;

                public static void Put(string key, string value)
                {
                    {{body}}
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_ACountCheckInAnotherPartialFile()
    {
        await Analyze.NoDiagnosticsAsync([
            """
            using System.Collections.Generic;

            public static partial class Quota
            {
                private static readonly List<string> Pending = new();

                public static void Queue(string item)
                {
                    if (CanQueue)
                        Pending.Add(item);
                }
            }
            """,
            """
            public static partial class Quota
            {
                private static bool CanQueue => Pending.Count < 500;
            }
            """,
        ]);
    }

    [Fact]
    public async Task DoesNotReport_InstanceFieldsWeakTablesImmutableAndMemoryCaches()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Collections.Concurrent;
            using System.Collections.Frozen;
            using System.Collections.Generic;
            using System.Collections.Immutable;
            using System.Runtime.CompilerServices;
            using Microsoft.Extensions.Caching.Memory;

            public sealed class Meta { }

            public sealed class PerRequestState
            {
                private readonly Dictionary<string, string> _items = new();

                public void Set(string key, string value) => _items[key] = value;
            }

            public static class Holders
            {
                private static readonly ConditionalWeakTable<object, Meta> Attached = new();
                private static ImmutableDictionary<string, int> Snapshot = ImmutableDictionary<string, int>.Empty;
                private static readonly FrozenDictionary<string, int> Frozen = new Dictionary<string, int>().ToFrozenDictionary();
                private static readonly MemoryCache Cache = new(new MemoryCacheOptions { SizeLimit = 100 });
                private static readonly IDictionary<string, int> View = ImmutableDictionary<string, int>.Empty;

                public static void Use(object o, string key)
                {
                    Attached.Add(o, new Meta());
                    ImmutableInterlocked.AddOrUpdate(ref Snapshot, key, 1, (_, n) => n + 1);
                    Cache.Set(key, 1, new MemoryCacheEntryOptions { Size = 1 });
                    _ = Frozen.Count + View.Count;
                }
            }
            """);
    }

    [Theory]
    [InlineData("public static IDictionary<string, int> All => Cache;")]
    [InlineData("public static IDictionary<string, int> All() { return Cache; }")]
    [InlineData("public static void Share() => Consumer.Take(Cache);")]
    [InlineData("public static void Share() { var alias = Cache; alias.Clear(); }")]
    [InlineData("public static void Share() { ref var alias = ref Cache; }")]
    [InlineData("public static readonly IDictionary<string, int> Other = Cache;")]
    [InlineData("public static void Share() => new Consumer(Cache);")]
    public async Task DoesNotReport_ACollectionThatEscapes(string escape)
    {
        await Analyze.NoDiagnosticsAsync($$"""
            using System.Collections.Generic;

            public sealed class Consumer
            {
                public Consumer(IDictionary<string, int> map) { }

                public static void Take(IDictionary<string, int> map) { }
            }

            public static class Counters
            {
                private static Dictionary<string, int> Cache = new();

                public static void Hit(string key) => Cache[key] = Cache.TryGetValue(key, out var n) ? n + 1 : 1;

                {{escape}}
            }
            """);
    }

    /// <summary>The keys are fixed at initialization; only the values (inner collections, counters) change.</summary>
    [Fact]
    public async Task DoesNotReport_GrowthOfValuesUnderAFixedKeySet()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Collections.Generic;

            public static class Rooms
            {
                private static readonly Dictionary<string, List<string>> Members = new()
                {
                    ["lobby"] = new List<string>(),
                    ["support"] = new List<string>(),
                };
                private static readonly Dictionary<string, int> Counts = new() { ["lobby"] = 0 };
                private static readonly List<string> Slots = new() { "", "", "" };

                public static void Join(string room, string user)
                {
                    Members[room].Add(user);
                    Counts["lobby"] += 1;
                    Slots[0] = user;
                }
            }
            """);
    }

    [Fact]
    public async Task DoesNotReport_InterfaceFieldsNotInitializedWithATrackedCollection()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Collections.Generic;
            using System.Collections.ObjectModel;

            public static class Settings
            {
                private static readonly IDictionary<string, string> Values = new SortedDictionaryWrapper();
                private static readonly ICollection<string> Names = new Collection<string>();

                public static void Put(string key, string value)
                {
                    Values[key] = value;
                    Names.Add(key);
                }
            }

            public sealed class SortedDictionaryWrapper : Dictionary<string, string> { }
            """);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Fix: use a size-limited MemoryCache

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
            """, Cache);
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
        ], Cache);
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
            """, new TestSettings { CodeAction = UnboundedStaticCollectionFixer.MemoryCacheTitle, Options = Singletons.Options, FixCompilationEndDiagnostics = true });
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
            """, Cache);
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
            """, new TestSettings { CodeAction = UnboundedStaticCollectionFixer.MemoryCacheTitle, LanguageVersion = Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp8 });
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
        await VerifyCS.FixAsync(NamesSource, NamesSource, new TestSettings { References = References.NetOnly, CodeAction = UnboundedStaticCollectionFixer.MemoryCacheTitle });
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
            """, new TestSettings { References = References.NetOnly });
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
        await VerifyCS.FixAsync(source, source, Cache);
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
        await VerifyCS.FixAsync(source, source, Cache);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Fix: bound the collection

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
                    Func<string, string> mark = u =>
                    {
                        if (LastSeen.Count >= LastSeenCapacity)
                            LastSeen.Clear();
                        return LastSeen[u] = "marked";
                    };
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
        ], Bound);
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
            """, Bound);
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
            """);
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
            """);
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
            """);
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

    private sealed class FixedDiagnostics(ImmutableArray<Diagnostic> diagnostics) : FixAllContext.DiagnosticProvider
    {
        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);

        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) =>
            Task.FromResult(diagnostics.Where(d => d.Location.SourceTree?.FilePath == document.FilePath));

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult(Enumerable.Empty<Diagnostic>());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Options

    [Fact]
    public async Task Option_bounded_key_types_SilencesConfiguredTypesAndTheirSubclasses()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Collections.Concurrent;

            namespace Shop;

            public class Region { }
            public sealed class EuRegion : Region { }
            public readonly record struct TenantId(int Value);

            public static class Prices
            {
                private static readonly ConcurrentDictionary<Region, decimal> ByRegion = new();
                private static readonly ConcurrentDictionary<TenantId, decimal> ByTenant = new();

                public static void Put(EuRegion region, TenantId tenant, decimal price)
                {
                    ByRegion[region] = price;
                    ByTenant[tenant] = price;
                }
            }
            """, new TestSettings { Options = [(UnboundedStaticCollectionAnalyzer.BoundedKeyTypesOption, "Shop.Region, Shop.TenantId")] });
    }

    [Fact]
    public async Task Option_bounded_key_types_OtherKeysAreStillReported()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Collections.Concurrent;

            namespace Shop;

            public class Region { }

            public static class Prices
            {
                private static readonly ConcurrentDictionary<string, decimal> [|BySku|] = new();

                public static void Put(string sku, decimal price) => BySku[sku] = price;
            }
            """, new TestSettings { Options = [(UnboundedStaticCollectionAnalyzer.BoundedKeyTypesOption, "Shop.Region")] });
    }

    [Theory]
    [InlineData("services.AddSingleton<UserCache>();")]
    [InlineData("services.AddSingleton<IUserCache, UserCache>();")]
    [InlineData("services.AddSingleton(typeof(UserCache));")]
    [InlineData("services.AddSingleton(typeof(IUserCache), typeof(UserCache));")]
    [InlineData("services.AddSingleton<IUserCache>(new UserCache());")]
    [InlineData("services.AddSingleton<IUserCache>(sp => new UserCache());")]
    [InlineData("services.AddHostedService<UserCache>();")]
    [InlineData("Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddSingleton<UserCache>(services);")]
    public async Task Option_include_singletons_ReportsInstanceFieldsOfSingletons(string registration)
    {
        await Analyze.DiagnosticsAsync($$"""
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.Extensions.DependencyInjection;
            using Microsoft.Extensions.Hosting;

            public interface IUserCache { void Remember(int id, string name); }

            public sealed class UserCache : IUserCache, IHostedService
            {
                private readonly Dictionary<int, string> [|_names|] = new();

                public UserCache() => _names[0] = "system";

                public void Remember(int id, string name) => _names[id] = name;

                public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

                public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
            }

            public static class Setup
            {
                public static void Configure(IServiceCollection services)
                {
                    {{registration}}
                }
            }
            """, Singletons);
    }

    [Fact]
    public async Task Option_include_singletons_ReportsFieldsOfASingletonsBaseClass()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Collections.Generic;
            using Microsoft.Extensions.DependencyInjection;

            public abstract class KeyedStore
            {
                protected readonly Dictionary<string, string> [|Items|] = new();

                public void Put(string key, string value) => Items[key] = value;
            }

            public sealed class FeatureFlags : KeyedStore { }

            public static class Setup
            {
                public static void Configure(IServiceCollection services) => services.AddSingleton<FeatureFlags>();
            }
            """, Singletons);
    }

    [Fact]
    public async Task Option_include_singletons_GrowthOnlyInTheConstructorIsInitialization()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Collections.Generic;
            using Microsoft.Extensions.DependencyInjection;

            public sealed class CountryNames
            {
                private readonly Dictionary<string, string> _names = new();

                public CountryNames()
                {
                    _names["fr"] = "France";
                    _names["de"] = "Germany";
                }

                public string Name(string code) => _names[code];
            }

            public static class Setup
            {
                public static void Configure(IServiceCollection services) => services.AddSingleton<CountryNames>();
            }
            """, Singletons);
    }

    [Fact]
    public async Task Option_include_singletons_OffByDefault()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Collections.Generic;
            using Microsoft.Extensions.DependencyInjection;

            public sealed class UserCache
            {
                private readonly Dictionary<int, string> _names = new();

                public void Remember(int id, string name) => _names[id] = name;
            }

            public static class Setup
            {
                public static void Configure(IServiceCollection services) => services.AddSingleton<UserCache>();
            }
            """);
    }

    [Fact]
    public async Task Option_include_singletons_ScopedAndTransientServicesAreNotSingletons()
    {
        await Analyze.NoDiagnosticsAsync("""
            using System.Collections.Generic;
            using Microsoft.Extensions.DependencyInjection;

            public sealed class Basket
            {
                private readonly List<string> _items = new();

                public void Add(string item) => _items.Add(item);
            }

            public sealed class Formatter
            {
                private readonly Dictionary<string, string> _seen = new();

                public void See(string s) => _seen[s] = s;
            }

            public static class Setup
            {
                public static void Configure(IServiceCollection services)
                {
                    services.AddScoped<Basket>();
                    services.AddTransient<Formatter>();
                }
            }
            """, Singletons);
    }

    [Fact]
    public async Task Option_cache_size_limit_and_cache_sliding_expiration_minutes_SetTheMemoryCacheBounds()
    {
        await VerifyCS.FixAsync(NamesSource, """
            using System.Collections.Generic;
            using Microsoft.Extensions.Caching.Memory;

            public static class Products
            {
                private static readonly MemoryCache Names = new(new MemoryCacheOptions { SizeLimit = NamesSizeLimit });
                private const int NamesSizeLimit = 2000;
                private const int NamesSlidingExpirationMinutes = 30;
                private static readonly MemoryCacheEntryOptions NamesEntryOptions = new()
                {
                    Size = 1,
                    SlidingExpiration = System.TimeSpan.FromMinutes(NamesSlidingExpirationMinutes)
                };

                public static void Put(int id, string name) => Names.Set(id, name, NamesEntryOptions);
            }
            """, new TestSettings
        {
            CodeAction = UnboundedStaticCollectionFixer.MemoryCacheTitle,
            Options = [(UnboundedStaticCollectionAnalyzer.CacheSizeLimitOption, "2000"), (UnboundedStaticCollectionAnalyzer.CacheSlidingExpirationMinutesOption, "30")],
        });
    }

    [Fact]
    public async Task Option_cache_size_limit_SetsTheCapacityConstant()
    {
        await VerifyCS.FixAsync(NamesSource, """
            using System.Collections.Generic;

            public static class Products
            {
                private static readonly Dictionary<int, string> Names = new();
                private const int NamesCapacity = 250_000;

                public static void Put(int id, string name)
                {
                    if (Names.Count >= NamesCapacity)
                        Names.Clear();
                    Names[id] = name;
                }
            }
            """, new TestSettings { CodeAction = UnboundedStaticCollectionFixer.BoundTitle, Options = [(UnboundedStaticCollectionAnalyzer.CacheSizeLimitOption, "250000")] });
    }
}
