using LeakAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Xunit;

namespace LeakAnalyzers.Tests.Model;

/// <summary>
/// <see cref="Work"/>: which calls start background work and of what kind (<c>Work.Starts.cs</c>), where its task,
/// thread or timer ends up (<c>Work.Fates.cs</c>), and whether a delegate outlives the code that creates it
/// (<c>Work.Outlives.cs</c>).
/// </summary>
public sealed class WorkTests
{
    private const string Body = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Channels;
        using System.Threading.Tasks;
        using Microsoft.Extensions.Hosting;

        public interface IBackgroundQueue
        {
            ValueTask QueueBackgroundWorkItemAsync(Func<CancellationToken, ValueTask> work);
        }

        public sealed class Jobs
        {
            private static readonly List<Action> s_callbacks = new();
            private static Action? s_last;
            private static event Action? Shutdown;
            private readonly List<Task> _pending = new();
            private Task? _last;
            private Timer? _timer;

            public async Task<Task> RunAsync(IBackgroundQueue queue, Channel<int> channel, IHostApplicationLifetime lifetime, CancellationToken token)
            {
                {{code}}
                await Task.Yield();
                return Task.CompletedTask;
            }

            private static Task SaveAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
            private static void Track(Task task) { }
            private static void Audit() { }
        }
        """;

    private static Task<ModelSource> CompileAsync(string code) => ModelSource.CompileAsync(Body.Replace("{{code}}", code));

    // ---------------------------------------------------------------- which calls start work

    [Theory]
    [InlineData("_ = [|Task.Run(() => Audit())|];", "Run")]
    [InlineData("_ = [|Task.Factory.StartNew(() => Audit())|];", "Run")]
    [InlineData("_ = [|Task.Delay(1).ContinueWith(_ => Audit())|];", "Continuation")]
    [InlineData("[|ThreadPool.QueueUserWorkItem(_ => Audit())|];", "ThreadPool")]
    [InlineData("[|new Thread(() => Audit())|].Start();", "Thread")]
    [InlineData("_ = [|new Timer(_ => Audit(), null, 10, Timeout.Infinite)|];", "Timer")]
    [InlineData("_ = [|SaveAsync()|];", "Call")]
    public async Task StartedBy_TellsTheKind(string code, string kind)
    {
        var source = await CompileAsync(code);

        Assert.Equal(Enum.Parse<WorkKind>(kind), source.Work.StartedBy(source.Operation())?.Kind);
    }

    [Theory]
    [InlineData("await [|Task.Delay(10)|];")]
    [InlineData("await [|Task.WhenAll(Task.CompletedTask)|];")]
    [InlineData("await [|queue.QueueBackgroundWorkItemAsync(_ => ValueTask.CompletedTask)|];")]
    [InlineData("await [|channel.Writer.WriteAsync(1)|];")]
    [InlineData("[|Console.WriteLine(1)|];")]
    public async Task StartedBy_NotWork(string code)
    {
        var source = await CompileAsync(code);

        Assert.Null(source.Work.StartedBy(source.Operation()));
    }

    [Fact]
    public async Task StartedBy_NamesTheDelegateAndTheTokenArgument()
    {
        var source = await CompileAsync("_ = [|Task.Run(() => Audit(), token)|];");
        var start = source.Work.StartedBy(source.Operation())!.Value;

        Assert.IsAssignableFrom<IAnonymousFunctionOperation>(start.Delegate);
        Assert.Equal("token", start.Token?.Syntax.ToString());
        Assert.True(source.Work.PassesToken(start.Token));
    }

    [Theory]
    [InlineData("_ = Task.Run(() => Audit(), [|CancellationToken.None|]);", true)]
    [InlineData("_ = Task.Run(() => Audit(), [|default|]);", true)]
    [InlineData("_ = Task.Run(() => Audit(), [|new CancellationToken()|]);", true)]
    [InlineData("_ = Task.Run(() => Audit(), [|token|]);", false)]
    [InlineData("_ = Task.Run(() => Audit(), [|lifetime.ApplicationStopping|]);", false)]
    public async Task IsNoToken(string code, bool none)
    {
        var source = await CompileAsync(code);

        Assert.Equal(none, source.Work.IsNoToken(source.Operation()));
    }

    // ---------------------------------------------------------------- fates

    [Theory]
    [InlineData("await [|Task.Run(() => Audit())|];", "Awaited")]
    [InlineData("await [|Task.Run(() => Audit())|].ConfigureAwait(false);", "Awaited")]
    [InlineData("await Task.WhenAll([|Task.Run(() => Audit())|], Task.CompletedTask);", "Awaited")]
    [InlineData("var pending = [|Task.Run(() => Audit())|]; await pending;", "Awaited")]
    [InlineData("[|Task.Run(() => Audit())|].Wait();", "Awaited")]
    [InlineData("_ = [|Task.Run(() => Audit())|];", "Dropped")]
    [InlineData("[|Task.Run(() => Audit())|];", "Dropped")]
    [InlineData("var pending = [|Task.Run(() => Audit())|];", "Dropped")]
    [InlineData("var pending = [|Task.Run(() => Audit())|]; if (pending.IsCompleted) Audit();", "Dropped")]
    [InlineData("_ = [|Task.Run(() => Audit())|].IsCompleted;", "Read")]
    [InlineData("_last = [|Task.Run(() => Audit())|];", "Stored")]
    [InlineData("_pending.Add([|Task.Run(() => Audit())|]);", "Stored")]
    [InlineData("return [|Task.Run(() => Audit())|];", "Returned")]
    [InlineData("Track([|Task.Run(() => Audit())|]);", "Passed")]
    public async Task Judge_TaskFates(string code, string fate)
    {
        var source = await CompileAsync(code);
        var start = source.Work.StartedBy(source.Operation())!.Value;

        Assert.Equal(Enum.Parse<WorkFate>(fate), source.Work.Judge(start, CancellationToken.None));
    }

    [Theory]
    [InlineData("[|new Thread(() => Audit())|].Start();", "Dropped")]
    [InlineData("var thread = [|new Thread(() => Audit())|]; thread.Start(); thread.Join();", "Awaited")]
    [InlineData("_ = [|new Timer(_ => Audit(), null, 10, Timeout.Infinite)|];", "Dropped")]
    [InlineData("using var timer = [|new Timer(_ => Audit(), null, 10, Timeout.Infinite)|];", "Awaited")]
    [InlineData("var timer = [|new Timer(_ => Audit(), null, 10, Timeout.Infinite)|]; timer.Dispose();", "Awaited")]
    [InlineData("_timer = [|new Timer(_ => Audit(), null, 10, Timeout.Infinite)|];", "Stored")]
    [InlineData("[|ThreadPool.QueueUserWorkItem(_ => Audit())|];", "Dropped")]
    public async Task Judge_ThreadTimerAndPoolFates(string code, string fate)
    {
        var source = await CompileAsync(code);
        var start = source.Work.StartedBy(source.Operation())!.Value;

        Assert.Equal(Enum.Parse<WorkFate>(fate), source.Work.Judge(start, CancellationToken.None));
    }

    [Theory]
    [InlineData("Dropped", true, true)]
    [InlineData("Read", true, false)]
    [InlineData("Stored", false, true)]
    [InlineData("Awaited", false, false)]
    [InlineData("Returned", false, false)]
    [InlineData("Passed", false, false)]
    public void FateMeanings(string fate, bool unobserved, bool runsOn)
    {
        Assert.Equal(unobserved, Work.IsUnobserved(Enum.Parse<WorkFate>(fate)));
        Assert.Equal(runsOn, Work.RunsOn(Enum.Parse<WorkFate>(fate)));
    }

    // ---------------------------------------------------------------- outlives

    [Theory]
    [InlineData("_ = Task.Run([|() => Audit()|]);", true)]
    [InlineData("await Task.Run([|() => Audit()|]);", false)]
    [InlineData("ThreadPool.QueueUserWorkItem([|_ => Audit()|]);", true)]
    [InlineData("s_callbacks.Add([|() => Audit()|]);", true)]
    [InlineData("s_last = [|() => Audit()|];", true)]
    [InlineData("await queue.QueueBackgroundWorkItemAsync([|_ => ValueTask.CompletedTask|]);", true)]
    [InlineData("lifetime.ApplicationStopping.Register([|() => Audit()|]);", true)]
    [InlineData("token.Register([|() => Audit()|]);", false)]
    [InlineData("var squares = new[] { 1 }.Select([|x => x * x|]).ToList();", false)]
    [InlineData("new List<int> { 1 }.ForEach([|x => Audit()|]);", false)]
    [InlineData("Func<Task> later = [|async () => await Task.Delay(1)|]; _ = later();", true)]
    [InlineData("Func<Task> later = [|async () => await Task.Delay(1)|]; await later();", false)]
    public async Task Outlives_Lambdas(string code, bool outlives)
    {
        var source = await CompileAsync(code);

        Assert.Equal(outlives, source.Work.FunctionOutlives(source.Operation<IAnonymousFunctionOperation>(), CancellationToken.None));
    }

    [Theory]
    [InlineData("_ = new Timer([|_ => Audit()|], null, 10, Timeout.Infinite);", true)]
    [InlineData("using var timer = new Timer([|_ => Audit()|], null, 10, Timeout.Infinite); await Task.Delay(20);", false)]
    [InlineData("var timer = new System.Timers.Timer(10); timer.Elapsed += [|(_, _) => Audit()|]; timer.Start();", true)]
    [InlineData("var timer = new System.Timers.Timer(10); timer.Elapsed += [|(_, _) => Audit()|]; timer.Start(); timer.Dispose();", false)]
    [InlineData("Shutdown += [|() => Audit()|];", true)]
    public async Task Outlives_TimersAndSubscriptions(string code, bool outlives)
    {
        var source = await CompileAsync(code);

        Assert.Equal(outlives, source.Work.FunctionOutlives(source.Operation<IAnonymousFunctionOperation>(), CancellationToken.None));
    }

    [Theory]
    [InlineData("_ = Task.Run(Later); [|void Later() => Audit();|]", true)]
    [InlineData("_ = LaterAsync(); [|async Task LaterAsync() => await Task.Delay(1);|]", true)]
    [InlineData("await LaterAsync(); [|async Task LaterAsync() => await Task.Delay(1);|]", false)]
    [InlineData("Later(); [|void Later() => Audit();|]", false)]
    public async Task Outlives_LocalFunctions(string code, bool outlives)
    {
        var source = await CompileAsync(code);

        Assert.Equal(outlives, source.Work.FunctionOutlives(source.Operation<ILocalFunctionOperation>(), CancellationToken.None));
    }
}
