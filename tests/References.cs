using System.Collections.Immutable;
using Microsoft.CodeAnalysis.Testing;

namespace LeakAnalyzers.Tests;

/// <summary>
/// The references test compilations get, defined once. ASP.NET Core comes from the
/// Microsoft.AspNetCore.App.Ref 8.0.0 reference pack (assemblies under ref/net8.0), restored through NuGet by
/// the testing library: it pins the oldest ASP.NET Core surface we support, so no rule leans on a newer API.
/// </summary>
public static class References
{
    /// <summary>.NET 8 plus the ASP.NET Core 8 shared framework (which includes Microsoft.Extensions.*).</summary>
    public static ReferenceAssemblies AspNetCore { get; } = ReferenceAssemblies.Net.Net80.AddPackages(
        ImmutableArray.Create(new PackageIdentity("Microsoft.AspNetCore.App.Ref", "8.0.0")));

    /// <summary>.NET 8 only: a console app or library without ASP.NET Core (and without Microsoft.Extensions.Caching.Memory).</summary>
    public static ReferenceAssemblies NetOnly { get; } = ReferenceAssemblies.Net.Net80;
}
