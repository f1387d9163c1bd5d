using McpSessions.EF.Caching;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Model;
using McpSessions.EF.ModelContextProtocol;
using McpSessions.EF.ModelContextProtocol.TokenCache;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Authentication;
using StackExchange.Redis;

namespace McpSessions.EF.Tests.ModelContextProtocol;

/// <summary>
/// SPEC §6: the token refresh under the session lock reads the database, never the cache. Two instances of the
/// application on one PostgreSQL database and one real Redis, each with the cache tier and the MCP bridge; the one that
/// rotates the tokens reaches Redis through a <see cref="LoopbackTcpProxy"/> that the test cuts, so its invalidation is
/// lost and the other instance's cache keeps the previous generation of tokens.
/// </summary>
public sealed class RefreshReadsDatabaseTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private readonly CachedInstances _instances = new(fixture);

    public async Task InitializeAsync() => await fixture.Store.ListIdsAsync("schema-warm-up"); // the fixture migrates on first use

    public async Task DisposeAsync() => await _instances.DisposeAsync();

    /// <summary>
    /// An instance on real time (tokens expire on the wall clock), its cache tier over its own RedisCache on
    /// <paramref name="redis"/>, with <paramref name="operationTimeout"/> for its cache calls.
    /// </summary>
    private ServiceProvider Instance(string redis, TimeSpan operationTimeout) =>
        _instances.Start(redis, operationTimeout, build: builder => builder.AddModelContextProtocol());

    private static SessionTokenCache TokenCache(IServiceProvider instance, McpSession session) =>
        (SessionTokenCache)instance.GetRequiredService<IMcpSessionClientFactory>().CreateTokenCache(session.Identity, session.SessionId);

    private static TokenContainer Tokens(string generation, DateTimeOffset obtainedAt) => new()
    {
        AccessToken = "access-" + generation,
        RefreshToken = "refresh-" + generation,
        TokenType = "Bearer",
        ExpiresIn = 3600,
        ObtainedAt = obtainedAt,
        ClientId = "client-1",
        AuthorizationServer = "https://as.example",
    };

    private async Task<bool> CachedAsync(McpSession session)
    {
        using var redis = await ConnectionMultiplexer.ConnectAsync(TestServers.Redis);
        return await redis.GetDatabase().KeyExistsAsync($"{_instances.Prefix}{session.Identity}:{session.SessionId}");
    }

    [Fact]
    public async Task A_stale_cache_entry_cannot_make_an_instance_refresh_with_a_refresh_token_another_instance_rotated()
    {
        await using var proxy = LoopbackTcpProxy.Start(TestServers.Redis);
        var rotator = Instance(proxy.Endpoint, TimeSpan.FromMilliseconds(250)); // the default: its cut-off writes give up quickly
        var other = Instance(TestServers.Redis, TimeSpan.FromSeconds(5)); // its fills must not time out on a busy machine
        var sessions = other.GetRequiredService<ISessionStore>();
        var session = await sessions.CreateAsync(TestSessions.New($"user-{Guid.NewGuid():N}", null, active: true));

        // Generation 1 was obtained two hours ago with an hour of life: expired. The other instance caches it.
        await TokenCache(rotator, session).StoreTokensAsync(Tokens("1", DateTimeOffset.UtcNow.AddHours(-2)), default);
        Assert.Equal("refresh-1", (await sessions.GetAsync(session.Identity, session.SessionId))!.Tokens!.RefreshToken);
        Assert.Equal("refresh-1", (await sessions.GetAsync(session.Identity, session.SessionId))!.Tokens!.RefreshToken);
        Assert.True(await CachedAsync(session), "the other instance should have filled the cache");

        // The rotator, cut off from Redis, refreshes under the session lock and stores generation 2: its invalidation is lost.
        await proxy.CutAsync();
        var rotating = TokenCache(rotator, session);
        Assert.Equal("refresh-1", (await rotating.GetTokensAsync(default))!.RefreshToken);
        await rotating.StoreTokensAsync(Tokens("2", DateTimeOffset.UtcNow), default);
        Assert.Equal("refresh-1", (await sessions.GetAsync(session.Identity, session.SessionId))!.Tokens!.RefreshToken); // the stale entry

        // The other instance sees expired tokens in its cache, takes the lock, and reads again: from the database.
        var read = await TokenCache(other, session).GetTokensAsync(default);

        Assert.Equal(("access-2", "refresh-2"), (read!.AccessToken, read.RefreshToken));
    }
}
