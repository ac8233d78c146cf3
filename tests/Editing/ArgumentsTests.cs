using LeakAnalyzers.Editing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace LeakAnalyzers.Tests.Editing;

/// <summary>Argument-list edits (<see cref="Arguments"/>): where one more argument of a type goes, and the exact call it gives.</summary>
public sealed class ArgumentsTests
{
    private const string Calls = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        public static class Calls
        {
            public static async Task RunAsync(ILog log, CancellationToken token)
            {
                {{statement}}
            }

            private static Task SaveAsync(string path, int retries = 1, CancellationToken cancellationToken = default) => Task.CompletedTask;
        }

        public interface ILog { }

        public static class LogExtensions
        {
            public static Task WriteAsync(this ILog log, string entry, CancellationToken cancellationToken = default) => Task.CompletedTask;
        }
        """;

    [Theory]
    [InlineData("await [|SaveAsync(\"a\", 2)|];", "await SaveAsync(\"a\", 2, token);")]
    [InlineData("await [|SaveAsync(\"a\")|];", "await SaveAsync(\"a\", cancellationToken: token);")]
    [InlineData("await [|SaveAsync(path: \"a\", retries: 2)|];", "await SaveAsync(path: \"a\", retries: 2, cancellationToken: token);")]
    [InlineData("await [|log.WriteAsync(\"a\")|];", "await log.WriteAsync(\"a\", token);")]
    [InlineData("await [|Task.Delay(10)|];", "await Task.Delay(10, token);")]
    [InlineData("await [|Task.Run(() => 42)|];", "await Task.Run(() => 42, token);")]
    [InlineData("await [|Task.Delay(10, CancellationToken.None)|];", "await Task.Delay(10, token);")]
    [InlineData("await [|Task.Factory.StartNew(() => { }, default, TaskCreationOptions.None, TaskScheduler.Default)|];", "await Task.Factory.StartNew(() => { }, token, TaskCreationOptions.None, TaskScheduler.Default);")]
    public async Task PassesTheTokenWhereTheCallTakesIt(string statement, string expected)
    {
        var source = await EditingSource.CreateAsync(Calls.Replace("{{statement}}", statement));
        var slot = SlotFor(source);

        Assert.NotNull(slot);
        var token = (ExpressionSyntax)source.Generator.IdentifierName("token");
        Assert.Equal(Calls.Replace("{{statement}}", expected), await source.ApplyAsync(editor => Arguments.Pass(editor, slot.Value, token)));
    }

    [Fact]
    public async Task ReportsTheArgumentAlreadyPassed()
    {
        var source = await EditingSource.CreateAsync(Calls.Replace("{{statement}}", "await [|Task.Delay(10, token)|];"));

        Assert.Equal("token", SlotFor(source)?.Existing?.Syntax.ToString());
    }

    [Theory]
    [InlineData("[|Console.WriteLine(\"a\")|];")]
    [InlineData("await [|Task.WhenAll(Task.CompletedTask)|];")]
    public async Task NoSlotWhereNothingTakesIt(string statement)
    {
        var source = await EditingSource.CreateAsync(Calls.Replace("{{statement}}", statement));

        Assert.Null(SlotFor(source));
    }

    [Fact]
    public async Task InsertPutsTheArgumentAtItsIndexAndNamesItWhenAsked()
    {
        var source = await EditingSource.CreateAsync(Calls.Replace("{{statement}}", "await [|SaveAsync(\"a\")|];"));
        var list = source.Node<InvocationExpressionSyntax>().ArgumentList;
        var value = (ExpressionSyntax)source.Generator.LiteralExpression(3);

        Assert.Equal("(3, \"a\")", Arguments.Insert(list, source.Generator, value, 0, null).NormalizeWhitespace().ToString());
        Assert.Equal("(\"a\", retries: 3)", Arguments.Insert(list, source.Generator, value, 5, "retries").NormalizeWhitespace().ToString());
    }

    private static ArgumentSlot? SlotFor(EditingSource source)
    {
        var call = source.Model.GetOperation(source.Node<InvocationExpressionSyntax>())!;
        return Arguments.SlotFor(call, source.Threading.CancellationToken, source.Model, CancellationToken.None);
    }
}
