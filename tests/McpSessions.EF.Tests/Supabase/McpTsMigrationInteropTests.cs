using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace McpSessions.EF.Tests.Supabase;

/// <summary>
/// @mcp-ts/sdk's own Supabase migration, taken from the npm package at test time, and ours: the same table, and the
/// store works on theirs.
/// </summary>
public sealed class McpTsMigrationInteropTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Our_migration_and_mcp_ts_sdks_make_the_same_columns_types_nullability_and_defaults()
    {
        var theirs = await DatabaseWithTheirMigrationAsync();
        var ours = await fixture.CreateEmptyDatabaseAsync();
        await SupabaseBootstrap.ApplyAsync(ours);
        await fixture.BuildServices(ours, o => o.AutoMigrate = true).GetRequiredService<ISessionStore>().ListIdsAsync("x");

        var theirColumns = await ColumnsAsync(theirs);
        Assert.Equal(18, theirColumns.Count);
        Assert.Equal(theirColumns, await ColumnsAsync(ours));
        Assert.Equal(await IndexesAsync(theirs), await IndexesAsync(ours));
        Assert.Equal(await PoliciesAsync(theirs), await PoliciesAsync(ours));
    }

    [Fact]
    public async Task The_store_works_on_the_table_mcp_ts_sdks_migration_made_and_our_migration_leaves_it_as_it_was()
    {
        var theirs = await DatabaseWithTheirMigrationAsync();
        var before = await ColumnsAsync(theirs);

        // Our migration runs on top (as `dotnet ef database update` or AutoMigrate would): every statement is a no-op there.
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var store = fixture.BuildServices(theirs, o => o.AutoMigrate = true, clock).GetRequiredService<ISessionStore>();
        await store.CreateAsync(new McpSession
        {
            SessionId = "interop-1",
            Identity = "alice",
            ServerUrl = "https://mcp.example.com/mcp",
            CallbackUrl = "https://app.example.com/cb",
            Tokens = new OAuthTokens { AccessToken = "a1", RefreshToken = "r1" },
            CodeVerifier = "v1",
        });
        await store.CreateAsync(new McpSession { SessionId = "interop-2", Identity = "alice", ServerUrl = "https://mcp.example.com/mcp", CallbackUrl = "https://app.example.com/cb" });
        Assert.Equal(before, await ColumnsAsync(theirs));

        await store.UpdateAsync("alice", "interop-1", new SessionUpdate { Tokens = new OAuthTokens { AccessToken = "a2" }, CodeVerifier = null, Active = true });
        var read = await store.GetAsync("alice", "interop-1");
        Assert.Equal("a2", read!.Tokens!.AccessToken);
        Assert.Null(read.CodeVerifier);
        Assert.True(read.Active);
        Assert.Equal(["interop-1", "interop-2"], (await store.ListIdsAsync("alice")).Order());

        clock.Advance(TimeSpan.FromMinutes(11)); // interop-2 was never activated: its pending window is over
        Assert.Equal(1, await store.CleanupExpiredAsync());
        Assert.Equal(["interop-1"], await store.ListIdsAsync("alice"));
        Assert.True(await store.DeleteAsync("alice", "interop-1"));
        Assert.Empty(await store.ListIdsAsync("alice"));
    }

    private async Task<string> DatabaseWithTheirMigrationAsync()
    {
        var database = await fixture.CreateEmptyDatabaseAsync();
        await SupabaseBootstrap.ApplyAsync(database); // their policies need auth.uid() and the authenticated role
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(await McpTsPackage.InstallMigrationAsync(), connection);
        await command.ExecuteNonQueryAsync();
        return database;
    }

    internal static async Task<List<string>> ColumnsAsync(string database) => await QueryAsync(database,
        "SELECT column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '-') FROM information_schema.columns " +
        "WHERE table_schema = 'public' AND table_name = 'mcp_sessions' ORDER BY column_name");

    private static async Task<List<string>> IndexesAsync(string database) => await QueryAsync(database,
        "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'mcp_sessions' ORDER BY indexname");

    private static async Task<List<string>> PoliciesAsync(string database) => await QueryAsync(database,
        "SELECT policyname || ' ' || cmd || ' ' || array_to_string(roles, ',') || ' ' || coalesce(qual, '-') || ' ' || coalesce(with_check, '-') FROM pg_policies WHERE tablename = 'mcp_sessions' ORDER BY policyname");

    internal static async Task<List<string>> QueryAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
