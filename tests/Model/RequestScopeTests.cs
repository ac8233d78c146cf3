using LeakAnalyzers.Helpers;
using LeakAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Xunit;

namespace LeakAnalyzers.Tests.Model;

/// <summary>
/// <see cref="RequestScope"/> (which code runs on behalf of a request, and what kind of request code it is) and
/// <see cref="RequestValues"/> (what belongs to the request: pooled with it, value-like, a pooled use in a closure).
/// </summary>
public sealed class RequestScopeTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.AspNetCore.Builder;
        using Microsoft.AspNetCore.Http;
        using Microsoft.AspNetCore.Mvc;
        using Microsoft.AspNetCore.Mvc.Filters;
        using Microsoft.AspNetCore.SignalR;
        using Microsoft.Extensions.Hosting;

        """;

    // ---------------------------------------------------------------- RequestScope.Find

    [Fact]
    public async Task Find_ControllerAction()
    {
        var source = await ModelSource.CompileAsync(Usings + """
            public sealed class OrdersController : ControllerBase
            {
                public IActionResult Create()
                {
                    [|Console.WriteLine("created")|];
                    return Accepted();
                }
            }
            """);

        Assert.Equal(new RequestOrigin(RequestOriginKind.Class, source.Type("OrdersController")), Find(source));
    }

    [Fact]
    public async Task Find_ConventionalMiddleware_AndItsHelperCalledPerRequest()
    {
        var source = await ModelSource.CompileAsync(Usings + """
            public sealed class AuditMiddleware(RequestDelegate next)
            {
                public async Task InvokeAsync(HttpContext context)
                {
                    [|Console.WriteLine(1)|];
                    Helper();
                    await next(context);
                }

                private void Helper() => [|Console.WriteLine(2)|];
            }
            """);

        Assert.Equal(RequestOriginKind.Class, Find(source, 0)?.Kind);
        Assert.Equal(RequestOriginKind.Class, Find(source, 1)?.Kind);
    }

    [Fact]
    public async Task Find_NotTheConstructorNorAHelperOnlyItCalls()
    {
        var source = await ModelSource.CompileAsync(Usings + """
            public sealed class WarmupMiddleware
            {
                private readonly RequestDelegate _next;

                public WarmupMiddleware(RequestDelegate next)
                {
                    _next = next;
                    [|Console.WriteLine(1)|];
                    Warm();
                }

                private void Warm() => [|Console.WriteLine(2)|];

                public Task InvokeAsync(HttpContext context) => _next(context);
            }
            """);

        Assert.Null(Find(source, 0));
        Assert.Null(Find(source, 1));
    }

    [Fact]
    public async Task Find_InlineMiddlewareAndEndpointHandlers()
    {
        var source = await ModelSource.CompileAsync(Usings + """
            public static class Endpoints
            {
                public static void Map(WebApplication app)
                {
                    [|Console.WriteLine("startup")|];
                    app.Use(async (context, next) =>
                    {
                        [|Console.WriteLine("use")|];
                        await next(context);
                    });
                    app.MapGet("/", () =>
                    {
                        [|Console.WriteLine("get")|];
                        return Results.Ok();
                    });
                }
            }
            """);

        Assert.Null(Find(source, 0));
        Assert.Equal(RequestOriginKind.Handler, Find(source, 1)?.Kind);
        Assert.Equal(RequestOriginKind.Handler, Find(source, 2)?.Kind);
    }

    [Fact]
    public async Task Find_MethodTakingTheContext_ButNotHostedServicesOrBackgroundWork()
    {
        var source = await ModelSource.CompileAsync(Usings + """
            public static class Helpers
            {
                public static void Track(HttpRequest request) => [|Console.WriteLine(request.Path)|];
            }

            public sealed class Worker : BackgroundService
            {
                protected override Task ExecuteAsync(CancellationToken stoppingToken)
                {
                    [|Console.WriteLine("tick")|];
                    return Task.CompletedTask;
                }
            }

            public sealed class OrdersController : ControllerBase
            {
                public IActionResult Create()
                {
                    _ = Task.Run(() => [|Console.WriteLine("later")|]);
                    return Accepted();
                }
            }

            public sealed class Cache
            {
                public void Refresh() => [|Console.WriteLine("refresh")|];
            }
            """);

        Assert.Equal(new RequestOrigin(RequestOriginKind.Method, source.Type("Helpers")), Find(source, 0));
        Assert.Null(Find(source, 1));
        Assert.Null(Find(source, 2));
        Assert.Null(Find(source, 3));
    }

    // ---------------------------------------------------------------- what kind of request code

    [Fact]
    public async Task RequestTypes_ContainerCreatedControllersAndHubs()
    {
        var source = await ModelSource.CompileAsync(Usings + """
            public sealed class OrdersController : ControllerBase { }
            public sealed class ChatHub : Hub { }
            public sealed class AuditFilter : ActionFilterAttribute { }
            public sealed class Cache { }
            """);
        var (controller, hub, filter, cache) = (source.Type("OrdersController"), source.Type("ChatHub"), source.Type("AuditFilter"), source.Type("Cache"));

        Assert.Equal(new[] { true, true, true, false }, new[] { controller, hub, filter, cache }.Select(source.Scope.IsRequestType));
        Assert.Equal(new[] { true, true, false, false }, new[] { controller, hub, filter, cache }.Select(source.Scope.IsCreatedByContainer));
        Assert.Equal(new[] { true, false, false, false }, new[] { controller, hub, filter, cache }.Select(source.Scope.IsController));
        Assert.Equal(new[] { false, true, false, false }, new[] { controller, hub, filter, cache }.Select(source.Scope.IsHub));
    }

    [Fact]
    public async Task IsEndpointHandler_OnlyAHandlerGivenAsADelegate()
    {
        var source = await ModelSource.CompileAsync(Usings + """
            public static class Endpoints
            {
                public static void Map(WebApplication app)
                {
                    app.MapPost("/", [|(HttpContext http) => Results.Ok()|]);
                    app.Run([|context => Task.CompletedTask|]);
                    Func<int, int> twice = [|x => x * 2|];
                }
            }
            """);
        var functions = Enumerable.Range(0, 3).Select(i => source.Operation<IAnonymousFunctionOperation>(i)).ToList();

        Assert.Equal(new[] { true, true, false }, functions.Select(source.Scope.IsHandler));
        Assert.Equal(new[] { true, false, false }, functions.Select(source.Scope.IsEndpointHandler));
    }

    // ---------------------------------------------------------------- RequestValues

    [Theory]
    [InlineData("Microsoft.AspNetCore.Http.HttpContext", true)]
    [InlineData("Microsoft.AspNetCore.Http.HttpRequest", true)]
    [InlineData("Microsoft.AspNetCore.Http.IHeaderDictionary", true)]
    [InlineData("Microsoft.AspNetCore.Http.Features.IFeatureCollection", true)]
    [InlineData("System.Security.Claims.ClaimsPrincipal", false)]
    [InlineData("Microsoft.AspNetCore.Http.PathString", false)]
    [InlineData("System.String", false)]
    public async Task IsPooledByRequest(string type, bool pooled)
    {
        var source = await ModelSource.CompileAsync(Usings + "public static class C { }");

        Assert.Equal(pooled, source.Values.IsPooledByRequest(source.Type(type)));
    }

    [Theory]
    [InlineData("System.String", true)]
    [InlineData("Microsoft.AspNetCore.Http.PathString", true)]
    [InlineData("System.Threading.CancellationToken", true)]
    [InlineData("System.Net.IPAddress", true)]
    [InlineData("System.Uri", true)]
    [InlineData("System.Security.Claims.ClaimsPrincipal", false)]
    [InlineData("Microsoft.AspNetCore.Http.HttpContext", false)]
    [InlineData("System.Collections.Generic.List`1", false)]
    public async Task IsValueLike(string type, bool valueLike)
    {
        var source = await ModelSource.CompileAsync(Usings + "public static class C { }");

        Assert.Equal(valueLike, source.Values.IsValueLike(source.Type(type)));
    }

    [Fact]
    public async Task IsPooledUse_CapturedContextAndWhatItHandsOut()
    {
        var source = await ModelSource.CompileAsync(Usings + """
            public static class Handlers
            {
                public static void Handle(HttpContext context, IHttpContextAccessor accessor)
                {
                    var items = context.Items;
                    var path = context.Request.Path;
                    var user = context.User;
                    _ = Task.Run(() => Console.WriteLine([|context|]));
                    _ = Task.Run(() => Console.WriteLine([|items|]));
                    _ = Task.Run(() => Console.WriteLine([|path|]));
                    _ = Task.Run(() => Console.WriteLine([|user|]));
                    _ = Task.Run(() => Console.WriteLine([|accessor.HttpContext|]));
                    Func<IHttpContextAccessor, object?> read = a => [|a.HttpContext|];
                    Action<HttpContext> own = c => Console.WriteLine([|c|]);
                }
            }
            """);

        Assert.Equal(new[] { true, true, false, false, true, false, false }, Enumerable.Range(0, 7).Select(i => IsPooledUse(source, i)));
    }

    [Fact]
    public async Task IsPooledUse_ControllersRequestProperties()
    {
        var source = await ModelSource.CompileAsync(Usings + """
            public sealed class OrdersController : ControllerBase
            {
                public string Name { get; } = "";

                public IActionResult Create()
                {
                    _ = Task.Run(() => Console.WriteLine([|HttpContext|]));
                    _ = Task.Run(() => Console.WriteLine([|User|]));
                    _ = Task.Run(() => Console.WriteLine([|Name|]));
                    return Accepted();
                }
            }
            """);

        Assert.Equal(new[] { true, true, false }, Enumerable.Range(0, 3).Select(i => IsPooledUse(source, i)));
    }

    [Fact]
    public async Task FirstPooledUseAndPooledUses_InSourceOrder()
    {
        var source = await ModelSource.CompileAsync(Usings + """
            public static class Handlers
            {
                public static void Handle(HttpContext context)
                {
                    var id = 1;
                    _ = Task.Run([|() => Console.WriteLine(id + context.Request.Path + context.TraceIdentifier)|]);
                }
            }
            """);
        var closure = source.Operation<IAnonymousFunctionOperation>();

        Assert.Equal("context", source.Values.FirstPooledUse(closure, CancellationToken.None)?.Syntax.ToString());
        Assert.Equal(2, source.Values.PooledUses(closure).Count());
    }

    private static RequestOrigin? Find(ModelSource source, int index = 0) =>
        source.Scope.Find(source.Operation(index), source.Owner(index), CancellationToken.None);

    private static bool IsPooledUse(ModelSource source, int index)
    {
        var use = source.Operation(index);
        var function = use.Ancestors().First(a => a is IAnonymousFunctionOperation);
        return source.Values.IsPooledUse(use, function);
    }
}
