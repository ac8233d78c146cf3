using LeakAnalyzers.Editing;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace LeakAnalyzers.Tests.Editing;

/// <summary>The one make-async conversion (<see cref="AsyncConversion"/>): its plan of the returns, and the exact code it produces.</summary>
public sealed class AsyncConversionTests
{
    [Fact]
    public async Task Lambda_ReturningATask_AwaitsItsWorkAndDropsFinishedTasks()
    {
        var source = await EditingSource.CreateAsync("""
            using System;
            using System.Threading.Tasks;

            public static class Jobs
            {
                public static Func<Task> Make() => [|() =>
                {
                    Console.WriteLine("start");
                    if (DateTime.Now.Second == 0)
                        return Task.CompletedTask;
                    return Task.Delay(10);
                }|];
            }
            """);
        var conversion = Plan(source, source.Node<ParenthesizedLambdaExpressionSyntax>(), mayChangeReturnType: false);

        Assert.Equal(new[] { ReturnRewrite.Bare, ReturnRewrite.Await }, conversion.Returns.Select(r => r.Rewrite));
        Assert.Equal("""
            using System;
            using System.Threading.Tasks;

            public static class Jobs
            {
                public static Func<Task> Make() => async () =>
                {
                    Console.WriteLine("start");
                    if (DateTime.Now.Second == 0)
                        return;
                    await Task.Delay(10);
                };
            }
            """, await source.ApplyAsync(conversion.Apply));
    }

    [Fact]
    public async Task LocalFunction_ReturningATaskWithAResult_AwaitsOrUnwrapsEachReturn()
    {
        var source = await EditingSource.CreateAsync("""
            using System;
            using System.Threading.Tasks;

            public static class Jobs
            {
                public static Task<int> CountAsync()
                {
                    return Count();

                    [|Task<int> Count()
                    {
                        if (DateTime.Now.Second == 0)
                            return Task.FromResult(0);
                        return Task.Run(() => 42);
                    }|]
                }
            }
            """);
        var conversion = Plan(source, source.Node<LocalFunctionStatementSyntax>(), mayChangeReturnType: false);

        Assert.Equal(new[] { ReturnRewrite.Result, ReturnRewrite.AwaitResult }, conversion.Returns.Select(r => r.Rewrite));
        Assert.Equal("""
            using System;
            using System.Threading.Tasks;

            public static class Jobs
            {
                public static Task<int> CountAsync()
                {
                    return Count();

                    async Task<int> Count()
                    {
                        if (DateTime.Now.Second == 0)
                            return 0;
                        return await Task.Run(() => 42);
                    }
                }
            }
            """, await source.ApplyAsync(conversion.Apply));
    }

    [Fact]
    public async Task Method_ReturningATask_AwaitsThenReturnsInsideTheBodyAndDropsTheFinalCompletedTask()
    {
        var source = await EditingSource.CreateAsync("""
            using System;
            using System.Threading.Tasks;

            public sealed class Cache
            {
                public [|Task|] RefreshAsync(bool full)
                {
                    if (full)
                    {
                        return Task.Delay(10);   // the whole cache
                    }

                    Console.WriteLine("partial");
                    // Nothing left to wait for.
                    return Task.CompletedTask;
                }
            }
            """);
        var conversion = Plan(source, source.Node<MethodDeclarationSyntax>(), mayChangeReturnType: false);

        Assert.Equal(new[] { (ReturnRewrite.Await, false), (ReturnRewrite.Bare, true) }, conversion.Returns.Select(r => (r.Rewrite, r.IsLast)));
        Assert.Equal("""
            using System;
            using System.Threading.Tasks;

            public sealed class Cache
            {
                public async Task RefreshAsync(bool full)
                {
                    if (full)
                    {
                        await Task.Delay(10);   // the whole cache
                        return;
                    }

                    Console.WriteLine("partial");
                    // Nothing left to wait for.
                }
            }
            """, await source.ApplyAsync(conversion.Apply));
    }

    [Fact]
    public async Task Method_ReturnInAnEmbeddedStatement_BecomesABlock()
    {
        var source = await EditingSource.CreateAsync("""
            using System.Threading.Tasks;

            public sealed class Cache
            {
                public [|Task|] RefreshAsync(bool full)
                {
                    if (full)
                        return Task.Delay(10);
                    return Task.Delay(1);
                }
            }
            """);

        Assert.Equal("""
            using System.Threading.Tasks;

            public sealed class Cache
            {
                public async Task RefreshAsync(bool full)
                {
                    if (full)
                    {
                        await Task.Delay(10);
                        return;
                    }
                    await Task.Delay(1);
                }
            }
            """, await source.ApplyAsync(Plan(source, source.Node<MethodDeclarationSyntax>(), mayChangeReturnType: false).Apply));
    }

    [Fact]
    public async Task Action_ReturnTypeBecomesATaskOfIt_AndTasksNamespaceIsImported()
    {
        var source = await EditingSource.CreateAsync("""
            using Microsoft.AspNetCore.Mvc;

            public sealed class OrdersController : ControllerBase
            {
                [HttpPost]
                public [|IActionResult|] Create()
                {
                    return Accepted();
                }
            }
            """);
        var conversion = Plan(source, source.Node<MethodDeclarationSyntax>(), mayChangeReturnType: true);

        Assert.Equal(new[] { ReturnRewrite.Keep }, conversion.Returns.Select(r => r.Rewrite));
        Assert.Equal("""
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Mvc;

            public sealed class OrdersController : ControllerBase
            {
                [HttpPost]
                public async Task<IActionResult> Create()
                {
                    return Accepted();
                }
            }
            """, await source.ApplyAsync(conversion.Apply));
    }

    [Fact]
    public async Task VoidLocalFunctionWithoutModifiers_ReturnsATask()
    {
        var source = await EditingSource.CreateAsync("""
            using System;
            using System.Threading.Tasks;

            public static class Jobs
            {
                public static void Run()
                {
                    Log();

                    [|void Log()
                    {
                        Console.WriteLine("x");
                    }|]
                }
            }
            """);

        Assert.Equal("""
            using System;
            using System.Threading.Tasks;

            public static class Jobs
            {
                public static void Run()
                {
                    Log();

                    async Task Log()
                    {
                        Console.WriteLine("x");
                    }
                }
            }
            """, await source.ApplyAsync(Plan(source, source.Node<LocalFunctionStatementSyntax>(), mayChangeReturnType: true).Apply));
    }

    [Fact]
    public async Task LambdaWhoseReturnTypeMayChange_OnlyBecomesAsync()
    {
        var source = await EditingSource.CreateAsync("""
            using System;

            public static class Handlers
            {
                public static Delegate Handler { get; } = [|(int id) =>
                {
                    return id + 1;
                }|];
            }
            """);

        Assert.Equal("""
            using System;

            public static class Handlers
            {
                public static Delegate Handler { get; } = async (int id) =>
                {
                    return id + 1;
                };
            }
            """, await source.ApplyAsync(Plan(source, source.Node<ParenthesizedLambdaExpressionSyntax>(), mayChangeReturnType: true).Apply));
    }

    [Fact]
    public async Task AlreadyAsync_ChangesNothing()
    {
        const string Marked = """
            using System.Threading.Tasks;

            public static class Jobs
            {
                public static async Task [|RunAsync|]() => await Task.Delay(1);
            }
            """;
        var source = await EditingSource.CreateAsync(Marked);
        var conversion = Plan(source, source.Node<MethodDeclarationSyntax>(), mayChangeReturnType: false);

        Assert.True(conversion.IsAsync);
        Assert.Equal(Markup.Parse(Marked).Text, await source.ApplyAsync(conversion.Apply));
    }

    [Theory]
    [InlineData("public static Task [|Run|](ref int count) { count++; return Task.CompletedTask; }")]
    [InlineData("public static Task<string> [|Run|]() { return null; }")]
    [InlineData("public static int [|Run|]() { return 1; }")]
    [InlineData("public static IEnumerable<Task> [|Run|]() { yield return Task.CompletedTask; }")]
    [InlineData("public static Task [|Run|]() { lock (Gate) { return Task.Delay(1); } }")]
    [InlineData("public static Task [|Run|]() { Span<int> buffer = stackalloc int[4]; return Task.Delay(buffer.Length); }")]
    public async Task CannotBecomeAsync(string method)
    {
        var source = await EditingSource.CreateAsync($$"""
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            public static class Jobs
            {
                private static readonly object Gate = new();

                {{method}}
            }
            """);

        Assert.Null(AsyncConversion.Plan(source.Node<MethodDeclarationSyntax>(), source.Model, source.Threading, mayChangeReturnType: false, CancellationToken.None));
    }

    [Theory]
    [InlineData("public static Task [|Run|]() { return Task.Delay(1); }", true)]
    [InlineData("public static Task<int> [|Run|](bool b) { if (b) return Task.FromResult(0); return Task.Run(() => 1); }", true)]
    [InlineData("public static Task [|Run|]() { return null; }", true)]
    [InlineData("public static Task [|Run|]() { Console.WriteLine(); return Task.CompletedTask; }", false)]
    [InlineData("public static ValueTask<int> [|Run|]() { return new ValueTask<int>(1); }", false)]
    [InlineData("public static Task [|Run|](ref int count) { count++; return default; }", false)]
    [InlineData("public static Task [|Run|]() { Func<Task> later = () => Task.Delay(1); return Task.CompletedTask; }", false)]
    [InlineData("public static int [|Run|]() { return 1; }", false)]
    public async Task ReturnsPendingWork_OnlyWhenAReturnIsNotAFinishedTask(string method, bool expected)
    {
        var source = await EditingSource.CreateAsync($$"""
            using System;
            using System.Threading.Tasks;

            public static class Jobs
            {
                {{method}}
            }
            """);
        var declaration = source.Node<MethodDeclarationSyntax>();
        var symbol = Microsoft.CodeAnalysis.CSharp.CSharpExtensions.GetDeclaredSymbol(source.Model, declaration)!;

        Assert.Equal(expected, AsyncConversion.ReturnsPendingWork(symbol, declaration.Body!, source.Model, source.Threading, CancellationToken.None));
    }

    private static AsyncConversion Plan(EditingSource source, Microsoft.CodeAnalysis.SyntaxNode function, bool mayChangeReturnType) =>
        AsyncConversion.Plan(function, source.Model, source.Threading, mayChangeReturnType, CancellationToken.None)
            ?? throw new InvalidOperationException("The function cannot become async.");
}
