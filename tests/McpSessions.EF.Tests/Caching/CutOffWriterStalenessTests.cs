using System.Diagnostics;
using McpSessions.EF.Caching;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Caching;

/// <summary>
/// SPEC §6: when the writer itself cannot reach the cache, its write still succeeds, and another instance may read the
/// previous value for at most <c>CacheTtl</c>. Two instances share one PostgreSQL database and one real Redis; the
/// writer reaches Redis through a <see cref="LoopbackTcpProxy"/> that the test cuts, the reader directly. Real time
/// throughout: the bound is Redis's own expiry of the entry.
/// </summary>
public sealed class CutOffWriterStalenessTests(PostgresFixture fixture, ITestOutputHelper output) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private static readonly TimeSpan CacheTtl = TimeSpan.FromSeconds(2);

    /// <summary>Polling interval, a reader's own round trips, and the scheduling noise of a busy 2-core machine.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1);

    private readonly CachedInstances _instances = new(fixture);

    public async Task InitializeAsync() => await fixture.Store.ListIdsAsync("schema-warm-up"); // the fixture migrates on first use

    public async Task DisposeAsync() => await _instances.DisposeAsync();

    /// <summary>
    /// An instance with the cache tier over its own RedisCache on <paramref name="redis"/>, on real time, with
    /// <paramref name="operationTimeout"/> for its cache calls.
    /// </summary>
    private ISessionStore Instance(string redis, TimeSpan operationTimeout) =>
        _instances.Start(redis, operationTimeout, o => o.CacheTtl = CacheTtl).GetRequiredService<ISessionStore>();

    [Fact]
    public async Task A_writer_cut_off_from_Redis_still_writes_and_another_instance_reads_the_old_value_for_at_most_CacheTtl()
    {
        await using var proxy = LoopbackTcpProxy.Start(TestServers.Redis);
        var writer = Instance(proxy.Endpoint, TimeSpan.FromMilliseconds(250)); // the default: its cut-off write gives up quickly
        var reader = Instance(TestServers.Redis, TimeSpan.FromSeconds(5)); // its fill must not time out on a busy machine
        var session = await writer.CreateAsync(TestSessions.New("alice", null, active: true));
        Assert.Equal("Example MCP", (await writer.GetAsync("alice", session.SessionId))!.ServerName); // the writer's Redis connection is up
        Assert.Equal("Example MCP", (await reader.GetAsync("alice", session.SessionId))!.ServerName); // fills the entry
        using (var redis = await ConnectionMultiplexer.ConnectAsync(TestServers.Redis))
        {
            Assert.True(await redis.GetDatabase().KeyExistsAsync($"{_instances.Prefix}alice:{session.SessionId}"), "the reader should have filled the cache");
        }

        await proxy.CutAsync();
        var writing = Stopwatch.StartNew();
        await writer.UpdateAsync("alice", session.SessionId, new SessionUpdate { ServerName = "after the cut" });
        var writeTook = writing.Elapsed;
        var returned = Stopwatch.StartNew();

        var (staleReads, longestStale) = (0, TimeSpan.Zero);
        McpSession? read;
        while ((read = await reader.GetAsync("alice", session.SessionId))!.ServerName != "after the cut")
        {
            Assert.Equal("Example MCP", read.ServerName);
            (staleReads, longestStale) = (staleReads + 1, returned.Elapsed);
            Assert.True(longestStale <= CacheTtl + Slack, $"the reader still read the previous value {longestStale.TotalMilliseconds:F0} ms after the write returned (CacheTtl {CacheTtl.TotalMilliseconds:F0} ms)");
            await Task.Delay(10);
        }

        output.WriteLine($"write while cut off took {writeTook.TotalMilliseconds:F0} ms; {staleReads} stale reads, the last {longestStale.TotalMilliseconds:F0} ms after the write returned (CacheTtl {CacheTtl.TotalMilliseconds:F0} ms)");
        Assert.True(staleReads > 0, "the reader should have been served the previous value while the writer was cut off: the cut did not take");
        Assert.Equal("after the cut", (await writer.GetAsync("alice", session.SessionId))!.ServerName);
        Assert.Equal("after the cut", (await fixture.Store.GetAsync("alice", session.SessionId))!.ServerName);
    }
}
