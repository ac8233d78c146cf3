using Xunit;
using VerifyCS = LeakAnalyzers.Tests.Verify<LeakAnalyzers.Rules.HttpContextCapturedByClosureAnalyzer, LeakAnalyzers.Rules.HttpContextCapturedByClosureFixer>;

namespace LeakAnalyzers.Tests.Rules;

public sealed partial class HttpContextCapturedByClosureTests
{
    // ---------------------------------------------------------------- fixes

    [Fact]
    public async Task Fixes_CopiesEachMemberChainBeforeTheStatement()
    {
        await VerifyCS.FixAsync(Middleware("""
                    // Audit after the response, off the request path.
                    _ = [|Task.Run(async () =>
                    {
                        await Task.Delay(3000);
                        Audit(context.Request.Method + " " + context.Request.Path);   // what was asked
                        Audit(context.Request.Path.HasValue);
                    })|];
            """), Middleware("""
                    // Audit after the response, off the request path.
                    var method = context.Request.Method;
                    var path = context.Request.Path;
                    var hasValue = context.Request.Path.HasValue;
                    _ = Task.Run(async () =>
                    {
                        await Task.Delay(3000);
                        Audit(method + " " + path);   // what was asked
                        Audit(hasValue);
                    });
            """));
    }

    [Fact]
    public async Task Fixes_HeaderIndexerAndUniqueNames()
    {
        await VerifyCS.FixAsync(Middleware("""
                    var path = "unrelated";
                    [|ThreadPool.QueueUserWorkItem(_ =>
                    {
                        Audit(context.Request.Headers["X-Request-Id"].ToString());
                        Audit(context.Request.Path.Value?.Length);
                        Audit(path);
                    })|];
            """), Middleware("""
                    var path = "unrelated";
                    var xRequestId = context.Request.Headers["X-Request-Id"];
                    var length = context.Request.Path.Value?.Length;
                    ThreadPool.QueueUserWorkItem(_ =>
                    {
                        Audit(xRequestId.ToString());
                        Audit(length);
                        Audit(path);
                    });
            """));
    }

    [Fact]
    public async Task Fixes_ControllerPropertiesAndUser()
    {
        await VerifyCS.FixAsync(Usings + """
            using Microsoft.AspNetCore.Mvc;

            public sealed class OrdersController : ControllerBase
            {
                [HttpPost]
                public IActionResult Create()
                {
                    _ = [|Task.Run(() => Console.WriteLine(HttpContext.TraceIdentifier + User.Identity?.Name))|];
                    return Accepted();
                }
            }
            """, Usings + """
            using Microsoft.AspNetCore.Mvc;

            public sealed class OrdersController : ControllerBase
            {
                [HttpPost]
                public IActionResult Create()
                {
                    var traceIdentifier = HttpContext.TraceIdentifier;
                    var name = User.Identity?.Name;
                    _ = Task.Run(() => Console.WriteLine(traceIdentifier + name));
                    return Accepted();
                }
            }
            """);
    }

    [Fact]
    public async Task Fixes_AccessorChainAndTopLevelHandler()
    {
        await VerifyCS.FixAsync(Usings + """
            public sealed class AuditService(IHttpContextAccessor accessor)
            {
                public void Audit()
                {
                    _ = [|Task.Run(() => Console.WriteLine(accessor.HttpContext?.Connection.RemoteIpAddress))|];
                }
            }
            """, Usings + """
            public sealed class AuditService(IHttpContextAccessor accessor)
            {
                public void Audit()
                {
                    var remoteIpAddress = accessor.HttpContext?.Connection.RemoteIpAddress;
                    _ = Task.Run(() => Console.WriteLine(remoteIpAddress));
                }
            }
            """);
    }

    [Fact]
    public async Task Fixes_ValuesReadThroughAContextOwnedLocal()
    {
        await VerifyCS.FixAsync(Middleware("""
                    var query = context.Request.Query;
                    _ = [|Task.Run(() => Audit(query.Count + query["page"].Count))|];
            """), Middleware("""
                    var query = context.Request.Query;
                    var count = query.Count;
                    var count2 = query["page"].Count;
                    _ = Task.Run(() => Audit(count + count2));
            """));
    }

    [Fact]
    public async Task Fixes_AllClosuresInADocument()
    {
        await VerifyCS.FixAsync(Middleware("""
                    _ = [|Task.Run(() => Audit(context.Request.Path))|];
                    _ = [|Task.Run(() => Audit(context.Request.Path))|];
            """), Middleware("""
                    var path = context.Request.Path;
                    _ = Task.Run(() => Audit(path));
                    var path2 = context.Request.Path;
                    _ = Task.Run(() => Audit(path2));
            """));
    }

    [Fact]
    public async Task Fixes_TopLevelStatements()
    {
        await VerifyCS.FixAsync("""
            using System;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Http;

            var app = WebApplication.Create(args);
            app.Use(async (context, next) =>
            {
                _ = [|Task.Run(async () =>
                {
                    await Task.Delay(1000);
                    Console.WriteLine(context.Request.Path);
                })|];
                await next(context);
            });
            app.Run();
            """, """
            using System;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Http;

            var app = WebApplication.Create(args);
            app.Use(async (context, next) =>
            {
                var path = context.Request.Path;
                _ = Task.Run(async () =>
                {
                    await Task.Delay(1000);
                    Console.WriteLine(path);
                });
                await next(context);
            });
            app.Run();
            """, new TestSettings { OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication });
    }

    [Theory]
    [InlineData("_ = [|Task.Run(async () => await context.Response.WriteAsync(\"late\"))|];")]
    [InlineData("_ = [|Task.Run(() => Audit(context))|];")]
    [InlineData("_ = [|Task.Run(() => context.Response.StatusCode = 500)|];")]
    [InlineData("_ = [|Task.Run(() => Audit(context.Request.Path + context.Request.Query.ContainsKey(\"q\").ToString()))|];")]
    [InlineData("var headers = context.Request.Headers; _ = [|Task.Run(() => Audit(headers.ContainsKey(\"X-Id\")))|];")]
    [InlineData("if (context.Request.Path.HasValue) _ = [|Task.Run(() => Audit(context.Request.Path))|];")]
    public async Task NoFix_WhenAUseIsNotAValueRead(string statement)
    {
        await VerifyCS.NoFixAsync(Middleware(statement));
    }

    [Fact]
    public async Task Fixes_LocalFunctionCopiesBeforeItsFirstUse()
    {
        // The delegate is made before the local function is declared: the copies go before that statement.
        await VerifyCS.FixAsync(Middleware("""
                    _ = [|Task.Run(LogLater)|];

                    void LogLater() => Audit(context.Request.Path);
            """), Middleware("""
                    var path = context.Request.Path;
                    _ = Task.Run(LogLater);

                    void LogLater() => Audit(path);
            """));
    }

    [Fact]
    public async Task Fixes_LocalFunctionDeclaredBeforeTheWork()
    {
        await VerifyCS.FixAsync(Middleware("""
                    void Work() => Audit(context.Request.Path + " " + context.TraceIdentifier);
                    _ = [|Task.Run(Work)|];
            """), Middleware("""
                    var path = context.Request.Path;
                    var traceIdentifier = context.TraceIdentifier;
                    void Work() => Audit(path + " " + traceIdentifier);
                    _ = Task.Run(Work);
            """));
    }

    [Fact]
    public async Task NoFix_LocalFunctionWritingTheResponse()
    {
        // Writing to the response after the request has ended has no correct rewrite: no fix.
        await VerifyCS.NoFixAsync(Middleware("""
                    _ = [|SendLaterAsync()|];

                    async Task SendLaterAsync()
                    {
                        await Task.Delay(1000);
                        await context.Response.WriteAsync("late");
                    }
            """));
    }

    [Fact]
    public async Task Fixes_ControllerHelperProperty()
    {
        await VerifyCS.FixAsync(Usings + """
            using Microsoft.AspNetCore.Mvc;

            public sealed class OrdersController : ControllerBase
            {
                private string? UserName => User.Identity?.Name;

                [HttpPost]
                public IActionResult Create()
                {
                    _ = [|Task.Run(async () =>
                    {
                        await Task.Delay(1000);
                        Console.WriteLine(UserName);
                    })|];
                    return Accepted();
                }
            }
            """, Usings + """
            using Microsoft.AspNetCore.Mvc;

            public sealed class OrdersController : ControllerBase
            {
                private string? UserName => User.Identity?.Name;

                [HttpPost]
                public IActionResult Create()
                {
                    var userName = UserName;
                    _ = Task.Run(async () =>
                    {
                        await Task.Delay(1000);
                        Console.WriteLine(userName);
                    });
                    return Accepted();
                }
            }
            """);
    }
}
