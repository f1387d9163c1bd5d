using System.Data.Common;
using McpSessions.EF.DependencyInjection;
using Microsoft.Data.Sqlite;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// Real SQLite files in a temporary directory, deleted afterwards, and the store on the library's own context, which
/// runs its statements as kept-open prepared SQLite statements.
/// </summary>
public class SqliteFixture : SessionStoreFixture
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpsessions-sqlite-").FullName;

    public override SessionStorageProvider Provider => SessionStorageProvider.Sqlite;

    public override Task<string> CreateEmptyDatabaseAsync() =>
        Task.FromResult(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_directory, $"{Guid.NewGuid():N}.db"), Pooling = true }.ConnectionString);

    /// <summary>
    /// The same file with <c>Cache=Private</c> spelled out (what the default means): Microsoft.Data.Sqlite keys its pools
    /// by connection string, so a host's context on it gets a pool of its own.
    /// </summary>
    public override string OwnPoolConnectionString(string connectionString) =>
        new SqliteConnectionStringBuilder(connectionString) { Cache = SqliteCacheMode.Private }.ConnectionString;

    public override Dictionary<string, string?> CliEnvironment(string connectionString) => new()
    {
        ["MCP_TS_STORAGE_TYPE"] = "sqlite",
        ["MCP_TS_STORAGE_SQLITE_PATH"] = new SqliteConnectionStringBuilder(connectionString).DataSource,
    };

    public override (Dictionary<string, string?> Environment, string Name) UnreachableCliEnvironment(string password)
    {
        var path = Path.Combine(_directory, "no-such-dir", "sessions.db");
        return (new() { ["MCP_TS_STORAGE_TYPE"] = "sqlite", ["MCP_TS_STORAGE_SQLITE_PATH"] = path }, path);
    }

    public override void UseProvider(Microsoft.EntityFrameworkCore.DbContextOptionsBuilder builder, string connectionString) =>
        Microsoft.EntityFrameworkCore.SqliteDbContextOptionsBuilderExtensions.UseSqlite(builder, connectionString);

    public override async Task<DbConnection> OpenRawAsync(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    public override async Task<IReadOnlyList<string>> TableNamesAsync(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        if (!File.Exists(builder.DataSource))
        {
            return [];
        }

        await using var connection = await OpenRawAsync(builder.ConnectionString);
        return await QueryStringsAsync(connection, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    }

    public override async Task SetRawAsync(string sessionId, string column, string? stored)
    {
        await using var connection = (SqliteConnection)await OpenRawAsync(ConnectionString);
        await using var command = new SqliteCommand($"UPDATE mcp_sessions SET {column} = @v WHERE session_id = @id", connection);
        command.Parameters.AddWithValue("v", (object?)stored ?? DBNull.Value);
        command.Parameters.AddWithValue("id", sessionId);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
