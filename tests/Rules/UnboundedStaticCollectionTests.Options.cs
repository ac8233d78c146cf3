using LeakAnalyzers.Rules;
using Xunit;
using Analyze = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.UnboundedStaticCollectionAnalyzer>;
using VerifyCS = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.UnboundedStaticCollectionAnalyzer, LeakAnalyzers.Rules.UnboundedStaticCollectionFixer>;

namespace LeakAnalyzers.Tests.Rules;

// Options: LEAK001.bounded_key_types, include_singletons, cache_size_limit, cache_sliding_expiration_minutes.
public sealed partial class UnboundedStaticCollectionTests
{
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
            """, new TestSettings { Options = [(UnboundedStaticCollectionAnalyzer.StrictOption, "true"), (UnboundedStaticCollectionAnalyzer.BoundedKeyTypesOption, "Shop.Region")] });
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
            """, StrictSingletons);
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
            """, StrictSingletons);
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
    public async Task Option_include_singletons_OnByDefaultWithDependencyInjection()
    {
        await Analyze.DiagnosticsAsync("""
            using System.Collections.Generic;
            using Microsoft.Extensions.DependencyInjection;

            public sealed class UserCache
            {
                private readonly Dictionary<int, string> [|_names|] = new();

                public void Remember(int id, string name) => _names[id] = name;
            }

            public static class Setup
            {
                public static void Configure(IServiceCollection services) => services.AddSingleton<UserCache>();
            }
            """, Strict);
    }

    [Fact]
    public async Task Option_include_singletons_FalseTurnsSingletonsOff()
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
            """, new TestSettings { Options = [(UnboundedStaticCollectionAnalyzer.IncludeSingletonsOption, "false")] });
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
            FixCompilationEndDiagnostics = true,
            Options = [(UnboundedStaticCollectionAnalyzer.StrictOption, "true"), (UnboundedStaticCollectionAnalyzer.CacheSizeLimitOption, "2000"), (UnboundedStaticCollectionAnalyzer.CacheSlidingExpirationMinutesOption, "30")],
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
            """, new TestSettings { CodeAction = UnboundedStaticCollectionFixer.BoundTitle, FixCompilationEndDiagnostics = true, Options = [(UnboundedStaticCollectionAnalyzer.StrictOption, "true"), (UnboundedStaticCollectionAnalyzer.CacheSizeLimitOption, "250000")] });
    }
}
