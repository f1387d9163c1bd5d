using System.Diagnostics;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace McpSessions.EF.Tests.HostBehaviour;

/// <summary>What a blocked store call must do under a host's one-second command timeout: fail within seconds, having waited.</summary>
internal static class BlockedCall
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="call"/> and asserts it failed after waiting at least half the timeout, and before <see cref="Limit"/>.</summary>
    public static async Task FailsWithinTheCommandTimeoutAsync(string name, Func<Task> call)
    {
        var watch = Stopwatch.StartNew();
        var task = call();
        var finished = await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(60))) == task;
        var elapsed = watch.Elapsed;

        Assert.True(finished, $"{name} was still running after 60 s: the command timeout is not applied");
        var error = await Record.ExceptionAsync(() => task);
        Assert.True(error is not null, $"{name} succeeded after {elapsed.TotalSeconds:0.0} s although the table was locked");
        Assert.True(
            elapsed >= TimeSpan.FromSeconds(0.5) && elapsed < Limit,
            $"{name} failed after {elapsed.TotalSeconds:0.0} s (expected 0.5 to {Limit.TotalSeconds} s) with {error.GetType().Name}: {error.Message}");
    }
}

/// <summary>A host context with <c>CommandTimeout(1)</c>; another session holds the session table in ACCESS EXCLUSIVE mode.</summary>
public sealed class PostgresCommandTimeoutTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    public static TheoryData<string> Calls => ["get", "create", "update", "delete"];

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task On_a_locked_table_a_store_call_fails_within_the_hosts_command_timeout(string call)
    {
        var connectionString = await fixture.CreateEmptyDatabaseAsync();
        var services = new ServiceCollection();
        services.AddDbContext<HostDbContext>(o => o.UseNpgsql(connectionString, npgsql => npgsql.CommandTimeout(1)));
        services.AddMcpSessions<HostDbContext>(o =>
        {
            o.Encryption.Key = TestKeys.A;
            o.CleanupEnabled = false;
        });
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        await HostSchema.CreateAsHostMigrationWouldAsync<HostDbContext>(provider);
        var store = provider.GetRequiredService<ISessionStore>();
        await store.CreateAsync(StoreSetup.Session("locked"));

        await using var locker = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await locker.OpenAsync();
        await using var transaction = await locker.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand("LOCK TABLE mcp_sessions IN ACCESS EXCLUSIVE MODE", locker, transaction))
        {
            await command.ExecuteNonQueryAsync();
        }

        await BlockedCall.FailsWithinTheCommandTimeoutAsync(call, call switch
        {
            "get" => () => store.GetAsync(StoreSetup.Identity, "locked"),
            "create" => () => store.CreateAsync(StoreSetup.Session("another")),
            "update" => () => store.UpdateAsync(StoreSetup.Identity, "locked", new SessionUpdate { ServerName = "renamed" }),
            "delete" => () => store.DeleteAsync(StoreSetup.Identity, "locked"),
            _ => throw new ArgumentOutOfRangeException(nameof(call), call, null),
        });
    }
}

/// <summary>The store's context with <c>CommandTimeout(1)</c>; another connection holds the SQLite file with BEGIN EXCLUSIVE.</summary>
public sealed class SqliteCommandTimeoutTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    [Theory]
    [InlineData(StoreContext.Host)]
    [InlineData(StoreContext.Library)]
    public async Task On_a_locked_file_a_create_fails_within_the_hosts_command_timeout(StoreContext context)
    {
        var connectionString = await fixture.CreateEmptyDatabaseAsync();
        await using var services = await StoreSetup.BuildAsync(fixture, context, connectionString, o => o.UseSqlite(sqlite => sqlite.CommandTimeout(1)));
        var store = services.GetRequiredService<ISessionStore>();
        await store.CreateAsync(StoreSetup.Session("first"));

        await using var locker = new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await locker.OpenAsync();
        await using (var begin = new SqliteCommand("BEGIN EXCLUSIVE", locker))
        {
            await begin.ExecuteNonQueryAsync();
        }

        await BlockedCall.FailsWithinTheCommandTimeoutAsync("create", () => store.CreateAsync(StoreSetup.Session("second")));

        await using (var rollback = new SqliteCommand("ROLLBACK", locker))
        {
            await rollback.ExecuteNonQueryAsync();
        }
    }
}
