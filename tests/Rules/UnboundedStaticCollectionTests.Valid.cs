using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.UnboundedStaticCollectionAnalyzer>;

namespace LeakAnalyzers.Tests.Rules;

// Does not report: the traps (initialization, bounded keys, evictions, capacity checks, escapes).
public sealed partial class UnboundedStaticCollectionTests
{
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
}
