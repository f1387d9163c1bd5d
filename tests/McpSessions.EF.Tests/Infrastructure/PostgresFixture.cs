using System.Data.Common;
using McpSessions.EF.DependencyInjection;
using Npgsql;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>Fresh databases on the real PostgreSQL server named by MCPSESSIONS_TEST_POSTGRES, dropped afterwards.</summary>
public class PostgresFixture : SessionStoreFixture
{
    private readonly List<string> _databases = [];

    public override SessionStorageProvider Provider => SessionStorageProvider.Postgres;

    public override async Task<string> CreateEmptyDatabaseAsync()
    {
        var name = $"mcps_test_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(TestServers.PostgresAdmin))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        lock (_databases)
        {
            _databases.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(TestServers.PostgresAdmin) { Database = name }.ConnectionString;
    }

    /// <summary>A connection straight to the PostgreSQL server, to the database of <paramref name="connectionString"/>.</summary>
    public virtual string DirectConnectionString(string connectionString) => connectionString;

    /// <summary>The advisory locks held in <paramref name="connectionString"/>'s database, read over a direct connection.</summary>
    public async Task<long> AdvisoryLocksAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(DirectConnectionString(connectionString)) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>DATABASE_URL as a <c>postgres://</c> URI, the form it usually has.</summary>
    public override Dictionary<string, string?> CliEnvironment(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        var password = string.IsNullOrEmpty(b.Password) ? "" : $":{Uri.EscapeDataString(b.Password)}";
        return new()
        {
            ["MCP_TS_STORAGE_TYPE"] = "postgres",
            ["DATABASE_URL"] = $"postgres://{Uri.EscapeDataString(b.Username ?? "postgres")}{password}@{b.Host}:{b.Port}/{Uri.EscapeDataString(b.Database!)}",
        };
    }

    /// <summary>Port 1 on loopback: nothing listens there, so the connection is refused at once.</summary>
    public override (Dictionary<string, string?> Environment, string Name) UnreachableCliEnvironment(string password) => (
        new()
        {
            ["MCP_TS_STORAGE_TYPE"] = "postgres",
            ["DATABASE_URL"] = $"postgres://postgres:{Uri.EscapeDataString(password)}@127.0.0.1:1/mcps_unreachable",
        },
        "'mcps_unreachable' on 127.0.0.1:1");

    public override void UseProvider(Microsoft.EntityFrameworkCore.DbContextOptionsBuilder builder, string connectionString) =>
        Microsoft.EntityFrameworkCore.NpgsqlDbContextOptionsBuilderExtensions.UseNpgsql(builder, connectionString);

    public override async Task<DbConnection> OpenRawAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    public override async Task<IReadOnlyList<string>> TableNamesAsync(string connectionString)
    {
        await using var connection = await OpenRawAsync(connectionString);
        return await QueryStringsAsync(connection, "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
    }

    public override async Task SetRawAsync(string sessionId, string column, string? stored)
    {
        await using var connection = (NpgsqlConnection)await OpenRawAsync(ConnectionString);
        var cast = column is "headers" or "tokens" or "client_information" ? "::jsonb" : "";
        await using var command = new NpgsqlCommand($"UPDATE mcp_sessions SET {column} = @v{cast} WHERE session_id = @id", connection);
        command.Parameters.AddWithValue("v", (object?)stored ?? DBNull.Value);
        command.Parameters.AddWithValue("id", sessionId);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();

        // FORCE ends this class's connections; NpgsqlConnection.ClearAllPools() would also close every other running
        // test class's idle connections (a test that kills its store's backends then found none to kill).
        await using var admin = new NpgsqlConnection(TestServers.PostgresAdmin);
        await admin.OpenAsync();
        foreach (var name in _databases)
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
