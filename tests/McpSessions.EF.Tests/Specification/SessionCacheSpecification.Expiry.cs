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

    [Fact]
    public async Task Gets_of_sessions_that_do_not_exist_or_are_not_live_write_nothing_to_the_cache()
    {
        // Anyone can ask for random ids: such a get must not leave a key behind, or probing fills the cache.
        var instance = NewInstance(o => o.CacheTtl = TimeSpan.FromHours(1));
        var expired = await Fixture.Store.CreateAsync(NewSession(active: false));
        var alices = await Fixture.Store.CreateAsync(NewSession("alice"));
        Clock.Advance(PendingTtl + TimeSpan.FromSeconds(1));

        for (var i = 0; i < 50; i++)
        {
            Assert.Null(await instance.Store.GetAsync("alice", instance.Store.GenerateSessionId()));
        }

        Assert.Null(await instance.Store.GetAsync("alice", expired.SessionId));
        Assert.Null(await instance.Store.GetAsync("bob", alices.SessionId));

        Assert.Empty(RawKeys());
        Assert.Equal(0, instance.Metrics.Errors);
    }

    [Fact]
    public async Task After_a_fill_no_key_outlives_the_longest_life_its_entry_could_have()
    {
        // The bound of an entry is min(CacheTtl, its session's remaining life); its tag must expire no later. The epoch is
        // the one key every entry shares: it never expires (losing it would turn every entry into a miss at once).
        var longTtl = NewInstance(o => o.CacheTtl = TimeSpan.FromHours(1));
        var pending = await longTtl.Store.CreateAsync(NewSession("alice", active: false)); // 10 minutes to live
        Assert.NotNull(await longTtl.Store.GetAsync("alice", pending.SessionId));
        var shortTtl = NewInstance(o => o.CacheTtl = TimeSpan.FromSeconds(30));
        var active = await shortTtl.Store.CreateAsync(NewSession("bob")); // 30 days to live
        Assert.NotNull(await shortTtl.Store.GetAsync("bob", active.SessionId));
        var lost = await Fixture.Store.CreateAsync(NewSession("carol", active: false)); // its tags created by a get
        Assert.NotNull(await longTtl.Store.GetAsync("carol", lost.SessionId));

        var bounds = new Dictionary<string, TimeSpan>
        {
            [EntryKey("alice", pending.SessionId)] = PendingTtl,
            [GenerationKey("alice", pending.SessionId)] = PendingTtl,
            [EntryKey("bob", active.SessionId)] = TimeSpan.FromSeconds(30),
            [GenerationKey("bob", active.SessionId)] = TimeSpan.FromSeconds(30),
            [EntryKey("carol", lost.SessionId)] = PendingTtl,
            [GenerationKey("carol", lost.SessionId)] = PendingTtl,
        };
        var keys = RawKeys().Select(k => k.ToString()).ToList();
        Assert.Equal(bounds.Keys.Append(EpochKey).Order(), keys.Order());
        foreach (var (key, bound) in bounds)
        {
            var ttl = await RedisDatabase.KeyTimeToLiveAsync(key);
            Assert.NotNull(ttl);
            Assert.True(ttl <= bound, $"{key} lives {ttl}, longer than its entry could ({bound})");
        }
    }
}
