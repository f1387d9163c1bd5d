using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace McpSessions.EF.Tests.HostBehaviour;

/// <summary>
/// Whatever watches EF Core sees the store's commands: its <c>DiagnosticListener</c> (OpenTelemetry's EF spans) and its
/// command log, for every store operation, on the library's own context and on a host's.
/// </summary>
public abstract class CommandDiagnosticsSpecification<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : SessionStoreFixture
{
    [Theory]
    [InlineData(StoreContext.Library)]
    [InlineData(StoreContext.Host)]
    public async Task EF_Cores_DiagnosticListener_sees_a_command_on_the_session_table_during_every_store_operation(StoreContext context)
    {
        var connectionString = await fixture.CreateEmptyDatabaseAsync();
        using var listener = new EfCommandListener(StoreSetup.Marker(fixture, connectionString));
        await using var services = await StoreSetup.BuildAsync(fixture, context, connectionString);

        var missing = await StoreSetup.OperationsNotSeenAsync(services.GetRequiredService<ISessionStore>(), () => listener.Commands);

        Assert.True(missing.Count == 0, $"No CommandExecuted event on mcp_sessions during: {string.Join("; ", missing)}");
    }

    [Theory]
    [InlineData(StoreContext.Library)]
    [InlineData(StoreContext.Host)]
    public async Task EF_Cores_command_log_has_a_command_on_the_session_table_for_every_store_operation(StoreContext context)
    {
        var connectionString = await fixture.CreateEmptyDatabaseAsync();
        var logs = new ListLoggerProvider();
        await using var services = await StoreSetup.BuildAsync(
            fixture,
            context,
            connectionString,
            services: s => s.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug)));

        var missing = await StoreSetup.OperationsNotSeenAsync(
            services.GetRequiredService<ISessionStore>(),
            () => logs.Entries.Where(e => e.Category == DbLoggerCategory.Database.Command.Name).Select(e => e.Message).ToList());

        Assert.True(missing.Count == 0, $"No {DbLoggerCategory.Database.Command.Name} log entry on mcp_sessions during: {string.Join("; ", missing)}");
    }
}

public sealed class PostgresCommandDiagnosticsTests(PostgresFixture fixture) : CommandDiagnosticsSpecification<PostgresFixture>(fixture);

public sealed class SqliteCommandDiagnosticsTests(SqliteFixture fixture) : CommandDiagnosticsSpecification<SqliteFixture>(fixture);
