using LeakAnalyzers.Editing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace LeakAnalyzers.Tests.Editing;

/// <summary>Statements put before another one (<see cref="Statements"/>), laid out by the formatter.</summary>
public sealed class StatementsTests
{
    [Fact]
    public async Task InsertBefore_TakesTheStatementsCommentsAndIndentation()
    {
        var source = await EditingSource.CreateAsync("""
            using System;
            using Microsoft.AspNetCore.Http;

            public static class Handlers
            {
                public static void Handle(HttpContext context)
                {
                    if (context.Request.Path.HasValue)
                    {
                        // Log the path.
                        [|Console.WriteLine(context.Request.Path)|];
                    }
                }
            }
            """);
        var statement = source.Node<StatementSyntax>();
        var value = source.Node<InvocationExpressionSyntax>().ArgumentList.Arguments[0].Expression;

        var result = await source.ApplyAsync(editor =>
        {
            Statements.InsertBefore(editor, statement, new StatementSyntax[] { Statements.Var(editor.Generator, "path", value), Statements.Var(editor.Generator, "length", value) });
            editor.ReplaceNode(value, editor.Generator.IdentifierName("path"));
        });

        Assert.Equal("""
            using System;
            using Microsoft.AspNetCore.Http;

            public static class Handlers
            {
                public static void Handle(HttpContext context)
                {
                    if (context.Request.Path.HasValue)
                    {
                        // Log the path.
                        var path = context.Request.Path;
                        var length = context.Request.Path;
                        Console.WriteLine(path);
                    }
                }
            }
            """, result);
    }

    [Fact]
    public async Task InsertBefore_AtTopLevel()
    {
        var source = await EditingSource.CreateAsync("""
            using System;

            var name = "a";
            [|Console.WriteLine(name.Length)|];
            """, OutputKind.ConsoleApplication);
        var statement = source.Node<StatementSyntax>();
        var value = source.Node<InvocationExpressionSyntax>().ArgumentList.Arguments[0].Expression;

        var result = await source.ApplyAsync(editor =>
        {
            Statements.InsertBefore(editor, statement, new StatementSyntax[] { Statements.Var(editor.Generator, "length", value) });
            editor.ReplaceNode(value, editor.Generator.IdentifierName("length"));
        });

        Assert.Equal("""
            using System;

            var name = "a";
            var length = name.Length;
            Console.WriteLine(length);
            """, result);
    }

    [Theory]
    [InlineData("if (true) [|Console.WriteLine(1)|];", false)]
    [InlineData("{ [|Console.WriteLine(1)|]; }", true)]
    public async Task CanInsertBefore_OnlyInABlock(string body, bool expected)
    {
        var source = await EditingSource.CreateAsync($$"""
            using System;

            public static class C
            {
                public static void M()
                {
                    {{body}}
                }
            }
            """);

        Assert.Equal(expected, Statements.CanInsertBefore(source.Node<StatementSyntax>()));
    }
}
