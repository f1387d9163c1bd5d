using McpSessions.EF.Encryption;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;

namespace McpSessions.EF.Tests.Specification;

/// <summary>
/// A session the store reads holds its secrets decrypted but not yet parsed (McpSession.Secrets.cs): each is parsed on
/// its first read. What a caller sees must not change: the same values, the same failures naming session and column.
/// </summary>
public abstract partial class SessionStoreSpecification<TFixture>
{
    [Fact]
    public async Task A_secret_read_from_the_store_is_parsed_on_first_read_and_then_kept()
    {
        await Store.CreateAsync(SecretSession(sessionId: "pending-1"));

        var read = (await Store.GetAsync("alice", "pending-1"))!;

        foreach (var column in SecretColumns.All)
        {
            Assert.True(read.TryGetPendingSecret(column, out var json), $"{column} is pending");
            Assert.False(json.IsEmpty);
        }

        var tokens = read.Tokens;
        Assert.Equal(AccessSecret, tokens!.AccessToken);
        Assert.Same(tokens, read.Tokens); // parsed once, then kept
        Assert.False(read.TryGetPendingSecret(SecretColumn.Tokens, out _));
        Assert.True(read.TryGetPendingSecret(SecretColumn.ClientInformation, out _)); // the others still wait
        Assert.Equal(ClientSecret, read.ClientInformation!.ClientSecret);
        Assert.Equal(HeaderSecret, read.Headers!["X-Api-Key"]);
        Assert.Equal(VerifierSecret, read.CodeVerifier);
    }

    [Fact]
    public async Task A_pending_secret_holds_exactly_the_plaintext_json_that_was_encrypted()
    {
        await Store.CreateAsync(SecretSession(sessionId: "pending-json"));

        var read = (await Store.GetAsync("alice", "pending-json"))!;

        Assert.True(read.TryGetPendingSecret(SecretColumn.CodeVerifier, out var verifier));
        Assert.Equal($"\"{VerifierSecret}\"", System.Text.Encoding.UTF8.GetString(verifier.Span));
        Assert.True(read.TryGetPendingSecret(SecretColumn.Tokens, out var tokens));
        Assert.Equal(McpSessions.EF.Json.JsonColumn.Serialize(SecretSession(sessionId: "pending-json").Tokens), System.Text.Encoding.UTF8.GetString(tokens.Span));
        AssertJsonEqual(read.Tokens, System.Text.Json.JsonSerializer.Deserialize<OAuthTokens>(tokens.Span));
    }

    [Fact]
    public async Task Setting_a_pending_secret_replaces_it_unparsed()
    {
        await Store.CreateAsync(SecretSession(sessionId: "pending-set"));
        var read = (await Store.GetAsync("alice", "pending-set"))!;
        var replacement = new OAuthTokens { AccessToken = "replaced" };

        read.Tokens = replacement;
        read.CodeVerifier = null;
        read.SetPendingSecret(SecretColumn.Headers, """{"X-Other":"other"}"""u8.ToArray());

        Assert.Same(replacement, read.Tokens);
        Assert.Null(read.CodeVerifier);
        Assert.False(read.TryGetPendingSecret(SecretColumn.Tokens, out _));
        Assert.Equal("other", read.Headers!["X-Other"]);
        Assert.Equal(ClientSecret, read.ClientInformation!.ClientSecret);
    }

    [Fact]
    public async Task A_clear_text_secret_that_is_not_valid_json_for_its_member_fails_on_first_read_naming_session_and_column()
    {
        await Store.CreateAsync(SecretSession(sessionId: "pending-corrupt"));
        // A legacy clear-text value: valid JSON (jsonb takes it), but not a token response.
        await Fixture.SetRawAsync("pending-corrupt", "tokens", """[1, 2, "AccessTokenSecretQzx"]""");

        var read = await Store.GetAsync("alice", "pending-corrupt"); // decrypting the others still succeeds here
        Assert.NotNull(read);
        Assert.Equal(ClientSecret, read.ClientInformation!.ClientSecret);

        var error = Assert.Throws<SecretDecryptionException>(() => read.Tokens);
        Assert.Equal("pending-corrupt", error.SessionId);
        Assert.Equal("tokens", error.Column);
        Assert.Contains("session pending-corrupt", error.Message, StringComparison.Ordinal);
        Assert.Contains("column tokens", error.Message, StringComparison.Ordinal);
        AssertNoSecretIn(error);
        Assert.Equal("pending-corrupt", Assert.Throws<SecretDecryptionException>(() => read.Tokens).SessionId); // every read, not the first only
        Assert.DoesNotContain(AccessSecret, read.ToString(), StringComparison.Ordinal);

        // Listing the identity still works: nothing reads the tokens.
        Assert.Single(await Store.ListAsync("alice"));
    }

    [Fact]
    public async Task Two_threads_reading_one_pending_secret_at_once_both_get_the_same_value()
    {
        await Store.CreateAsync(SecretSession(sessionId: "pending-race"));

        for (var round = 0; round < 50; round++)
        {
            var read = (await Store.GetAsync("alice", "pending-race"))!;
            using var start = new Barrier(2);
            var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
            {
                start.SignalAndWait();
                return read.Tokens;
            })).ToArray();

            var seen = await Task.WhenAll(readers);

            Assert.Equal(AccessSecret, seen[0]!.AccessToken);
            Assert.Same(seen[0], seen[1]);
            Assert.Same(seen[0], read.Tokens);
        }
    }
}
