namespace LeakAnalyzers.Tests;

/// <summary>Source templates that more than one rule's tests build on.</summary>
internal static class Sources
{
    /// <summary>
    /// The usings of request-code tests (LEAK002, LEAK003): the BCL basics, ASP.NET Core, hosting and logging. Ends with
    /// an empty line.
    /// </summary>
    public const string AspNetCoreUsings = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Security.Claims;
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.AspNetCore.Builder;
        using Microsoft.AspNetCore.Http;
        using Microsoft.Extensions.Hosting;
        using Microsoft.Extensions.Logging;

        """;

    /// <summary>
    /// A conventional middleware, <c>AuditMiddleware</c>, with a logger: its <c>InvokeAsync(HttpContext)</c> runs
    /// <paramref name="body"/> then calls the next middleware; <paramref name="helpers"/> and <paramref name="members"/>
    /// (indented as members) follow it. <paramref name="usings"/> ends with an empty line.
    /// </summary>
    public static string Middleware(string usings, string body, string helpers, string members) => usings + $$"""
        public sealed class AuditMiddleware
        {
            private readonly RequestDelegate _next;
            private readonly ILogger<AuditMiddleware> _logger;

            public AuditMiddleware(RequestDelegate next, ILogger<AuditMiddleware> logger)
            {
                _next = next;
                _logger = logger;
            }

            public async Task InvokeAsync(HttpContext context)
            {
        {{body}}
                await _next(context);
            }

        {{helpers}}
        {{members}}
        }
        """;

    /// <summary>
    /// The audit middleware of <see cref="Middleware"/> without helpers, whose <c>InvokeAsync</c> runs <paramref name="body"/>:
    /// the statement LEAK002 and LEAK003 both report. <paramref name="injected"/> adds the <c>IHostApplicationLifetime</c>
    /// field and constructor parameter as LEAK002's fix injects them.
    /// </summary>
    public static string MiddlewareWithLifetime(string usings, string body, bool injected) => usings + $$"""
        public sealed class AuditMiddleware
        {
            private readonly RequestDelegate _next;
            private readonly ILogger<AuditMiddleware> _logger;{{(injected ? "\n    private readonly IHostApplicationLifetime _lifetime;" : "")}}

            public AuditMiddleware(RequestDelegate next, ILogger<AuditMiddleware> logger{{(injected ? ", IHostApplicationLifetime lifetime" : "")}})
            {
                _next = next;
                _logger = logger;{{(injected ? "\n        _lifetime = lifetime;" : "")}}
            }

            public async Task InvokeAsync(HttpContext context)
            {
        {{body}}
                await _next(context);
            }
        }
        """;

    /// <summary>
    /// A typed client, <c>OrdersClient</c>, around the members under test (<paramref name="members"/>, indented as members):
    /// an <c>HttpClient _client</c>, an <c>HttpMessageInvoker _invoker</c>, a response field <c>_last</c> and a list
    /// <c>_responses</c>, with the usings for <c>System.Net.Http</c> and tasks.
    /// </summary>
    public static string TypedClient(string members) => $$"""
        using System;
        using System.Collections.Generic;
        using System.IO;
        using System.Net;
        using System.Net.Http;
        using System.Net.Http.Json;
        using System.Threading;
        using System.Threading.Tasks;

        public class OrdersClient
        {
            private readonly HttpClient _client;
            private readonly HttpMessageInvoker _invoker;
            private HttpResponseMessage _last;
            private readonly List<HttpResponseMessage> _responses = new();

            public OrdersClient(HttpClient client, HttpMessageInvoker invoker)
            {
                _client = client;
                _invoker = invoker;
            }

        {{members}}
        }
        """;
}
