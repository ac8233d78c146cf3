using LeakAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Xunit;

namespace LeakAnalyzers.Tests.Model;

/// <summary>
/// <c>Work.Owners.cs</c>: work that only stops or restarts the application (<see cref="Work.OnlyStopsApplication"/>) and
/// calls that hand the work to an application-owned owner that cancels it itself (<see cref="Work.IsHandedToOwner"/>,
/// read from the interface's single implementation, never from its name).
/// </summary>
public sealed class WorkOwnersTests
{
    private const string Body = """
        using System;
        using System.Threading;
        using System.Threading.Channels;
        using System.Threading.Tasks;
        using Microsoft.Extensions.Hosting;

        public interface IRestartService
        {
            void Restart();
        }

        public sealed class Jobs
        {
            public async Task RunAsync(IHostApplicationLifetime lifetime, IRestartService restarts)
            {
                {{code}}
                await Task.Yield();
            }

            private static void Audit() { }
        }
        """;

    private static Task<ModelSource> CompileAsync(string code) => ModelSource.CompileAsync(Body.Replace("{{code}}", code));

    // ---------------------------------------------------------------- only stops the application

    [Theory]
    [InlineData("_ = [|Task.Run(() => lifetime.StopApplication())|];")]
    [InlineData("_ = [|Task.Delay(3000).ContinueWith(_ => lifetime.StopApplication())|];")]
    [InlineData("_ = [|Task.Run(async () => { await Task.Delay(100); lifetime.StopApplication(); })|];")]
    [InlineData("_ = [|Task.Run(() => { Thread.Sleep(100); Environment.Exit(1); })|];")]
    [InlineData("_ = [|Task.Factory.StartNew(() => restarts.Restart())|];")]
    public async Task OnlyStopsApplication_StopsAfterAtMostAPause(string code)
    {
        var source = await CompileAsync(code);
        var start = source.Work.StartedBy(source.Operation())!.Value;

        Assert.True(source.Work.OnlyStopsApplication(start));
    }

    [Theory]
    [InlineData("_ = [|Task.Run(() => { Audit(); lifetime.StopApplication(); })|];")]
    [InlineData("_ = [|Task.Run(() => Task.Delay(100))|];")]
    [InlineData("_ = [|Task.Run(() => Audit())|];")]
    public async Task OnlyStopsApplication_NotWhenTheWorkDoesMore(string code)
    {
        var source = await CompileAsync(code);
        var start = source.Work.StartedBy(source.Operation())!.Value;

        Assert.False(source.Work.OnlyStopsApplication(start));
    }

    // ---------------------------------------------------------------- handed to an owner

    private const string Owners = """
        using System;
        using System.Threading;
        using System.Threading.Channels;
        using System.Threading.Tasks;
        using Microsoft.Extensions.Hosting;

        public interface IJobScheduler { void Schedule(Func<CancellationToken, Task> work); }
        public interface IWorkQueue { void Enqueue(Func<CancellationToken, Task> work); }
        public interface IRunner { void Start(Func<CancellationToken, Task> work); }
        public interface IPassThrough { void Start(Func<CancellationToken, Task> work, CancellationToken token); }
        public interface IShared { void Start(Func<CancellationToken, Task> work); }

        public sealed class JobScheduler : IJobScheduler
        {
            private readonly IHostApplicationLifetime _lifetime;

            public JobScheduler(IHostApplicationLifetime lifetime) => _lifetime = lifetime;

            public void Schedule(Func<CancellationToken, Task> work) => Run(work);

            private void Run(Func<CancellationToken, Task> work) => _ = Task.Run(() => work(_lifetime.ApplicationStopping));
        }

        public sealed class WorkQueue : IWorkQueue
        {
            private readonly Channel<Func<CancellationToken, Task>> _channel = Channel.CreateUnbounded<Func<CancellationToken, Task>>();

            public void Enqueue(Func<CancellationToken, Task> work) => _channel.Writer.TryWrite(work);
        }

        public sealed class Runner : IRunner
        {
            public void Start(Func<CancellationToken, Task> work) => _ = Task.Run(() => work(CancellationToken.None));
        }

        public sealed class PassThrough : IPassThrough
        {
            public void Start(Func<CancellationToken, Task> work, CancellationToken token) => _ = Task.Run(() => work(token));
        }

        public sealed class SharedOne : IShared
        {
            private readonly CancellationTokenSource _stopping = new();

            public void Start(Func<CancellationToken, Task> work) => _ = Task.Run(() => work(_stopping.Token));
        }

        public sealed class SharedTwo : IShared
        {
            private readonly CancellationTokenSource _stopping = new();

            public void Start(Func<CancellationToken, Task> work) => _ = Task.Run(() => work(_stopping.Token));
        }
        """;

    [Theory]
    [InlineData("IJobScheduler", "Schedule", true)]   // a private method it calls passes ApplicationStopping (one hop)
    [InlineData("IWorkQueue", "Enqueue", true)]       // a channel: a queue runs it
    [InlineData("IRunner", "Start", false)]           // CancellationToken.None: nothing cancels it
    [InlineData("IPassThrough", "Start", false)]      // the caller's own token: the caller has one to give
    [InlineData("IShared", "Start", false)]           // two implementations: not judged, whatever they do
    public async Task IsHandedToOwner_ReadsTheSingleImplementation(string @interface, string method, bool owned)
    {
        var source = await ModelSource.CompileAsync(Owners);

        Assert.Equal(owned, source.Work.IsHandedToOwner(source.Method(@interface, method), CancellationToken.None));
    }

    [Fact]
    public async Task IsHandedToOwner_NotForAClassMethod()
    {
        var source = await ModelSource.CompileAsync(Owners);

        Assert.False(source.Work.IsHandedToOwner(source.Method("JobScheduler", "Schedule"), CancellationToken.None));
    }
}
