using McpSessions.EF.Tests.Infrastructure;
using Npgsql;

namespace McpSessions.EF.Tests.Postgres;

/// <summary>The table the PostgreSQL migration makes has every column of SPEC §2 with its stated type and nullability.</summary>
public sealed class PostgresSchemaTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Mcp_sessions_has_every_column_of_the_spec_with_its_type_and_nullability()
    {
        Assert.Null(await fixture.Store.GetAsync("alice", "s-1")); // migrates

        var columns = new Dictionary<string, (string Type, bool Nullable, string? Default)>();
        await using (var connection = (NpgsqlConnection)await fixture.OpenRawAsync(fixture.ConnectionString))
        await using (var command = new NpgsqlCommand(
            "SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'mcp_sessions'",
            connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                columns[reader.GetString(0)] = (reader.GetString(1), reader.GetString(2) == "YES", reader.IsDBNull(3) ? null : reader.GetString(3));
            }
        }

        var expected = new (string Column, string Type, bool Nullable)[]
        {
            ("id", "uuid", false),
            ("session_id", "text", false),
            ("identity", "text", false),
            ("user_id", "text", false),
            ("server_id", "text", true),
            ("server_name", "text", true),
            ("server_url", "text", false),
            ("callback_url", "text", false),
            ("transport_type", "text", false),
            ("created_at", "timestamp with time zone", false),
            ("updated_at", "timestamp with time zone", false),
            ("expires_at", "timestamp with time zone", false),
            ("active", "boolean", true), // nullable with a default, as in @mcp-ts/sdk's table (schema parity)
            ("headers", "jsonb", true),
            ("client_information", "jsonb", true),
            ("tokens", "jsonb", true),
            ("code_verifier", "text", true),
            ("client_id", "text", true),
        };

        Assert.Equal(expected.Select(e => e.Column).Order(), columns.Keys.Order());
        foreach (var (column, type, nullable) in expected)
        {
            Assert.Equal((column, type, nullable), (column, columns[column].Type, columns[column].Nullable));
        }

        Assert.Equal("gen_random_uuid()", columns["id"].Default);
        Assert.Equal("false", columns["active"].Default);
        Assert.Equal("now()", columns["created_at"].Default);
    }

    [Fact]
    public async Task Session_id_is_unique_and_identity_user_id_and_expires_at_are_indexed()
    {
        Assert.Null(await fixture.Store.GetAsync("alice", "s-1"));

        var indexes = new Dictionary<string, string>();
        await using (var connection = (NpgsqlConnection)await fixture.OpenRawAsync(fixture.ConnectionString))
        await using (var command = new NpgsqlCommand("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'mcp_sessions'", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                indexes[reader.GetString(0)] = reader.GetString(1);
            }
        }

        Assert.Contains("UNIQUE INDEX mcp_sessions_session_id_key ON public.mcp_sessions USING btree (session_id)", indexes["mcp_sessions_session_id_key"], StringComparison.Ordinal);
        Assert.EndsWith("USING btree (identity)", indexes["idx_mcp_sessions_identity"], StringComparison.Ordinal);
        Assert.EndsWith("USING btree (user_id)", indexes["idx_mcp_sessions_user_id"], StringComparison.Ordinal);
        Assert.EndsWith("USING btree (expires_at)", indexes["idx_mcp_sessions_expires_at"], StringComparison.Ordinal);
        Assert.Contains("mcp_sessions_pkey", indexes.Keys);
    }

    [Fact]
    public async Task The_identity_index_serves_the_list_by_identity_predicate()
    {
        for (var i = 0; i < 200; i++)
        {
            await fixture.Store.CreateAsync(new Model.McpSession
            {
                SessionId = $"plan-{i}",
                Identity = $"user-{i % 50}",
                ServerUrl = "https://mcp.example.com/mcp",
                CallbackUrl = "https://app.example.com/cb",
            });
        }

        await using var connection = (NpgsqlConnection)await fixture.OpenRawAsync(fixture.ConnectionString);
        await using (var analyze = new NpgsqlCommand("ANALYZE mcp_sessions; SET enable_seqscan = off;", connection))
        {
            await analyze.ExecuteNonQueryAsync();
        }

        // The WHERE clause the store's List query sends (see EfSessionStore.Queries).
        await using var explain = new NpgsqlCommand(
            "EXPLAIN SELECT * FROM mcp_sessions m WHERE m.identity = 'user-3' AND ((m.active AND m.updated_at >= now()) OR (NOT m.active AND m.expires_at > now()))",
            connection);
        var plan = string.Join('\n', await ReadAllAsync(explain));

        Assert.Contains("idx_mcp_sessions_identity", plan, StringComparison.Ordinal);
    }

    private static async Task<List<string>> ReadAllAsync(NpgsqlCommand command)
    {
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return lines;
    }
}
