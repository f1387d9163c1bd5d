using System.Diagnostics;
using McpSessions.EF.Locking;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Tests.Specification;

/// <summary>The session lock, across processes, once per provider.</summary>
public abstract class SessionLockSpecification<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : SessionStoreFixture
{
    /// <summary>The fixture, for the checks of a provider's subclass.</summary>
    protected TFixture Fixture { get; } = fixture;

    private static string Probe => RepositoryPaths.Combine("tests", "McpSessions.EF.LockProbe", "bin", RepositoryPaths.Configuration, "net10.0", "McpSessions.EF.LockProbe.dll");

    private ISessionLock Locks => Fixture.BuildServices(Fixture.ConnectionString).GetRequiredService<ISessionLock>();

    /// <summary>What the probe processes are told: the provider, and for PostgreSQL whether it goes through a pooler.</summary>
    protected abstract string ProviderArgument { get; }

    /// <summary>
    /// Two processes of four tasks each take one session's lock 25 times apiece; inside, a counter of holders goes up
    /// and down, and an entry that finds another holder inside counts as an overlap. Afterwards nothing of the lock is
    /// left behind (<see cref="LeftoversAsync"/>) and it is free at once.
    /// </summary>
    [Fact]
    public async Task Two_processes_of_four_tasks_each_never_hold_one_sessions_lock_together_and_leave_nothing_behind()
    {
        const int tasks = 4, iterations = 25;
        await ExecuteAsync("DROP TABLE IF EXISTS lock_probe; CREATE TABLE lock_probe (inside INTEGER NOT NULL, max_inside INTEGER NOT NULL, entries INTEGER NOT NULL, overlapped INTEGER NOT NULL); INSERT INTO lock_probe VALUES (0, 0, 0, 0);");

        var processes = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => ProcessRunner.RunAsync(
            "dotnet",
            [Probe, "contend", ProviderArgument, Fixture.ConnectionString, $"{tasks}", $"{iterations}"],
            timeout: TimeSpan.FromMinutes(10))));

        Assert.All(processes, p => Assert.True(p.ExitCode == 0, p.ToString()));
        var (inside, maxInside, entries, overlaps) = await ReadProbeAsync();
        var leftovers = await LeftoversAsync();
        Assert.True(
            (entries, overlaps, maxInside, inside, leftovers.Count) == (2L * tasks * iterations, 0L, 1L, 0L, 0),
            $"{entries} of {2 * tasks * iterations} cycles, {overlaps} overlaps, at most {maxInside} holders at once, {inside} inside at the end; left behind: {(leftovers.Count == 0 ? "nothing" : string.Join("; ", leftovers))}");
        await using (await Locks.AcquireAsync("probe", "probe-session", TimeSpan.Zero))
        {
        }
    }

    /// <summary>What the database keeps of the lock after it was taken and released many times: nothing, said as a list of what is left.</summary>
    protected virtual Task<IReadOnlyList<string>> LeftoversAsync() => Task.FromResult<IReadOnlyList<string>>([]);

    [Fact]
    public async Task Killing_the_process_that_holds_the_lock_releases_it()
    {
        var start = new ProcessStartInfo("dotnet", [Probe, "hold", ProviderArgument, Fixture.ConnectionString])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var holder = Process.Start(start)!;
        try
        {
            var line = await holder.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(5));
            if (line != "held")
            {
                // Only now read stderr to its end: the holder has failed and exited (a live holder never closes it).
                Assert.Fail($"the holder printed '{line}': {await holder.StandardError.ReadToEndAsync()}");
            }

            var services = Fixture.BuildServices(Fixture.ConnectionString);
            var locks = services.GetRequiredService<ISessionLock>();
            var timeout = await Assert.ThrowsAsync<SessionLockTimeoutException>(() => locks.AcquireAsync("probe", "probe-session", TimeSpan.FromMilliseconds(300)));
            Assert.Equal("Timed out after 300 ms waiting for the lock of session probe-session of identity probe.", timeout.Message);
            holder.Kill(entireProcessTree: true);
            await holder.WaitForExitAsync();

            await using var hold = await Locks.AcquireAsync("probe", "probe-session", TimeSpan.FromSeconds(20));
        }
        finally
        {
            if (!holder.HasExited)
            {
                holder.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task A_held_lock_times_out_other_callers_frees_on_release_and_leaves_other_sessions_alone()
    {
        var locks = Locks;
        var hold = await locks.AcquireAsync("alice", "s-1", TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<SessionLockTimeoutException>(() => locks.AcquireAsync("alice", "s-1", TimeSpan.FromMilliseconds(100)));
        await using (await locks.AcquireAsync("alice", "s-2", TimeSpan.FromSeconds(5)))
        {
        }

        var waiter = locks.AcquireAsync("alice", "s-1", TimeSpan.FromSeconds(20));
        await hold.DisposeAsync();
        await using (await waiter)
        {
        }
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = await Fixture.OpenRawAsync(Fixture.ConnectionString);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private async Task<(long Inside, long MaxInside, long Entries, long Overlaps)> ReadProbeAsync()
    {
        await using var connection = await Fixture.OpenRawAsync(Fixture.ConnectionString);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT inside, max_inside, entries, overlapped FROM lock_probe";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(3), System.Globalization.CultureInfo.InvariantCulture));
    }
}
