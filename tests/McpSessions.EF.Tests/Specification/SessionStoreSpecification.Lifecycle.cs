using McpSessions.EF.Storage;

namespace McpSessions.EF.Tests.Specification;

public abstract partial class SessionStoreSpecification<TFixture>
{
    private static readonly TimeSpan PendingTtl = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan ActiveTtl = TimeSpan.FromHours(12);
    private static readonly TimeSpan DormantAfter = TimeSpan.FromDays(30);

    [Fact]
    public async Task A_new_session_is_pending_and_expires_after_the_pending_window()
    {
        var session = await Store.CreateAsync(NewSession());
        Assert.False(session.Active);
        Assert.Equal(Clock.GetUtcNow() + PendingTtl, session.ExpiresAt);

        Clock.Advance(PendingTtl - TimeSpan.FromSeconds(1));
        Assert.NotNull(await Store.GetAsync("alice", session.SessionId));

        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await Store.GetAsync("alice", session.SessionId));
        Assert.Empty(await Store.ListAsync("alice"));
        Assert.Empty(await Store.ListIdsAsync("alice"));
        Assert.Empty(await ToListAsync(Store.ListAllIdsAsync()));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => Store.UpdateAsync("alice", session.SessionId, new SessionUpdate { Active = true }));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => Store.TouchAsync("alice", session.SessionId));
    }

    [Fact]
    public async Task Activation_writes_the_active_expiry_and_an_active_session_outlives_it()
    {
        var session = await Store.CreateAsync(NewSession());
        Clock.Advance(TimeSpan.FromMinutes(2));

        await Store.UpdateAsync("alice", session.SessionId, new SessionUpdate { Active = true, Tokens = Tokens() });
        var active = await Store.GetAsync("alice", session.SessionId);
        Assert.True(active!.Active);
        Assert.Equal(Clock.GetUtcNow() + ActiveTtl, active.ExpiresAt);

        Clock.Advance(ActiveTtl + TimeSpan.FromHours(1)); // past expires_at, far from dormant
        Assert.NotNull(await Store.GetAsync("alice", session.SessionId));
        Assert.Equal(0, await Store.CleanupExpiredAsync());
    }

    [Fact]
    public async Task A_session_created_active_is_live_with_the_active_expiry()
    {
        var session = await Store.CreateAsync(NewSession(active: true));

        Assert.True(session.Active);
        Assert.Equal(Clock.GetUtcNow() + ActiveTtl, session.ExpiresAt);
        Clock.Advance(TimeSpan.FromDays(29));
        Assert.NotNull(await Store.GetAsync("alice", session.SessionId));
    }

    [Fact]
    public async Task An_active_session_unused_for_the_dormancy_period_is_no_longer_live()
    {
        var session = await Store.CreateAsync(NewSession(active: true));

        Clock.Advance(DormantAfter);
        Assert.NotNull(await Store.GetAsync("alice", session.SessionId));

        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await Store.GetAsync("alice", session.SessionId));
        Assert.Empty(await Store.ListAsync("alice"));
    }

    [Fact]
    public async Task Touch_keeps_an_active_session_from_going_dormant_and_changes_nothing_else()
    {
        var session = NewSession(active: true);
        session.Tokens = Tokens();
        await Store.CreateAsync(session);
        var before = await Store.GetAsync("alice", session.SessionId);

        Clock.Advance(DormantAfter - TimeSpan.FromDays(1));
        await Store.TouchAsync("alice", session.SessionId);
        Clock.Advance(TimeSpan.FromDays(2)); // dormant by the creation time, live by the touch

        var after = await Store.GetAsync("alice", session.SessionId);
        Assert.NotNull(after);
        Assert.Equal(Clock.GetUtcNow() - TimeSpan.FromDays(2), after.UpdatedAt);
        Assert.Equal(before!.ExpiresAt, after.ExpiresAt);
        Assert.Equal(before.CreatedAt, after.CreatedAt);
        AssertJsonEqual(before.Tokens, after.Tokens);
        Assert.Equal(before.Active, after.Active);
    }

    [Fact]
    public async Task Touch_of_a_missing_session_throws_SessionNotFound()
    {
        var error = await Assert.ThrowsAsync<SessionNotFoundException>(() => Store.TouchAsync("alice", "nope"));
        Assert.Equal("Session nope not found for identity alice", error.Message);
    }

    [Fact]
    public async Task Every_write_moves_updated_at()
    {
        var session = await Store.CreateAsync(NewSession());
        Clock.Advance(TimeSpan.FromSeconds(30));

        await Store.UpdateAsync("alice", session.SessionId, new SessionUpdate { ClientId = "c" });

        Assert.Equal(Clock.GetUtcNow(), (await Store.GetAsync("alice", session.SessionId))!.UpdatedAt);
    }

    [Fact]
    public async Task Returning_an_active_session_to_pending_restarts_the_pending_window()
    {
        var session = await Store.CreateAsync(NewSession(active: true));
        Clock.Advance(TimeSpan.FromHours(1));

        await Store.UpdateAsync("alice", session.SessionId, new SessionUpdate { Active = false });
        Assert.Equal(Clock.GetUtcNow() + PendingTtl, (await Store.GetAsync("alice", session.SessionId))!.ExpiresAt);

        Clock.Advance(PendingTtl);
        Assert.Null(await Store.GetAsync("alice", session.SessionId));
    }

    [Fact]
    public async Task CleanupExpired_removes_exactly_the_sessions_that_are_no_longer_live_across_batches()
    {
        const int expiredPending = 3 * SessionStoreFixtureBatch + 2;
        const int dormantActive = SessionStoreFixtureBatch + 1;
        for (var i = 0; i < expiredPending; i++)
        {
            await Store.CreateAsync(NewSession($"p-{i % 3}", $"expired-{i}"));
        }

        for (var i = 0; i < dormantActive; i++)
        {
            await Store.CreateAsync(NewSession("d", $"dormant-{i}", active: true));
        }

        Clock.Advance(DormantAfter + TimeSpan.FromSeconds(1));
        var live = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            live.Add((await Store.CreateAsync(NewSession("live", $"live-pending-{i}"))).SessionId);
            live.Add((await Store.CreateAsync(NewSession("live", $"live-active-{i}", active: true))).SessionId);
        }

        var removed = await Store.CleanupExpiredAsync();

        Assert.Equal(expiredPending + dormantActive, removed);
        Assert.Equal(live.Count, await Fixture.CountRowsAsync());
        var remaining = await Store.ListIdsAsync("live");
        Assert.Equal(live.Order(StringComparer.Ordinal), remaining.Order(StringComparer.Ordinal));
        Assert.Equal(0, await Store.CleanupExpiredAsync());
    }

    private const int SessionStoreFixtureBatch = Infrastructure.SessionStoreFixture.CleanupBatchSize;
}
