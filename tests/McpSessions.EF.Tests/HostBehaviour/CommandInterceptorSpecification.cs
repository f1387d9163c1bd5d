using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Tests.HostBehaviour;

/// <summary>
/// A host's <c>DbCommandInterceptor</c> on the store's context sees every command the store runs and can change what
/// one does: on the library's own context (<c>ConfigureDbContext&lt;SessionsDbContext&gt;</c>) and on a host's.
/// </summary>
public abstract class CommandInterceptorSpecification<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : SessionStoreFixture
{
    [Theory]
    [InlineData(StoreContext.Library)]
    [InlineData(StoreContext.Host)]
    public async Task A_hosts_interceptor_sees_a_command_on_the_session_table_during_every_store_operation(StoreContext context)
    {
        var interceptor = new RecordingCommandInterceptor();
        await using var services = await StoreSetup.BuildAsync(fixture, context, await fixture.CreateEmptyDatabaseAsync(), o => o.AddInterceptors(interceptor));

        var missing = await StoreSetup.OperationsNotSeenAsync(services.GetRequiredService<ISessionStore>(), () => interceptor.Commands);

        Assert.True(missing.Count == 0, $"The interceptor saw no command on mcp_sessions during: {string.Join("; ", missing)}");
    }

    [Theory]
    [InlineData(StoreContext.Library)]
    [InlineData(StoreContext.Host)]
    public async Task A_hosts_interceptor_that_suppresses_a_delete_keeps_the_row_and_the_store_reports_nothing_deleted(StoreContext context)
    {
        var connectionString = await fixture.CreateEmptyDatabaseAsync();
        var interceptor = new RecordingCommandInterceptor();
        await using var services = await StoreSetup.BuildAsync(fixture, context, connectionString, o => o.AddInterceptors(interceptor));
        var store = services.GetRequiredService<ISessionStore>();
        await store.CreateAsync(StoreSetup.Session("kept"));

        interceptor.SuppressDeletes = true;
        var deleted = await store.DeleteAsync(StoreSetup.Identity, "kept");
        interceptor.SuppressDeletes = false;

        Assert.False(deleted, $"DeleteAsync reported a delete; the interceptor suppressed {interceptor.Suppressed} DELETE(s)");
        Assert.Equal(1, interceptor.Suppressed);
        Assert.NotNull(await store.GetAsync(StoreSetup.Identity, "kept"));
        Assert.Equal(1, await fixture.CountRowsAsync(connectionString));
    }
}

public sealed class PostgresCommandInterceptorTests(PostgresFixture fixture) : CommandInterceptorSpecification<PostgresFixture>(fixture);

public sealed class SqliteCommandInterceptorTests(SqliteFixture fixture) : CommandInterceptorSpecification<SqliteFixture>(fixture);
