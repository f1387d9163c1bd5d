using McpSessions.EF.Caching;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Model;
using McpSessions.EF.RowLevelSecurity;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace McpSessions.EF.Tests.Supabase;

/// <summary>
/// Row-level security and the cache tier both on (SPEC §6): on a database set up the way Supabase sets itself up, the
/// store logged in as <c>authenticator</c> and running as <c>authenticated</c> with each user's JWT claims, over the
/// real <see cref="RedisCache"/> on the shared Redis. The cache must never hand one user a session the database hides
/// from them, nor hide from a user the session the database shows them. Written once per way of reaching the
/// database: a subclass names the fixture (direct PostgreSQL, or a transaction pooler in front of it).
/// </summary>
public abstract class RowLevelSecurityWithCacheSpecification<TFixture>(TFixture fixture) : IClassFixture<TFixture>, IAsyncLifetime
    where TFixture : SessionStoreFixture
{
    protected const string UserA = "00000000-0000-4000-8000-00000000000a";
    protected const string UserB = "00000000-0000-4000-8000-00000000000b";

    private readonly List<ServiceProvider> _instances = [];
    private string _database = "";

    protected TFixture Fixture { get; } = fixture;

    /// <summary>This test's key prefix on the shared Redis; nothing is ever flushed.</summary>
    protected string Prefix { get; } = $"mcpsessions-rls-test:{Guid.NewGuid():N}:";

    public async Task InitializeAsync()
    {
        _database = await Fixture.CreateEmptyDatabaseAsync();
        await SupabaseBootstrap.ApplyAsync(_database);
        // The schema is migrated by the deployment's own (owner) connection, after Supabase's roles exist.
        await Fixture.BuildServices(_database, o => o.AutoMigrate = true).GetRequiredService<ISessionStore>().ListIdsAsync("nobody");
    }

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        await TestRedis.DeleteKeysAsync(TestServers.Redis, Prefix);
    }

    /// <summary>The connection string the application's store uses: Supabase's <c>authenticator</c> login on the test database.</summary>
    protected virtual string ApplicationConnectionString(string database) => SupabaseBootstrap.AsAuthenticator(database);

    /// <summary>
    /// An instance of the application: its own service provider, the store as <paramref name="role"/> with row-level
    /// security in Supabase mode, and the cache tier over its own <see cref="RedisCache"/> on the shared Redis.
    /// </summary>
    protected ISessionStore NewInstance(string role = "authenticated")
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Fixture.Clock);
        services.AddStackExchangeRedisCache(o => o.Configuration = TestServers.Redis);
        services.AddMcpSessions(o =>
        {
            o.Provider = SessionStorageProvider.Supabase;
            o.ConnectionString = ApplicationConnectionString(_database);
            o.Encryption.Key = TestKeys.A;
            o.CleanupEnabled = false;
            Fixture.ConfigureProvider(o);
        })
        .AddRowLevelSecurity<TestUserAccessor>(o =>
        {
            o.Mode = RowLevelSecurityMode.Supabase;
            o.Role = role;
        })
        .AddDistributedCache(o =>
        {
            o.Prefix = Prefix;
            o.OperationTimeout = TimeSpan.FromSeconds(5); // a slow cache is not this class's subject
        });
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _instances.Add(provider);
        return provider.GetRequiredService<ISessionStore>();
    }

    protected static McpSession Session(string identity, string id) => new()
    {
        SessionId = id,
        Identity = identity,
        ServerUrl = "https://mcp.example.com/mcp",
        CallbackUrl = "https://app.example.com/cb",
        Active = true,
        Tokens = new OAuthTokens { AccessToken = "token-of-" + id, RefreshToken = "refresh-of-" + id },
    };

    /// <summary>Whether the cache holds an entry for the session (the key of SPEC §6).</summary>
    protected async Task<bool> CachedAsync(string identity, string sessionId)
    {
        using var redis = await ConnectionMultiplexer.ConnectAsync(TestServers.Redis);
        return await redis.GetDatabase().KeyExistsAsync($"{Prefix}{identity}:{sessionId}");
    }

    [Fact]
    public async Task A_session_of_B_in_the_cache_is_invisible_to_A_and_A_still_cannot_change_it()
    {
        var store = NewInstance();
        TestUserAccessor.SignIn(UserB);
        await store.CreateAsync(Session(UserB, "b-cached"));
        Assert.Equal("token-of-b-cached", (await store.GetAsync(UserB, "b-cached"))!.Tokens!.AccessToken);
        Assert.Equal("token-of-b-cached", (await store.GetAsync(UserB, "b-cached"))!.Tokens!.AccessToken);
        Assert.True(await CachedAsync(UserB, "b-cached"), "B's read should have filled the cache");

        TestUserAccessor.SignIn(UserA);
        Assert.Null(await store.GetAsync(UserB, "b-cached"));
        Assert.Null(await store.GetAsync(UserB, "b-cached"));
        Assert.Empty(await store.ListAsync(UserB));
        Assert.Empty(await store.ListIdsAsync(UserB));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => store.UpdateAsync(UserB, "b-cached", new SessionUpdate { ServerName = "hijacked" }));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => store.TouchAsync(UserB, "b-cached"));
        Assert.False(await store.DeleteAsync(UserB, "b-cached"));

        // Another instance of the application, on the same cache, refuses A just the same.
        var other = NewInstance();
        Assert.Null(await other.GetAsync(UserB, "b-cached"));

        TestUserAccessor.SignIn(UserB);
        var read = await store.GetAsync(UserB, "b-cached");
        Assert.Equal(("token-of-b-cached", null), (read!.Tokens!.AccessToken, read.ServerName));
        Assert.Equal(["b-cached"], await store.ListIdsAsync(UserB));
    }

    [Fact]
    public async Task Nobody_signed_in_gets_nothing_from_the_cache_and_service_role_gets_every_session()
    {
        var store = NewInstance();
        TestUserAccessor.SignIn(UserB);
        await store.CreateAsync(Session(UserB, "b-anon"));
        Assert.NotNull(await store.GetAsync(UserB, "b-anon"));
        Assert.NotNull(await store.GetAsync(UserB, "b-anon"));
        Assert.True(await CachedAsync(UserB, "b-anon"));

        TestUserAccessor.SignIn(null); // anon
        Assert.Null(await store.GetAsync(UserB, "b-anon"));

        var serviceRole = NewInstance("service_role");
        Assert.Equal("token-of-b-anon", (await serviceRole.GetAsync(UserB, "b-anon"))!.Tokens!.AccessToken);
        TestUserAccessor.SignIn(UserA); // service_role bypasses row-level security whoever is signed in
        Assert.Equal("token-of-b-anon", (await serviceRole.GetAsync(UserB, "b-anon"))!.Tokens!.AccessToken);
    }

    [Fact]
    public async Task Concurrent_cold_reads_by_A_and_B_after_a_write_by_B_give_A_nothing_and_B_its_session()
    {
        const int Rounds = 8;
        const int Readers = 160;
        var store = NewInstance();
        TestUserAccessor.SignIn(UserB);
        await store.CreateAsync(Session(UserB, "b-race"));
        var (aGotB, bGotNothing, bGotOld) = (0, 0, 0);

        for (var round = 0; round < Rounds; round++)
        {
            TestUserAccessor.SignIn(UserB);
            var name = $"round-{round}";
            await store.UpdateAsync(UserB, "b-race", new SessionUpdate { ServerName = name }); // the entry is cold now

            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var reads = Enumerable.Range(0, Readers).Select(i => Task.Run(async () =>
            {
                var user = (i + round) % 2 == 0 ? UserA : UserB;
                TestUserAccessor.SignIn(user);
                await start.Task;
                return (User: user, Session: await store.GetAsync(UserB, "b-race"));
            })).ToArray();
            start.SetResult();

            foreach (var (user, session) in await Task.WhenAll(reads))
            {
                if (user == UserA && session is not null)
                {
                    aGotB++;
                }
                else if (user == UserB && session is null)
                {
                    bGotNothing++;
                }
                else if (user == UserB && session!.ServerName != name)
                {
                    bGotOld++;
                }
            }
        }

        Assert.True(
            (aGotB, bGotNothing, bGotOld) == (0, 0, 0),
            $"over {Rounds} rounds of {Readers} reads: A got B's session {aGotB} times, B got nothing {bGotNothing} times, B got an old value {bGotOld} times");
        TestUserAccessor.SignIn(UserB);
        Assert.True(await CachedAsync(UserB, "b-race"), "B's reads should have filled the cache");
    }
}
