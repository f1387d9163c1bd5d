using McpSessions.EF.Model;
using McpSessions.EF.Storage;

namespace McpSessions.EF.Tests.Specification;

public abstract partial class SessionStoreSpecification<TFixture>
{
    public static TheoryData<string, string> InvalidNewSessions => new()
    {
        { "empty-session-id", "SessionId" },
        { "long-session-id", "SessionId" },
        { "bad-char-session-id", "SessionId" },
        { "empty-identity", "Identity" },
        { "long-identity", "Identity" },
        { "control-char-identity", "Identity" },
        { "control-char-user-id", "UserId" },
        { "long-server-id", "ServerId" },
        { "long-server-name", "ServerName" },
        { "relative-server-url", "ServerUrl" },
        { "ftp-server-url", "ServerUrl" },
        { "empty-server-url", "ServerUrl" },
        { "relative-callback-url", "CallbackUrl" },
        { "undefined-transport", "TransportType" },
        { "header-name-with-space", "Headers" },
        { "header-value-with-newline", "Headers" },
        { "non-utc-created-at", "CreatedAt" },
    };

    [Theory]
    [MemberData(nameof(InvalidNewSessions))]
    public async Task Create_rejects_an_invalid_field_naming_it_and_writes_nothing(string invalidCase, string field)
    {
        var session = NewSession(sessionId: "valid-id");
        switch (invalidCase)
        {
            case "empty-session-id": session.SessionId = ""; break;
            case "long-session-id": session.SessionId = new string('a', 129); break;
            case "bad-char-session-id": session.SessionId = "has/slash"; break;
            case "empty-identity": session.Identity = ""; break;
            case "long-identity": session.Identity = new string('u', 257); break;
            case "control-char-identity": session.Identity = "ali\u0007ce"; break;
            case "control-char-user-id": session.UserId = "u\n1"; break;
            case "long-server-id": session.ServerId = new string('s', 257); break;
            case "long-server-name": session.ServerName = new string('s', 257); break;
            case "relative-server-url": session.ServerUrl = "/mcp"; break;
            case "ftp-server-url": session.ServerUrl = "ftp://mcp.example.com/"; break;
            case "empty-server-url": session.ServerUrl = ""; break;
            case "relative-callback-url": session.CallbackUrl = "/oauth/callback"; break;
            case "undefined-transport": session.TransportType = (McpTransportType)7; break;
            case "header-name-with-space": session.Headers = new() { ["Bad Name"] = "v" }; break;
            case "header-value-with-newline": session.Headers = new() { ["X-Ok"] = "v\r\nInjected: 1" }; break;
            case "non-utc-created-at": session.CreatedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(2)); break;
            default: throw new ArgumentOutOfRangeException(nameof(invalidCase));
        }

        var error = await Assert.ThrowsAsync<SessionValidationException>(() => Store.CreateAsync(session));

        Assert.Equal(field, error.Field);
        Assert.Equal(field, error.ParamName);
        Assert.StartsWith(field + " must", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await Fixture.CountRowsAsync());
    }

    [Fact]
    public async Task Create_accepts_the_boundaries_of_every_rule()
    {
        var session = NewSession(identity: new string('u', 256), sessionId: new string('a', 127) + "_");
        session.ServerId = new string('s', 256);
        session.ServerName = "Ünïcode ✓ " + new string('n', 200);
        session.ServerUrl = "http://127.0.0.1:3001/mcp?x=1";
        session.CallbackUrl = "com.example.app:/oauth2redirect";

        await Store.CreateAsync(session);

        Assert.NotNull(await Store.GetAsync(session.Identity, session.SessionId));
    }

    public static TheoryData<string, string> InvalidUpdates => new()
    {
        { "no-members", "update" },
        { "null-server-url", "ServerUrl" },
        { "ftp-server-url", "ServerUrl" },
        { "null-callback-url", "CallbackUrl" },
        { "null-user-id", "UserId" },
        { "long-server-name", "ServerName" },
        { "undefined-transport", "TransportType" },
        { "header-value-with-newline", "Headers" },
    };

    [Theory]
    [MemberData(nameof(InvalidUpdates))]
    public async Task Update_rejects_an_invalid_value_naming_the_field_and_writes_nothing(string invalidCase, string field)
    {
        var session = NewSession();
        session.Tokens = Tokens();
        await Store.CreateAsync(session);
        var before = await Store.GetAsync("alice", session.SessionId);
        Clock.Advance(TimeSpan.FromSeconds(1));

        // Every invalid update also carries a valid change, which must not be written either.
        var update = invalidCase == "no-members" ? new SessionUpdate() : new SessionUpdate { Tokens = null, ClientId = "changed" };
        switch (invalidCase)
        {
            case "no-members": break;
            case "null-server-url": update.ServerUrl = null; break;
            case "ftp-server-url": update.ServerUrl = "ftp://x.example/"; break;
            case "null-callback-url": update.CallbackUrl = null; break;
            case "null-user-id": update.UserId = null; break;
            case "long-server-name": update.ServerName = new string('n', 257); break;
            case "undefined-transport": update.TransportType = (McpTransportType)9; break;
            case "header-value-with-newline": update.Headers = new() { ["X"] = "a\nb" }; break;
            default: throw new ArgumentOutOfRangeException(nameof(invalidCase));
        }

        var error = await Assert.ThrowsAsync<SessionValidationException>(() => Store.UpdateAsync("alice", session.SessionId, update));

        Assert.Equal(field, error.Field);
        var after = await Store.GetAsync("alice", session.SessionId);
        AssertJsonEqual(before!.Tokens, after!.Tokens);
        Assert.Null(after.ClientId);
        Assert.Equal(before.UpdatedAt, after.UpdatedAt);
    }

    [Fact]
    public async Task Every_keyed_call_rejects_an_invalid_identity_or_session_id_by_name()
    {
        var calls = new (string Field, Func<Task> Call)[]
        {
            ("identity", () => Store.GetAsync("", "s-1")),
            ("sessionId", () => Store.GetAsync("alice", "bad id")),
            ("identity", () => Store.UpdateAsync("a\0b", "s-1", new SessionUpdate { ClientId = "x" })),
            ("sessionId", () => Store.UpdateAsync("alice", new string('x', 129), new SessionUpdate { ClientId = "x" })),
            ("identity", () => Store.TouchAsync("", "s-1")),
            ("sessionId", () => Store.TouchAsync("alice", "")),
            ("identity", () => Store.DeleteAsync("", "s-1")),
            ("sessionId", () => Store.DeleteAsync("alice", "a.b")),
            ("identity", () => Store.ListAsync("")),
            ("identity", () => Store.ListIdsAsync(new string('i', 257))),
        };

        foreach (var (field, call) in calls)
        {
            var error = await Assert.ThrowsAsync<SessionValidationException>(call);
            Assert.Equal(field, error.Field);
        }
    }

    [Fact]
    public async Task Null_arguments_are_rejected_by_name()
    {
        Assert.Equal("session", (await Assert.ThrowsAsync<ArgumentNullException>(() => Store.CreateAsync(null!))).ParamName);
        Assert.Equal("update", (await Assert.ThrowsAsync<ArgumentNullException>(() => Store.UpdateAsync("alice", "s-1", null!))).ParamName);
        Assert.Equal("identity", (await Assert.ThrowsAsync<SessionValidationException>(() => Store.GetAsync(null!, "s-1"))).Field);
    }
}
