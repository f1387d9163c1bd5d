using McpSessions.EF.Caching;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Model;
using McpSessions.EF.RowLevelSecurity;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StackExchange.Redis;

namespace McpSessions.EF.Tests.Supabase;

/// <summary>
/// Row-level security without Supabase (the policy keyed by mcp.identity) with the cache tier over RedisCache: a
/// cached session is served only to the user whose id is its identity or its user_id.
/// </summary>
public abstract class PostgresIdentityRowLevelSecurityWithCacheSpecification<TFixture>(TFixture fixture) : IClassFixture<TFixture>, IAsyncLifetime
    where TFixture : PostgresFixture
{
    private const string AppRole = IdentityPolicyBootstrap.AppRole;
    private readonly string _prefix = $"mcpsessions-rls-identity-test:{Guid.NewGuid():N}:";
    private ServiceProvider? _instance;
    private string _database = "";

    public async Task InitializeAsync()
    {
        _database = await fixture.CreateEmptyDatabaseAsync();
        await fixture.BuildServices(_database, o => o.AutoMigrate = true).GetRequiredService<ISessionStore>().ListIdsAsync("nobody");
        await IdentityPolicyBootstrap.ApplyAsync(_database);
    }

    public async Task DisposeAsync()
    {
        if (_instance is not null)
        {
            await _instance.DisposeAsync();
        }

        await TestRedis.DeleteKeysAsync(TestServers.Redis, _prefix);
    }

    private ISessionStore Store()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(fixture.Clock);
        services.AddStackExchangeRedisCache(o => o.Configuration = TestServers.Redis);
        services.AddMcpSessions(o =>
        {
            o.Provider = SessionStorageProvider.Postgres;
            o.ConnectionString = new NpgsqlConnectionStringBuilder(_database) { Username = AppRole }.ConnectionString;
            o.Encryption.Key = TestKeys.A;
            o.CleanupEnabled = false;
            fixture.ConfigureProvider(o);
        })
        .AddRowLevelSecurity<TestUserAccessor>(o => o.Mode = RowLevelSecurityMode.PostgresIdentity)
        .AddDistributedCache(o =>
        {
            o.Prefix = _prefix;
            o.OperationTimeout = TimeSpan.FromSeconds(5);
        });
        _instance = services.BuildServiceProvider();
        return _instance.GetRequiredService<ISessionStore>();
    }

    [Fact]
    public async Task A_cached_session_is_served_to_the_user_of_its_identity_or_user_id_and_to_nobody_else()
    {
        var store = Store();
        TestUserAccessor.SignIn("bob");
        var session = TestSessions.New("bob", "pg-cached", active: true);
        session.UserId = "bob-account";
        await store.CreateAsync(session);
        Assert.NotNull(await store.GetAsync("bob", "pg-cached"));
        Assert.NotNull(await store.GetAsync("bob", "pg-cached"));
        using (var redis = await ConnectionMultiplexer.ConnectAsync(TestServers.Redis))
        {
            Assert.True(await redis.GetDatabase().KeyExistsAsync($"{_prefix}bob:pg-cached"), "bob's read should have filled the cache");
        }

        TestUserAccessor.SignIn("alice");
        Assert.Null(await store.GetAsync("bob", "pg-cached"));
        TestUserAccessor.SignIn(null);
        Assert.Null(await store.GetAsync("bob", "pg-cached"));

        TestUserAccessor.SignIn("bob-account"); // the policy's other column: user_id
        Assert.Equal("bob-account", (await store.GetAsync("bob", "pg-cached"))!.UserId);
    }
}
