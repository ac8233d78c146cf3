using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using LeakAnalyzers.Tests.Catalog;

namespace LeakAnalyzers.Tests.Robustness;

/// <summary>Inputs for the robustness tests: every test and sample source, broken on purpose, and generated extremes.</summary>
internal static class Corpus
{
    private static string Root => CatalogTests.FindRepositoryRoot();

    /// <summary>Every C# snippet the rule tests feed the analyzers (their raw string literals), markup removed.</summary>
    public static IReadOnlyList<(string Name, string Text)> TestSources()
    {
        var result = new List<(string, string)>();
        foreach (var file in Directory.GetFiles(Path.Combine(Root, "tests", "Rules"), "*.cs").OrderBy(f => f, StringComparer.Ordinal))
        {
            var tree = CSharpSyntaxTree.ParseText(File.ReadAllText(file));
            var index = 0;
            foreach (var token in tree.GetRoot().DescendantTokens())
            {
                if (!token.IsKind(SyntaxKind.MultiLineRawStringLiteralToken) && !token.IsKind(SyntaxKind.InterpolatedMultiLineRawStringStartToken))
                    continue;
                var text = token.IsKind(SyntaxKind.MultiLineRawStringLiteralToken)
                    ? token.ValueText
                    : ((InterpolatedStringExpressionSyntax)token.Parent!).Contents.ToString();
                if (text.Length >= 80)
                    result.Add(($"{Path.GetFileNameWithoutExtension(file)}#{index++}.cs", FixChecks.StripMarkup(text)));
            }
        }

        return result;
    }

    /// <summary>The clean corpus (tests/Samples) and the leaky sample app (samples/LeakyApi).</summary>
    public static IReadOnlyList<(string Name, string Text)> SampleSources() =>
        Directory.GetFiles(Path.Combine(Root, "tests", "Samples"), "*.cs", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(Root, "samples"), "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/") && !f.Contains("/bin/")))
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => (Path.GetRelativePath(Root, f), File.ReadAllText(f)))
            .ToList();

    /// <summary>Each source cut at evenly spaced and random points, and with random tokens deleted (seeded: the same every run).</summary>
    public static IEnumerable<(string Name, string Text)> Broken(IEnumerable<(string Name, string Text)> sources, int cuts, int deletions, int seed = 20261127)
    {
        var random = new Random(seed);
        foreach (var (name, text) in sources)
        {
            for (var i = 1; i <= cuts; i++)
            {
                var at = i % 2 == 0 ? text.Length * i / (cuts + 1) : random.Next(text.Length);
                yield return ($"{name}@cut{at}", text[..at]);
            }

            var tokens = CSharpSyntaxTree.ParseText(text).GetRoot().DescendantTokens().Where(t => t.Span.Length > 0).ToList();
            for (var i = 0; i < deletions && tokens.Count > 0; i++)
            {
                var removed = Enumerable.Range(0, 1 + random.Next(4)).Select(_ => tokens[random.Next(tokens.Count)].Span).Distinct().OrderByDescending(s => s.Start);
                var builder = new StringBuilder(text);
                foreach (var span in removed)
                    builder.Remove(span.Start, span.Length);
                yield return ($"{name}@del{i}", builder.ToString());
            }
        }
    }

    /// <summary>Shapes that break naive analyzers: deep nesting, huge methods, top-level code, generics, partials, #if.</summary>
    public static IReadOnlyList<(string Name, string Text)> Pathological()
    {
        const string Usings = """
            using System;
            using System.Collections.Concurrent;
            using System.Collections.Generic;
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;

            """;
        var deepBlocks = new StringBuilder(Usings).Append("public class Deep { public async Task Run(HttpClient c, int x) {\n");
        for (var i = 0; i < 150; i++)
            deepBlocks.Append("if (x > ").Append(i).Append(") {\n");
        deepBlocks.Append("var r = await c.GetAsync(\"u\"); _ = Task.Run(() => Console.WriteLine(r.StatusCode));\n");
        deepBlocks.Append('}', 150).Append("\n} }\n");

        // Nested lambdas: deep through a single-overload method (overloaded ones like Task.Run make the compiler's own
        // overload resolution exponential), with a few Task.Run levels inside.
        var deepLambdas = new StringBuilder(Usings).Append("public class Lambdas { static void Defer(Action a) => a(); public void Run(HttpContext context) { ");
        for (var i = 0; i < 80; i++)
            deepLambdas.Append("Defer(() => { ");
        for (var i = 0; i < 4; i++)
            deepLambdas.Append("_ = Task.Run(() => { ");
        deepLambdas.Append("Console.WriteLine(context.Request.Path); ");
        for (var i = 0; i < 4; i++)
            deepLambdas.Append("}); ");
        for (var i = 0; i < 80; i++)
            deepLambdas.Append("}); ");
        deepLambdas.Append("} }\n");

        var deepExpression = new StringBuilder(Usings).Append("public class Expr { public int Sum(int x) => ");
        deepExpression.Append('(', 400).Append('x');
        for (var i = 0; i < 400; i++)
            deepExpression.Append(" + ").Append(i).Append(')');
        deepExpression.Append("; }\n");

        var huge = new StringBuilder(Usings).Append("public class Huge { private static readonly Dictionary<string, int> Seen = new(); public async Task Run(HttpClient c, string key) {\n");
        for (var i = 0; i < 3000; i++)
        {
            huge.Append((i % 3) switch
            {
                0 => $"var r{i} = await c.GetAsync(\"u{i}\"); if (r{i}.IsSuccessStatusCode) r{i}.Dispose();\n",
                1 => $"Seen[key + \"{i}\"] = {i};\n",
                _ => $"using var u{i} = await c.GetAsync(\"v{i}\");\n",
            });
        }

        huge.Append("} }\n");

        var partialA = Usings + """
            public static partial class Registry
            {
                private static readonly ConcurrentDictionary<string, object> Items = new();
                public static void Add(string key, object value) => Items[key] = value;
            }
            """;
        var partialB = Usings + """
            public static partial class Registry
            {
                public static void Forget(string key) => Items.TryRemove(key, out _);
                public static partial class Nested { public static readonly List<string> Names = new(); public static void Add(string n) => Names.Add(n); }
            }
            """;
        var generics = Usings + """
            public class Cache<TKey, TValue> where TKey : notnull
            {
                private static readonly Dictionary<TKey, TValue> Store = new();
                public static T Get<T>(Func<T> f) => f();
                public static void Put(TKey key, TValue value) => Store[key] = value;
                public static async Task<T> Send<T>(Func<Task<T>> send) => await send();
                public static Task<HttpResponseMessage> Fetch(HttpClient c) => Send(() => c.GetAsync("u"));
            }
            """;
        var topLevel = """
            using System;
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;

            var client = new HttpClient();
            await client.GetAsync("https://example.org");
            var local = new AsyncLocal<string>();
            local.Value = args.Length > 0 ? args[0] : "none";
            _ = Task.Run(() => Console.WriteLine(local.Value));
            """;
        var ifRegions = Usings + """
            public class Regions
            {
            #if DEBUG
                private static readonly Dictionary<string, string> Debug = new();
                public void Add(string k) => Debug[k] = k;
            #else
                public async Task Send(HttpClient c) { await c.PostAsync("u", null); }
            #endif
            #if NEVER
                public void Broken( { var x = ; }
            #endif
                [ThreadStatic] private static string t_user;
                public void Enter(string user) => t_user = user;
            }
            """;
        return
        [
            ("deep-blocks.cs", deepBlocks.ToString()),
            ("deep-lambdas.cs", deepLambdas.ToString()),
            ("deep-expression.cs", deepExpression.ToString()),
            ("huge-method.cs", huge.ToString()),
            ("partial-a.cs", partialA),
            ("partial-b.cs", partialB),
            ("generics.cs", generics),
            ("top-level.cs", topLevel),
            ("if-regions.cs", ifRegions),
        ];
    }
}
