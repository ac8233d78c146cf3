namespace LeakAnalyzers.Tests;

/// <summary>Source templates that more than one rule's tests build on.</summary>
internal static class Sources
{
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
}
