using System.Text.Json;
using System.Text.Json.Nodes;
using McpSessions.EF.Encryption;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Tests.Specification;

public abstract partial class SessionStoreSpecification<TFixture>
{
    private const string AccessSecret = "AccessTokenSecretQzx";
    private const string RefreshSecret = "RefreshTokenSecretWvk";
    private const string ClientSecret = "ClientSecretValueJpm";
    private const string HeaderSecret = "HeaderSecretValueYrt";
    private const string VerifierSecret = "PkceVerifierSecretGhw";
    private static readonly string[] Secrets = [AccessSecret, RefreshSecret, ClientSecret, HeaderSecret, VerifierSecret];

    private static McpSession SecretSession(string identity = "alice", string? sessionId = null)
    {
        var session = NewSession(identity, sessionId);
        session.Tokens = new OAuthTokens { AccessToken = AccessSecret, RefreshToken = RefreshSecret, TokenType = "Bearer", ExpiresIn = 3600 };
        session.ClientInformation = new OAuthClientInformation { ClientId = "client-1", ClientSecret = ClientSecret };
        session.Headers = new() { ["X-Api-Key"] = HeaderSecret };
        session.CodeVerifier = VerifierSecret;
        return session;
    }

    private static void AssertHoldsNoSecret(IReadOnlyDictionary<string, string?> row)
    {
        foreach (var (column, value) in row)
        {
            foreach (var secret in Secrets)
            {
                for (var i = 0; i + 8 <= secret.Length; i++)
                {
                    Assert.False(value?.Contains(secret.Substring(i, 8), StringComparison.Ordinal) ?? false, $"column {column} holds part of a secret");
                }
            }
        }
    }

    private ISessionStore StoreWith(string? key = TestKeys.A, string[]? oldKeys = null, EncryptionFormat format = EncryptionFormat.Versioned, bool allowPlaintext = false) =>
        ServicesWith(key, oldKeys, format, allowPlaintext).GetRequiredService<ISessionStore>();

    private ServiceProvider ServicesWith(string? key = TestKeys.A, string[]? oldKeys = null, EncryptionFormat format = EncryptionFormat.Versioned, bool allowPlaintext = false, int reencryptBatchSize = 7) =>
        Fixture.BuildServices(Fixture.ConnectionString, o =>
        {
            o.Encryption.Key = key;
            o.Encryption.Format = format;
            o.Encryption.AllowPlaintext = allowPlaintext;
            o.ReencryptBatchSize = reencryptBatchSize;
            foreach (var old in oldKeys ?? [])
            {
                o.Encryption.OldKeys.Add(old);
            }
        });

    [Fact]
    public async Task Secrets_reach_the_database_only_encrypted_and_EF_reads_every_one_back()
    {
        var session = await Store.CreateAsync(SecretSession());
        var raw = await Fixture.ReadRawRowAsync(session.SessionId);

        AssertHoldsNoSecret(raw);
        foreach (var column in new[] { "tokens", "headers", "client_information", "code_verifier" })
        {
            Assert.Contains("enc:2:", raw[column], StringComparison.Ordinal);
        }

        var read = await Store.GetAsync("alice", session.SessionId);
        Assert.Equal(AccessSecret, read!.Tokens!.AccessToken);
        Assert.Equal(RefreshSecret, read.Tokens.RefreshToken);
        Assert.Equal(ClientSecret, read.ClientInformation!.ClientSecret);
        Assert.Equal(HeaderSecret, read.Headers!["X-Api-Key"]);
        Assert.Equal(VerifierSecret, read.CodeVerifier);

        await Store.UpdateAsync("alice", session.SessionId, new SessionUpdate { Tokens = new OAuthTokens { AccessToken = AccessSecret + "2" } });
        AssertHoldsNoSecret(await Fixture.ReadRawRowAsync(session.SessionId));
        Assert.Equal(AccessSecret + "2", (await Store.GetAsync("alice", session.SessionId))!.Tokens!.AccessToken);
    }

    [Fact]
    public async Task Each_write_uses_a_fresh_nonce_so_equal_secrets_never_look_alike()
    {
        var first = await Store.CreateAsync(SecretSession(sessionId: "nonce-1"));
        var second = await Store.CreateAsync(SecretSession(sessionId: "nonce-2"));

        var a = await Fixture.ReadRawRowAsync(first.SessionId);
        var b = await Fixture.ReadRawRowAsync(second.SessionId);

        Assert.NotEqual(a["tokens"], b["tokens"]);
        Assert.NotEqual(a["code_verifier"], b["code_verifier"]);
    }

    [Fact]
    public async Task A_value_node_encrypted_in_enc1_form_decrypts_with_the_library()
    {
        var session = await Store.CreateAsync(NewSession());
        var tokensJson = """{"access_token":"node-access","token_type":"Bearer","expires_in":3600,"refresh_token":"node-refresh","custom":{"a":[1,2]}}""";
        var headersJson = """{"Authorization-Extra":"node-header"}""";
        await Fixture.SetRawAsync(session.SessionId, "tokens", JsonSerializer.Serialize(await NodeCrypto.EncryptAsync(TestKeys.B, tokensJson)));
        await Fixture.SetRawAsync(session.SessionId, "headers", JsonSerializer.Serialize(await NodeCrypto.EncryptAsync(TestKeys.B, headersJson)));

        // Key B as an old key: enc:1 carries no key id, so every configured key is tried.
        var read = await StoreWith(key: TestKeys.A, oldKeys: [TestKeys.B]).GetAsync("alice", session.SessionId);

        Assert.Equal("node-access", read!.Tokens!.AccessToken);
        Assert.Equal("node-refresh", read.Tokens.RefreshToken);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"a":[1,2]}"""), JsonNode.Parse(read.Tokens.AdditionalProperties!["custom"].GetRawText())));
        Assert.Equal("node-header", read.Headers!["Authorization-Extra"]);
    }

    [Fact]
    public async Task McpTsCompatible_mode_writes_enc1_that_node_decrypts_for_tokens_and_headers()
    {
        var store = StoreWith(key: TestKeys.B, format: EncryptionFormat.McpTsCompatible);
        var session = await store.CreateAsync(SecretSession());

        var raw = await Fixture.ReadRawRowAsync(session.SessionId);
        var tokens = JsonSerializer.Deserialize<string>(raw["tokens"]!)!;
        var headers = JsonSerializer.Deserialize<string>(raw["headers"]!)!;
        Assert.Matches("^enc:1:[0-9a-f]{24}:[0-9a-f]{32}:[0-9a-f]+$", tokens);
        Assert.Matches("^enc:1:[0-9a-f]{24}:[0-9a-f]{32}:[0-9a-f]+$", headers);

        var nodeTokens = JsonNode.Parse(await NodeCrypto.DecryptAsync(TestKeys.B, tokens))!;
        Assert.Equal(AccessSecret, (string?)nodeTokens["access_token"]);
        Assert.Equal(RefreshSecret, (string?)nodeTokens["refresh_token"]);
        Assert.Equal(3600, (int?)nodeTokens["expires_in"]);
        Assert.Equal(HeaderSecret, (string?)JsonNode.Parse(await NodeCrypto.DecryptAsync(TestKeys.B, headers))!["X-Api-Key"]);

        // What the Node peer itself stores in clear text stays clear, as documented for this mode.
        Assert.Contains(ClientSecret, raw["client_information"], StringComparison.Ordinal);
        Assert.Equal(VerifierSecret, raw["code_verifier"]);
        Assert.Equal(AccessSecret, (await store.GetAsync("alice", session.SessionId))!.Tokens!.AccessToken);
    }

    [Fact]
    public async Task Plaintext_legacy_values_are_read_as_they_are_and_reencryption_upgrades_them()
    {
        var legacy = ServicesWith(key: null, allowPlaintext: true);
        var session = await legacy.GetRequiredService<ISessionStore>().CreateAsync(SecretSession());
        Assert.Equal(AccessSecret, JsonNode.Parse((await Fixture.ReadRawRowAsync(session.SessionId))["tokens"]!)!["access_token"]!.GetValue<string>());

        var services = ServicesWith(key: TestKeys.A);
        var read = await services.GetRequiredService<ISessionStore>().GetAsync("alice", session.SessionId);
        Assert.Equal(AccessSecret, read!.Tokens!.AccessToken);
        Assert.Equal(VerifierSecret, read.CodeVerifier);

        var result = await services.GetRequiredService<ISessionReencryptor>().ReencryptAsync();

        Assert.Equal(1, result.Rewritten);
        AssertHoldsNoSecret(await Fixture.ReadRawRowAsync(session.SessionId));
        Assert.Equal(ClientSecret, (await Store.GetAsync("alice", session.SessionId))!.ClientInformation!.ClientSecret);
    }

    [Fact]
    public async Task Rotation_rewrites_every_row_under_the_new_key_and_the_old_key_can_then_go()
    {
        for (var i = 0; i < 20; i++)
        {
            await Store.CreateAsync(SecretSession($"user-{i % 3}", $"rot-{i:D2}"));
        }

        var rotating = ServicesWith(key: TestKeys.B, oldKeys: [TestKeys.A]);
        var reports = new List<ReencryptionProgress>();
        var result = await rotating.GetRequiredService<ISessionReencryptor>().ReencryptAsync(new SynchronousProgress<ReencryptionProgress>(reports.Add));

        Assert.Equal(new ReencryptionProgress(20, 20, 20), result);
        Assert.Equal([7L, 14, 20], reports.Select(r => r.Scanned));
        Assert.Equal(0, (await rotating.GetRequiredService<ISessionReencryptor>().ReencryptAsync()).Rewritten); // idempotent

        var onlyB = StoreWith(key: TestKeys.B);
        for (var i = 0; i < 20; i++)
        {
            var read = await onlyB.GetAsync($"user-{i % 3}", $"rot-{i:D2}");
            Assert.Equal(AccessSecret, read!.Tokens!.AccessToken);
            Assert.Equal(VerifierSecret, read.CodeVerifier);
            Assert.Equal(HeaderSecret, read.Headers!["X-Api-Key"]);
            Assert.Equal(ClientSecret, read.ClientInformation!.ClientSecret);
        }

        await Assert.ThrowsAsync<SecretDecryptionException>(() => Store.GetAsync("user-0", "rot-00")); // key A alone no longer reads it
    }

    [Fact]
    public async Task Rotation_stopped_half_way_finishes_when_run_again()
    {
        for (var i = 0; i < 20; i++)
        {
            await Store.CreateAsync(SecretSession($"user-{i % 3}", $"half-{i:D2}"));
        }

        var rotating = ServicesWith(key: TestKeys.B, oldKeys: [TestKeys.A]);
        using var stop = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rotating.GetRequiredService<ISessionReencryptor>().ReencryptAsync(
            new SynchronousProgress<ReencryptionProgress>(p =>
            {
                if (p.Scanned >= 7)
                {
                    stop.Cancel();
                }
            }),
            stop.Token));

        var underB = 0;
        for (var i = 0; i < 20; i++)
        {
            underB += JsonSerializer.Deserialize<string>((await Fixture.ReadRawRowAsync($"half-{i:D2}"))["tokens"]!)!.StartsWith("enc:2:", StringComparison.Ordinal)
                && (await TryReadAsync(StoreWith(key: TestKeys.B), $"user-{i % 3}", $"half-{i:D2}")) ? 1 : 0;
        }

        Assert.Equal(7, underB); // one batch done, the rest not

        var resumed = await rotating.GetRequiredService<ISessionReencryptor>().ReencryptAsync();
        Assert.Equal(13, resumed.Rewritten);

        var onlyB = StoreWith(key: TestKeys.B);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(AccessSecret, (await onlyB.GetAsync($"user-{i % 3}", $"half-{i:D2}"))!.Tokens!.AccessToken);
        }
    }

    [Fact]
    public async Task Reencryption_while_the_application_writes_loses_no_write()
    {
        for (var i = 0; i < 30; i++)
        {
            await Store.CreateAsync(SecretSession("alice", $"busy-{i:D2}"));
        }

        var rotating = ServicesWith(key: TestKeys.B, oldKeys: [TestKeys.A], reencryptBatchSize: 5);
        var app = rotating.GetRequiredService<ISessionStore>();
        using var done = new CancellationTokenSource();
        var lastWritten = new string[30];
        var writer = Task.Run(async () =>
        {
            for (var n = 0; !done.IsCancellationRequested || n < 60; n++)
            {
                var i = n % 30;
                lastWritten[i] = $"token-{n}";
                await app.UpdateAsync("alice", $"busy-{i:D2}", new SessionUpdate { Tokens = new OAuthTokens { AccessToken = lastWritten[i] } });
            }
        });

        await rotating.GetRequiredService<ISessionReencryptor>().ReencryptAsync();
        done.Cancel();
        await writer;
        await rotating.GetRequiredService<ISessionReencryptor>().ReencryptAsync(); // rows the writer touched last are current already

        var onlyB = StoreWith(key: TestKeys.B);
        for (var i = 0; i < 30; i++)
        {
            var read = await onlyB.GetAsync("alice", $"busy-{i:D2}");
            Assert.Equal(lastWritten[i] ?? AccessSecret, read!.Tokens!.AccessToken);
            Assert.Equal(VerifierSecret, read.CodeVerifier);
        }
    }

    [Fact]
    public async Task A_tampered_value_raises_an_exception_naming_the_session_and_the_column_and_no_secret()
    {
        var session = await Store.CreateAsync(SecretSession(sessionId: "tampered-1"));
        var stored = JsonSerializer.Deserialize<string>((await Fixture.ReadRawRowAsync(session.SessionId))["tokens"]!)!;
        var flipAt = stored.Length - 10;
        var tampered = stored[..flipAt] + (stored[flipAt] == 'A' ? 'B' : 'A') + stored[(flipAt + 1)..];
        await Fixture.SetRawAsync(session.SessionId, "tokens", JsonSerializer.Serialize(tampered));

        var error = await Assert.ThrowsAsync<SecretDecryptionException>(() => Store.GetAsync("alice", session.SessionId));

        Assert.Equal("tampered-1", error.SessionId);
        Assert.Equal("tokens", error.Column);
        Assert.Contains("session tampered-1", error.Message, StringComparison.Ordinal);
        Assert.Contains("column tokens", error.Message, StringComparison.Ordinal);
        AssertNoSecretIn(error);

        var listError = await Assert.ThrowsAsync<SecretDecryptionException>(() => Store.ListAsync("alice"));
        Assert.Equal("tampered-1", listError.SessionId);
    }

    [Fact]
    public async Task A_wrong_key_raises_an_exception_naming_the_session_and_the_column()
    {
        var session = await Store.CreateAsync(SecretSession(sessionId: "wrong-key-1"));

        var error = await Assert.ThrowsAsync<SecretDecryptionException>(() => StoreWith(key: TestKeys.C).GetAsync("alice", session.SessionId));

        Assert.Equal("wrong-key-1", error.SessionId);
        Assert.Contains("not configured", error.Message, StringComparison.Ordinal);
        AssertNoSecretIn(error);
    }

    [Fact]
    public async Task A_ciphertext_moved_to_another_column_does_not_decrypt_there()
    {
        var session = await Store.CreateAsync(SecretSession(sessionId: "moved-1"));
        var tokens = (await Fixture.ReadRawRowAsync(session.SessionId))["tokens"];
        await Fixture.SetRawAsync(session.SessionId, "headers", tokens);

        var error = await Assert.ThrowsAsync<SecretDecryptionException>(() => Store.GetAsync("alice", session.SessionId));

        Assert.Equal("headers", error.Column);
        Assert.Equal("moved-1", error.SessionId);
    }

    [Fact]
    public async Task Contexts_with_different_key_rings_in_one_process_each_use_their_own_keys()
    {
        var storeA = StoreWith(key: TestKeys.A);
        var storeC = StoreWith(key: TestKeys.C);

        await storeA.CreateAsync(SecretSession("alice", "ring-a"));
        await storeC.CreateAsync(SecretSession("alice", "ring-c"));

        Assert.Equal(AccessSecret, (await storeA.GetAsync("alice", "ring-a"))!.Tokens!.AccessToken);
        Assert.Equal(AccessSecret, (await storeC.GetAsync("alice", "ring-c"))!.Tokens!.AccessToken);
        Assert.Equal("ring-a", (await Assert.ThrowsAsync<SecretDecryptionException>(() => storeC.GetAsync("alice", "ring-a"))).SessionId);
        Assert.Equal("ring-c", (await Assert.ThrowsAsync<SecretDecryptionException>(() => storeA.GetAsync("alice", "ring-c"))).SessionId);
    }

    private static async Task<bool> TryReadAsync(ISessionStore store, string identity, string sessionId)
    {
        try
        {
            return await store.GetAsync(identity, sessionId) is not null;
        }
        catch (SecretDecryptionException)
        {
            return false;
        }
    }

    private static void AssertNoSecretIn(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            foreach (var secret in Secrets)
            {
                Assert.DoesNotContain(secret, e.Message, StringComparison.Ordinal);
            }
        }

        Assert.DoesNotContain("enc:", error.ToString(), StringComparison.Ordinal);
    }
}
