using Npgsql;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>Kills a database's server processes from outside, as a failover, a pooler restart or an admin would.</summary>
public static class PostgresBackends
{
    /// <summary>
    /// Terminates every backend of <paramref name="connectionString"/>'s database but the one asking (on an unpooled
    /// connection, so it leaves no live connection behind in anybody's pool), waits until they are gone, and returns
    /// how many there were.
    /// </summary>
    public static async Task<int> KillAllAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();

        var killed = new List<int>();
        await using (var kill = new NpgsqlCommand(
            "WITH victims AS MATERIALIZED (SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()) "
            + "SELECT pid FROM victims WHERE pg_terminate_backend(pid)",
            connection))
        await using (var reader = await kill.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                killed.Add(reader.GetInt32(0));
            }
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        await using var alive = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(@pids)", connection);
        alive.Parameters.AddWithValue("pids", killed.ToArray());
        while ((long)(await alive.ExecuteScalarAsync())! > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"backends {string.Join(", ", killed)} were still alive 10 s after pg_terminate_backend");
            await Task.Delay(20);
        }

        return killed.Count;
    }
}
