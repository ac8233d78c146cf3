// HttpClient code in the shapes public ASP.NET Core apps use: typed clients from IHttpClientFactory, DelegatingHandlers
// that add headers, log or short-circuit, retry handlers that dispose each failed response before the next attempt
// (OpenTelemetry's and crank's RetryHandler, the Stack Overflow canonical one), a Polly-style policy wrapper,
// a caching handler answering with Task.FromResult, a streaming download whose stream owns the response, a proxy
// endpoint that hands the response to Response.RegisterForDispose, and a health check.
using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Samples.RealWorldHttpClients;

public sealed record Repository(string Name, int Stars);

/// <summary>A typed client: the factory owns the handler, the client is short-lived by design.</summary>
public sealed class GitHubClient(HttpClient http, ILogger<GitHubClient> logger)
{
    public async Task<Repository?> GetRepositoryAsync(string owner, string name, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"repos/{owner}/{name}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<Repository>(cancellationToken);
    }

    public Task<Repository[]?> ListAsync(string owner, CancellationToken cancellationToken) =>
        http.GetFromJsonAsync<Repository[]>($"users/{owner}/repos", cancellationToken);

    public async Task StarAsync(string owner, string name, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"user/starred/{owner}/{name}");
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
            logger.LogWarning("Starring {Owner}/{Name} answered {Status}", owner, name, response.StatusCode);
    }

    // Errors are caught around the call; the response is then owned by a using statement.
    public async Task<string?> TryReadmeAsync(string owner, string name, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync($"repos/{owner}/{name}/readme", cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            logger.LogWarning(ex, "Readme of {Owner}/{Name} unavailable", owner, name);
            return null;
        }

        using (response)
        {
            return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(cancellationToken) : null;
        }
    }

    // A client-side retry on 429: each throttled answer is disposed, the last one by the using after the loop.
    public async Task<string> GetWithBackoffAsync(string path, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        var attempt = 0;
        while (true)
        {
            response = await http.GetAsync(path, cancellationToken);
            if (response.StatusCode != HttpStatusCode.TooManyRequests || ++attempt == 3)
                break;
            response.Dispose();
            await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken);
        }

        using (response)
        {
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadAsStringAsync(cancellationToken);
        }
    }

    // Streaming: the returned stream disposes the response when the caller disposes it.
    public async Task<Stream> DownloadArchiveAsync(string owner, string name, CancellationToken cancellationToken)
    {
        var response = await http.GetAsync($"repos/{owner}/{name}/zipball", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            response.EnsureSuccessStatusCode();
            var content = await response.Content.ReadAsStreamAsync(cancellationToken);
            return new ResponseStream(content, response);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}

/// <summary>A read-only stream that owns the response it reads from.</summary>
public sealed class ResponseStream(Stream inner, HttpResponseMessage response) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            response.Dispose();
        }

        base.Dispose(disposing);
    }
}

public interface ITokenProvider
{
    ValueTask<string> GetTokenAsync(CancellationToken cancellationToken);

    void Invalidate();
}

/// <summary>Adds a bearer token; on 401 refreshes it once, disposing the rejected response.</summary>
public sealed class AuthenticationHandler(ITokenProvider tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetTokenAsync(cancellationToken));
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
            return response;

        response.Dispose();
        tokens.Invalidate();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetTokenAsync(cancellationToken));
        return await base.SendAsync(request, cancellationToken);
    }
}

/// <summary>Retries transient failures; every failed response is disposed before the next attempt.</summary>
public sealed class TransientRetryHandler(ILogger<TransientRetryHandler> logger) : DelegatingHandler
{
    private const int MaxAttempts = 3;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage? response = null;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            response?.Dispose();
            response = await base.SendAsync(request, cancellationToken);
            if ((int)response.StatusCode < 500)
                return response;
            logger.LogWarning("Attempt {Attempt} answered {Status}", attempt, response.StatusCode);
            await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken);
        }

        return response!;
    }
}

/// <summary>The other common shape: return on success, dispose and go round again otherwise.</summary>
public sealed class SimpleRetryHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode || attempt == 3)
                return response;
            response.Dispose();
        }
    }
}

/// <summary>A Polly-like policy: the handler hands the inner call to it and returns what it returns.</summary>
public interface IAsyncPolicy<TResult>
{
    Task<TResult> ExecuteAsync(Func<CancellationToken, Task<TResult>> action, CancellationToken cancellationToken);
}

public sealed class PolicyHandler(IAsyncPolicy<HttpResponseMessage> policy) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        policy.ExecuteAsync(token => base.SendAsync(request, token), cancellationToken);
}

/// <summary>Answers repeated GETs from memory: the cached body is copied into a fresh response for each caller.</summary>
public sealed class CachingHandler : DelegatingHandler
{
    private readonly ConcurrentDictionary<Uri, byte[]> _bodies = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method == HttpMethod.Get && request.RequestUri is { } uri && _bodies.TryGetValue(uri, out var cached))
            return new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request, Content = new ByteArrayContent(cached) };

        var response = await base.SendAsync(request, cancellationToken);
        if (request.Method == HttpMethod.Get && request.RequestUri is { } key && response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            _bodies.TryAdd(key, body);
            if (_bodies.Count > 1000)
                _bodies.Clear();
            response.Content = new ByteArrayContent(body);
        }

        return response;
    }
}

/// <summary>Short-circuits requests while a circuit is open.</summary>
public sealed class CircuitHandler : DelegatingHandler
{
    private long _openUntil;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Environment.TickCount64 < Interlocked.Read(ref _openUntil))
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { RequestMessage = request });
        return SendAndTrackAsync(request, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendAndTrackAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if ((int)response.StatusCode >= 500)
            Interlocked.Exchange(ref _openUntil, Environment.TickCount64 + 30_000);
        return response;
    }
}

/// <summary>Logs every exchange; the response goes back to the caller untouched.</summary>
public sealed class LoggingHandler(ILogger<LoggingHandler> logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("{Method} {Uri} -> {Status} in {Elapsed}", request.Method, request.RequestUri, (int)response.StatusCode, DateTime.UtcNow - started);
        return response;
    }
}

public sealed class UpstreamHealthCheck(IHttpClientFactory clients) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var client = clients.CreateClient("upstream");
        using var response = await client.GetAsync("healthz", cancellationToken);
        return response.IsSuccessStatusCode ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy($"upstream answered {(int)response.StatusCode}");
    }
}

[ApiController]
[Route("files")]
public sealed class FilesController(IHttpClientFactory clients) : ControllerBase
{
    // The response must live until the file result has been written: the request disposes it at its end.
    [HttpGet("{name}")]
    public async Task<IActionResult> Download(string name)
    {
        var response = await clients.CreateClient("storage").GetAsync(Uri.EscapeDataString(name), HttpCompletionOption.ResponseHeadersRead, HttpContext.RequestAborted);
        HttpContext.Response.RegisterForDispose(response);
        if (!response.IsSuccessStatusCode)
            return StatusCode((int)response.StatusCode);
        var stream = await response.Content.ReadAsStreamAsync(HttpContext.RequestAborted);
        return File(stream, response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream");
    }
}

public static class HttpClientRegistration
{
    public static void MapDownloads(this WebApplication app)
    {
        app.MapGet("/mirror/{name}", async (string name, HttpContext context, IHttpClientFactory clients) =>
        {
            var response = await clients.CreateClient("mirror").GetAsync(name, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
            context.Response.RegisterForDispose(response);
            return Results.Stream(await response.Content.ReadAsStreamAsync(context.RequestAborted), response.Content.Headers.ContentType?.MediaType);
        });
    }
}
