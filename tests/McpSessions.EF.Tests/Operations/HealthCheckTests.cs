using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Diagnostics;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace McpSessions.EF.Tests.Operations;

/// <summary>The health check: healthy once migrated, unhealthy before (and unreachable), saying why.</summary>
public sealed class HealthCheckTests(PostgresFixture postgres, SqliteFixture sqlite) : IClassFixture<PostgresFixture>, IClassFixture<SqliteFixture>
{
    [Fact]
    public async Task On_postgres_it_is_unhealthy_before_migrating_saying_so_and_healthy_after()
    {
        var database = await postgres.CreateEmptyDatabaseAsync();
        var services = Services(postgres, database);

        var before = await CheckAsync(services);
        Assert.Equal(HealthStatus.Unhealthy, before.Status);
        Assert.Contains("1 pending migration(s)", before.Description, StringComparison.Ordinal);
        Assert.Contains("_InitialCreate", before.Description, StringComparison.Ordinal);
        Assert.Contains("dotnet ef database update", before.Description, StringComparison.Ordinal);

        await postgres.BuildServices(database, o => o.AutoMigrate = true).GetRequiredService<ISessionStore>().ListIdsAsync("x");

        var after = await CheckAsync(services);
        Assert.Equal(HealthStatus.Healthy, after.Status);
        Assert.Contains("reachable and migrated", after.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_sqlite_it_is_healthy_after_the_automatic_migration()
    {
        var database = await sqlite.CreateEmptyDatabaseAsync();
        var services = Services(sqlite, database);
        await services.GetRequiredService<ISessionStore>().ListIdsAsync("x");

        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(services)).Status);
    }

    [Fact]
    public async Task An_unreachable_database_is_unhealthy_and_named()
    {
        var unreachable = new NpgsqlConnectionStringBuilder(TestServers.PostgresAdmin) { Port = 1, Timeout = 2, Database = "nowhere" }.ConnectionString;
        var services = Services(postgres, unreachable);

        var result = await CheckAsync(services);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("nowhere", result.Description, StringComparison.Ordinal);
    }

    private static ServiceProvider Services(SessionStoreFixture fixture, string connectionString)
    {
        var services = new ServiceCollection();
        services.AddMcpSessions(o =>
        {
            o.Provider = fixture.Provider;
            o.ConnectionString = connectionString;
            o.Encryption.Key = TestKeys.A;
            o.CleanupEnabled = false;
        }).AddHealthChecks();
        return services.BuildServiceProvider();
    }

    private static async Task<HealthReportEntry> CheckAsync(ServiceProvider services)
    {
        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries[McpSessionsHealthCheckExtensions.DefaultName];
    }
}
