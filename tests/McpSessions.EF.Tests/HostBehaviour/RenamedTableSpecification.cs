using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Encryption;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace McpSessions.EF.Tests.HostBehaviour;

/// <summary>A host's context that maps the sessions to its own table name and, on PostgreSQL, its own schema.</summary>
public sealed class RenamedSessionsContext(DbContextOptions<RenamedSessionsContext> options) : DbContext(options), IMcpSessionsContext
{
    public const string Table = "agent_sessions";

    public const string PostgresSchema = "auth_store";

    public DbSet<McpSession> McpSessions => Set<McpSession>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.ApplyMcpSessions(this, o =>
    {
        o.TableName = Table;
        if (Database.IsNpgsql())
        {
            o.Schema = PostgresSchema;
        }
    });
}

/// <summary>A host that maps the session entity to another table (and schema) gets a working store, writing to that table only.</summary>
public abstract class RenamedTableSpecification<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : SessionStoreFixture
{
    private bool IsPostgres => fixture.Provider is SessionStorageProvider.Postgres;

    private string QualifiedTable => IsPostgres ? $"\"{RenamedSessionsContext.PostgresSchema}\".\"{RenamedSessionsContext.Table}\"" : $"\"{RenamedSessionsContext.Table}\"";

    [Fact]
    public async Task The_whole_store_api_works_on_a_table_the_host_renamed_and_writes_only_there()
    {
        var connectionString = await fixture.CreateEmptyDatabaseAsync();
        var clock = new ManualTimeProvider();
        await using var services = await BuildWithSchemaAsync(connectionString, clock);
        var store = services.GetRequiredService<ISessionStore>();

        await store.CreateAsync(StoreSetup.Session("kept", active: false));
        await store.CreateAsync(StoreSetup.Session("expiring", active: false));
        await store.CreateAsync(StoreSetup.Session("deleted", active: true));
        Assert.Equal(["deleted", "expiring", "kept"], await SessionIdsInTableAsync(connectionString));

        await store.UpdateAsync(StoreSetup.Identity, "kept", new SessionUpdate { Active = true, ServerName = "renamed" });
        var kept = await store.GetAsync(StoreSetup.Identity, "kept");
        Assert.Equal(("renamed", true, "at-kept"), (kept?.ServerName, kept?.Active, kept?.Tokens?.AccessToken));

        clock.Advance(TimeSpan.FromMinutes(1));
        await store.TouchAsync(StoreSetup.Identity, "kept");
        Assert.Equal(clock.GetUtcNow(), (await store.GetAsync(StoreSetup.Identity, "kept"))?.UpdatedAt);

        Assert.Equal(["deleted", "expiring", "kept"], (await store.ListAsync(StoreSetup.Identity)).Select(s => s.SessionId).Order());
        Assert.Equal(["deleted", "expiring", "kept"], (await store.ListIdsAsync(StoreSetup.Identity)).Order());
        Assert.Equal(["deleted", "expiring", "kept"], (await StoreSetup.AllIdsAsync(store)).Order());

        Assert.True(await store.DeleteAsync(StoreSetup.Identity, "deleted"));
        Assert.False(await store.DeleteAsync(StoreSetup.Identity, "deleted"));

        clock.Advance(services.GetRequiredService<IOptions<McpSessionsOptions>>().Value.PendingTtl);
        Assert.Equal(1, await store.CleanupExpiredAsync());

        Assert.Equal(["kept"], await SessionIdsInTableAsync(connectionString));
        Assert.Equal(0, await TablesNamedMcpSessionsAsync(connectionString));
    }

    [Fact]
    public async Task Re_encryption_rewrites_the_rows_of_a_table_the_host_renamed()
    {
        var connectionString = await fixture.CreateEmptyDatabaseAsync();
        await using (var old = await BuildWithSchemaAsync(connectionString, TimeProvider.System))
        {
            var oldStore = old.GetRequiredService<ISessionStore>();
            await oldStore.CreateAsync(StoreSetup.Session("one"));
            await oldStore.CreateAsync(StoreSetup.Session("two"));
        }

        var before = await StoredTokensAsync(connectionString);
        await using var services = Build(connectionString, TimeProvider.System, o =>
        {
            o.Encryption.Key = TestKeys.C;
            o.Encryption.OldKeys.Add(TestKeys.A);
        });

        var progress = await services.GetRequiredService<ISessionReencryptor>().ReencryptAsync();

        Assert.Equal((2, 2), (progress.Scanned, progress.Rewritten));
        var after = await StoredTokensAsync(connectionString);
        Assert.All(before.Keys, id => Assert.NotEqual(before[id], after[id]));
        Assert.Equal("at-two", (await services.GetRequiredService<ISessionStore>().GetAsync(StoreSetup.Identity, "two"))?.Tokens?.AccessToken);
        Assert.Equal(0, await TablesNamedMcpSessionsAsync(connectionString));
    }

    private async Task<ServiceProvider> BuildWithSchemaAsync(string connectionString, TimeProvider clock)
    {
        if (IsPostgres)
        {
            await ExecuteAsync(connectionString, $"CREATE SCHEMA \"{RenamedSessionsContext.PostgresSchema}\"");
        }

        var services = Build(connectionString, clock);
        await HostSchema.CreateAsHostMigrationWouldAsync<RenamedSessionsContext>(services);
        return services;
    }

    private ServiceProvider Build(string connectionString, TimeProvider clock, Action<McpSessionsOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(clock);
        services.AddDbContext<RenamedSessionsContext>(o => fixture.UseProvider(o, connectionString));
        services.AddMcpSessions<RenamedSessionsContext>(o =>
        {
            o.Encryption.Key = TestKeys.A;
            o.CleanupEnabled = false;
            configure?.Invoke(o);
        });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private async Task<List<string>> SessionIdsInTableAsync(string connectionString) =>
        [.. (await QueryAsync(connectionString, $"SELECT session_id FROM {QualifiedTable} ORDER BY session_id")).Select(row => row.Id)];

    private async Task<Dictionary<string, string?>> StoredTokensAsync(string connectionString) =>
        (await QueryAsync(connectionString, $"SELECT session_id, {(IsPostgres ? "tokens::text" : "tokens")} FROM {QualifiedTable}")).ToDictionary(row => row.Id, row => row.Value);

    private async Task<long> TablesNamedMcpSessionsAsync(string connectionString) =>
        (await QueryAsync(connectionString, IsPostgres
            ? "SELECT count(*)::text FROM information_schema.tables WHERE table_name = 'mcp_sessions'"
            : "SELECT CAST(count(*) AS TEXT) FROM sqlite_master WHERE name = 'mcp_sessions'")).Select(row => long.Parse(row.Id, System.Globalization.CultureInfo.InvariantCulture)).Single();

    private async Task<List<(string Id, string? Value)>> QueryAsync(string connectionString, string sql)
    {
        await using var connection = await fixture.OpenRawAsync(connectionString);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string?)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.FieldCount > 1 && !reader.IsDBNull(1) ? reader.GetString(1) : null));
        }

        return rows;
    }

    private async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = await fixture.OpenRawAsync(connectionString);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}

public sealed class PostgresRenamedTableTests(PostgresFixture fixture) : RenamedTableSpecification<PostgresFixture>(fixture);

public sealed class SqliteRenamedTableTests(SqliteFixture fixture) : RenamedTableSpecification<SqliteFixture>(fixture);
