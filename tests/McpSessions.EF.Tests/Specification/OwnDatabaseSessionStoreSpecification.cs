using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Tests.Specification;

/// <summary>
/// The store specification on the library's own database (<c>AddMcpSessions()</c>), and what is true of that database
/// only: the library's migrations create its schema and record it in their own history, and
/// <see cref="DependencyInjection.McpSessionsOptions.AutoMigrate"/> decides when they run. A host's own context is
/// migrated by the host, never by the library, so a host-context fixture runs <see cref="SessionStoreSpecification{TFixture}"/> alone.
/// </summary>
public abstract class OwnDatabaseSessionStoreSpecification<TFixture>(TFixture fixture) : SessionStoreSpecification<TFixture>(fixture)
    where TFixture : SessionStoreFixture
{
    /// <summary>Whether the provider migrates on first use when AutoMigrate is left unset (SQLite yes, PostgreSQL no).</summary>
    protected abstract bool AutoMigratesByDefault { get; }

    [Fact]
    public async Task With_AutoMigrate_off_the_first_call_on_an_empty_database_names_both_ways_to_migrate_and_recovers_once_migrated()
    {
        var connectionString = await Fixture.CreateEmptyDatabaseAsync();
        var store = Fixture.BuildServices(connectionString, o => o.AutoMigrate = false).GetRequiredService<ISessionStore>();

        var error = await Assert.ThrowsAsync<SessionSchemaNotReadyException>(() => store.GetAsync("alice", "s-1"));
        Assert.Contains("has no session schema", error.Message, StringComparison.Ordinal);
        Assert.Contains("`dotnet ef database update --context SessionsDbContext` run in your app's folder", error.Message, StringComparison.Ordinal);
        Assert.Contains("mcp-sessions migrate", error.Message, StringComparison.Ordinal);

        // A package user has no copy of this repository: the message names no path in it.
        Assert.DoesNotContain("Migrations/", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("--project", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<SessionSchemaNotReadyException>(() => store.CreateAsync(NewSession()));

        // Another instance migrates (as `mcp-sessions migrate` would); the first one then works without a restart.
        var migrator = Fixture.BuildServices(connectionString, o => o.AutoMigrate = true).GetRequiredService<ISessionStore>();
        Assert.Null(await migrator.GetAsync("alice", "s-1"));

        var created = await store.CreateAsync(NewSession());
        Assert.NotNull(await store.GetAsync("alice", created.SessionId));
    }

    [Fact]
    public async Task AutoMigrate_left_unset_follows_the_provider_default()
    {
        var connectionString = await Fixture.CreateEmptyDatabaseAsync();
        var store = Fixture.BuildServices(connectionString).GetRequiredService<ISessionStore>();

        if (AutoMigratesByDefault)
        {
            await store.CreateAsync(NewSession());
            Assert.Equal(1, await Fixture.CountRowsAsync(connectionString));
        }
        else
        {
            await Assert.ThrowsAsync<SessionSchemaNotReadyException>(() => store.CreateAsync(NewSession()));
        }
    }

    [Fact]
    public async Task The_schema_comes_from_the_migrations_and_is_recorded_in_their_history()
    {
        await using var connection = await Fixture.OpenRawAsync(Fixture.ConnectionString);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"MigrationId\" FROM \"__mcp_sessions_migrations\" ORDER BY \"MigrationId\"";
        var migrations = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                migrations.Add(reader.GetString(0));
            }
        }

        Assert.NotEmpty(migrations);
        Assert.EndsWith("_InitialCreate", migrations[0], StringComparison.Ordinal);
    }
}
