using LeakAnalyzers.Helpers;
using System.Collections.Immutable;
using LeakAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Xunit;

namespace LeakAnalyzers.Tests.Model;

/// <summary>
/// LEAK001's model asked directly (<see cref="Collections"/>): which types are tracked and the shape of their keys, which
/// keys are bounded, what one reference of a field does to its collection, which capacity checks guard a growth, and
/// which growth sites count once every reference has been seen.
/// </summary>
public sealed class CollectionsTests
{
    private const string Usings = """
        using System;
        using System.Collections;
        using System.Collections.Concurrent;
        using System.Collections.Generic;
        using System.Collections.Immutable;
        using System.Linq;
        using System.Reflection;
        using System.Threading;

        """;

    // ---------------------------------------------------------------------------------------------------------------
    // Shapes

    [Theory]
    [InlineData("Dictionary<string, int>", true, "string", "int", false)]
    [InlineData("ConcurrentDictionary<Guid, object>", true, "System.Guid", "object", false)]
    [InlineData("SortedList<long, string>", true, "long", "string", false)]
    [InlineData("Hashtable", true, "object", null, false)]
    [InlineData("HashSet<string>", false, "string", null, false)]
    [InlineData("ConcurrentQueue<int>", false, "int", null, false)]
    [InlineData("IDictionary<string, int>", true, "string", "int", true)]
    [InlineData("IList<string>", false, "string", null, true)]
    [InlineData("IDictionary", true, "object", null, true)]
    public async Task ShapeOf_TrackedTypes(string type, bool keyed, string key, string? value, bool isInterface)
    {
        var (compilation, collections) = await CompileAsync($$"""
            public static class Holder { public static {{type}} Items; }
            """);

        var shape = collections.ShapeOf(FieldType(compilation, "Items"));

        Assert.NotNull(shape);
        Assert.Equal(keyed, shape.Value.Keyed);
        Assert.Equal(key, shape.Value.Key.ToDisplayString());
        Assert.Equal(value, shape.Value.Value?.ToDisplayString());
        Assert.Equal(isInterface, shape.Value.IsInterface);
    }

    [Theory]
    [InlineData("ImmutableDictionary<string, int>")]
    [InlineData("ConditionalWeakTable<string, object>")]
    [InlineData("LinkedList<string>")]
    [InlineData("IEnumerable<string>")]
    [InlineData("string[]")]
    public async Task ShapeOf_UntrackedTypes(string type)
    {
        var (compilation, collections) = await CompileAsync($$"""
            using System.Runtime.CompilerServices;
            public static class Holder { public static {{type}} Items; }
            """);

        var fieldType = compilation.GetTypeByMetadataName("Holder")!.GetMembers("Items").OfType<IFieldSymbol>().Single().Type;

        Assert.False(fieldType is INamedTypeSymbol named && (collections.IsTracked(named) || collections.ShapeOf(named) is not null));
    }

    [Theory]
    [InlineData("new Dictionary<string, int>()", true)]
    [InlineData("new HashSet<string>()", true)]
    [InlineData("new Hashtable()", true)]
    [InlineData("new SortedDictionary<string, int>()", true)]
    [InlineData("ImmutableDictionary<string, int>.Empty.ToBuilder()", false)]
    [InlineData("new Wrapper()", false)]
    public async Task IsTrackedCreation_OnlyTheConcreteTrackedCollections(string creation, bool tracked)
    {
        var (compilation, collections) = await CompileAsync($$"""
            public sealed class Wrapper : Dictionary<string, int> { }
            public static class Holder { public static object Items = {{creation}}; }
            """);

        var value = Initializer(compilation, "Items").Value.WalkDownConversions();

        Assert.Equal(tracked, collections.IsTrackedCreation(value.Type));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Bounded keys

    [Theory]
    [InlineData("Color", true)]
    [InlineData("bool", true)]
    [InlineData("byte", true)]
    [InlineData("Color?", true)]
    [InlineData("(Color, bool)", true)]
    [InlineData("Type", true)]
    [InlineData("PropertyInfo", true)]
    [InlineData("Assembly", true)]
    [InlineData("string", false)]
    [InlineData("int", false)]
    [InlineData("Guid", false)]
    [InlineData("(Color, string)", false)]
    [InlineData("object", false)]
    public async Task IsBoundedKey_ClosedDomainsAndReflectionObjects(string key, bool bounded)
    {
        var (compilation, collections) = await CompileAsync($$"""
            public enum Color { Red, Green }
            public static class Holder { public static Dictionary<{{key}}, int> Items; }
            """);

        var shape = collections.ShapeOf(FieldType(compilation, "Items"))!.Value;

        Assert.Equal(bounded, collections.IsBoundedKey(shape.Key, ConfiguredTypes.Empty));
    }

    [Fact]
    public async Task IsBoundedKey_TypeParametersConstrainedToABoundedType()
    {
        var (compilation, collections) = await CompileAsync("""
            public static class Names<TEnum, TType, TAny> where TEnum : struct, Enum where TType : Type
            {
                public static Dictionary<TEnum, int> ByEnum;
                public static Dictionary<TType, int> ByType;
                public static Dictionary<TAny, int> ByAny;
            }
            """);
        var holder = compilation.GetTypeByMetadataName("Names`3")!;

        bool Bounded(string field) => collections.IsBoundedKey(collections.ShapeOf((INamedTypeSymbol)holder.GetMembers(field).OfType<IFieldSymbol>().Single().Type)!.Value.Key, ConfiguredTypes.Empty);

        Assert.True(Bounded("ByEnum"));
        Assert.True(Bounded("ByType"));
        Assert.False(Bounded("ByAny"));
    }

    [Fact]
    public async Task IsBoundedKey_ConfiguredTypesTheirSubclassesAndImplementations()
    {
        var (compilation, collections) = await CompileAsync("""
            namespace Shop
            {
                public class Region { }
                public sealed class EuRegion : Region { }
                public interface ITenant { }
                public sealed class Tenant : ITenant { }
                public sealed class Sku { }
            }
            """);
        var configured = KnownTypes.Get(compilation).Configured(["Shop.Region", "Shop.ITenant"]);

        Assert.True(collections.IsBoundedKey(compilation.GetTypeByMetadataName("Shop.EuRegion")!, configured));
        Assert.True(collections.IsBoundedKey(compilation.GetTypeByMetadataName("Shop.Tenant")!, configured));
        Assert.False(collections.IsBoundedKey(compilation.GetTypeByMetadataName("Shop.Sku")!, configured));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Growth: what one reference does

    [Theory]
    [InlineData("Cache[key] = 1;", nameof(CollectionUseKind.Growth))]
    [InlineData("Cache.Add(key, 1);", nameof(CollectionUseKind.Growth))]
    [InlineData("Cache.TryAdd(key, 1);", nameof(CollectionUseKind.Growth))]
    [InlineData("Cache?.Add(key, 1);", nameof(CollectionUseKind.Growth))]
    [InlineData("((ICollection<KeyValuePair<string, int>>)Cache).Add(new(key, 1));", nameof(CollectionUseKind.Growth))]
    [InlineData("CollectionExtensions.TryAdd(Cache, key, 1);", nameof(CollectionUseKind.Growth))]
    [InlineData("Cache.Remove(key);", nameof(CollectionUseKind.Eviction))]
    [InlineData("Cache.Clear();", nameof(CollectionUseKind.Eviction))]
    [InlineData("CollectionExtensions.Remove(Cache, key, out _);", nameof(CollectionUseKind.Eviction))]
    [InlineData("Cache.TryGetValue(key, out _);", nameof(CollectionUseKind.Read))]
    [InlineData("_ = Cache.Count;", nameof(CollectionUseKind.Read))]
    [InlineData("foreach (var pair in Cache) { }", nameof(CollectionUseKind.Read))]
    [InlineData("lock (Cache) { }", nameof(CollectionUseKind.Read))]
    [InlineData("_ = Cache.Where(p => p.Value > 1).ToList();", nameof(CollectionUseKind.Read))]
    [InlineData("Monitor.Enter(Cache);", nameof(CollectionUseKind.Read))]
    [InlineData("ReadOnly(Cache);", nameof(CollectionUseKind.Read))]
    [InlineData("_ = nameof(Cache);", nameof(CollectionUseKind.Read))]
    [InlineData("Cache = new();", nameof(CollectionUseKind.Reassignment))]
    [InlineData("Interlocked.Exchange(ref Cache, new());", nameof(CollectionUseKind.Reassignment))]
    [InlineData("(Cache, _) = (new Dictionary<string, int>(), 1);", nameof(CollectionUseKind.Reassignment))]
    [InlineData("Mutable(Cache);", nameof(CollectionUseKind.Escape))]
    [InlineData("var alias = Cache;", nameof(CollectionUseKind.Escape))]
    public async Task ClassifyUse_WhatOneReferenceDoes(string statement, string expected)
    {
        var (compilation, collections) = await CompileAsync($$"""
            public static class Registry
            {
                private static Dictionary<string, int> Cache = new();

                public static void Use(string key)
                {
                    {{statement}}
                }

                private static void ReadOnly(IReadOnlyDictionary<string, int> map) { }

                private static void Mutable(IDictionary<string, int> map) { }
            }
            """);
        var reference = References(compilation, "Cache").Single(r => r.Containing.Name == "Use").Reference;

        var use = collections.ClassifyUse(reference, collections.ShapeOf((INamedTypeSymbol)reference.Field.Type)!.Value);

        Assert.Equal(expected, use.Kind.ToString());
    }

    [Fact]
    public async Task ClassifyUse_AListsIndexerReplacesADictionarysAdds()
    {
        var (compilation, collections) = await CompileAsync("""
            public static class Registry
            {
                private static List<string> Names = new();
                private static Dictionary<int, string> ById = new();

                public static void Use(int id, string name)
                {
                    Names[0] = name;
                    ById[id] = name;
                }
            }
            """);

        CollectionUseKind KindOf(string field)
        {
            var reference = References(compilation, field).Single().Reference;
            return collections.ClassifyUse(reference, collections.ShapeOf((INamedTypeSymbol)reference.Field.Type)!.Value).Kind;
        }

        Assert.Equal(CollectionUseKind.Read, KindOf("Names"));
        Assert.Equal(CollectionUseKind.Growth, KindOf("ById"));
    }

    [Theory]
    [InlineData("Cache[key] = 1;")]
    [InlineData("Cache.Add(key, 1);")]
    [InlineData("CollectionExtensions.TryAdd(Cache, key, 1);")]
    [InlineData("Array.ForEach(new[] { key }, k => Set.Add(k));")]
    public async Task ReceiverOf_TheCollectionAGrowthActsOn(string statement)
    {
        var (compilation, collections) = await CompileAsync($$"""
            public static class Registry
            {
                private static Dictionary<string, int> Cache = new();
                private static HashSet<string> Set = new();

                public static void Use(string key)
                {
                    {{statement}}
                }
            }
            """);
        var reference = References(compilation, "Cache").Concat(References(compilation, "Set")).Single().Reference;

        var use = collections.ClassifyUse(reference, collections.ShapeOf((INamedTypeSymbol)reference.Field.Type)!.Value);

        Assert.Equal(CollectionUseKind.Growth, use.Kind);
        Assert.Same(reference, Collections.ReceiverOf(use.Member));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Guards

    [Theory]
    [InlineData("if (Cache.Count < Max) Cache[key] = 1;", true)]
    [InlineData("if (Cache.Count >= Max) return; Cache[key] = 1;", true)]
    [InlineData("if (Cache.Count() > Max) throw new InvalidOperationException(); Cache[key] = 1;", true)]
    [InlineData("if (Cache.Keys.Count + 1 <= Max) Cache[key] = 1;", true)]
    [InlineData("_ = Cache.Count is < Max && Cache.TryAdd(key, 1);", true)]
    [InlineData("while (Cache.Count < Max) Cache[key + Cache.Count] = 1;", true)]
    [InlineData("if (Other.Count < Max) Cache[key] = 1;", false)]
    [InlineData("if (key.Length < Max) Cache[key] = 1;", false)]
    [InlineData("Cache[key] = 1;", false)]
    public async Task FindGuard_ACountCheckAroundOrBeforeTheGrowth(string body, bool direct)
    {
        var (compilation, collections) = await CompileAsync($$"""
            public static class Limited
            {
                private const int Max = 100;
                private static Dictionary<string, int> Cache = new();
                private static Dictionary<string, int> Other = new();

                public static void Use(string key)
                {
                    {{body}}
                }
            }
            """);
        var field = compilation.GetTypeByMetadataName("Limited")!.GetMembers("Cache").OfType<IFieldSymbol>().Single();
        var growth = References(compilation, "Cache")
            .Select(r => collections.ClassifyUse(r.Reference, collections.ShapeOf((INamedTypeSymbol)field.Type)!.Value))
            .Single(u => u.Kind == CollectionUseKind.Growth);

        Assert.Equal(direct, Collections.FindGuard(growth.Member, field, CancellationToken.None).Direct);
    }

    [Fact]
    public async Task FindGuard_NamesTheMembersTheConditionCalls()
    {
        var (compilation, collections) = await CompileAsync("""
            public static class Limited
            {
                private static Dictionary<string, int> Cache = new();

                private static bool IsFull => Cache.Count >= 100;

                public static void Use(string key)
                {
                    if (!IsFull)
                        Cache[key] = 1;
                }
            }
            """);
        var type = compilation.GetTypeByMetadataName("Limited")!;
        var field = type.GetMembers("Cache").OfType<IFieldSymbol>().Single();
        var references = References(compilation, "Cache");
        var growth = collections.ClassifyUse(references.Single(r => r.Containing.Name == "Use").Reference, collections.ShapeOf((INamedTypeSymbol)field.Type)!.Value);
        var check = references.Single(r => r.Containing.Name != "Use");

        var guard = Collections.FindGuard(growth.Member, field, CancellationToken.None);

        Assert.False(guard.Direct);
        Assert.Contains(type.GetMembers("IsFull").Single(), guard.Members, SymbolEqualityComparer.Default);
        Assert.True(Collections.IsCountComparison(check.Reference));
        Assert.Equal(type.GetMembers("IsFull").Single(), Collections.GuardMember(check.Containing), SymbolEqualityComparer.Default);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Fields: the facts gathered and the sites that count

    [Fact]
    public async Task Evaluate_CountsRuntimeGrowthInSourceOrder_NotInitializationNorHelpersOnlyInitializationCalls()
    {
        var (compilation, collections, fields, calls) = await RecordAsync("""
            public static class Routes
            {
                private static readonly Dictionary<string, string> Map = new() { ["/"] = "home" };

                static Routes()
                {
                    Map["/about"] = "about";
                    Register("/help", "help");
                }

                private static void Register(string path, string page) => Map[path] = page;

                public static void Add(string path) => Map[path] = path;

                public static void Alias(string path) => Map.TryAdd(path + "/", path);
            }
            """, "Routes");

        // Strict: which sites run at runtime, whatever their keys (a public method nothing here calls gives unknown keys).
        var sites = Evaluate(compilation, fields["Map"], calls, strict: true);

        Assert.Equal(["Map[path] = path", "Map.TryAdd(path + \"/\", path)"], sites.Select(s => s.SourceTree!.GetText().ToString(s.SourceSpan)));
    }

    [Fact]
    public async Task Evaluate_AHelperAlsoCalledAtRuntimeCounts()
    {
        var (compilation, _, fields, calls) = await RecordAsync("""
            public static class Routes
            {
                private static readonly Dictionary<string, string> Map = new();

                static Routes() => Register("/", "home");

                public static void Add(string path) => Register(path, path);

                private static void Register(string path, string page) => Map[path] = page;
            }
            """, "Routes");

        Assert.Single(Evaluate(compilation, fields["Map"], calls, strict: true));     // the runtime call counts, whatever its key
    }

    [Theory]
    [InlineData("Map.Remove(path);")]
    [InlineData("Map = new();")]
    [InlineData("Keep(Map);")]
    public async Task Evaluate_EvictedReassignedOrEscapedFieldsAreSettled(string statement)
    {
        var (compilation, _, fields, calls) = await RecordAsync($$"""
            public static class Routes
            {
                private static Dictionary<string, string> Map = new();

                public static void Add(string path) => Map[path] = path;

                public static void Other(string path)
                {
                    {{statement}}
                }

                private static void Keep(IDictionary<string, string> map) { }
            }
            """, "Routes");

        Assert.True(fields["Map"].IsSettled);
        Assert.Empty(Evaluate(compilation, fields["Map"], calls));
    }

    [Fact]
    public async Task Evaluate_ACountCheckInAMemberTheGuardCalls()
    {
        var (compilation, _, fields, calls) = await RecordAsync("""
            public static class Quota
            {
                private static readonly HashSet<string> Users = new();

                private static bool HasRoom() => Users.Count < 100;

                public static void Add(string user)
                {
                    if (HasRoom())
                        Users.Add(user);
                }
            }
            """, "Quota");

        Assert.Empty(Evaluate(compilation, fields["Users"], calls));
    }

    [Theory]
    [InlineData("new Dictionary<string, int>()", true)]
    [InlineData("new Dictionary<string, int>(16)", true)]
    [InlineData("new Dictionary<string, int>(StringComparer.Ordinal)", false)]
    [InlineData("new Dictionary<string, int> { [\"a\"] = 1 }", false)]
    public async Task CanBecomeMemoryCache_OnlyAPlainCreation(string creation, bool plain)
    {
        var (_, _, fields, _) = await RecordAsync($$"""
            public static class Registry
            {
                private static readonly IDictionary<string, int> Items = {{creation}};

                public static void Add(string key) => Items[key] = 1;
            }
            """, "Registry");

        Assert.Equal(plain, fields["Items"].CanBecomeMemoryCache);
    }

    [Theory]
    [InlineData("List<string>", true)]
    [InlineData("ConcurrentQueue<string>", true)]
    [InlineData("IProducerConsumerCollection<string>", false)]
    public async Task CanBeCleared_HasCountAndClear(string type, bool clearable)
    {
        var (compilation, _) = await CompileAsync($$"""
            public static class Holder { public static {{type}} Items; }
            """);

        Assert.Equal(clearable, Collections.CanBeCleared(FieldType(compilation, "Items")));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Conventions the growth classification relies on

    [Theory]
    [InlineData("Add", true, false)]
    [InlineData("GetOrAdd", true, false)]
    [InlineData("UnionWith", true, false)]
    [InlineData("TryRemove", false, true)]
    [InlineData("ExceptWith", false, true)]
    [InlineData("TryGetValue", false, false)]
    [InlineData("TryUpdate", false, false)]
    public void Conventions_CollectionGrowthAndEvictionNames(string name, bool growth, bool eviction)
    {
        Assert.Equal(growth, Conventions.IsCollectionGrowth(name));
        Assert.Equal(eviction, Conventions.IsCollectionEviction(name));
    }

    [Fact]
    public async Task Conventions_ExtensionMethodsByTheirNames()
    {
        var (compilation, _) = await CompileAsync("""
            public static class Extensions
            {
                public static void AddRange(this ICollection<string> items, string item) { }
                public static void Remove(this ICollection<string> items, string item) { }
                public static void ForEach(this IEnumerable<string> items, Action<string> action) { }
                public static int Count(this ICollection<string> items) => 0;
                public static void Add(ICollection<string> items, string item) { }
            }
            """);
        IMethodSymbol Method(string name) => compilation.GetTypeByMetadataName("Extensions")!.GetMembers(name).OfType<IMethodSymbol>().First(m => m.IsExtensionMethod || name == "Add");

        Assert.True(Conventions.IsGrowthExtension(Method("AddRange")));
        Assert.True(Conventions.IsEvictionExtension(Method("Remove")));
        Assert.False(Conventions.IsGrowthExtension(Method("Add")));        // not an extension method
        Assert.True(Conventions.RunsCallbackInPlace(Method("ForEach")));
        Assert.True(Conventions.IsCountExtension(Method("Count")));
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static async Task<(Compilation Compilation, Collections Collections)> CompileAsync(string source)
    {
        var compilation = await AllAnalyzers.CompileAsync([("/0/Test.cs", Usings + source)]);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return (compilation, Domain.Get(compilation).Collections!);
    }

    /// <summary>
    /// Every field of <paramref name="typeName"/> with a tracked type, and the facts an analysis gathers about them:
    /// each reference and initializer recorded, and the type's calls of its private methods.
    /// </summary>
    /// <summary>The growth sites that count with the compilation's call sites (with <paramref name="strict"/>, every runtime site whatever its key).</summary>
    private static ImmutableArray<Location> Evaluate(Compilation compilation, CollectionField field, CallGraph calls, bool strict = false) =>
        field.Evaluate(calls, Domain.Get(compilation).Provenance, strict).Sites.Select(s => s.Location).ToImmutableArray();

    private static async Task<(Compilation Compilation, Collections Collections, Dictionary<string, CollectionField> Fields, CallGraph Calls)> RecordAsync(string source, string typeName)
    {
        var (compilation, collections) = await CompileAsync(source);
        var type = compilation.GetTypeByMetadataName(typeName)!;
        var domain = Domain.Get(compilation);
        var calls = CallGraph.ForAssembly(compilation.Assembly, domain.Lifetimes, domain.Provenance, domain.RequestScope);
        var fields = type.GetMembers().OfType<IFieldSymbol>()
            .Where(f => f.Type is INamedTypeSymbol named && collections.IsTracked(named))
            .ToDictionary(f => f.Name, f => new CollectionField(f, collections.ShapeOf((INamedTypeSymbol)f.Type)!.Value));
        foreach (var (operation, containing) in MemberOperations.All(compilation))
        {
            switch (operation)
            {
                case IInvocationOperation or IObjectCreationOperation or IMethodReferenceOperation:
                    calls.Record(operation, containing);
                    break;
                case IFieldReferenceOperation reference when fields.TryGetValue(reference.Field.Name, out var field):
                    collections.Record(field, reference, containing, CancellationToken.None);
                    break;
                case IFieldInitializerOperation initializer:
                    foreach (var initialized in initializer.InitializedFields)
                    {
                        if (fields.TryGetValue(initialized.Name, out var field))
                            collections.RecordInitializer(field, initializer.Value);
                    }

                    break;
            }
        }

        return (compilation, collections, fields, calls);
    }

    /// <summary>Every reference of the field named <paramref name="name"/>, with the member whose body holds it.</summary>
    private static List<(IFieldReferenceOperation Reference, ISymbol Containing)> References(Compilation compilation, string name) =>
        MemberOperations.All(compilation)
            .Where(o => o.Operation is IFieldReferenceOperation reference && reference.Field.Name == name)
            .Select(o => ((IFieldReferenceOperation)o.Operation, o.Containing))
            .ToList();

    private static INamedTypeSymbol FieldType(Compilation compilation, string name) =>
        (INamedTypeSymbol)compilation.GetTypeByMetadataName("Holder")!.GetMembers(name).OfType<IFieldSymbol>().Single().Type;

    private static IFieldInitializerOperation Initializer(Compilation compilation, string name) =>
        MemberOperations.All(compilation).Select(o => o.Operation).OfType<IFieldInitializerOperation>().Single(i => i.InitializedFields.Any(f => f.Name == name));
}
