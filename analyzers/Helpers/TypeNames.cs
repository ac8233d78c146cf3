namespace LeakAnalyzers.Helpers;

/// <summary>Metadata names of the types the rules look up once per compilation.</summary>
internal static class TypeNames
{
    public const string Task = "System.Threading.Tasks.Task";
    public const string TaskOfT = "System.Threading.Tasks.Task`1";
    public const string ValueTask = "System.Threading.Tasks.ValueTask";
    public const string ValueTaskOfT = "System.Threading.Tasks.ValueTask`1";
    public const string CancellationToken = "System.Threading.CancellationToken";
    public const string IDisposable = "System.IDisposable";
    public const string IAsyncDisposable = "System.IAsyncDisposable";
    public const string AsyncLocal = "System.Threading.AsyncLocal`1";
    public const string ThreadLocal = "System.Threading.ThreadLocal`1";
    public const string ThreadStaticAttribute = "System.ThreadStaticAttribute";
    public const string Timer = "System.Threading.Timer";
    public const string ClaimsPrincipal = "System.Security.Claims.ClaimsPrincipal";

    public const string HttpResponseMessage = "System.Net.Http.HttpResponseMessage";
    public const string HttpContent = "System.Net.Http.HttpContent";
    public const string DelegatingHandler = "System.Net.Http.DelegatingHandler";
    public const string Stream = "System.IO.Stream";

    public const string HttpContext = "Microsoft.AspNetCore.Http.HttpContext";
    public const string HttpRequest = "Microsoft.AspNetCore.Http.HttpRequest";
    public const string HttpResponse = "Microsoft.AspNetCore.Http.HttpResponse";
    public const string ActionContext = "Microsoft.AspNetCore.Mvc.ActionContext";
    public const string HubCallerContext = "Microsoft.AspNetCore.SignalR.HubCallerContext";
    public const string IHostApplicationLifetime = "Microsoft.Extensions.Hosting.IHostApplicationLifetime";
    public const string IActionResult = "Microsoft.AspNetCore.Mvc.IActionResult";
    public const string IResult = "Microsoft.AspNetCore.Http.IResult";
}
