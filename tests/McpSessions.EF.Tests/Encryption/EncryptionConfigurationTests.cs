using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Encryption;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpSessions.EF.Tests.Encryption;

/// <summary>Keys are 32 bytes as hex or base64; anything else, or no key at all, stops the application at startup.</summary>
public sealed class EncryptionConfigurationTests
{
    [Fact]
    public void A_key_is_accepted_as_64_hex_characters_or_as_base64_and_both_forms_are_the_same_key()
    {
        var bytes = Convert.FromHexString(TestKeys.A);

        var hex = EncryptionKey.Parse(TestKeys.A, "setting");
        var upperHex = EncryptionKey.Parse(TestKeys.A.ToUpperInvariant(), "setting");
        var base64 = EncryptionKey.Parse(Convert.ToBase64String(bytes), "setting");

        Assert.Equal(bytes, hex.Material);
        Assert.Equal(hex.Id, upperHex.Id);
        Assert.Equal(hex.Id, base64.Id);
        Assert.Matches("^[0-9a-f]{8}$", hex.Id);
        Assert.DoesNotContain(hex.Id, TestKeys.A, StringComparison.Ordinal); // the id is derived, not a slice of the key
    }

    public static TheoryData<string> MalformedKeys => new()
    {
        "too-short-passphrase",                       // the Node peer zero-pads this; we refuse it
        new string('a', 63),                          // one hex character short
        new string('a', 66),
        new string('g', 64),                          // 64 characters, not hex
        Convert.ToBase64String(new byte[16]),         // base64 of 16 bytes
        Convert.ToBase64String(new byte[33]),
    };

    [Theory]
    [MemberData(nameof(MalformedKeys))]
    public void A_malformed_key_fails_at_startup_naming_the_setting_and_the_rule_but_never_the_key(string key)
    {
        using var services = Services(o => o.Encryption.Key = key);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<ISessionStore>());

        Assert.Contains("McpSessions:Encryption:Key (STORAGE_ENCRYPTION_KEY) must be a 256-bit key: 64 hex characters or base64 of 32 bytes", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_old_key_is_named_by_its_position()
    {
        using var services = Services(o =>
        {
            o.Encryption.Key = TestKeys.A;
            o.Encryption.OldKeys.Add(TestKeys.B);
            o.Encryption.OldKeys.Add("nope");
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<ISessionStore>());

        Assert.Contains("McpSessions:Encryption:OldKeys (STORAGE_ENCRYPTION_OLD_KEYS)[1] must be a 256-bit key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_key_is_a_startup_error_that_says_how_to_fix_it()
    {
        using var services = Services(_ => { });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<ISessionStore>());

        Assert.Contains("No encryption key is configured", error.Message, StringComparison.Ordinal);
        Assert.Contains("mcp-sessions keygen", error.Message, StringComparison.Ordinal);
        Assert.Contains("McpSessions:Encryption:AllowPlaintext", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Allowed_plaintext_runs_with_exactly_one_warning()
    {
        var logs = new ListLoggerProvider();
        var collection = new ServiceCollection();
        collection.AddLogging(b => b.AddProvider(logs));
        collection.AddMcpSessions(o =>
        {
            o.Provider = SessionStorageProvider.Memory;
            o.Encryption.AllowPlaintext = true;
        });
        await using var services = collection.BuildServiceProvider();
        var store = services.GetRequiredService<ISessionStore>();

        for (var i = 0; i < 3; i++)
        {
            await store.CreateAsync(new McpSession { SessionId = $"p-{i}", Identity = "a", ServerUrl = "https://x.example/", CallbackUrl = "https://y.example/", Tokens = new() { AccessToken = "t" } });
            Assert.Equal("t", (await store.GetAsync("a", $"p-{i}"))!.Tokens!.AccessToken);
        }

        Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("clear text", StringComparison.Ordinal));
    }

    [Fact]
    public void The_seed_environment_names_supply_the_keys()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["STORAGE_ENCRYPTION_KEY"] = TestKeys.A,
            ["STORAGE_ENCRYPTION_OLD_KEYS"] = $" {TestKeys.B} , {TestKeys.C}",
            ["McpSessions:Provider"] = "memory",
            ["McpSessions:Encryption:Format"] = "McpTsCompatible",
        }).Build();
        using var services = new ServiceCollection().AddMcpSessions(configuration).Services.BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<McpSessionsOptions>>().Value;

        Assert.Equal(TestKeys.A, options.Encryption.Key);
        Assert.Equal([TestKeys.B, TestKeys.C], options.Encryption.OldKeys);
        Assert.Equal(EncryptionFormat.McpTsCompatible, options.Encryption.Format);
    }

    [Fact]
    public async Task No_secret_appears_in_any_log_line_even_at_trace_level_and_on_failures()
    {
        var logs = new ListLoggerProvider();
        var collection = new ServiceCollection();
        collection.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        collection.AddMcpSessions(o =>
        {
            o.Provider = SessionStorageProvider.Memory;
            o.Encryption.Key = TestKeys.A;
        });
        await using var services = collection.BuildServiceProvider();
        var store = services.GetRequiredService<ISessionStore>();

        await store.CreateAsync(new McpSession
        {
            SessionId = "logged-1",
            Identity = "alice",
            ServerUrl = "https://x.example/",
            CallbackUrl = "https://y.example/",
            Tokens = new() { AccessToken = "AccessSecret123", RefreshToken = "RefreshSecret123" },
            Headers = new() { ["X-Key"] = "HeaderSecret123" },
            CodeVerifier = "VerifierSecret123",
        });
        await store.UpdateAsync("alice", "logged-1", new SessionUpdate { Tokens = new() { AccessToken = "AccessSecret456" }, Active = true });
        await store.GetAsync("alice", "logged-1");
        await store.ListAsync("alice");
        await services.GetRequiredService<ISessionReencryptor>().ReencryptAsync();
        await store.CleanupExpiredAsync();

        Assert.NotEmpty(logs.Entries);
        Assert.Contains(logs.Entries, e => e.Category.StartsWith("Microsoft.EntityFrameworkCore.Database.Command", StringComparison.Ordinal));
        Assert.All(logs.Entries, e =>
        {
            Assert.DoesNotContain("Secret123", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("Secret456", e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void ToString_of_a_session_and_its_oauth_objects_redacts_every_secret()
    {
        var session = new McpSession
        {
            SessionId = "s-1",
            Identity = "alice",
            Tokens = new() { AccessToken = "AccessSecret123", RefreshToken = "RefreshSecret123" },
            ClientInformation = new() { ClientSecret = "ClientSecret123" },
            Headers = new() { ["X-Key"] = "HeaderSecret123" },
            CodeVerifier = "VerifierSecret123",
        };

        foreach (var text in new[] { session.ToString(), session.Tokens.ToString()!, session.ClientInformation.ToString()!, new SessionUpdate { Tokens = session.Tokens, CodeVerifier = "VerifierSecret123" }.ToString() })
        {
            Assert.DoesNotContain("Secret123", text, StringComparison.Ordinal);
        }

        Assert.Contains("s-1", session.ToString(), StringComparison.Ordinal);
        Assert.Contains("Tokens = [redacted]", session.ToString(), StringComparison.Ordinal);
    }

    private static ServiceProvider Services(Action<McpSessionsOptions> configure) =>
        new ServiceCollection().AddMcpSessions(o =>
        {
            o.Provider = SessionStorageProvider.Memory;
            configure(o);
        }).Services.BuildServiceProvider();
}
