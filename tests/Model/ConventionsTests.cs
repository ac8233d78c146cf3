using LeakAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Xunit;

namespace LeakAnalyzers.Tests.Model;

/// <summary>
/// The name-based predicates of <see cref="Conventions"/>: for each, a name it takes and a look-alike it must not, so that
/// a change to a convention shows up here before it shows up as a rule's false positive.
/// </summary>
public sealed class ConventionsTests
{
    private const string Source = """
        using System;
        using System.Threading.Tasks;
        using Microsoft.AspNetCore.Http;

        public sealed class Names
        {
            public void RegisterForDispose(IDisposable value) { }
            public void RegisterForDisposeAsync(IAsyncDisposable value) { }
            public void RegisterDisposable(IDisposable value) { }
            public void Returns(object value) { }
            public void ReturnsAsync(object value) { }
            public void ThenReturn(object value) { }
            public void ReturnValue(object value) { }
            public void Add(object value) { }
            public void GetOrAdd(object value) { }
            public void AddFirst(object value) { }
            public void Append(object value) { }
            public void Added(object value) { }
            public void QueueBackgroundWorkItem(Func<Task> work) { }
            public void EnqueueAsync(Func<Task> work) { }
            public void Requeue(Func<Task> work) { }
            public void TryQueue(Func<Task> work) { }
            public void MapGet(Delegate handler) { }
            public void MapHub(Delegate handler) { }
            public void Remap(Delegate handler) { }
            public void UseMapping(Delegate handler) { }
            public void StopApplication() { }
            public Task RestartAsync() => Task.CompletedTask;
            public void Shutdown() { }
            public void ShutdownHandler() { }
            public void Restarted() { }
        }

        public sealed class Middleware
        {
            public Task InvokeAsync(HttpContext context) => Task.CompletedTask;
        }

        public sealed class SyncMiddleware
        {
            public void Invoke(HttpContext context, IServiceProvider services) { }
        }

        public sealed class RequestHandler
        {
            public Task InvokeAsync(HttpRequest request) => Task.CompletedTask;
        }

        public sealed class PrivateInvoke
        {
            private Task InvokeAsync(HttpContext context) => Task.CompletedTask;
        }

        public sealed class StaticInvoke
        {
            public static Task InvokeAsync(HttpContext context) => Task.CompletedTask;
        }

        public sealed class Handle
        {
            public Task HandleAsync(HttpContext context) => Task.CompletedTask;
        }

        public struct StructMiddleware
        {
            public Task InvokeAsync(HttpContext context) => Task.CompletedTask;
        }
        """;

    [Theory]
    [InlineData("RegisterForDispose", true)]
    [InlineData("RegisterForDisposeAsync", true)]
    [InlineData("RegisterDisposable", false)]
    public Task IsRegisterForDispose(string name, bool expected) => AssertMethod(Conventions.IsRegisterForDispose, name, expected);

    [Fact]
    public async Task IsRegisterForDispose_TheFrameworksOwnAndNotATokensRegister()
    {
        var source = await ModelSource.CompileAsync(Source);

        Assert.True(Conventions.IsRegisterForDispose(source.Method("Microsoft.AspNetCore.Http.HttpResponse", "RegisterForDispose")));
        Assert.False(Conventions.IsRegisterForDispose(source.Method("System.Threading.CancellationToken", "Register")));
    }

    [Theory]
    [InlineData("Returns", true)]
    [InlineData("ReturnsAsync", true)]
    [InlineData("ThenReturn", true)]
    [InlineData("ReturnValue", false)]
    public Task IsMockReturnSetup(string name, bool expected) => AssertMethod(Conventions.IsMockReturnSetup, name, expected);

    [Theory]
    [InlineData("Add", true)]
    [InlineData("GetOrAdd", true)]
    [InlineData("AddFirst", true)]
    [InlineData("Append", false)]
    [InlineData("Added", false)]
    public Task IsCollectionAdd(string name, bool expected) => AssertMethod(Conventions.IsCollectionAdd, name, expected);

    [Theory]
    [InlineData("QueueBackgroundWorkItem", true)]
    [InlineData("EnqueueAsync", true)]
    [InlineData("Requeue", false)]
    [InlineData("TryQueue", false)]
    public Task IsQueueMethod(string name, bool expected) => AssertMethod(Conventions.IsQueueMethod, name, expected);

    [Theory]
    [InlineData("MapGet", true)]
    [InlineData("MapHub", true)]
    [InlineData("Remap", false)]
    [InlineData("UseMapping", false)]
    public Task IsEndpointMapping(string name, bool expected) => AssertMethod(Conventions.IsEndpointMapping, name, expected);

    [Theory]
    [InlineData("Middleware", true)]
    [InlineData("SyncMiddleware", true)]
    [InlineData("RequestHandler", false)]      // its first parameter is not the HttpContext
    [InlineData("PrivateInvoke", false)]
    [InlineData("StaticInvoke", false)]
    [InlineData("Handle", false)]              // not named Invoke/InvokeAsync
    [InlineData("StructMiddleware", false)]    // not a class
    public async Task IsConventionalMiddleware(string type, bool expected)
    {
        var source = await ModelSource.CompileAsync(Source);

        Assert.Equal(expected, Conventions.IsConventionalMiddleware(source.Type(type), source.Type("Microsoft.AspNetCore.Http.HttpContext")));
    }

    [Theory]
    [InlineData("Middleware", "InvokeAsync", true)]
    [InlineData("SyncMiddleware", "Invoke", true)]
    [InlineData("RequestHandler", "InvokeAsync", false)]   // its first parameter is not the HttpContext
    [InlineData("PrivateInvoke", "InvokeAsync", false)]
    [InlineData("StaticInvoke", "InvokeAsync", false)]
    [InlineData("Handle", "HandleAsync", false)]           // not named Invoke/InvokeAsync
    public async Task IsMiddlewareInvoke(string type, string method, bool expected)
    {
        var source = await ModelSource.CompileAsync(Source);

        Assert.Equal(expected, Conventions.IsMiddlewareInvoke(source.Method(type, method), source.Type("Microsoft.AspNetCore.Http.HttpContext")));
    }

    [Theory]
    [InlineData("cancellationToken", true)]
    [InlineData("ct", true)]
    [InlineData("_stopping", true)]
    [InlineData("RequestAborted", true)]
    [InlineData("cancelSource", true)]
    [InlineData("ctx", false)]
    [InlineData("count", false)]
    [InlineData("stop", false)]
    [InlineData("abort", false)]
    public void LooksLikeToken(string name, bool expected) => Assert.Equal(expected, Conventions.LooksLikeToken(name));

    [Theory]
    [InlineData("StopApplication", true)]
    [InlineData("RestartAsync", true)]
    [InlineData("Shutdown", true)]
    [InlineData("ShutdownHandler", false)]
    [InlineData("Restarted", false)]
    public Task IsApplicationShutdown(string name, bool expected) => AssertMethod(Conventions.IsApplicationShutdown, name, expected);

    private static async Task AssertMethod(Func<IMethodSymbol, bool> predicate, string name, bool expected)
    {
        var source = await ModelSource.CompileAsync(Source);

        Assert.Equal(expected, predicate(source.Method("Names", name)));
    }
}
