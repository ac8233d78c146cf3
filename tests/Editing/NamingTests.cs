using LeakAnalyzers.Editing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace LeakAnalyzers.Tests.Editing;

/// <summary>Fresh names (<see cref="Naming"/>): never one the code around uses.</summary>
public sealed class NamingTests
{
    private const string Source = """
        using System;

        public sealed class Audit
        {
            private readonly string _lifetime = "";
            private string path = "";

            public void Run(string stopping)
            {
                foreach (var item in new[] { 1 })
                {
                    var count = item;
                }

                [|Console.WriteLine(stopping)|];
            }
        }
        """;

    [Theory]
    [InlineData("length", "length")]
    [InlineData("count", "count2")]          // declared in another scope of the member (CS0136)
    [InlineData("stopping", "stopping2")]    // a parameter
    [InlineData("path", "path2")]            // a field that binds where the local goes
    public async Task Unique_AvoidsWhatTheMemberDeclaresAndWhatBindsThere(string stem, string expected)
    {
        var source = await EditingSource.CreateAsync(Source);
        var at = source.Node<StatementSyntax>();

        Assert.Equal(expected, Naming.Unique(stem, at, source.Model, Naming.DeclaredAround(at, CancellationToken.None)));
    }

    [Fact]
    public async Task Unique_RemembersWhatItGaveOut()
    {
        var source = await EditingSource.CreateAsync(Source);
        var at = source.Node<StatementSyntax>();
        var declared = Naming.DeclaredAround(at, CancellationToken.None);

        Assert.Equal(new[] { "value", "value2", "value3" }, new[] { 1, 2, 3 }.Select(_ => Naming.Unique("value", at, source.Model, declared)));
    }

    [Theory]
    [InlineData("_lifetime", new string[0], "_lifetime2")]
    [InlineData("lifetime", new string[0], "lifetime")]
    [InlineData("lifetime", new[] { "lifetime", "lifetime2" }, "lifetime3")]
    public async Task Member_AvoidsTheTypesMembersAndTheOtherParameters(string stem, string[] alsoTaken, string expected)
    {
        var source = await EditingSource.CreateAsync(Source);
        var type = (INamedTypeSymbol)source.Model.GetDeclaredSymbol(source.Node<ClassDeclarationSyntax>())!;

        Assert.Equal(expected, Naming.Member(stem, type, alsoTaken));
    }

    [Theory]
    [InlineData("Cache", "Cache")]
    [InlineData("_cache", "Cache")]
    [InlineData("s_cache", "Cache")]
    [InlineData("t_user", "User")]
    [InlineData("m_items", "Items")]
    [InlineData("currentTenant", "CurrentTenant")]
    [InlineData("t_", "T_")]
    [InlineData("__", "Fallback")]
    public void Stem_DropsFieldPrefixesAndCapitalizes(string memberName, string expected) =>
        Assert.Equal(expected, Naming.Stem(memberName, "Fallback"));

    [Fact]
    public void Fresh_NumbersFromTwo() =>
        Assert.Equal("name3", Naming.Fresh("name", candidate => candidate is "name" or "name2"));
}
