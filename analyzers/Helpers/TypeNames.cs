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

    public const string Dictionary = "System.Collections.Generic.Dictionary`2";
    public const string SortedDictionary = "System.Collections.Generic.SortedDictionary`2";
    public const string SortedList = "System.Collections.Generic.SortedList`2";
    public const string HashSet = "System.Collections.Generic.HashSet`1";
    public const string SortedSet = "System.Collections.Generic.SortedSet`1";
    public const string List = "System.Collections.Generic.List`1";
    public const string Queue = "System.Collections.Generic.Queue`1";
    public const string Stack = "System.Collections.Generic.Stack`1";
    public const string IDictionaryOfT = "System.Collections.Generic.IDictionary`2";
    public const string ICollectionOfT = "System.Collections.Generic.ICollection`1";
    public const string ISetOfT = "System.Collections.Generic.ISet`1";
    public const string IListOfT = "System.Collections.Generic.IList`1";
    public const string IReadOnlyDictionary = "System.Collections.Generic.IReadOnlyDictionary`2";
    public const string IReadOnlySet = "System.Collections.Generic.IReadOnlySet`1";
    public const string ConcurrentDictionary = "System.Collections.Concurrent.ConcurrentDictionary`2";
    public const string ConcurrentBag = "System.Collections.Concurrent.ConcurrentBag`1";
    public const string ConcurrentQueue = "System.Collections.Concurrent.ConcurrentQueue`1";
    public const string ConcurrentStack = "System.Collections.Concurrent.ConcurrentStack`1";
    public const string IProducerConsumerCollection = "System.Collections.Concurrent.IProducerConsumerCollection`1";
    public const string Hashtable = "System.Collections.Hashtable";
    public const string IDictionary = "System.Collections.IDictionary";
    public const string Monitor = "System.Threading.Monitor";
    public const string Enumerable = "System.Linq.Enumerable";
    public const string Type = "System.Type";
    public const string MemberInfo = "System.Reflection.MemberInfo";
    public const string Assembly = "System.Reflection.Assembly";
    public const string Module = "System.Reflection.Module";
    public const string ParameterInfo = "System.Reflection.ParameterInfo";
    public const string ModuleInitializerAttribute = "System.Runtime.CompilerServices.ModuleInitializerAttribute";
    public const string TimeSpan = "System.TimeSpan";
    public const string MemoryCache = "Microsoft.Extensions.Caching.Memory.MemoryCache";
    public const string MemoryCacheOptions = "Microsoft.Extensions.Caching.Memory.MemoryCacheOptions";
    public const string MemoryCacheEntryOptions = "Microsoft.Extensions.Caching.Memory.MemoryCacheEntryOptions";

    public const string HttpContext = "Microsoft.AspNetCore.Http.HttpContext";
    public const string HttpRequest = "Microsoft.AspNetCore.Http.HttpRequest";
    public const string HttpResponse = "Microsoft.AspNetCore.Http.HttpResponse";
    public const string ActionContext = "Microsoft.AspNetCore.Mvc.ActionContext";
    public const string HubCallerContext = "Microsoft.AspNetCore.SignalR.HubCallerContext";
    public const string IHostApplicationLifetime = "Microsoft.Extensions.Hosting.IHostApplicationLifetime";
    public const string IActionResult = "Microsoft.AspNetCore.Mvc.IActionResult";
    public const string IResult = "Microsoft.AspNetCore.Http.IResult";
}
