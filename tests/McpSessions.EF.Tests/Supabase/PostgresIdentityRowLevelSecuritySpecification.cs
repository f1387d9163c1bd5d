using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Model;
using McpSessions.EF.RowLevelSecurity;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace McpSessions.EF.Tests.Supabase;

/// <summary>Row-level security without Supabase: the policy keyed by mcp.identity, set by the library per command.</summary>
public abstract class PostgresIdentityRowLevelSecuritySpecification<TFixture>(TFixture fixture) : IClassFixture<TFixture>, IAsyncLifetime
    where TFixture : PostgresFixture
{
    private const string AppRole = IdentityPolicyBootstrap.AppRole;
    private string _database = "";

    public async Task InitializeAsync()
    {
        _database = await fixture.CreateEmptyDatabaseAsync();
        await fixture.BuildServices(_database, o => o.AutoMigrate = true).GetRequiredService<ISessionStore>().ListIdsAsync("nobody");
        await IdentityPolicyBootstrap.ApplyAsync(_database);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private ISessionStore Store()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(fixture.Clock);
        services.AddMcpSessions(o =>
        {
            o.Provider = SessionStorageProvider.Postgres;
            o.ConnectionString = new NpgsqlConnectionStringBuilder(_database) { Username = AppRole }.ConnectionString;
            o.Encryption.Key = TestKeys.A;
            o.CleanupEnabled = false;
            fixture.ConfigureProvider(o);
        }).AddRowLevelSecurity<TestUserAccessor>(o => o.Mode = RowLevelSecurityMode.PostgresIdentity);
        return services.BuildServiceProvider().GetRequiredService<ISessionStore>();
    }

    private static McpSession Session(string identity, string id) => new()
    {
        SessionId = id,
        Identity = identity,
        ServerUrl = "https://mcp.example.com/mcp",
        CallbackUrl = "https://app.example.com/cb",
    };

    [Fact]
    public async Task Each_user_sees_and_writes_only_their_own_sessions_and_nobody_sees_nothing()
    {
        var store = Store();
        TestUserAccessor.SignIn("bob");
        await store.CreateAsync(Session("bob", "pg-b"));

        TestUserAccessor.SignIn("alice");
        await store.CreateAsync(Session("alice", "pg-a"));
        Assert.Equal(["pg-a"], await store.ListIdsAsync("alice"));
        Assert.Null(await store.GetAsync("bob", "pg-b"));
        Assert.False(await store.DeleteAsync("bob", "pg-b"));
        await Assert.ThrowsAsync<SessionAccessDeniedException>(() => store.CreateAsync(Session("bob", "pg-forged")));

        TestUserAccessor.SignIn(null);
        Assert.Null(await store.GetAsync("alice", "pg-a"));

        TestUserAccessor.SignIn("bob");
        Assert.Equal(["pg-b"], await store.ListIdsAsync("bob"));
    }
}
