using System.Diagnostics;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;
using Fault = McpSessions.EF.Tests.Infrastructure.FaultyDistributedCache.Fault;

namespace McpSessions.EF.Tests.Specification;

public abstract partial class SessionCacheSpecification<TFixture>
{
    protected virtual ITestOutputHelper? Output => null;

    [Fact]
    public async Task Every_store_call_succeeds_from_the_database_when_the_cache_throws()
    {
        var instance = NewInstance(o => o.FailureThreshold = 1000);
        instance.Cache.Mode = Fault.Throw;

        var session = await instance.Store.CreateAsync(SecretSession());
        Assert.Equal(AccessSecret, (await instance.Store.GetAsync("alice", session.SessionId))!.Tokens!.AccessToken);
        await instance.Store.UpdateAsync("alice", session.SessionId, new SessionUpdate { Tokens = Tokens("access-2") });
        Assert.Equal("access-2", (await instance.Store.GetAsync("alice", session.SessionId))!.Tokens!.AccessToken);
        await instance.Store.TouchAsync("alice", session.SessionId);
        Assert.Single(await instance.Store.ListAsync("alice"));
        Assert.Single(await instance.Store.ListIdsAsync("alice"));
        Assert.Equal(0, await instance.Store.CleanupExpiredAsync());
        Assert.True(await instance.Store.DeleteAsync("alice", session.SessionId));
        Assert.Null(await instance.Store.GetAsync("alice", session.SessionId));
        await instance.Store.CreateAsync(NewSession());
        Assert.Equal(1, await instance.Store.ClearAllAsync());
        await Assert.ThrowsAsync<SessionNotFoundException>(() => instance.Store.UpdateAsync("alice", session.SessionId, new SessionUpdate { Tokens = null }));

        Assert.True(instance.Metrics.Errors >= 10, $"{instance.Metrics.Errors} errors");
        Assert.Equal(0, instance.Metrics.Hits);
        Assert.DoesNotContain(instance.Logs.Entries, e => Secrets.Any(s => e.Message.Contains(s, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_hanging_cache_delays_a_call_by_no_more_than_the_operation_timeout()
    {
        var timeout = TimeSpan.FromMilliseconds(200);
        var instance = NewInstance(o =>
        {
            o.OperationTimeout = timeout;
            o.FailureThreshold = 1000; // every call tries the cache and waits out its budget
        });
        var session = await instance.Store.CreateAsync(SecretSession());
        await instance.Store.GetAsync("alice", session.SessionId); // warm: the first call of a path pays for its JIT
        instance.Cache.Mode = Fault.Hang;

        var extra = new List<TimeSpan>
        {
            await ExtraLatencyAsync(instance, () => instance.Store.GetAsync("alice", session.SessionId)),
            await ExtraLatencyAsync(instance, () => instance.Store.UpdateAsync("alice", session.SessionId, new SessionUpdate { Tokens = Tokens("access-2") })),
            await ExtraLatencyAsync(instance, () => instance.Store.TouchAsync("alice", session.SessionId)),
            await ExtraLatencyAsync(instance, () => instance.Store.CreateAsync(NewSession())),
            await ExtraLatencyAsync(instance, () => instance.Store.GetAsync("alice", session.SessionId)),
            await ExtraLatencyAsync(instance, () => instance.Store.DeleteAsync("alice", session.SessionId)),
        };

        Output?.WriteLine($"extra latency per call: {string.Join(", ", extra.Select(e => $"{e.TotalMilliseconds:F0} ms"))}");
        Assert.All(extra, e => Assert.True(e < timeout + TimeSpan.FromMilliseconds(100), $"{e.TotalMilliseconds:F0} ms over the database time"));
        Assert.Null(await instance.Store.GetAsync("alice", session.SessionId));
    }

    [Fact]
    public async Task After_repeated_failures_the_cache_is_bypassed_with_one_warning_per_period_and_recovers_by_itself()
    {
        var period = TimeSpan.FromSeconds(30);
        var instance = NewInstance(o =>
        {
            o.FailureThreshold = 3;
            o.BypassPeriod = period;
        });
        var session = await instance.Store.CreateAsync(SecretSession());
        await instance.Store.GetAsync("alice", session.SessionId);
        Assert.NotNull(await instance.Store.GetAsync("alice", session.SessionId));
        Assert.Equal(1, instance.Metrics.Hits);

        instance.Cache.Mode = Fault.Throw;
        for (var i = 0; i < 3; i++)
        {
            Assert.NotNull(await instance.Store.GetAsync("alice", session.SessionId));
        }

        Assert.Equal(3, instance.Metrics.Errors);
        Assert.Equal(1, instance.Warnings);

        var cacheCalls = instance.Cache.Calls;
        for (var i = 0; i < 5; i++)
        {
            Assert.NotNull(await instance.Store.GetAsync("alice", session.SessionId));
        }

        Assert.Equal(cacheCalls, instance.Cache.Calls); // bypassed: not even asked
        Assert.Equal(5, instance.Metrics.Bypassed);
        Assert.Equal(1, instance.Warnings);

        Clock.Advance(period); // one call probes, fails: one warning for the new period
        Assert.NotNull(await instance.Store.GetAsync("alice", session.SessionId));
        Assert.NotNull(await instance.Store.GetAsync("alice", session.SessionId));
        Assert.Equal(2, instance.Warnings);
        Assert.Equal(4, instance.Metrics.Errors);
        Assert.Equal(6, instance.Metrics.Bypassed);

        instance.Cache.Mode = Fault.None;
        Assert.NotNull(await instance.Store.GetAsync("alice", session.SessionId)); // still within the period
        Assert.Equal(1, instance.Metrics.Hits);
        Clock.Advance(period);
        Assert.Equal(AccessSecret, (await instance.Store.GetAsync("alice", session.SessionId))!.Tokens!.AccessToken);
        Assert.Equal(2, instance.Metrics.Hits);
        Assert.Equal(2, instance.Warnings);
        Assert.Contains(instance.Logs.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("used again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_write_whose_invalidation_failed_is_invalidated_before_its_instance_uses_the_cache_again()
    {
        var (writer, reader) = (NewInstance(o => o.FailureThreshold = 1000), NewInstance());
        var session = await writer.Store.CreateAsync(SecretSession());
        var other = await writer.Store.CreateAsync(NewSession());
        await reader.Store.GetAsync("alice", session.SessionId);

        writer.Cache.Mode = Fault.Throw; // the writer alone is cut off from the cache: its bumps are owed
        await writer.Store.UpdateAsync("alice", session.SessionId, new SessionUpdate { Tokens = Tokens("access-2") });
        writer.Cache.Mode = Fault.None;

        await writer.Store.GetAsync("alice", other.SessionId); // any call that uses the cache pays first
        Assert.Equal("access-2", (await reader.Store.GetAsync("alice", session.SessionId))!.Tokens!.AccessToken);
        Assert.Equal("access-2", (await writer.Store.GetAsync("alice", session.SessionId))!.Tokens!.AccessToken);
    }

    [Fact]
    public async Task With_redis_killed_every_call_succeeds_within_the_timeout_and_hits_resume_when_it_is_back()
    {
        var timeout = TimeSpan.FromMilliseconds(300);
        var period = TimeSpan.FromSeconds(5);
        await using var server = await RedisServerProcess.StartAsync();
        var instance = NewInstance(
            o =>
            {
                o.OperationTimeout = timeout;
                o.FailureThreshold = 3;
                o.BypassPeriod = period;
            },
            redisEndpoint: server.Endpoint); // RedisCache on TestRedis.Options, the connection settings the README gives
        await instance.Cache.GetAsync(Prefix + "connect"); // RedisCache connects on first use: not within a timed call
        var sessions = new List<McpSessions.EF.Model.McpSession>();
        for (var i = 0; i < 3; i++)
        {
            sessions.Add(await instance.Store.CreateAsync(SecretSession()));
            await instance.Store.GetAsync("alice", sessions[i].SessionId);
            Assert.NotNull(await instance.Store.GetAsync("alice", sessions[i].SessionId));
        }

        Assert.Equal(3, instance.Metrics.Hits);

        await server.KillAsync();

        var extra = new List<TimeSpan>();
        for (var round = 0; round < 10; round++)
        {
            var s = sessions[round % sessions.Count];
            extra.Add(await ExtraLatencyAsync(instance, async () => Assert.NotNull(await instance.Store.GetAsync("alice", s.SessionId))));
            extra.Add(await ExtraLatencyAsync(instance, () => instance.Store.UpdateAsync("alice", s.SessionId, new SessionUpdate { Tokens = Tokens($"down-{round}") })));
            extra.Add(await ExtraLatencyAsync(instance, async () => Assert.Equal($"down-{round}", (await instance.Store.GetAsync("alice", s.SessionId))!.Tokens!.AccessToken)));
            extra.Add(await ExtraLatencyAsync(instance, () => instance.Store.TouchAsync("alice", s.SessionId)));
            var created = NewSession();
            extra.Add(await ExtraLatencyAsync(instance, () => instance.Store.CreateAsync(created)));
            extra.Add(await ExtraLatencyAsync(instance, async () => Assert.True(await instance.Store.DeleteAsync("alice", created.SessionId))));
            if (round == 4)
            {
                Clock.Advance(period); // a probe in the middle of the outage, while the server is still gone
            }
        }

        Output?.WriteLine($"Redis down: {extra.Count} calls, extra latency max {extra.Max().TotalMilliseconds:F1} ms, mean {extra.Average(e => e.TotalMilliseconds):F1} ms; errors {instance.Metrics.Errors}, bypassed {instance.Metrics.Bypassed}");
        Assert.All(extra, e => Assert.True(e < timeout, $"a call spent {e.TotalMilliseconds:F0} ms on the cache"));
        Assert.True(instance.Metrics.Errors >= 3);
        Assert.True(instance.Metrics.Bypassed > 0);
        Assert.Equal(2, instance.Warnings);

        await server.StartAsync(TimeSpan.FromSeconds(10)); // same port; the app is not restarted
        var hits = instance.Metrics.Hits;
        var deadline = Stopwatch.StartNew();
        while (instance.Metrics.Hits == hits && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            Clock.Advance(period);
            Assert.Equal("down-9", (await instance.Store.GetAsync("alice", sessions[0].SessionId))!.Tokens!.AccessToken);
            Assert.Equal("down-9", (await instance.Store.GetAsync("alice", sessions[0].SessionId))!.Tokens!.AccessToken);
            await Task.Delay(100); // the client reconnects in the background
        }

        Output?.WriteLine($"hits resumed after {deadline.Elapsed.TotalSeconds:F1} s");
        Assert.True(instance.Metrics.Hits > hits, "no hit after Redis came back");
    }

    /// <summary>The time <paramref name="call"/> took beyond the time it spent in the database store.</summary>
    private static async Task<TimeSpan> ExtraLatencyAsync(Instance instance, Func<Task> call)
    {
        var database = instance.Database.DatabaseTime;
        var start = Stopwatch.GetTimestamp();
        await call();
        return Stopwatch.GetElapsedTime(start) - (instance.Database.DatabaseTime - database);
    }
}
