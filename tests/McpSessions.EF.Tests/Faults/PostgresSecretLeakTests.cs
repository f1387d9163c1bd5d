using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Npgsql;

namespace McpSessions.EF.Tests.Faults;

/// <summary>
/// The library's own PostgreSQL context. Its data source is the library's and logs nothing of Npgsql's own;
/// <see cref="PostgresHostContextSecretLeakTests"/> has Npgsql's logs at Trace.
/// </summary>
public sealed class PostgresSecretLeakTests(PostgresFixture fixture) : LibraryContextSecretLeakSpecification<PostgresFixture>(fixture)
{
    protected override string UnreachableConnectionString(string password) => PostgresLeaks.Unreachable(password);

    [Fact]
    public Task Connections_terminated_under_the_store_leak_no_secret() => PostgresLeaks.TerminatedConnectionsAsync(Fixture, Witness, cs => Store(cs), SecretSession);
}

/// <summary>The PostgreSQL-only cases, shared by both ways the store reaches PostgreSQL.</summary>
internal static class PostgresLeaks
{
    /// <summary>Port 1 on loopback: nothing listens there, so the connection is refused at once.</summary>
    public static string Unreachable(string password) =>
        new NpgsqlConnectionStringBuilder(TestServers.PostgresAdmin) { Host = "127.0.0.1", Port = 1, Database = "mcps_unreachable", Password = password, Timeout = 5 }.ConnectionString;

    /// <summary>
    /// The server ends every connection of the store (as a restart or a failover would) while it holds them in its
    /// pool; the next calls fail on a dead connection, then the store carries on.
    /// </summary>
    public static async Task TerminatedConnectionsAsync(PostgresFixture fixture, SecretWitness witness, Func<string, ISessionStore> storeOn, Func<string?, Model.McpSession> secretSession)
    {
        // Only this store's connections: the fixture's own store shares the database.
        var name = $"leak-{Guid.NewGuid():N}";
        var store = storeOn(new NpgsqlConnectionStringBuilder(fixture.ConnectionString) { ApplicationName = name }.ConnectionString);
        var session = await store.CreateAsync(secretSession(null));
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => store.GetAsync("alice", session.SessionId))); // a few pooled connections

        await using (var admin = new NpgsqlConnection(TestServers.PostgresAdmin))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = @name", admin);
            kill.Parameters.AddWithValue("name", name);
            Assert.True((long)(await kill.ExecuteScalarAsync())! > 0, "no connection to terminate");
        }

        var failed = 0;
        for (var i = 0; i < 8; i++)
        {
            var update = new Storage.SessionUpdate { Tokens = new Model.OAuthTokens { AccessToken = witness.AccessToken, RefreshToken = witness.RefreshToken }, CodeVerifier = witness.CodeVerifier };
            failed += await witness.TryAsync($"update #{i} after the terminations", () => store.UpdateAsync("alice", session.SessionId, update)) ? 0 : 1;
            failed += await witness.TryAsync($"get #{i} after the terminations", () => store.GetAsync("alice", session.SessionId)) ? 0 : 1;
        }

        Assert.True(failed > 0, "no call met a terminated connection");
        Assert.Equal(witness.AccessToken, (await store.GetAsync("alice", session.SessionId))!.Tokens!.AccessToken); // and it recovered
        witness.AssertNoSecret();
    }
}
