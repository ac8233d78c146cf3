// Clean, idiomatic HttpClient code: every response is owned and disposed, returned, or handed over.
using System;
using System.IO;
using System.Net.Http;
using System.Net.Http.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Samples.HttpClientUsage;

public sealed record Weather(string City, int Celsius);

public sealed class WeatherClient
{
    private readonly HttpClient _http;

    public WeatherClient(HttpClient http) => _http = http;

    public async Task<Weather?> GetAsync(string city, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync("weather/" + Uri.EscapeDataString(city), cancellationToken);
        if (!response.IsSuccessStatusCode)
            return null;
        return await response.Content.ReadFromJsonAsync<Weather>(cancellationToken: cancellationToken);
    }

    public async Task PublishAsync(Weather weather, CancellationToken cancellationToken)
    {
        using (var response = await _http.PostAsJsonAsync("weather", weather, cancellationToken))
        {
            response.EnsureSuccessStatusCode();
        }
    }

    public async Task<string> GetRawAsync(string path)
    {
        using var response = (await _http.GetAsync(path)).EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    // The caller owns the response: returning it (or its task) hands ownership over.
    public Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        _http.SendAsync(request, cancellationToken);

    public async Task<HttpResponseMessage> SendCheckedAsync(HttpRequestMessage request)
    {
        var response = await _http.SendAsync(request);
        if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized)
            Console.WriteLine("unauthorized");
        return response;
    }

    // Streaming: the stream needs the response alive, so the response is not disposed here.
    public async Task<Stream> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var response = await _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return await response.Content.ReadAsStreamAsync(cancellationToken);
    }

    public async Task DeleteAsync(string path)
    {
        HttpResponseMessage? response = null;
        try
        {
            response = await _http.DeleteAsync(path);
            Console.WriteLine(response.StatusCode);
        }
        finally
        {
            response?.Dispose();
        }
    }

    public async Task<int> PutAsync(string path, HttpContent content)
    {
        var response = await _http.PutAsync(path, content);
        var status = (int)response.StatusCode;
        response.Dispose();
        return status;
    }
}

public sealed class RetryHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if ((int)response.StatusCode >= 500)
        {
            response.Dispose();
            response = await base.SendAsync(request, cancellationToken);
        }

        return response;
    }
}

public sealed class StubHandler : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.NoContent));
}

[ApiController]
[Route("proxy")]
public sealed class ProxyController : ControllerBase
{
    private readonly IHttpClientFactory _factory;

    public ProxyController(IHttpClientFactory factory) => _factory = factory;

    [HttpGet("{**path}")]
    public async Task<IActionResult> Get(string path)
    {
        var client = _factory.CreateClient("upstream");
        var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, HttpContext.RequestAborted);
        HttpContext.Response.RegisterForDispose(response);
        return File(await response.Content.ReadAsStreamAsync(HttpContext.RequestAborted), "application/octet-stream");
    }

    [HttpGet("text/{**path}")]
    public async Task<string> GetText(string path)
    {
        // Methods that return no response own nothing.
        return await _factory.CreateClient("upstream").GetStringAsync(path, HttpContext.RequestAborted);
    }
}

public static class NotificationEndpoints
{
    // Same-named APIs of other types are not HttpClient calls.
    public static Task WriteAsync(HttpResponse response, Weather weather) => response.WriteAsJsonAsync(weather);
}
