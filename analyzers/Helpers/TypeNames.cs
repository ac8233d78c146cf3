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

    public const string HttpResponseMessage = "System.Net.Http.HttpResponseMessage";
    public const string HttpContent = "System.Net.Http.HttpContent";
    public const string DelegatingHandler = "System.Net.Http.DelegatingHandler";
    public const string Stream = "System.IO.Stream";

    public const string HttpContext = "Microsoft.AspNetCore.Http.HttpContext";
    public const string HttpResponse = "Microsoft.AspNetCore.Http.HttpResponse";
    public const string IActionResult = "Microsoft.AspNetCore.Mvc.IActionResult";
    public const string IResult = "Microsoft.AspNetCore.Http.IResult";
}
