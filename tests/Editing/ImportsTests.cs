using LeakAnalyzers.Editing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Xunit;

namespace LeakAnalyzers.Tests.Editing;

/// <summary>Using directives (<see cref="Imports"/>): a generated type's namespace through the cleanup, an extension method's namespace in the same order.</summary>
public sealed class ImportsTests
{
    [Fact]
    public async Task Type_IsSimplifiedAndItsNamespaceImportedInOrder()
    {
        var source = await EditingSource.CreateAsync("""
            using System;
            using System.Threading;
            using Microsoft.AspNetCore.Http;

            public sealed class [|Registry|]
            {
            }
            """);
        var queue = source.Model.Compilation.GetTypeByMetadataName("System.Collections.Concurrent.ConcurrentQueue`1")!
            .Construct(source.Model.Compilation.GetSpecialType(SpecialType.System_Int32));

        var result = await source.ApplyAsync(editor => editor.AddMember(source.Node<ClassDeclarationSyntax>(),
            editor.Generator.FieldDeclaration("_queue", Imports.Type(editor.Generator, queue), Accessibility.Private, DeclarationModifiers.ReadOnly)));

        Assert.Equal("""
            using System;
            using System.Collections.Concurrent;
            using System.Threading;
            using Microsoft.AspNetCore.Http;

            public sealed class Registry
            {
                private readonly ConcurrentQueue<int> _queue;
            }
            """, result);
    }

    [Fact]
    public async Task NamespaceOfAnExtension_GoesAfterTheSystemOnesInOrdinalOrder()
    {
        var source = await EditingSource.CreateAsync("""
            using System;
            using System.Threading;
            using Microsoft.AspNetCore.Http;
            using Microsoft.Extensions.Logging;

            public static class Handlers
            {
                public static object Resolve(HttpContext context) => [|context.RequestServices|];
            }
            """);

        var result = await source.ApplyAsync(editor =>
        {
            AddImport(source, editor, "Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions", "GetRequiredService");
            AddImport(source, editor, "System.Linq.Enumerable", "Select");
        });

        Assert.Equal("""
            using System;
            using System.Linq;
            using System.Threading;
            using Microsoft.AspNetCore.Http;
            using Microsoft.Extensions.DependencyInjection;
            using Microsoft.Extensions.Logging;

            public static class Handlers
            {
                public static object Resolve(HttpContext context) => context.RequestServices;
            }
            """, result);
    }

    [Fact]
    public async Task NamespaceOfAnExtension_AlreadyInScope_IsNotAddedAgain()
    {
        const string Marked = """
            using Microsoft.AspNetCore.Http;

            namespace Microsoft.Extensions.DependencyInjection
            {
                public static class Handlers
                {
                    public static object Resolve(HttpContext context) => [|context.RequestServices|];
                }
            }
            """;
        var source = await EditingSource.CreateAsync(Marked);

        var result = await source.ApplyAsync(editor => AddImport(source, editor, "Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions", "GetRequiredService"));

        Assert.Equal(Markup.Parse(Marked).Text, result);
    }

    private static void AddImport(EditingSource source, SyntaxEditor editor, string extensions, string method) =>
        Imports.AddNamespaceOf(editor, source.Model.Compilation.GetTypeByMetadataName(extensions)!, method, source.Model, source.Nodes[0].SpanStart);
}
