using System.Diagnostics;
using McpSessions.EF.Locking;
using McpSessions.EF.Model;
using McpSessions.EF.ModelContextProtocol;
using McpSessions.EF.ModelContextProtocol.TokenCache;
using McpSessions.EF.Storage;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Authentication;
using ModelContextProtocol.Client;

namespace McpSessions.EF.Tests.Specification;

public abstract partial class McpSdkBridgeSpecification<TFixture>
{
    [Fact]
    public async Task The_whole_token_container_round_trips_through_the_session()
    {
        var instance = NewInstance();
        var session = await CreateSessionAsync(instance);
        var cache = Cache(instance, session);
        var obtainedAt = TimeProvider.System.GetUtcNow();

        await cache.StoreTokensAsync(Container("https://as.example", obtainedAt), default);
        var read = (await cache.GetTokensAsync(default))!;

        Assert.Equal(("access-1", "refresh-1", "Bearer", "mcp:tools", 3600), (read.AccessToken, read.RefreshToken, read.TokenType, read.Scope, read.ExpiresIn));
        Assert.Equal(("client-1", "secret-1", "client_secret_post", "https://as.example"), (read.ClientId, read.ClientSecret, read.TokenEndpointAuthMethod, read.AuthorizationServer));
        // The SDK sees the expiry 30 s early (the skew), on its own clock.
        Assert.InRange(read.ObtainedAt.AddSeconds(3600) - obtainedAt, TimeSpan.FromSeconds(3569), TimeSpan.FromSeconds(3571));
        Assert.True((await StoredAsync(session)).Active);
    }

    [Fact]
    public async Task Tokens_of_one_authorization_server_are_not_handed_to_another()
    {
        var instance = NewInstance();
        var session = await CreateSessionAsync(instance);
        var cache = Cache(instance, session);
        await cache.StoreTokensAsync(Container("https://as-one.example", TimeProvider.System.GetUtcNow()), default);

        cache.SelectAuthorizationServer([new Uri("https://as-two.example")], null);
        Assert.Null(await cache.GetTokensAsync(default));

        // While the resource still lists the server the tokens belong to, the cache keeps to it.
        var chosen = cache.SelectAuthorizationServer([new Uri("https://as-two.example"), new Uri("https://as-one.example")], null);
        Assert.Equal("https://as-one.example", chosen!.OriginalString);
        Assert.Equal("access-1", (await cache.GetTokensAsync(default))!.AccessToken);
    }

    [Fact]
    public async Task A_refresh_that_never_stores_releases_the_lock_after_the_hold_timeout()
    {
        var refresher = NewInstance(o => o.RefreshHoldTimeout = TimeSpan.FromMilliseconds(300));
        var waiter = NewInstance(o => o.LockTimeout = TimeSpan.FromSeconds(10));
        var session = await CreateSessionAsync(refresher);
        await Cache(refresher, session).StoreTokensAsync(Container("https://as.example", TimeProvider.System.GetUtcNow(), expiresIn: 60), default);
        Clock.Advance(TimeSpan.FromSeconds(61));

        Assert.NotNull(await Cache(refresher, session).GetTokensAsync(default)); // expired: takes the lock, never stores
        var waited = Stopwatch.StartNew();
        var read = await Cache(waiter, session).GetTokensAsync(default);

        Assert.Equal("access-1", read!.AccessToken);
        Assert.InRange(waited.Elapsed, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(9));
        await Cache(waiter, session).StoreTokensAsync(Container("https://as.example", TimeProvider.System.GetUtcNow()), default);
    }

    [Fact]
    public async Task Waiting_longer_than_the_lock_timeout_for_another_refresh_throws()
    {
        var refresher = NewInstance(o => o.RefreshHoldTimeout = TimeSpan.FromSeconds(10));
        var waiter = NewInstance(o => o.LockTimeout = TimeSpan.FromMilliseconds(300));
        var session = await CreateSessionAsync(refresher);
        var holder = Cache(refresher, session);
        await holder.StoreTokensAsync(Container("https://as.example", TimeProvider.System.GetUtcNow(), expiresIn: 60), default);
        Clock.Advance(TimeSpan.FromSeconds(61));
        await holder.GetTokensAsync(default);

        var timeout = await Assert.ThrowsAsync<SessionLockTimeoutException>(async () => await Cache(waiter, session).GetTokensAsync(default));

        Assert.Equal(session.SessionId, timeout.SessionId);
        await holder.StoreTokensAsync(Container("https://as.example", TimeProvider.System.GetUtcNow()), default); // releases
        Assert.Equal("access-1", (await Cache(waiter, session).GetTokensAsync(default))!.AccessToken);
    }

    [Fact]
    public async Task The_factory_builds_the_sdk_options_from_the_stored_session()
    {
        var instance = NewInstance();
        var sessions = instance.GetRequiredService<ISessionStore>();
        var session = await CreateSessionAsync(instance, McpTransportType.Sse);
        await sessions.UpdateAsync(session.Identity, session.SessionId, new SessionUpdate { Headers = new() { ["X-Api-Key"] = "key-1" }, ServerName = "Example" });
        var factory = instance.GetRequiredService<IMcpSessionClientFactory>();

        var options = await factory.CreateClientTransportOptionsAsync(session.Identity, session.SessionId);

        Assert.Equal(Server.McpUrl, options.Endpoint);
        Assert.Equal(HttpTransportMode.Sse, options.TransportMode);
        Assert.Equal("Example", options.Name);
        Assert.Equal("key-1", options.AdditionalHeaders!["X-Api-Key"]);
        Assert.Equal(new Uri(session.CallbackUrl), options.OAuth!.RedirectUri);
        Assert.IsType<SessionTokenCache>(options.OAuth.TokenCache);
        Assert.Null(options.OAuth.ClientId);
        Assert.NotNull(options.OAuth.DynamicClientRegistration!.ResponseDelegate);
        var streamable = await CreateSessionAsync(instance);
        Assert.Equal(HttpTransportMode.StreamableHttp, (await factory.CreateClientTransportOptionsAsync(streamable.Identity, streamable.SessionId)).TransportMode);
        await Assert.ThrowsAsync<SessionNotFoundException>(() => factory.CreateClientTransportOptionsAsync(session.Identity, "no-such-session"));
    }

    private static SessionTokenCache Cache(IServiceProvider instance, McpSession session) =>
        (SessionTokenCache)instance.GetRequiredService<IMcpSessionClientFactory>().CreateTokenCache(session.Identity, session.SessionId);

    private static TokenContainer Container(string issuer, DateTimeOffset obtainedAt, int expiresIn = 3600) => new()
    {
        AccessToken = "access-1",
        RefreshToken = "refresh-1",
        TokenType = "Bearer",
        Scope = "mcp:tools",
        ExpiresIn = expiresIn,
        ObtainedAt = obtainedAt,
        ClientId = "client-1",
        ClientSecret = "secret-1",
        TokenEndpointAuthMethod = "client_secret_post",
        AuthorizationServer = issuer,
    };
}
