using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace EditorCheck;

/// <summary>An error response from the server (JSON-RPC <c>error</c> member).</summary>
internal sealed class LspErrorException(string method, int code, string message) : Exception($"{method}: error {code}: {message}")
{
    public int Code { get; } = code;
}

/// <summary>
/// The client end of a JSON-RPC connection over a language server's stdin/stdout, as an editor has it: base-protocol
/// framing (<c>Content-Length</c> headers), numbered requests with timeouts, and the server's own requests, each of
/// which gets a response from <see cref="ServerRequestHandler"/> (a result, or the JSON-RPC "method not found" error).
/// </summary>
internal sealed class LspConnection : IDisposable
{
    private const int MethodNotFound = -32601;
    private const int InvalidParams = -32602;

    private readonly Stream _toServer;
    private readonly Stream _fromServer;
    private readonly TextWriter _log;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private long _lastId;
    private Task? _readLoop;

    /// <param name="log">Every message both ways, one line each; a synchronized writer.</param>
    public LspConnection(Stream toServer, Stream fromServer, TextWriter log)
    {
        _toServer = toServer;
        _fromServer = new BufferedStream(fromServer);
        _log = log;
    }

    /// <summary>
    /// Answers a request of the server (method, params): Known false gives the JSON-RPC "method not found" error,
    /// otherwise Result is the result (null is a valid result for most server-to-client requests).
    /// </summary>
    public Func<string, JsonElement, (bool Known, JsonNode? Result)>? ServerRequestHandler { get; set; }

    /// <summary>Called for every notification of the server (method, params).</summary>
    public Action<string, JsonElement>? NotificationHandler { get; set; }

    private volatile bool _closed;

    /// <summary>Set when the server's output ends (it exited or closed stdout).</summary>
    public bool Closed => _closed;

    public void Start() => _readLoop = Task.Run(ReadLoopAsync);

    public async Task<JsonElement> RequestAsync(string method, JsonNode? parameters, TimeSpan timeout)
    {
        var id = Interlocked.Increment(ref _lastId);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        if (Closed)
            answer.TrySetException(new IOException("the server closed its output"));
        await SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters })
            .ConfigureAwait(false);
        try
        {
            return await answer.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _pending.TryRemove(id, out _);
            await NotifyAsync("$/cancelRequest", new JsonObject { ["id"] = id }).ConfigureAwait(false);
            throw new TimeoutException($"{method}: no response in {timeout.TotalSeconds:0} s");
        }
    }

    public Task NotifyAsync(string method, JsonNode? parameters) =>
        SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = parameters });

    private async Task SendAsync(JsonObject message)
    {
        var body = Encoding.UTF8.GetBytes(message.ToJsonString());
        var header = Encoding.ASCII.GetBytes($"Content-Length: {body.Length.ToString(CultureInfo.InvariantCulture)}\r\n\r\n");
        Log("->", message);
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await _toServer.WriteAsync(header).ConfigureAwait(false);
            await _toServer.WriteAsync(body).ConfigureAwait(false);
            await _toServer.FlushAsync().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            Log("!!", $"could not write to the server: {e.Message}");
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (await ReadMessageAsync().ConfigureAwait(false) is { } message)
                Dispatch(message);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or JsonException or InvalidDataException)
        {
            Log("!!", $"reading from the server stopped: {e.Message}");
        }
        finally
        {
            _closed = true;
            foreach (var pending in _pending.Values)
                pending.TrySetException(new IOException("the server closed its output"));
        }
    }

    /// <summary>Reads one framed message: header lines up to an empty line, then exactly Content-Length bytes.</summary>
    private async Task<JsonElement?> ReadMessageAsync()
    {
        int? length = null;
        while (true)
        {
            var line = await ReadHeaderLineAsync().ConfigureAwait(false);
            if (line is null)
                return null;
            if (line.Length == 0)
                break;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                length = int.Parse(line[(colon + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
        }

        if (length is not { } size)
            throw new InvalidDataException("a message without Content-Length");
        var body = new byte[size];
        await _fromServer.ReadExactlyAsync(body, _stop.Token).ConfigureAwait(false);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    /// <summary>One ASCII header line without its CR LF; null at the end of the stream.</summary>
    private async Task<string?> ReadHeaderLineAsync()
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            if (await _fromServer.ReadAsync(one, _stop.Token).ConfigureAwait(false) == 0)
                return null;
            if (one[0] == '\n')
                return line.ToString().TrimEnd('\r');
            line.Append((char)one[0]);
        }
    }

    private void Dispatch(JsonElement message)
    {
        var hasId = message.TryGetProperty("id", out var id) && id.ValueKind is JsonValueKind.Number or JsonValueKind.String;
        if (message.TryGetProperty("method", out var methodElement))
        {
            var method = methodElement.GetString() ?? "";
            var parameters = message.TryGetProperty("params", out var p) ? p : default;
            Log("<-", message);
            if (hasId)
                _ = Task.Run(() => AnswerAsync(id, method, parameters));
            else
                NotificationHandler?.Invoke(method, parameters);
            return;
        }

        if (!hasId || id.ValueKind != JsonValueKind.Number || !_pending.TryRemove(id.GetInt64(), out var answer))
        {
            Log("<-", message);
            return;
        }

        Log("<-", message);
        if (message.TryGetProperty("error", out var error))
        {
            var code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt32() : 0;
            var text = error.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
            answer.TrySetException(new LspErrorException($"request {id.GetInt64()}", code, text));
        }
        else
        {
            answer.TrySetResult(message.TryGetProperty("result", out var result) ? result : default);
        }
    }

    /// <summary>Every request of the server gets a response, even one this client does not know.</summary>
    private async Task AnswerAsync(JsonElement id, string method, JsonElement parameters)
    {
        var response = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = JsonNode.Parse(id.GetRawText()) };
        try
        {
            var (known, result) = ServerRequestHandler?.Invoke(method, parameters) ?? (false, null);
            if (known)
                response["result"] = result;
            else
                response["error"] = new JsonObject { ["code"] = MethodNotFound, ["message"] = $"{method} is not supported by this client" };
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException)
        {
            response["error"] = new JsonObject { ["code"] = InvalidParams, ["message"] = $"{method}: {e.Message}" };
        }

        await SendAsync(response).ConfigureAwait(false);
    }

    private void Log(string direction, JsonNode message) => Log(direction, Shorten(message.ToJsonString()));

    private void Log(string direction, JsonElement message) => Log(direction, Shorten(message.GetRawText()));

    private void Log(string direction, string text)
    {
        try
        {
            _log.WriteLine($"{DateTime.Now:HH:mm:ss.fff} {direction} {text}");
        }
        catch (ObjectDisposedException)
        {
            // a message after the session ended
        }
    }

    private static string Shorten(string json) => json.Length <= 2000 ? json : json[..2000] + $"… ({json.Length} chars)";

    public void Dispose()
    {
        _stop.Cancel();
        _readLoop?.Wait(TimeSpan.FromSeconds(2));
        _stop.Dispose();
        _writeLock.Dispose();
    }
}
