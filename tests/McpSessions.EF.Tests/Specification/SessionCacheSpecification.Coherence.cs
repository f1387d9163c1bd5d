using System.Diagnostics;
using System.Globalization;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Tests.Specification;

public abstract partial class SessionCacheSpecification<TFixture>
{
    [Fact]
    public async Task An_update_on_one_instance_is_read_by_the_other_including_a_member_cleared()
    {
        var (writer, reader) = (NewInstance(), NewInstance());
        var session = await writer.Store.CreateAsync(SecretSession());
        Assert.Equal(AccessSecret, (await reader.Store.GetAsync("alice", session.SessionId))!.Tokens!.AccessToken);
        Assert.Equal(AccessSecret, (await reader.Store.GetAsync("alice", session.SessionId))!.Tokens!.AccessToken); // cached

        await writer.Store.UpdateAsync("alice", session.SessionId, new SessionUpdate { Tokens = Tokens("access-2"), CodeVerifier = null });

        var read = await reader.Store.GetAsync("alice", session.SessionId);
        Assert.Equal("access-2", read!.Tokens!.AccessToken);
        Assert.Null(read.CodeVerifier);
        AssertSameSession((await Fixture.Store.GetAsync("alice", session.SessionId))!, read);
    }

    [Fact]
    public async Task A_touch_on_one_instance_moves_updated_at_on_the_other()
    {
        var (writer, reader) = (NewInstance(), NewInstance());
        var session = await writer.Store.CreateAsync(NewSession());
        await reader.Store.GetAsync("alice", session.SessionId);
        Clock.Advance(TimeSpan.FromHours(1));

        await writer.Store.TouchAsync("alice", session.SessionId);

        Assert.Equal(Clock.GetUtcNow(), (await reader.Store.GetAsync("alice", session.SessionId))!.UpdatedAt);
    }

    [Fact]
    public async Task A_delete_on_one_instance_is_read_by_the_other()
    {
        var (writer, reader) = (NewInstance(), NewInstance());
        var session = await writer.Store.CreateAsync(NewSession());
        await reader.Store.GetAsync("alice", session.SessionId);
        await reader.Store.GetAsync("alice", session.SessionId);

        Assert.True(await writer.Store.DeleteAsync("alice", session.SessionId));

        Assert.Null(await reader.Store.GetAsync("alice", session.SessionId));
    }

    [Fact]
    public async Task Clear_all_on_one_instance_is_read_by_the_other()
    {
        var (writer, reader) = (NewInstance(), NewInstance());
        var sessions = new[] { await writer.Store.CreateAsync(NewSession("alice")), await writer.Store.CreateAsync(NewSession("bob")) };
        foreach (var s in sessions)
        {
            await reader.Store.GetAsync(s.Identity, s.SessionId);
        }

        Assert.Equal(2, await writer.Store.ClearAllAsync());

        foreach (var s in sessions)
        {
            Assert.Null(await reader.Store.GetAsync(s.Identity, s.SessionId));
        }
    }

    [Fact]
    public async Task A_fill_that_lands_after_a_write_returned_is_never_served()
    {
        // The classic race, made to happen: the reader misses and reads the old row, the writer updates and
        // invalidates, and only then does the reader's fill write the old row into the cache.
        var (writer, reader) = (NewInstance(), NewInstance());
        var session = await writer.Store.CreateAsync(SecretSession());
        var entryKey = EntryKey("alice", session.SessionId);
        var fillReached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        reader.Cache.BeforeSet = async key =>
        {
            if (key == entryKey && fillReached.TrySetResult())
            {
                await release.Task;
            }
        };

        var slowRead = reader.Store.GetAsync("alice", session.SessionId);
        await fillReached.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await writer.Store.UpdateAsync("alice", session.SessionId, new SessionUpdate { Tokens = Tokens("access-2") });
        release.SetResult();
        Assert.Equal(AccessSecret, (await slowRead)!.Tokens!.AccessToken); // it started before the write

        Assert.True(await RedisDatabase.KeyExistsAsync(entryKey), "the old row was written back into the cache");
        Assert.Equal("access-2", (await reader.Store.GetAsync("alice", session.SessionId))!.Tokens!.AccessToken);
        Assert.Equal("access-2", (await writer.Store.GetAsync("alice", session.SessionId))!.Tokens!.AccessToken);
    }

    [Fact]
    public async Task Lost_tags_turn_entries_into_misses_never_into_stale_reads()
    {
        var (writer, reader) = (NewInstance(), NewInstance());
        var session = await writer.Store.CreateAsync(SecretSession());
        await reader.Store.GetAsync("alice", session.SessionId);

        // Evicted tags (memory pressure, a restart that kept the entries): the next read must not trust the entry.
        await RedisDatabase.KeyDeleteAsync(GenerationKey("alice", session.SessionId));
        await RedisDatabase.KeyDeleteAsync(EpochKey);
        await Fixture.SetRawAsync(session.SessionId, "server_name", "changed behind the cache's back");

        Assert.Equal("changed behind the cache's back", (await reader.Store.GetAsync("alice", session.SessionId))!.ServerName);
        Assert.Equal(2, reader.Metrics.Misses);
        Assert.Equal(0, reader.Metrics.Hits);
        Assert.NotNull(await RawValueAsync(GenerationKey("alice", session.SessionId))); // recreated: the session exists
        Assert.Equal("changed behind the cache's back", (await reader.Store.GetAsync("alice", session.SessionId))!.ServerName);
        Assert.Equal(1, reader.Metrics.Hits);
    }

    [Fact]
    public async Task Interleaved_writers_and_readers_on_two_instances_never_read_an_older_write()
    {
        // Writers on one instance; readers mostly on the other, many at once on few keys so they miss together; fills
        // on the reading instance held back at random so stale write-backs land after invalidations; entries evicted
        // at random so readers keep missing. Every read must see every write that returned before it started.
        var writer = NewInstance();
        var reader = NewInstance();
        var result = await RunInterleavedAsync(writer.Store, [reader.Store, reader.Store, reader.Store, writer.Store], reader.Cache, writes: 1_500, reads: 8_500);

        Output?.WriteLine($"{result.Reads} reads, {result.Writes} writes in {result.Elapsed.TotalSeconds:F1} s; reading instance: {reader.Metrics.Hits} hits, {reader.Metrics.Misses} misses, {reader.Database.DatabaseGets} database reads, {result.DelayedFills} fills held back; violations: {result.Violations}");
        Assert.Equal(0, result.Violations);
        Assert.True(reader.Metrics.Hits >= 500, $"only {reader.Metrics.Hits} hits on the reading instance");
        Assert.True(result.Reads + result.Writes >= 10_000);
        Assert.True(reader.Metrics.Misses >= 500, $"only {reader.Metrics.Misses} misses on the reading instance");
        Assert.True(result.DelayedFills >= 100, $"only {result.DelayedFills} fills held back");
        Assert.Equal(0, reader.Metrics.Errors + writer.Metrics.Errors);
    }

    [Fact]
    public async Task The_interleaved_check_catches_the_stale_fill_of_a_naive_cache_aside()
    {
        // The control experiment: the same run against textbook cache-aside (delete after write) must find violations,
        // or the zero above would prove nothing.
        // No tier around these: the client's own timeout is the only bound, and a loaded machine must not trip it.
        using var writerRedis = TestRedis.Cache(TestServers.Redis, operationTimeoutMs: 10_000);
        using var readerRedis = TestRedis.Cache(TestServers.Redis, operationTimeoutMs: 10_000);
        var readerCache = new FaultyDistributedCache(readerRedis);
        var writer = new NaiveCacheAsideStore(Fixture.BuildServices(Fixture.ConnectionString).GetRequiredService<ISessionStore>(), writerRedis, Prefix);
        var reader = new NaiveCacheAsideStore(Fixture.BuildServices(Fixture.ConnectionString).GetRequiredService<ISessionStore>(), readerCache, Prefix);

        // The race needs a delayed fill to land between a write and its delete: likely in one run, not certain on a fast
        // machine, so the control gets up to five runs (on fresh sessions) to show the check can see it.
        var runs = new List<InterleavedResult>();
        do
        {
            runs.Add(await RunInterleavedAsync(writer, [reader, reader, reader, writer], readerCache, writes: 800, reads: 2_200));
            var last = runs[^1];
            Output?.WriteLine($"naive cache-aside, run {runs.Count}: {last.Reads} reads, {last.Writes} writes, {last.Violations} violations");
        }
        while (runs[^1].Violations == 0 && runs.Count < 5);

        Assert.True(runs[^1].Violations > 0, $"the check found no stale read in a store that has the race, in {runs.Count} runs");
    }

    /// <summary>What one interleaved run did.</summary>
    protected sealed record InterleavedResult(int Reads, int Writes, int Violations, int DelayedFills, TimeSpan Elapsed);

    /// <summary>The latest write of one key that returned: its token version and a lower bound of its updated_at.</summary>
    private sealed record Floor(int Version, DateTimeOffset UpdatedAt);

    /// <summary>
    /// Runs <paramref name="writes"/> writes on <paramref name="writer"/> (one writer per key, so each key's writes are
    /// ordered: an update that sets the access token to <c>v{n}</c>, or a touch) and readers on
    /// <paramref name="readers"/> alongside, until the writes are done and at least <paramref name="reads"/> reads
    /// returned. A read that starts after a write returned and sees an older token version or an older
    /// <c>updated_at</c> is a violation.
    /// </summary>
    protected async Task<InterleavedResult> RunInterleavedAsync(ISessionStore writer, ISessionStore[] readers, FaultyDistributedCache readerCache, int writes, int reads)
    {
        const int keyCount = 8;
        const int readersPerStore = 3;
        var ids = new string[keyCount];
        var floors = new Floor[keyCount];
        for (var k = 0; k < keyCount; k++)
        {
            var session = NewSession();
            session.Tokens = Tokens("v0");
            await writer.CreateAsync(session);
            ids[k] = session.SessionId;
            floors[k] = new Floor(0, session.UpdatedAt);
        }

        int writesStarted = 0, writesDone = 0, readsDone = 0, violations = 0, delayedFills = 0;
        var random = new Random(42);
        readerCache.BeforeSet = async key =>
        {
            if (!key.EndsWith("#gen", StringComparison.Ordinal) && !key.EndsWith("#epoch", StringComparison.Ordinal))
            {
                int delay;
                lock (random)
                {
                    delay = random.Next(0, 4);
                }

                if (delay > 0)
                {
                    Interlocked.Increment(ref delayedFills);
                    await Task.Delay(delay);
                }
            }
        };

        var stopwatch = Stopwatch.StartNew();
        var writerTasks = Enumerable.Range(0, keyCount).Select(k => Task.Run(async () =>
        {
            for (var n = 1; Interlocked.Increment(ref writesStarted) <= writes; n++)
            {
                Clock.Advance(TimeSpan.FromMilliseconds(1));
                var now = Clock.GetUtcNow();
                var updatedAtAtLeast = now.AddTicks(-(now.UtcTicks % TimeSpan.TicksPerMicrosecond)); // the store keeps microseconds
                if (n % 4 == 0)
                {
                    await writer.TouchAsync("alice", ids[k]);
                    Volatile.Write(ref floors[k], floors[k] with { UpdatedAt = updatedAtAtLeast });
                }
                else
                {
                    await writer.UpdateAsync("alice", ids[k], new SessionUpdate { Tokens = Tokens($"v{n}") });
                    Volatile.Write(ref floors[k], new Floor(n, updatedAtAtLeast));
                }

                Interlocked.Increment(ref writesDone);
                if (k >= keyCount / 2)
                {
                    await Task.Delay(1 << k); // half the keys are written flat out, the others ever less often: readers get hits too
                }
            }
        }));

        var readerTasks = readers.SelectMany((store, r) => Enumerable.Range(0, readersPerStore).Select(i => Task.Run(async () =>
        {
            var k = (r + i) % keyCount;
            while (Volatile.Read(ref writesDone) < writes || Volatile.Read(ref readsDone) < reads)
            {
                k = (k + 1) % keyCount;
                if ((r + i + readsDone) % 41 == 0)
                {
                    await RedisDatabase.KeyDeleteAsync(EntryKey("alice", ids[k])); // evicted: the next readers miss together
                }

                var floor = Volatile.Read(ref floors[k]);
                var session = await store.GetAsync("alice", ids[k]);
                var version = int.Parse(session!.Tokens!.AccessToken!.AsSpan(1), CultureInfo.InvariantCulture);
                if (version < floor.Version || session.UpdatedAt < floor.UpdatedAt)
                {
                    Interlocked.Increment(ref violations);
                }

                Interlocked.Increment(ref readsDone);
            }
        }))).ToList();

        await Task.WhenAll(writerTasks.Concat(readerTasks));
        readerCache.BeforeSet = null;
        return new InterleavedResult(readsDone, writesDone, violations, delayedFills, stopwatch.Elapsed);
    }
}
