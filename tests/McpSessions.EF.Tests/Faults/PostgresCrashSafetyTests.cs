using System.Diagnostics;
using McpSessions.EF.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Faults;

/// <summary>The crash specification on a fresh database of the real PostgreSQL server (MCPSESSIONS_TEST_POSTGRES).</summary>
public sealed class PostgresCrashSafetyTests(PostgresFixture fixture, ITestOutputHelper output) : CrashSafetySpecification<PostgresFixture>(fixture, output)
{
    protected override string HostProvider => "postgres";

    /// <summary>TRUNCATE gives the table a new, empty file, so <see cref="ImportUnderWayAsync"/> sees any later write.</summary>
    protected override Task EmptyTableAsync(string connectionString) => ExecuteAsync(connectionString, "TRUNCATE mcp_sessions");

    /// <summary>Whether the table's file has pages: rows a killed import inserted stay there, dead, after its transaction aborted.</summary>
    protected override async Task<bool> ImportUnderWayAsync(string connectionString, ChildProcess process)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_relation_size('mcp_sessions') > 0", connection);
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Waits until no other backend of this database is inside a statement or a transaction: a killed client's backend
    /// finishes the statement it was given (a COMMIT it had sent still commits), then ends, and only then is the outcome known.
    /// </summary>
    protected override async Task SettleAsync(string connectionString, string where)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle'",
            connection);
        var deadline = Stopwatch.StartNew();
        while ((long)(await command.ExecuteScalarAsync())! > 0)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), $"{where}: the killed process's backend is still at work after 30 s");
            await Task.Delay(10);
        }
    }
}
