using System.Collections.Immutable;
using LeakAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Xunit;

namespace LeakAnalyzers.Tests.Model;

/// <summary>
/// The ambient-state model LEAK005 reports over, asked directly: which slot an assignment writes
/// (<see cref="Ambient.SlotWrittenBy"/>) or a call of a setter method writes (<see cref="Ambient.SetterCall"/>), whether a set outlives its function (<see cref="Ambient.SetBy"/>), whether the
/// type restores it (<see cref="Ambient.IsRestored"/>, <see cref="Ambient.ReturnsRestoreToken"/>), and whether a value
/// carries request data (<see cref="RequestValues.CarriesRequestData"/>). Each case names the assignment it asks about
/// by its text.
/// </summary>
public sealed class AmbientTests
{
    private const string Slots = """
        using System;
        using System.Threading;

        public sealed class Slots
        {
            private static readonly AsyncLocal<string?> s_tenant = new();
            private static readonly ThreadLocal<string?> s_culture = new();
            [ThreadStatic] private static string? t_user;
            private static string? s_plain;

            private AsyncLocal<string?> Holder { get; } = new();

            public static string? Tenant { get => s_tenant.Value; set => s_tenant.Value = value; }

            public static string? User { get => t_user; set { t_user = value; } }

            public static string? Logged { get => s_plain; set { Console.WriteLine(value); s_plain = value; } }

            public static string? Routed { get => s_tenant.Value; set => SetTenantSlot(value); }

            public static string? Misrouted { get => s_tenant.Value; set => Apply(value); }

            public static void SetTenantSlot(string? next) => s_tenant.Value = next;

            private static void Apply(string? next) => s_tenant.Value = next;

            public void Set(string tenant)
            {
                s_tenant.Value = tenant;
                s_culture.Value = tenant;
                t_user = tenant;
                s_plain = tenant;
                Holder.Value = tenant;
                Tenant = tenant;
                User = tenant;
                Logged = tenant;
                Routed = tenant;
                Misrouted = tenant;
                var local = new AsyncLocal<string?>();
                local.Value = tenant;
            }
        }
        """;

    [Theory]
    [InlineData("s_tenant.Value = tenant", "AsyncLocal", "s_tenant", "s_tenant")]
    [InlineData("s_culture.Value = tenant", "ThreadLocal", "s_culture", "s_culture")]
    [InlineData("t_user = tenant", "ThreadStatic", "t_user", "t_user")]
    [InlineData("Holder.Value = tenant", "AsyncLocal", "Holder", "Holder")]
    [InlineData("Tenant = tenant", "AsyncLocal", "s_tenant", "Tenant")]
    [InlineData("User = tenant", "ThreadStatic", "t_user", "User")]
    [InlineData("s_plain = tenant", null, null, null)]
    [InlineData("Logged = tenant", null, null, null)]
    [InlineData("Routed = tenant", "AsyncLocal", "s_tenant", "Routed")]
    [InlineData("Misrouted = tenant", null, null, null)]
    [InlineData("local.Value = tenant", null, null, null)]
    public async Task SlotWrittenBy_HolderThreadStaticOrWrapper(string assignment, string? kind, string? key, string? shown)
    {
        var sample = await CompileAsync(Slots);

        var slot = sample.Ambient.SlotWrittenBy(sample.Assignment(assignment).Operation.Target, CancellationToken.None);

        Assert.Equal(kind, slot?.Kind.ToString());
        Assert.Equal(key, slot?.Key.Name);
        Assert.Equal(shown, slot?.Shown.Name);
    }

    private const string Setters = """
        using System;
        using System.Threading;

        public interface ICurrent { void SetCurrent(string? value); }

        public sealed class Current : ICurrent
        {
            private static readonly AsyncLocal<string?> s_current = new();

            public void SetCurrent(string? value) => s_current.Value = value;
        }

        public static class Setters
        {
            private static readonly AsyncLocal<string?> s_tenant = new();
            [ThreadStatic] private static string? t_user;
            private static string? s_plain;

            public static string? Tenant { get => s_tenant.Value; set => s_tenant.Value = value; }

            public static void SetTenant(string? tenant) => s_tenant.Value = tenant;
            public static void SetUser(string? user) { t_user = user; }
            public static void SetThroughWrapper(string? tenant) => Tenant = tenant;
            public static void SetAgain(string? tenant) => SetTenant(tenant);
            public static void SetTwiceRemoved(string? tenant) => SetAgain(tenant);
            public static void SetPlain(string? value) => s_plain = value;
            public static void SetLogged(string? tenant) { Console.WriteLine(tenant); s_tenant.Value = tenant; }
            public static void SetConstant(string? tenant) => s_tenant.Value = "default";
            public static void ClearTenant() => s_tenant.Value = null;
            public static void Apply(string? tenant) => s_tenant.Value = tenant;
            public static void SetApplied(string? tenant) => Apply(tenant);

            public static void Run(ICurrent current, string tenant)
            {
                SetTenant(tenant);
                SetUser(tenant);
                SetThroughWrapper(tenant);
                SetAgain(tenant);
                SetTwiceRemoved(tenant);
                current.SetCurrent(tenant);
                SetPlain(tenant);
                SetLogged(tenant);
                SetConstant(tenant);
                ClearTenant();
                Apply(tenant);
                SetApplied(tenant);
            }
        }
        """;

    [Theory]
    [InlineData("SetTenant(tenant)", "AsyncLocal", "s_tenant", "SetTenant")]
    [InlineData("SetUser(tenant)", "ThreadStatic", "t_user", "SetUser")]
    [InlineData("SetThroughWrapper(tenant)", "AsyncLocal", "s_tenant", "SetThroughWrapper")]
    [InlineData("SetAgain(tenant)", "AsyncLocal", "s_tenant", "SetAgain")]
    [InlineData("SetTwiceRemoved(tenant)", "AsyncLocal", "s_tenant", "SetTwiceRemoved")]
    [InlineData("current.SetCurrent(tenant)", "AsyncLocal", "s_current", "SetCurrent")]
    [InlineData("SetPlain(tenant)", null, null, null)]
    [InlineData("SetLogged(tenant)", null, null, null)]
    [InlineData("SetConstant(tenant)", null, null, null)]
    [InlineData("ClearTenant()", null, null, null)]
    [InlineData("Apply(tenant)", null, null, null)]
    [InlineData("SetApplied(tenant)", null, null, null)]
    public async Task SetterCall_SetterMethodsAndTheirChains(string call, string? kind, string? key, string? shown)
    {
        var sample = await CompileAsync(Setters);
        var node = sample.Source.Model.SyntaxTree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>()
            .Single(i => i.ToString() == call && i.FirstAncestorOrSelf<MethodDeclarationSyntax>()?.Identifier.ValueText == "Run");

        var set = sample.Ambient.SetterCall(sample.Source.Model.GetOperation(node)!, CancellationToken.None);

        Assert.Equal(kind, set?.Slot.Kind.ToString());
        Assert.Equal(key, set?.Slot.Key.Name);
        Assert.Equal(shown, set?.Slot.Shown.Name);
        Assert.Equal(set is null ? null : "tenant", set?.Value.Syntax.ToString());
    }

    [Fact]
    public async Task NamesOf_TheHolderAndTheWrappersOfIt()
    {
        var sample = await CompileAsync(Slots);
        var slot = sample.Ambient.SlotWrittenBy(sample.Assignment("s_tenant.Value = tenant").Operation.Target, CancellationToken.None)!;

        var names = sample.Ambient.NamesOf(slot, CancellationToken.None);

        Assert.Equal(new[] { "Apply", "Routed", "SetTenantSlot", "Tenant", "s_tenant" }, names.OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public async Task SlotHolding_TheSlotWhoseValueIsTheHolder()
    {
        var sample = await CompileAsync("""
            using System.Threading;

            public sealed class Accessor
            {
                private static readonly AsyncLocal<Holder> s_holder = new();

                public void Stop() => s_holder.Value.Id = null;

                public sealed class Holder { public string? Id; }
            }
            """);
        var cleared = (IMemberReferenceOperation)sample.Assignment("s_holder.Value.Id = null").Operation.Target;

        var slot = sample.Ambient.SlotHolding(cleared.Instance!, CancellationToken.None);

        Assert.Equal("s_holder", slot?.Key.Name);
    }

    [Theory]
    [InlineData("public void Enter(string tenant) { s_tenant.Value = tenant; }", "s_tenant.Value = tenant", true)]
    [InlineData("public async Task EnterAsync(string tenant) { s_tenant.Value = tenant; await Task.Yield(); }", "s_tenant.Value = tenant", false)]
    [InlineData("public async Task EnterAsync(string tenant) { t_user = tenant; await Task.Yield(); }", "t_user = tenant", true)]
    [InlineData("public void Nest(int depth) { t_depth = depth; }", "t_depth = depth", false)]
    [InlineData("public string? Current { get => s_tenant.Value; set => s_tenant.Value = value; }", "s_tenant.Value = value", false)]
    [InlineData("public void SetCurrent(string value) => s_tenant.Value = value;", "s_tenant.Value = value", false)]
    [InlineData("public IDisposable Push(string tenant) { s_tenant.Value = tenant; return new MemoryStream(); }", "s_tenant.Value = tenant", false)]
    [InlineData("public Task Run(string tenant) => Task.Run(() => { s_tenant.Value = tenant; });", "s_tenant.Value = tenant", false)]
    [InlineData("public void Map(IApplicationBuilder app) => app.Use((context, next) => { s_tenant.Value = context.TraceIdentifier; return next(context); });", "s_tenant.Value = context.TraceIdentifier", true)]
    [InlineData("public void Track(HttpContext context) => context.Response.OnStarting(() => { s_tenant.Value = context.TraceIdentifier; return Task.CompletedTask; });", "s_tenant.Value = context.TraceIdentifier", false)]
    [InlineData("public void Enter(string tenant) { s_tenant.Value = null; }", "s_tenant.Value = null", false)]
    [InlineData("public void Enter(string tenant) { s_tenant.Value = \"eu\"; }", "s_tenant.Value = \"eu\"", false)]
    [InlineData("public void ResetTenant() { s_tenant.Value = s_tenant.Value + \"/reset\"; }", "s_tenant.Value = s_tenant.Value + \"/reset\"", false)]
    [InlineData("public void ResetTenant(string tenant) { s_tenant.Value = tenant; }", "s_tenant.Value = tenant", true)]
    [InlineData("public void Enter(string tenant) { try { } finally { s_tenant.Value = tenant; } }", "s_tenant.Value = tenant", false)]
    public async Task SetBy_WhetherTheSetOutlivesItsFunction(string member, string assignment, bool expected)
    {
        var sample = await CompileAsync($$"""
            using System;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Http;

            public sealed class Sample
            {
                private static readonly AsyncLocal<string?> s_tenant = new();
                [ThreadStatic] private static string? t_user;
                [ThreadStatic] private static int t_depth;

                {{member}}
            }
            """);

        Assert.Equal(expected, sample.SetBy(assignment) is not null);
    }

    [Theory]
    [InlineData(OutputKind.ConsoleApplication, false)]
    [InlineData(OutputKind.DynamicallyLinkedLibrary, true)]
    public async Task SetBy_TheEntryPointRunsOnce(OutputKind outputKind, bool expected)
    {
        var sample = await CompileAsync("""
            using System.Threading;

            public static class Program
            {
                private static readonly AsyncLocal<string?> s_environment = new();

                public static void Main(string[] args) => s_environment.Value = args[0];
            }
            """, outputKind);

        Assert.Equal(expected, sample.SetBy("s_environment.Value = args[0]") is not null);
    }

    [Theory]
    [InlineData("""
        public string Render(string tenant)
        {
            var previous = s_tenant.Value;
            s_tenant.Value = tenant;
            try { return Build(); }
            finally { s_tenant.Value = previous; }
        }
        """, true)]
    [InlineData("""
        public string Render(string tenant)
        {
            s_tenant.Value = tenant;
            return Build();
        }
        """, false)]
    [InlineData("""
        public string Render(string tenant)
        {
            s_tenant.Value = tenant;
            return Build();
        }

        public void EndRequest(string? previous) => s_tenant.Value = previous;
        """, false)]
    [InlineData("""
        public string Render(string tenant)
        {
            s_tenant.Value = tenant;
            return Build();
        }

        public void EndRequest() => s_tenant.Value = string.Empty;
        """, true)]
    [InlineData("""
        public string Render(string tenant)
        {
            s_tenant.Value = tenant;
            return Build();
        }

        public void Dispose() => s_tenant.Value = null;
        """, true)]
    [InlineData("""
        public string Render(string name)
        {
            var previous = s_tenant.Value;
            Apply(name);
            try { return Build(); }
            finally { Apply(previous); }
        }

        private static void Apply(string? tenant) => s_tenant.Value = tenant;
        """, true)]
    [InlineData("""
        public string Render(string name)
        {
            Apply(name);
            try { return Build(); }
            finally { Other.Apply(null); }
        }

        private static void Apply(string? tenant) => s_tenant.Value = tenant;

        private static class Other
        {
            public static void Apply(string? value) { }
        }
        """, false)]
    [InlineData("""
        public string Page(string culture)
        {
            var previous = s_tenant.Value;
            s_tenant.Value = culture;
            try { return Build(); }
            finally { s_tenant.Value = previous; }
        }

        public string Render(string tenant)
        {
            s_tenant.Value = tenant;
            return Build();
        }
        """, false)]
    [InlineData("""
        public string Page(string name)
        {
            var previous = s_tenant.Value;
            try { Resolve(name); return Build(); }
            finally { s_tenant.Value = previous; }
        }

        public void Resolve(string tenant) => s_tenant.Value = tenant;
        """, true)]
    [InlineData("""
        public async Task InvokeAsync(string name)
        {
            Resolve(name);
            await Task.Yield();
        }

        private static void Resolve(string tenant) => s_tenant.Value = tenant;
        """, true)]
    [InlineData("""
        public string Page(string name)
        {
            Resolve(name);
            return Build();
        }

        private static void Resolve(string tenant) => s_tenant.Value = tenant;
        """, false)]
    public async Task IsRestored_ByTheOutermostType(string members, bool expected)
    {
        var sample = await CompileAsync($$"""
            using System.Threading;
            using System.Threading.Tasks;

            public sealed class Sample
            {
                private static readonly AsyncLocal<string?> s_tenant = new();

                private static string Build() => "in " + s_tenant.Value;

            {{members}}
            }
            """);
        var set = sample.SetBy("s_tenant.Value = tenant")!;

        Assert.Equal(expected, sample.Ambient.IsRestored(set, ConfiguredTypes.Empty, CancellationToken.None));
    }

    [Fact]
    public async Task IsRestored_TheHolderEmptiedThroughTheSlot()
    {
        var sample = await CompileAsync("""
            using System.Threading;

            public sealed class Accessor
            {
                private static readonly AsyncLocal<Holder> s_holder = new();

                public void Set(string tenant) => s_holder.Value = new Holder { Tenant = tenant };

                public void Clear()
                {
                    if (s_holder.Value is { } holder)
                        holder.Tenant = null;
                }

                public sealed class Holder { public string? Tenant; }
            }
            """);
        var set = sample.SetBy("s_holder.Value = new Holder { Tenant = tenant }")!;

        Assert.True(sample.Ambient.IsRestored(set, ConfiguredTypes.Empty, CancellationToken.None));
    }

    [Theory]
    [InlineData("Disposable", true)]
    [InlineData("AsyncDisposable", true)]
    [InlineData("Callback", true)]
    [InlineData("TaskOfDisposable", true)]
    [InlineData("ValueTaskOfCallback", true)]
    [InlineData("RefScope", true)]
    [InlineData("PlainTask", false)]
    [InlineData("Nothing", false)]
    [InlineData("Text", false)]
    public async Task ReturnsRestoreToken_WhatEndsTheScope(string method, bool expected)
    {
        var sample = await CompileAsync("""
            using System;
            using System.Threading.Tasks;

            public sealed class Tokens
            {
                public IDisposable Disposable() => null!;
                public IAsyncDisposable AsyncDisposable() => null!;
                public Action Callback() => null!;
                public Task<IDisposable> TaskOfDisposable() => null!;
                public ValueTask<Action> ValueTaskOfCallback() => default;
                public Scope RefScope() => default;
                public Task PlainTask() => Task.CompletedTask;
                public void Nothing() { }
                public string Text() => "";

                public ref struct Scope
                {
                    public void Dispose() { }
                }
            }
            """);
        var symbol = sample.Compilation.GetTypeByMetadataName("Tokens")!.GetMembers(method).OfType<IMethodSymbol>().Single();

        Assert.Equal(expected, sample.Ambient.ReturnsRestoreToken(symbol));
    }

    [Theory]
    [InlineData("DisposableScope", true)]
    [InlineData("PlainObject", false)]
    public async Task ReturnsRestoreToken_TheConstructorOfADisposableScope(string type, bool expected)
    {
        var sample = await CompileAsync("""
            using System;

            public sealed class DisposableScope : IDisposable
            {
                public DisposableScope() { }
                public void Dispose() { }
            }

            public sealed class PlainObject
            {
                public PlainObject() { }
            }
            """);
        var constructor = sample.Compilation.GetTypeByMetadataName(type)!.InstanceConstructors.Single();

        Assert.Equal(expected, sample.Ambient.ReturnsRestoreToken(constructor));
    }

    private const string Values = """
        using System;
        using System.Buffers;
        using System.Collections.Generic;
        using System.Security.Claims;
        using System.Text;
        using Microsoft.AspNetCore.Http;

        namespace Shop;

        public sealed record Tenant(string Id);

        public sealed class Values
        {
            private readonly string _field = "";
            private readonly ClaimsPrincipal _principal = new();
            private readonly Tenant _tenant = new("eu");
            private readonly object _boxed = "";

            public object? Sink { get; set; }

            public void Fill(string name, int size, HttpContext context, string[] names)
            {
                Sink = name;
                Sink = "fixed";
                Sink = _field;
                Sink = _principal;
                Sink = _tenant;
                Sink = context.TraceIdentifier;
                Sink = new byte[size];
                Sink = new StringBuilder(size);
                Sink = Encoding.UTF8.GetBytes(name);
                Sink = ArrayPool<char>.Shared.Rent(size);
                var copy = name.Trim();
                Sink = copy;
                if (int.TryParse(name, out var parsed))
                    Sink = parsed;
                foreach (var item in names)
                    Sink = item;
                if ((object)name is string fromName)
                    Sink = fromName;
                if (_boxed is string fromField)
                    Sink = fromField;
                Sink = (Func<string>)(() => name);
                Sink = (Func<string, string>)(x => x);
            }
        }
        """;

    [Theory]
    [InlineData("name", true)]
    [InlineData("\"fixed\"", false)]
    [InlineData("_field", false)]
    [InlineData("_principal", true)]
    [InlineData("_tenant", false)]
    [InlineData("context.TraceIdentifier", true)]
    [InlineData("new byte[size]", false)]
    [InlineData("new StringBuilder(size)", false)]
    [InlineData("Encoding.UTF8.GetBytes(name)", true)]
    [InlineData("ArrayPool<char>.Shared.Rent(size)", false)]
    [InlineData("copy", true)]
    [InlineData("parsed", true)]
    [InlineData("item", true)]
    [InlineData("fromName", true)]
    [InlineData("fromField", false)]
    [InlineData("(Func<string>)(() => name)", true)]
    [InlineData("(Func<string, string>)(x => x)", false)]
    public async Task CarriesRequestData_InputOrRequestTypes(string value, bool expected)
    {
        var sample = await CompileAsync(Values);
        var assignment = sample.Assignment("Sink = " + value).Operation;

        Assert.Equal(expected, sample.RequestValues.CarriesRequestData(assignment.Value, ConfiguredTypes.Empty, CancellationToken.None));
    }

    [Theory]
    [InlineData("Shop.Tenant", true)]
    [InlineData("Shop.Other", false)]
    public async Task CarriesRequestData_ConfiguredTypes(string configured, bool expected)
    {
        var sample = await CompileAsync(Values);
        var assignment = sample.Assignment("Sink = _tenant").Operation;
        var types = KnownTypes.Get(sample.Compilation).Configured(ImmutableArray.Create(configured));

        Assert.Equal(expected, sample.RequestValues.CarriesRequestData(assignment.Value, types, CancellationToken.None));
    }

    private static async Task<Sample> CompileAsync(string source, OutputKind outputKind = OutputKind.DynamicallyLinkedLibrary) =>
        new(await ModelSource.CompileAsync(source, outputKind));

    private sealed record Sample(ModelSource Source)
    {
        public Compilation Compilation => Source.Compilation;

        public Ambient Ambient => Source.Domain.Ambient!;

        public RequestValues RequestValues => Source.Values;

        /// <summary>The assignment written <paramref name="text"/>, and the member an analyzer sees it in (lambdas walked out of).</summary>
        public (IAssignmentOperation Operation, ISymbol Containing) Assignment(string text)
        {
            var node = Source.Model.SyntaxTree.GetRoot().DescendantNodes().OfType<AssignmentExpressionSyntax>().Single(a => a.ToString() == text);
            return ((IAssignmentOperation)Source.Model.GetOperation(node)!, Source.Owner(node));
        }

        /// <summary>The set the assignment written <paramref name="text"/> makes (<see cref="Ambient.SetBy"/>), null when it needs no restore.</summary>
        public AmbientSet? SetBy(string text)
        {
            var (operation, containing) = Assignment(text);
            return Ambient.SlotWrittenBy(operation.Target, CancellationToken.None) is { } slot
                ? Ambient.SetBy(operation, operation.Value, slot, containing, ConfiguredTypes.Empty, CancellationToken.None)
                : null;
        }
    }
}
