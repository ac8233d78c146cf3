using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace LeakAnalyzers.Tests;

/// <summary>
/// The references test compilations get, defined once: the .NET 8 and ASP.NET Core 8 reference packs
/// (<c>Microsoft.NETCore.App.Ref</c> and <c>Microsoft.AspNetCore.App.Ref</c> 8.0.0, assemblies under <c>ref/net8.0</c>).
/// They pin the oldest surface we support, so no rule leans on an API our users lack.
/// <para>
/// The packs are restored with this project (<c>PackageDownload</c> in the csproj) and read from the NuGet package
/// folder the build recorded, never downloaded while tests run. The testing library's own resolution
/// (<c>ReferenceAssemblies.AddPackages</c>) silently dropped ASP.NET Core on the first run on a case-sensitive file
/// system: its package resolver hands back nuget.org's lower-case id, the extractor writes the folder under the
/// nuspec's casing, and the installed-path lookup then misses it and skips the package.
/// </para>
/// </summary>
public static class References
{
    /// <summary>.NET 8 plus the ASP.NET Core 8 shared framework (which includes Microsoft.Extensions.*).</summary>
    public static ReferenceSet AspNetCore { get; } = new("net8.0 + ASP.NET Core 8", Pack("microsoft.netcore.app.ref").AddRange(Pack("microsoft.aspnetcore.app.ref")));

    /// <summary>.NET 8 only: a console app or library without ASP.NET Core (and without Microsoft.Extensions.Caching.Memory).</summary>
    public static ReferenceSet NetOnly { get; } = new("net8.0", Pack("microsoft.netcore.app.ref"));

    private static ImmutableArray<MetadataReference> Pack(string id)
    {
        var root = typeof(References).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "NuGetPackageRoot")?.Value
            ?? throw new InvalidOperationException("The test assembly does not record the NuGet package folder (NuGetPackageRoot).");
        var folder = Path.Combine(root, id, "8.0.0", "ref", "net8.0");
        if (!Directory.Exists(folder))
            throw new InvalidOperationException($"The reference pack {id} 8.0.0 is not restored at {folder}: run 'dotnet restore' on the test project.");
        return Directory.GetFiles(folder, "*.dll")
            .OrderBy(path => path, StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    }
}

/// <summary>A fixed set of metadata references a test compiles against.</summary>
public sealed class ReferenceSet(string name, ImmutableArray<MetadataReference> references)
{
    public ImmutableArray<MetadataReference> References { get; } = references;

    /// <summary>
    /// What the testing library is given: a target framework and no package, so that it resolves nothing itself; the
    /// references come from <see cref="References"/> as additional references.
    /// </summary>
    public static ReferenceAssemblies None { get; } = new("net8.0");

    public override string ToString() => name;
}
