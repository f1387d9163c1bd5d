using McpSessions.EF.Encryption;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace McpSessions.EF.Tests.Postgres;

/// <summary>The updated_at trigger: other writers' updates move it, the store's own timestamps are kept.</summary>
public sealed class PostgresUpdatedAtTriggerTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task An_update_by_another_writer_that_leaves_updated_at_alone_moves_it_to_now()
    {
        var session = await fixture.Store.CreateAsync(new McpSession { SessionId = "trigger-1", Identity = "alice", ServerUrl = "https://x.example/", CallbackUrl = "https://y.example/" });

        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("UPDATE mcp_sessions SET server_name = 'by hand' WHERE session_id = 'trigger-1' RETURNING updated_at", connection);
        var updatedAt = (DateTime)(await command.ExecuteScalarAsync())!;

        Assert.NotEqual(session.UpdatedAt.UtcDateTime, updatedAt);
        Assert.True(Math.Abs((updatedAt - DateTime.UtcNow).TotalMinutes) < 5, $"updated_at {updatedAt:O} is not the database's now");
    }

    [Fact]
    public async Task The_stores_writes_keep_their_clock_and_reencryption_does_not_count_as_a_use()
    {
        var session = await fixture.Store.CreateAsync(new McpSession { SessionId = "trigger-2", Identity = "alice", ServerUrl = "https://x.example/", CallbackUrl = "https://y.example/", Tokens = new() { AccessToken = "t" } });
        await fixture.Store.UpdateAsync("alice", "trigger-2", new SessionUpdate { ClientId = "same-instant" }); // same fake instant as the insert
        Assert.Equal(session.UpdatedAt, (await fixture.Store.GetAsync("alice", "trigger-2"))!.UpdatedAt);

        var rotating = fixture.BuildServices(fixture.ConnectionString, o =>
        {
            o.Encryption.Key = TestKeys.B;
            o.Encryption.OldKeys.Add(TestKeys.A);
        });
        await rotating.GetRequiredService<ISessionReencryptor>().ReencryptAsync();

        Assert.Equal(session.UpdatedAt, (await rotating.GetRequiredService<ISessionStore>().GetAsync("alice", "trigger-2"))!.UpdatedAt);
    }
}
