using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.UnboundedStaticCollectionAnalyzer>;

namespace LeakAnalyzers.Tests.Rules;

// Reports: a long-lived collection that grows at runtime and never shrinks.
public sealed partial class UnboundedStaticCollectionTests
{
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
                public IActionResult Touch(string {|#2:user|})
                {
                    lock (LastSeen)
                    {
                        {|#1:LastSeen[user] = System.DateTime.UtcNow.ToString("O")|};
                    }

                    return NoContent();
                }
            }
            """, Analyze.Diagnostic().WithLocation(0).WithLocation(1).WithLocation(2)
                .WithArguments("LastSeen", "keys from the action parameter 'user' of 'SessionsController.Touch'"));
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
            """, Strict);
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
            """, Strict);
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
            """, Strict);
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
        ], Strict);
    }

    [Fact]
    public async Task Reports_GrowthInACallbackRegisteredByTheStaticConstructor_InStrictMode()
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
            """, Strict);
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
            """, Strict);
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
            """, Strict);
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
            """, Strict);
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
            """, Strict);
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
            """, Strict);
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
            """, Strict);
    }
}
