// LEAK004: undisposed HttpResponseMessage. Each leaky method has a clean twin below it.
namespace LeakyApi.Examples;

public sealed record Forecast(string City, int Celsius);

public sealed class WeatherGateway(HttpClient http)
{
    // Leaky: the response (and its pooled connection) is dropped without Dispose.
    public async Task PingAsync()
    {
        await http.PostAsync("ping", content: null);
    }

    // Clean twin.
    public async Task PingCleanAsync()
    {
        using var response = await http.PostAsync("ping", content: null);
    }

    // Leaky: the early return leaves without disposing; only the happy path disposes.
    public async Task<Forecast?> ForecastAsync(string city)
    {
        var response = await http.GetAsync($"forecast/{Uri.EscapeDataString(city)}");
        if (!response.IsSuccessStatusCode)
            return null;
        var forecast = await response.Content.ReadFromJsonAsync<Forecast>();
        response.Dispose();
        return forecast;
    }

    // Clean twin.
    public async Task<Forecast?> ForecastCleanAsync(string city)
    {
        using var response = await http.GetAsync($"forecast/{Uri.EscapeDataString(city)}");
        if (!response.IsSuccessStatusCode)
            return null;
        return await response.Content.ReadFromJsonAsync<Forecast>();
    }

    // Leaky: the response inside the expression is never disposed.
    public async Task<string> RawAsync(string path) =>
        await (await http.GetAsync(path)).Content.ReadAsStringAsync();

    // Clean: streaming hands the response's lifetime to the caller's stream.
    public async Task<Stream> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return await response.Content.ReadAsStreamAsync(cancellationToken);
    }
}

public static class HttpResponseEndpoints
{
    public static void MapHttpResponseExamples(this IEndpointRouteBuilder app)
    {
        app.MapGet("/weather/{city}", async (string city, WeatherGateway gateway) =>
            await gateway.ForecastCleanAsync(city) is { } forecast ? Results.Ok(forecast) : Results.NotFound());
        app.MapPost("/weather/ping", async (WeatherGateway gateway) =>
        {
            await gateway.PingAsync();
            return Results.NoContent();
        });
    }
}
