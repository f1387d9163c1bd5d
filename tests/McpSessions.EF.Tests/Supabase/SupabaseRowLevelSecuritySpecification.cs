using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Model;
using McpSessions.EF.RowLevelSecurity;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Tests.Supabase;

/// <summary>
/// Isolation enforced by the database: on a PostgreSQL set up the way Supabase sets itself up, the store running as
/// <c>authenticated</c> with a user's JWT claims sees and changes only that user's sessions; anon sees nothing;
/// service_role sees everything. Everything goes through the library, no raw SQL.
/// </summary>
public abstract class SupabaseRowLevelSecuritySpecification<TFixture>(TFixture fixture) : IClassFixture<TFixture>, IAsyncLifetime
    where TFixture : PostgresFixture
{
    private static readonly string UserA = "00000000-0000-4000-8000-00000000000a";
    private static readonly string UserB = "00000000-0000-4000-8000-00000000000b";
    private string _database = "";
    private ISessionStore _serviceRole = null!;

    public async Task InitializeAsync()
    {
        _database = await fixture.CreateEmptyDatabaseAsync();
        await SupabaseBootstrap.ApplyAsync(_database);
        // The schema is migrated by the deployment's own (owner) connection, after Supabase's roles exist.
        await fixture.BuildServices(_database, o => o.AutoMigrate = true).GetRequiredService<ISessionStore>().ListIdsAsync("nobody");
        _serviceRole = Store("service_role");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private ISessionStore Store(string? role)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(fixture.Clock);
        services.AddMcpSessions(o =>
        {
            o.Provider = SessionStorageProvider.Supabase;
            o.ConnectionString = SupabaseBootstrap.AsAuthenticator(_database);
            o.Encryption.Key = TestKeys.A;
            o.CleanupEnabled = false;
            fixture.ConfigureProvider(o);
        }).AddRowLevelSecurity<TestUserAccessor>(o =>
        {
            o.Mode = RowLevelSecurityMode.Supabase;
            o.Role = role;
        });
        return services.BuildServiceProvider().GetRequiredService<ISessionStore>();
    }

    private static McpSession Session(string identity, string id) => new()
    {
        SessionId = id,
        Identity = identity,
        ServerUrl = "https://mcp.example.com/mcp",
        CallbackUrl = "https://app.example.com/cb",
        Tokens = new OAuthTokens { AccessToken = "token-of-" + id },
    };

    [Fact]
    public async Task An_authenticated_user_sees_and_changes_only_their_own_sessions()
    {
        TestUserAccessor.SignIn(UserA);
        await _serviceRole.CreateAsync(Session(UserA, "a-1"));
        await _serviceRole.CreateAsync(Session(UserB, "b-1"));
        var asA = Store("authenticated");

        await asA.CreateAsync(Session(UserA, "a-2"));
        await asA.UpdateAsync(UserA, "a-1", new SessionUpdate { Active = true });
        await asA.TouchAsync(UserA, "a-2");

        Assert.Equal(["a-1", "a-2"], (await asA.ListIdsAsync(UserA)).Order());
        Assert.True((await asA.GetAsync(UserA, "a-1"))!.Active);
        Assert.Equal("token-of-a-2", (await asA.GetAsync(UserA, "a-2"))!.Tokens!.AccessToken);
        Assert.Equal(["a-1", "a-2"], (await ToListAsync(asA.ListAllIdsAsync())).Order());

        // B's session exists but the database hides it from A, whatever identity A's calls name.
        Assert.Null(await asA.GetAsync(UserB, "b-1"));
        Assert.Empty(await asA.ListAsync(UserB));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => asA.UpdateAsync(UserB, "b-1", new SessionUpdate { ServerName = "hijacked" }));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => asA.TouchAsync(UserB, "b-1"));
        Assert.False(await asA.DeleteAsync(UserB, "b-1"));
        Assert.Equal(0, await asA.CleanupExpiredAsync());

        var b1 = await _serviceRole.GetAsync(UserB, "b-1");
        Assert.Null(b1!.ServerName);
        Assert.True(await asA.DeleteAsync(UserA, "a-2"));
    }

    [Fact]
    public async Task Writing_a_session_for_another_user_is_refused_by_the_database()
    {
        TestUserAccessor.SignIn(UserA);
        var asA = Store("authenticated");

        var error = await Assert.ThrowsAsync<SessionAccessDeniedException>(() => asA.CreateAsync(Session(UserB, "forged-1")));

        Assert.Contains("row-level security", error.Message, StringComparison.Ordinal);
        Assert.Null(await _serviceRole.GetAsync(UserB, "forged-1"));
    }

    [Fact]
    public async Task Anon_sees_nothing_and_service_role_sees_everything()
    {
        TestUserAccessor.SignIn(UserA);
        await _serviceRole.CreateAsync(Session(UserA, "x-a"));
        await _serviceRole.CreateAsync(Session(UserB, "x-b"));

        TestUserAccessor.SignIn(null); // nobody signed in: anon
        var anon = Store("authenticated");
        Assert.Null(await anon.GetAsync(UserA, "x-a"));
        Assert.Empty(await ToListAsync(anon.ListAllIdsAsync()));
        Assert.Empty(await anon.ListIdsAsync(UserB));

        Assert.Equal(["x-a", "x-b"], (await ToListAsync(_serviceRole.ListAllIdsAsync())).Order());
        Assert.NotNull(await _serviceRole.GetAsync(UserB, "x-b"));
    }

    private static async Task<List<string>> ToListAsync(IAsyncEnumerable<string> source)
    {
        var list = new List<string>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }
}
