using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Diagnostics;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace McpSessions.EF.Tests.HostBehaviour;

/// <summary>
/// A host's context is the host's: the store never migrates the host's database, never refuses to work because the host
/// has an unrelated pending migration, checks that the session table is there and says so clearly when it is not; the
/// health check reports the session table only.
/// </summary>
public abstract class HostMigrationSpecification<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : SessionStoreFixture
{
    [Fact]
    public async Task The_store_works_beside_an_unrelated_pending_host_migration_and_never_applies_it()
    {
        var connectionString = await fixture.CreateEmptyDatabaseAsync();
        await using var services = Build(connectionString);
        await HostSchema.CreateAsHostMigrationWouldAsync<MigratingHostContext>(services);
        var store = services.GetRequiredService<ISessionStore>();

        await store.CreateAsync(StoreSetup.Session("beside"));
        await store.UpdateAsync(StoreSetup.Identity, "beside", new SessionUpdate { ServerName = "renamed" });
        Assert.Equal("renamed", (await store.GetAsync(StoreSetup.Identity, "beside"))?.ServerName);
        Assert.Equal(["beside"], await store.ListIdsAsync(StoreSetup.Identity));
        Assert.True(await store.DeleteAsync(StoreSetup.Identity, "beside"));

        Assert.Equal([HostOrdersMigration.Id], await PendingMigrationsAsync(services));
        Assert.DoesNotContain(HostOrdersMigration.Table, await fixture.TableNamesAsync(connectionString));
    }

    [Fact]
    public async Task AutoMigrate_on_a_hosts_context_is_rejected_at_startup_naming_the_setting()
    {
        var connectionString = await fixture.CreateEmptyDatabaseAsync();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddDbContext<MigratingHostContext>(o => fixture.UseProvider(o, connectionString));
        builder.Services.AddMcpSessions<MigratingHostContext>(o =>
        {
            o.Encryption.Key = TestKeys.A;
            o.CleanupEnabled = false;
            o.AutoMigrate = true;
        });
        using var host = builder.Build();

        var error = await Record.ExceptionAsync(() => host.StartAsync());
        if (error is null)
        {
            await host.StopAsync();
        }

        var rejection = Assert.IsType<OptionsValidationException>(error is AggregateException { InnerExceptions: [var single] } ? single : error);
        Assert.Contains("AutoMigrate", rejection.Message, StringComparison.Ordinal);
        Assert.Empty(await fixture.TableNamesAsync(connectionString));
    }

    [Fact]
    public async Task Without_the_session_table_the_first_call_says_which_table_of_which_context_is_missing_and_creates_nothing()
    {
        var connectionString = await fixture.CreateEmptyDatabaseAsync();
        await using var services = Build(connectionString);
        var store = services.GetRequiredService<ISessionStore>();

        var error = await Assert.ThrowsAsync<SessionSchemaNotReadyException>(() => store.GetAsync(StoreSetup.Identity, "any"));

        Assert.Contains("mcp_sessions", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(MigratingHostContext), error.Message, StringComparison.Ordinal);
        Assert.Empty(await fixture.TableNamesAsync(connectionString));
        Assert.Equal([HostOrdersMigration.Id], await PendingMigrationsAsync(services));
    }

    [Fact]
    public async Task Once_the_host_creates_the_session_table_the_same_store_works_without_a_restart()
    {
        var connectionString = await fixture.CreateEmptyDatabaseAsync();
        await using var services = Build(connectionString);
        var store = services.GetRequiredService<ISessionStore>();
        await Assert.ThrowsAsync<SessionSchemaNotReadyException>(() => store.ListIdsAsync(StoreSetup.Identity));

        await HostSchema.CreateAsHostMigrationWouldAsync<MigratingHostContext>(services);

        await store.CreateAsync(StoreSetup.Session("later"));
        Assert.Equal(["later"], await store.ListIdsAsync(StoreSetup.Identity));
    }

    [Fact]
    public async Task The_health_check_is_healthy_with_the_session_table_there_beside_an_unrelated_pending_host_migration()
    {
        var connectionString = await fixture.CreateEmptyDatabaseAsync();
        await using var services = Build(connectionString, health: true);
        await HostSchema.CreateAsHostMigrationWouldAsync<MigratingHostContext>(services);

        var result = await CheckAsync(services);

        Assert.True(result.Status == HealthStatus.Healthy, $"{result.Status}: {result.Description}");
    }

    [Fact]
    public async Task The_health_check_is_unhealthy_without_the_session_table_and_names_it()
    {
        var connectionString = await fixture.CreateEmptyDatabaseAsync();
        await using var services = Build(connectionString, health: true);

        var result = await CheckAsync(services);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("mcp_sessions", result.Description, StringComparison.Ordinal);
        Assert.Empty(await fixture.TableNamesAsync(connectionString));
    }

    private ServiceProvider Build(string connectionString, bool health = false)
    {
        var services = new ServiceCollection();
        services.AddDbContext<MigratingHostContext>(o => fixture.UseProvider(o, connectionString));
        services.AddMcpSessions<MigratingHostContext>(o =>
        {
            o.Encryption.Key = TestKeys.A;
            o.CleanupEnabled = false;
        });
        if (health)
        {
            services.AddHealthChecks().AddMcpSessions();
        }

        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static async Task<List<string>> PendingMigrationsAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        return [.. await scope.ServiceProvider.GetRequiredService<MigratingHostContext>().Database.GetPendingMigrationsAsync()];
    }

    private static async Task<HealthReportEntry> CheckAsync(IServiceProvider services)
    {
        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries[McpSessionsHealthCheckExtensions.DefaultName];
    }
}

public sealed class PostgresHostMigrationTests(PostgresFixture fixture) : HostMigrationSpecification<PostgresFixture>(fixture);

public sealed class SqliteHostMigrationTests(SqliteFixture fixture) : HostMigrationSpecification<SqliteFixture>(fixture);
