using System.Text.Json;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Postgres;
using McpSessions.EF.Tests.Sqlite;

namespace McpSessions.EF.Tests.Specification;

/// <summary>
/// Every behaviour of SPEC §3, §4 and §8, written once, and run through every way the store reaches the database by
/// subclassing with a fixture: SQLite's prepared statements on the library's own context
/// (<see cref="SqliteSessionStoreTests"/>), EF Core's pipeline on a host's SQLite context
/// (<see cref="SqliteEfPipelineSessionStoreTests"/>), and PostgreSQL (<see cref="PostgresSessionStoreTests"/>). What
/// holds of the library's own database only is in <see cref="OwnDatabaseSessionStoreSpecification{TFixture}"/>. The
/// table is emptied before each test.
/// </summary>
public abstract partial class SessionStoreSpecification<TFixture>(TFixture fixture) : IClassFixture<TFixture>, IAsyncLifetime
    where TFixture : SessionStoreFixture
{
    protected TFixture Fixture { get; } = fixture;

    protected ISessionStore Store => Fixture.Store;

    protected ManualTimeProvider Clock => Fixture.Clock;

    public async Task InitializeAsync() => await Store.ClearAllAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    protected static McpSession NewSession(string identity = "alice", string? sessionId = null, bool active = false) =>
        TestSessions.New(identity, sessionId, active);

    protected static OAuthTokens Tokens(string access = "access-1", string? refresh = "refresh-1") => new()
    {
        AccessToken = access,
        TokenType = "Bearer",
        ExpiresIn = 3600,
        RefreshToken = refresh,
        Scope = "read write",
        AdditionalProperties = new() { ["issued_token_type"] = JsonSerializer.SerializeToElement("urn:ietf:params:oauth:token-type:access_token") },
    };

    protected static OAuthClientInformation ClientInformation() => new()
    {
        ClientId = "client-123",
        ClientSecret = "client-secret-xyz",
        ClientIdIssuedAt = 1_760_000_000,
        RedirectUris = ["https://app.example.com/oauth/callback"],
        TokenEndpointAuthMethod = "client_secret_post",
        AdditionalProperties = new() { ["software_id"] = JsonSerializer.SerializeToElement("mcp-sessions-tests") },
    };

    protected static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }

    /// <summary>JSON equality, member order aside: PostgreSQL's jsonb keeps object keys in its own order.</summary>
    protected static void AssertJsonEqual<T>(T expected, T actual)
    {
        var expectedJson = JsonSerializer.Serialize(expected);
        var actualJson = JsonSerializer.Serialize(actual);
        Assert.True(
            System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(expectedJson), System.Text.Json.Nodes.JsonNode.Parse(actualJson)),
            $"Expected {expectedJson} but read {actualJson}");
    }
}
