using McpSessions.EF.DependencyInjection;
using Npgsql;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// PostgreSQL through a real transaction-mode PgBouncer (MCPSESSIONS_TEST_PGBOUNCER), the way Supabase's pooler URI
/// and most PgBouncer deployments reach it: databases are created and dropped over a direct connection, and
/// everything else (the store, its migrations, raw reads) goes through the pooler, with the store told so.
/// </summary>
public sealed class PgBouncerFixture : PostgresFixture
{
    public override async Task<string> CreateEmptyDatabaseAsync()
    {
        var direct = new NpgsqlConnectionStringBuilder(await base.CreateEmptyDatabaseAsync());
        return new NpgsqlConnectionStringBuilder(TestServers.PgBouncer) { Database = direct.Database }.ConnectionString;
    }

    public override string DirectConnectionString(string connectionString) =>
        new NpgsqlConnectionStringBuilder(TestServers.PostgresAdmin) { Database = new NpgsqlConnectionStringBuilder(connectionString).Database }.ConnectionString;

    public override void ConfigureProvider(McpSessionsOptions options) => options.PostgresPooler = PostgresPooler.Transaction;

    /// <summary>
    /// <paramref name="setting"/> on every server connection PgBouncer keeps for <paramref name="connectionString"/>'s
    /// database (by backend pid): enough statements at once that each takes a server connection of its own, for as
    /// long as it takes to cover every one the server lists for the database.
    /// </summary>
    public async Task<Dictionary<int, string>> PooledSettingAsync(string connectionString, string setting)
    {
        var seen = new Dictionary<int, string>();
        for (var round = 0; round < 10; round++)
        {
            var servers = await ServerPidsAsync(connectionString);
            if (round > 0 && servers.All(seen.ContainsKey))
            {
                return seen;
            }

            var answers = await Task.WhenAll(Enumerable.Range(0, servers.Count + 4).Select(async _ =>
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT pg_backend_pid(), current_setting($1), pg_sleep(0.2)::text", connection);
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = setting });
                await using var reader = await command.ExecuteReaderAsync();
                Assert.True(await reader.ReadAsync());
                return (Pid: reader.GetInt32(0), Value: reader.GetString(1));
            }));
            foreach (var (pid, value) in answers)
            {
                seen[pid] = value;
            }
        }

        Assert.Fail($"did not reach every server connection of the pool: saw {string.Join(", ", seen.Keys)}, the server lists {string.Join(", ", await ServerPidsAsync(connectionString))}");
        return seen;
    }

    /// <summary>The backends of the database other than this query's own: PgBouncer's server connections.</summary>
    private async Task<List<int>> ServerPidsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(DirectConnectionString(connectionString)) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'", connection);
        var pids = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            pids.Add(reader.GetInt32(0));
        }

        return pids;
    }
}
