using System.Collections.Concurrent;
using System.Diagnostics;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;

namespace McpSessions.EF.Tests.Faults;

/// <summary>
/// A few tasks doing creates, gets, updates and lists on one store until stopped, recording every call's outcome: what
/// an application does while its database goes away and comes back. A create that returned is remembered, so a test can
/// check none was lost.
/// </summary>
internal sealed class OutageWorkload : IAsyncDisposable
{
    public const string Identity = "outage";

    /// <summary>A secret every session carries, which no error message may show.</summary>
    public const string PlantedToken = "at-planted-outage-secret-7f3a";

    private readonly ISessionStore _store;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private OutageWorkload(ISessionStore store, int tasks)
    {
        _store = store;
        _tasks = Enumerable.Range(0, tasks).Select(i => Task.Run(() => RunAsync(i))).ToList();
    }

    /// <summary>Every call made, in the order it finished.</summary>
    public ConcurrentQueue<Call> Calls { get; } = new();

    /// <summary>The ids of the sessions whose create returned.</summary>
    public ConcurrentBag<string> Created { get; } = [];

    public TimeSpan Now => _clock.Elapsed;

    public static OutageWorkload Start(ISessionStore store, int tasks = 4) => new(store, tasks);

    public static McpSession Session(string sessionId)
    {
        var session = TestSessions.New(Identity, sessionId, active: true);
        session.Tokens = new OAuthTokens { AccessToken = PlantedToken, RefreshToken = PlantedToken };
        return session;
    }

    /// <summary>Waits until at least <paramref name="count"/> calls that started after <paramref name="after"/> have succeeded.</summary>
    public async Task WaitForSuccessesAsync(TimeSpan after, int count, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (Calls.Count(c => c.Error is null && c.Started >= after) < count)
        {
            var last = Calls.LastOrDefault(c => c.Error is not null);
            Assert.True(deadline.Elapsed < timeout, $"fewer than {count} calls succeeded {timeout.TotalSeconds:0} s after {after.TotalSeconds:0.0} s; last error: {last.Error}");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> calls that started after <paramref name="after"/> have failed.</summary>
    public async Task WaitForFailuresAsync(TimeSpan after, int count, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (Calls.Count(c => c.Error is not null && c.Started >= after) < count)
        {
            Assert.True(deadline.Elapsed < timeout, $"fewer than {count} calls failed {timeout.TotalSeconds:0} s after {after.TotalSeconds:0.0} s");
            await Task.Delay(20);
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_tasks);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private async Task RunAsync(int task)
    {
        var mine = new List<string>();
        for (var i = 0; !_stop.IsCancellationRequested; i++)
        {
            var id = $"w{task}-{i}";
            await CallAsync("create", async () =>
            {
                await _store.CreateAsync(Session(id));
                mine.Add(id);
                Created.Add(id);
            });
            if (mine.Count == 0)
            {
                await Task.Delay(5);
                continue;
            }

            var some = mine[i % mine.Count];
            await CallAsync("get", async () =>
            {
                var read = await _store.GetAsync(Identity, some);
                Assert.Equal(PlantedToken, read?.Tokens?.AccessToken);
            });
            await CallAsync("update", () => _store.UpdateAsync(Identity, some, new SessionUpdate { ServerName = $"renamed-{i}" }));
            await CallAsync("list ids", async () => Assert.Contains(some, await _store.ListIdsAsync(Identity)));
        }
    }

    private async Task CallAsync(string name, Func<Task> call)
    {
        var started = _clock.Elapsed;
        Exception? error = null;
        try
        {
            await call();
        }
        catch (Exception e)
        {
            error = e;
            await Task.Delay(5); // an application retrying in a tight loop would spin on a refused connection
        }

        Calls.Enqueue(new Call(name, started, _clock.Elapsed, error));
    }

    public readonly record struct Call(string Name, TimeSpan Started, TimeSpan Finished, Exception? Error)
    {
        public TimeSpan Took => Finished - Started;
    }
}
