using McpSessions.EF.Model;
using McpSessions.EF.Storage;

namespace McpSessions.EF.Tests.Specification;

public abstract partial class SessionStoreSpecification<TFixture>
{
    [Fact]
    public void GenerateSessionId_gives_url_safe_ids_of_at_least_120_bits_that_do_not_repeat()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => Store.GenerateSessionId()).ToList();

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id =>
        {
            Assert.Matches("^[A-Za-z0-9_-]{22}$", id); // 22 base64url characters carry 132 bits; 16 random bytes fill them.
            Assert.Equal(16, Convert.FromBase64String(id.Replace('-', '+').Replace('_', '/') + "==").Length);
        });
    }

    [Fact]
    public async Task Create_then_get_returns_every_field_as_written()
    {
        var session = NewSession();
        session.Headers = new() { ["X-Api-Key"] = "header-secret", ["X-Trace"] = "1" };
        session.ClientInformation = ClientInformation();
        session.Tokens = Tokens();
        session.CodeVerifier = "verifier-abc";
        session.ClientId = "client-123";
        session.ServerName = "Example MCP";

        var created = await Store.CreateAsync(session);
        var read = await Store.GetAsync("alice", session.SessionId);

        Assert.NotNull(read);
        Assert.NotEqual(Guid.Empty, created.Id);
        Assert.Equal(created.Id, read.Id);
        Assert.Equal(session.SessionId, read.SessionId);
        Assert.Equal("alice", read.Identity);
        Assert.Equal("alice", read.UserId);
        Assert.Equal("server-1", read.ServerId);
        Assert.Equal("Example MCP", read.ServerName);
        Assert.Equal("https://mcp.example.com/mcp", read.ServerUrl);
        Assert.Equal("https://app.example.com/oauth/callback", read.CallbackUrl);
        Assert.Equal(McpTransportType.StreamableHttp, read.TransportType);
        Assert.False(read.Active);
        Assert.Equal(Clock.GetUtcNow(), read.CreatedAt);
        Assert.Equal(Clock.GetUtcNow(), read.UpdatedAt);
        Assert.Equal(Clock.GetUtcNow() + TimeSpan.FromMinutes(10), read.ExpiresAt);
        AssertJsonEqual(session.Headers, read.Headers);
        AssertJsonEqual(ClientInformation(), read.ClientInformation);
        AssertJsonEqual(Tokens(), read.Tokens);
        Assert.Equal("urn:ietf:params:oauth:token-type:access_token", read.Tokens!.AdditionalProperties!["issued_token_type"].GetString());
        Assert.Equal("verifier-abc", read.CodeVerifier);
        Assert.Equal("client-123", read.ClientId);
    }

    [Fact]
    public async Task A_session_created_without_a_transport_is_stored_and_read_back_as_streamable_http()
    {
        var session = new McpSession
        {
            SessionId = Store.GenerateSessionId(),
            Identity = "alice",
            ServerUrl = "https://mcp.example.com/mcp",
            CallbackUrl = "https://app.example.com/oauth/callback",
        };

        await Store.CreateAsync(session);
        var read = await Store.GetAsync("alice", session.SessionId);

        Assert.Equal(McpTransportType.StreamableHttp, read!.TransportType);
        Assert.Equal("streamable_http", (await Fixture.ReadRawRowAsync(session.SessionId))["transport_type"]);
    }

    [Fact]
    public async Task A_session_created_with_sse_is_stored_and_read_back_as_sse()
    {
        var session = NewSession();
        session.TransportType = McpTransportType.Sse;

        await Store.CreateAsync(session);
        var read = await Store.GetAsync("alice", session.SessionId);
        var listed = Assert.Single(await Store.ListAsync("alice"));

        Assert.Equal(McpTransportType.Sse, read!.TransportType);
        Assert.Equal(McpTransportType.Sse, listed.TransportType);
        Assert.Equal("sse", (await Fixture.ReadRawRowAsync(session.SessionId))["transport_type"]);
    }

    [Fact]
    public async Task Create_returns_the_concurrency_token_the_row_was_written_with_and_updates_move_it()
    {
        var created = await Store.CreateAsync(NewSession());

        Assert.Equal(created.Version, (await Store.GetAsync("alice", created.SessionId))!.Version);
        await Store.UpdateAsync("alice", created.SessionId, new SessionUpdate { ClientId = "c" });
        Assert.NotEqual(created.Version, (await Store.GetAsync("alice", created.SessionId))!.Version);
    }

    [Fact]
    public async Task Create_keeps_a_given_user_id_and_created_at()
    {
        var session = NewSession();
        session.UserId = "user-42";
        session.CreatedAt = Clock.GetUtcNow() - TimeSpan.FromMinutes(3);

        await Store.CreateAsync(session);
        var read = await Store.GetAsync("alice", session.SessionId);

        Assert.Equal("user-42", read!.UserId);
        Assert.Equal(Clock.GetUtcNow() - TimeSpan.FromMinutes(3), read.CreatedAt);
    }

    [Fact]
    public async Task Create_of_an_existing_session_id_throws_SessionAlreadyExists_and_keeps_the_first()
    {
        var first = NewSession("alice", "dup-1");
        first.ServerName = "first";
        await Store.CreateAsync(first);

        var second = NewSession("bob", "dup-1");
        second.ServerName = "second";
        var error = await Assert.ThrowsAsync<SessionAlreadyExistsException>(() => Store.CreateAsync(second));

        Assert.Equal("Session dup-1 already exists", error.Message);
        Assert.Equal("first", (await Store.GetAsync("alice", "dup-1"))!.ServerName);
        Assert.Null(await Store.GetAsync("bob", "dup-1"));
    }

    [Fact]
    public async Task Get_returns_null_for_a_missing_session_and_for_another_identitys_session()
    {
        var session = await Store.CreateAsync(NewSession("alice"));

        Assert.Null(await Store.GetAsync("alice", "no-such-session"));
        Assert.Null(await Store.GetAsync("bob", session.SessionId));
    }

    [Fact]
    public async Task Update_changes_only_the_members_that_were_set()
    {
        var session = NewSession();
        session.Tokens = Tokens();
        session.CodeVerifier = "verifier";
        session.Headers = new() { ["X-Api-Key"] = "k" };
        await Store.CreateAsync(session);

        await Store.UpdateAsync("alice", session.SessionId, new SessionUpdate { ServerName = "Renamed", ClientId = "c-9" });
        var read = await Store.GetAsync("alice", session.SessionId);

        Assert.Equal("Renamed", read!.ServerName);
        Assert.Equal("c-9", read.ClientId);
        AssertJsonEqual(Tokens(), read.Tokens);
        Assert.Equal("verifier", read.CodeVerifier);
        Assert.Equal("k", read.Headers!["X-Api-Key"]);
        Assert.Equal("server-1", read.ServerId);
        Assert.Equal("https://mcp.example.com/mcp", read.ServerUrl);
        Assert.False(read.Active);
    }

    [Fact]
    public async Task Update_to_null_clears_the_tokens_and_other_optional_members()
    {
        var session = NewSession();
        session.Tokens = Tokens();
        session.CodeVerifier = "verifier";
        session.Headers = new() { ["X-Api-Key"] = "k" };
        session.ClientInformation = ClientInformation();
        await Store.CreateAsync(session);

        await Store.UpdateAsync("alice", session.SessionId, new SessionUpdate
        {
            Tokens = null,
            CodeVerifier = null,
            Headers = null,
            ClientInformation = null,
            ServerName = null,
        });
        var read = await Store.GetAsync("alice", session.SessionId);

        Assert.Null(read!.Tokens);
        Assert.Null(read.CodeVerifier);
        Assert.Null(read.Headers);
        Assert.Null(read.ClientInformation);
        Assert.Null(read.ServerName);
        Assert.Equal("server-1", read.ServerId);
    }

    [Fact]
    public async Task Update_of_every_updatable_member_is_read_back()
    {
        var session = await Store.CreateAsync(NewSession());

        await Store.UpdateAsync("alice", session.SessionId, new SessionUpdate
        {
            UserId = "user-7",
            ServerId = "server-2",
            ServerName = "Two",
            ServerUrl = "http://localhost:8080/sse",
            CallbackUrl = "myapp://oauth/callback",
            TransportType = McpTransportType.Sse,
            Headers = new() { ["Authorization-Extra"] = "v" },
            ClientInformation = ClientInformation(),
            Tokens = Tokens("a2", "r2"),
            CodeVerifier = "v2",
            ClientId = "client-2",
        });
        var read = await Store.GetAsync("alice", session.SessionId);

        Assert.Equal("user-7", read!.UserId);
        Assert.Equal("server-2", read.ServerId);
        Assert.Equal("Two", read.ServerName);
        Assert.Equal("http://localhost:8080/sse", read.ServerUrl);
        Assert.Equal("myapp://oauth/callback", read.CallbackUrl);
        Assert.Equal(McpTransportType.Sse, read.TransportType);
        Assert.Equal("v", read.Headers!["Authorization-Extra"]);
        AssertJsonEqual(ClientInformation(), read.ClientInformation);
        AssertJsonEqual(Tokens("a2", "r2"), read.Tokens);
        Assert.Equal("v2", read.CodeVerifier);
        Assert.Equal("client-2", read.ClientId);
    }

    [Fact]
    public async Task Update_of_a_missing_session_throws_SessionNotFound_with_the_id_and_identity()
    {
        var error = await Assert.ThrowsAsync<SessionNotFoundException>(
            () => Store.UpdateAsync("alice", "missing-1", new SessionUpdate { ServerName = "x" }));

        Assert.Equal("Session missing-1 not found for identity alice", error.Message);
        Assert.Equal(0, await Fixture.CountRowsAsync());
    }

    [Fact]
    public async Task Update_for_another_identity_throws_SessionNotFound_and_changes_nothing()
    {
        var session = await Store.CreateAsync(NewSession("alice"));

        await Assert.ThrowsAsync<SessionNotFoundException>(
            () => Store.UpdateAsync("bob", session.SessionId, new SessionUpdate { ServerName = "hijacked" }));

        Assert.Equal("Example MCP", (await Store.GetAsync("alice", session.SessionId))!.ServerName);
    }

    [Fact]
    public async Task List_and_ListIds_return_the_live_sessions_of_one_identity_only()
    {
        var a1 = await Store.CreateAsync(NewSession("alice", "a-1"));
        Clock.Advance(TimeSpan.FromSeconds(1));
        var a2 = await Store.CreateAsync(NewSession("alice", "a-2", active: true));
        await Store.CreateAsync(NewSession("bob", "b-1"));

        var list = await Store.ListAsync("alice");
        var ids = await Store.ListIdsAsync("alice");

        Assert.Equal(["a-1", "a-2"], list.Select(s => s.SessionId));
        Assert.Equal(["a-1", "a-2"], ids);
        Assert.All(list, s => Assert.Equal("alice", s.Identity));
        Assert.Equal(["b-1"], await Store.ListIdsAsync("bob"));
        Assert.Empty(await Store.ListAsync("carol"));
        Assert.Equal(a1.Id, list[0].Id);
        Assert.Equal(a2.Id, list[1].Id);
    }

    [Fact]
    public async Task Delete_removes_the_session_once_and_only_for_its_identity()
    {
        var session = await Store.CreateAsync(NewSession("alice"));

        Assert.False(await Store.DeleteAsync("bob", session.SessionId));
        Assert.NotNull(await Store.GetAsync("alice", session.SessionId));
        Assert.True(await Store.DeleteAsync("alice", session.SessionId));
        Assert.False(await Store.DeleteAsync("alice", session.SessionId));
        Assert.Null(await Store.GetAsync("alice", session.SessionId));
        Assert.Equal(0, await Fixture.CountRowsAsync());
    }

    [Fact]
    public async Task ListAllIds_streams_every_live_id_of_every_identity_across_pages()
    {
        const int count = 2_345; // more than two pages of 1000
        await Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, ct) => await Store.CreateAsync(NewSession($"user-{i % 17}", $"id-{i:D5}"), ct));
        await Store.CreateAsync(NewSession("expiring", "zz-expired"));

        var allIds = await ToListAsync(Store.ListAllIdsAsync());
        Assert.Equal(count + 1, allIds.Count);
        Assert.Equal(allIds.Order(StringComparer.Ordinal), allIds);
        Assert.Equal(allIds.Count, allIds.Distinct().Count());

        Clock.Advance(TimeSpan.FromMinutes(5));
        await Store.UpdateAsync("user-0", "id-00000", new SessionUpdate { Active = true });
        Clock.Advance(TimeSpan.FromMinutes(6)); // every pending session has expired; only id-00000 is active

        Assert.Equal(["id-00000"], await ToListAsync(Store.ListAllIdsAsync()));
    }

    [Fact]
    public async Task ClearAll_removes_every_session_of_every_identity_and_returns_the_count()
    {
        await Store.CreateAsync(NewSession("alice"));
        await Store.CreateAsync(NewSession("bob", active: true));
        await Store.CreateAsync(NewSession("carol"));

        Assert.Equal(3, await Store.ClearAllAsync());
        Assert.Equal(0, await Fixture.CountRowsAsync());
        Assert.Equal(0, await Store.ClearAllAsync());
    }
}
