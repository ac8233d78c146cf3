// LEAK006: scoped and disposable transient services resolved from the root provider. Each leaky member has a clean twin.
namespace LeakyApi.Examples;

/// <summary>A unit of work: registered scoped, it tracks everything it loaded until its scope ends.</summary>
public sealed class ReportStore : IDisposable
{
    private readonly List<string> _loaded = new();

    public IReadOnlyList<string> Pending()
    {
        _loaded.Add($"report-{_loaded.Count}");
        return _loaded;
    }

    public void Dispose() => _loaded.Clear();
}

/// <summary>Registered transient, and disposable: whoever resolves it, its container keeps it until the container is disposed.</summary>
public sealed class ReportRenderer : IDisposable
{
    public int Render(string report) => report.Length;

    public void Dispose()
    {
    }
}

// Leaky: a hosted service is a singleton, so the provider it is given is the root one. The store resolved on the
// first tick is the same on every tick (its loaded list only grows), and every tick adds a renderer the root keeps.
public sealed class ReportMailer(IServiceProvider services, ILogger<ReportMailer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var store = services.GetRequiredService<ReportStore>();
            var renderer = services.GetRequiredService<ReportRenderer>();
            foreach (var report in store.Pending())
                logger.LogInformation("Mailed {Bytes} bytes", renderer.Render(report));
        }
    }
}

// Clean twin: one scope per tick, disposed (with the store and the renderer) at the end of the tick.
public sealed class ReportMailerClean(IServiceScopeFactory scopes, ILogger<ReportMailerClean> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await using var scope = scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<ReportStore>();
            var renderer = scope.ServiceProvider.GetRequiredService<ReportRenderer>();
            foreach (var report in store.Pending())
                logger.LogInformation("Mailed {Bytes} bytes", renderer.Render(report));
        }
    }
}

public static class ReportExamples
{
    public static IServiceCollection AddReportExamples(this IServiceCollection services)
    {
        services.AddScoped<ReportStore>();
        services.AddTransient<ReportRenderer>();
        services.AddHostedService<ReportMailer>();
        services.AddHostedService<ReportMailerClean>();
        return services;
    }

    public static void MapReportExamples(this WebApplication app)
    {
        // Leaky: app.Services is the root provider; read in a handler, it hands every request the same store.
        app.MapGet("/reports/pending", () => app.Services.GetRequiredService<ReportStore>().Pending().Count);

        // Clean twin: the handler's parameter comes from the request's scope.
        app.MapGet("/reports/pending-clean", (ReportStore store) => store.Pending().Count);
    }
}
