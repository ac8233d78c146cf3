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
    public const string TaskFactory = "System.Threading.Tasks.TaskFactory";
    public const string TaskFactoryOfT = "System.Threading.Tasks.TaskFactory`1";
    public const string ThreadPool = "System.Threading.ThreadPool";
    public const string Thread = "System.Threading.Thread";
    public const string ThreadingTimer = "System.Threading.Timer";
    public const string TimersTimer = "System.Timers.Timer";
    public const string ExpressionOfT = "System.Linq.Expressions.Expression`1";
    public const string ChannelWriterOfT = "System.Threading.Channels.ChannelWriter`1";
    public const string IPAddress = "System.Net.IPAddress";

    public const string HttpResponseMessage = "System.Net.Http.HttpResponseMessage";
    public const string HttpContent = "System.Net.Http.HttpContent";
    public const string DelegatingHandler = "System.Net.Http.DelegatingHandler";
    public const string Stream = "System.IO.Stream";

    public const string HttpContext = "Microsoft.AspNetCore.Http.HttpContext";
    public const string HttpResponse = "Microsoft.AspNetCore.Http.HttpResponse";
    public const string HttpRequest = "Microsoft.AspNetCore.Http.HttpRequest";
    public const string ConnectionInfo = "Microsoft.AspNetCore.Http.ConnectionInfo";
    public const string WebSocketManager = "Microsoft.AspNetCore.Http.WebSocketManager";
    public const string IHeaderDictionary = "Microsoft.AspNetCore.Http.IHeaderDictionary";
    public const string IQueryCollection = "Microsoft.AspNetCore.Http.IQueryCollection";
    public const string IFormCollection = "Microsoft.AspNetCore.Http.IFormCollection";
    public const string IRequestCookieCollection = "Microsoft.AspNetCore.Http.IRequestCookieCollection";
    public const string IResponseCookies = "Microsoft.AspNetCore.Http.IResponseCookies";
    public const string ISession = "Microsoft.AspNetCore.Http.ISession";
    public const string IFeatureCollection = "Microsoft.AspNetCore.Http.Features.IFeatureCollection";
    public const string IHttpContextAccessor = "Microsoft.AspNetCore.Http.IHttpContextAccessor";
    public const string RequestDelegate = "Microsoft.AspNetCore.Http.RequestDelegate";
    public const string IMiddleware = "Microsoft.AspNetCore.Http.IMiddleware";
    public const string IEndpointFilter = "Microsoft.AspNetCore.Http.IEndpointFilter";
    public const string EndpointFilterInvocationContext = "Microsoft.AspNetCore.Http.EndpointFilterInvocationContext";
    public const string IEndpointRouteBuilder = "Microsoft.AspNetCore.Routing.IEndpointRouteBuilder";
    public const string IFilterMetadata = "Microsoft.AspNetCore.Mvc.Filters.IFilterMetadata";
    public const string ControllerBase = "Microsoft.AspNetCore.Mvc.ControllerBase";
    public const string PageModel = "Microsoft.AspNetCore.Mvc.RazorPages.PageModel";
    public const string Hub = "Microsoft.AspNetCore.SignalR.Hub";
    public const string IAuthorizationHandler = "Microsoft.AspNetCore.Authorization.IAuthorizationHandler";
    public const string IHostedService = "Microsoft.Extensions.Hosting.IHostedService";
    public const string IHostApplicationLifetime = "Microsoft.Extensions.Hosting.IHostApplicationLifetime";
    public const string WebApplication = "Microsoft.AspNetCore.Builder.WebApplication";
    public const string IActionResult = "Microsoft.AspNetCore.Mvc.IActionResult";
    public const string IResult = "Microsoft.AspNetCore.Http.IResult";
}
