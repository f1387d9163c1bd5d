using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace McpSessions.EF.Tests.Sqlite;

/// <summary>The SQLite migration's table: SPEC §2 columns, TEXT JSON, INTEGER timestamps, a version column, WAL.</summary>
public sealed class SqliteSchemaTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    [Fact]
    public async Task Mcp_sessions_has_every_column_of_the_spec_plus_the_version_token()
    {
        Assert.Null(await fixture.Store.GetAsync("alice", "s-1"));

        var columns = new Dictionary<string, (string Type, bool NotNull)>();
        await using var connection = (SqliteConnection)await fixture.OpenRawAsync(fixture.ConnectionString);
        await using (var command = new SqliteCommand("SELECT name, type, \"notnull\" FROM pragma_table_info('mcp_sessions')", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                columns[reader.GetString(0)] = (reader.GetString(1), reader.GetInt64(2) == 1);
            }
        }

        Assert.Equal(
            ["active", "callback_url", "client_id", "client_information", "code_verifier", "created_at", "expires_at", "headers", "id",
             "identity", "server_id", "server_name", "server_url", "session_id", "tokens", "transport_type", "updated_at", "user_id", "version"],
            columns.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("TEXT", true), columns["session_id"]);
        Assert.Equal(("TEXT", false), columns["tokens"]);
        Assert.Equal(("TEXT", false), columns["headers"]);
        Assert.Equal(("TEXT", false), columns["client_information"]);
        Assert.Equal(("INTEGER", true), columns["expires_at"]);
        Assert.Equal(("INTEGER", true), columns["version"]);

        await using var journal = new SqliteCommand("PRAGMA journal_mode", connection);
        Assert.Equal("wal", (string?)await journal.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Writes_move_the_version_column_so_stale_tracked_copies_are_detected()
    {
        var session = await fixture.Store.CreateAsync(new Model.McpSession
        {
            SessionId = "versioned",
            Identity = "alice",
            ServerUrl = "https://mcp.example.com/mcp",
            CallbackUrl = "https://app.example.com/cb",
        });
        var before = (await fixture.Store.GetAsync("alice", "versioned"))!.Version;

        await fixture.Store.UpdateAsync("alice", session.SessionId, new Storage.SessionUpdate { ClientId = "c" });
        await fixture.Store.TouchAsync("alice", session.SessionId);

        Assert.Equal(before + 2, (await fixture.Store.GetAsync("alice", "versioned"))!.Version);
    }
}
