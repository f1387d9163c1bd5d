namespace McpSessions.EF.Tests.Specification;

public abstract partial class SessionCacheSpecification<TFixture>
{
    private static readonly TimeSpan PendingTtl = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan DormantAfter = TimeSpan.FromDays(30);

    [Fact]
    public async Task A_pending_session_that_expires_is_not_served_from_the_cache()
    {
        var instance = NewInstance(o => o.CacheTtl = TimeSpan.FromHours(1));
        var session = await instance.Store.CreateAsync(NewSession(active: false));
        await instance.Store.GetAsync("alice", session.SessionId);
        Assert.NotNull(await instance.Store.GetAsync("alice", session.SessionId));
        Assert.Equal(1, instance.Metrics.Hits);

        Clock.Advance(PendingTtl);

        Assert.True(await RedisDatabase.KeyExistsAsync(EntryKey("alice", session.SessionId)), "Redis keeps the entry: its clock is not the store's");
        Assert.Null(await instance.Store.GetAsync("alice", session.SessionId));
        Assert.Null(await NewInstance().Store.GetAsync("alice", session.SessionId));
    }

    [Fact]
    public async Task A_dormant_session_is_not_served_from_the_cache()
    {
        var instance = NewInstance(o => o.CacheTtl = TimeSpan.FromHours(1));
        var session = await instance.Store.CreateAsync(NewSession(active: true));
        await instance.Store.GetAsync("alice", session.SessionId);

        Clock.Advance(DormantAfter + TimeSpan.FromSeconds(1));

        Assert.Null(await instance.Store.GetAsync("alice", session.SessionId));
        Assert.Null(await NewInstance().Store.GetAsync("alice", session.SessionId));
    }

    [Fact]
    public async Task Near_the_end_of_its_life_a_session_is_read_from_the_database()
    {
        var instance = NewInstance(o => o.CacheTtl = TimeSpan.FromHours(1));
        var session = await instance.Store.CreateAsync(NewSession(active: false));
        await instance.Store.GetAsync("alice", session.SessionId);
        Clock.Advance(PendingTtl - TimeSpan.FromSeconds(2));
        var readsBefore = instance.Database.DatabaseGets;

        Assert.NotNull(await instance.Store.GetAsync("alice", session.SessionId));

        Assert.Equal(readsBefore + 1, instance.Database.DatabaseGets);
    }

    [Fact]
    public async Task Cleanup_and_a_new_session_under_the_same_id_leave_no_stale_entry()
    {
        var (cleaner, reader) = (NewInstance(o => o.CacheTtl = TimeSpan.FromHours(1)), NewInstance(o => o.CacheTtl = TimeSpan.FromHours(1)));
        var session = NewSession(active: false);
        session.Tokens = Tokens("first");
        await cleaner.Store.CreateAsync(session);
        await reader.Store.GetAsync("alice", session.SessionId);
        Clock.Advance(PendingTtl + TimeSpan.FromSeconds(1));

        Assert.Equal(1, await cleaner.Store.CleanupExpiredAsync());
        Assert.Null(await reader.Store.GetAsync("alice", session.SessionId));

        var again = NewSession(sessionId: session.SessionId, active: false);
        again.Tokens = Tokens("second");
        await cleaner.Store.CreateAsync(again);
        Assert.Equal("second", (await reader.Store.GetAsync("alice", session.SessionId))!.Tokens!.AccessToken);
    }
}
