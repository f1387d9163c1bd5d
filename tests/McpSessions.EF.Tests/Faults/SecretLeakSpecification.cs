using System.Text.Json;
using System.Text.Json.Nodes;
using McpSessions.EF.Caching;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Encryption;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace McpSessions.EF.Tests.Faults;

/// <summary>
/// SPEC §5 and §6: no secret in clear text anywhere a host could see it, on every failure path. Each test plants
/// distinctive secrets (access, refresh and id tokens, a client secret, a header value, a PKCE verifier), drives one
/// failure, and hands everything to a <see cref="SecretWitness"/>: every log line of every category at
/// <see cref="LogLevel.Trace"/> (EF Core's with <c>EnableSensitiveDataLogging</c> and detailed errors on, so parameter
/// values are logged; they are ciphertext for the secret columns), every exception with its inner ones, and every
/// metric tag. Run per provider and per way of reaching the database by subclassing.
/// </summary>
/// <remarks>
/// Sensitive data logging (EF) and parameter logging (Npgsql, in <see cref="PostgresHostContextSecretLeakTests"/>) are
/// on on purpose: they are the most a host can turn on, they print every parameter value, and the secrets must still
/// not show, because what the store sends for a secret column is ciphertext.
/// </remarks>
public abstract class SecretLeakSpecification<TFixture>(TFixture fixture) : IClassFixture<TFixture>, IAsyncLifetime
    where TFixture : SessionStoreFixture
{
    private readonly List<IAsyncDisposable> _owned = [];

    protected TFixture Fixture { get; } = fixture;

    protected SecretWitness Witness { get; } = new();

    public async Task InitializeAsync() => await Fixture.Store.ClearAllAsync(); // and the schema is migrated

    public async Task DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }

        Witness.Dispose();
    }

    /// <summary>A connection string of this provider whose database cannot be reached, with <paramref name="password"/> where the provider takes one.</summary>
    protected abstract string UnreachableConnectionString(string password);

    /// <summary>
    /// Registers the store on <paramref name="connectionString"/> with <paramref name="key"/>, logging to the witness
    /// at Trace with sensitive data logging on. By default on the library's own context.
    /// </summary>
    protected virtual McpSessionsBuilder AddStore(IServiceCollection services, string connectionString, string key)
    {
        var builder = services.AddMcpSessions(o =>
        {
            o.Provider = Fixture.Provider;
            o.ConnectionString = connectionString;
            o.Encryption.Key = key;
            o.CleanupEnabled = false;
            o.AutoMigrate = true;
        });
        services.ConfigureDbContext<SessionsDbContext>(b => b.EnableSensitiveDataLogging().EnableDetailedErrors());
        return builder;
    }

    protected ServiceProvider Services(string? connectionString = null, string key = TestKeys.A, Action<McpSessionsBuilder>? build = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.ClearProviders().AddProvider(Witness).SetMinimumLevel(LogLevel.Trace));
        services.AddMetrics();
        var builder = AddStore(services, connectionString ?? Fixture.ConnectionString, key);
        build?.Invoke(builder);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _owned.Add(provider);
        return provider;
    }

    protected ISessionStore Store(string? connectionString = null, string key = TestKeys.A) =>
        Services(connectionString, key).GetRequiredService<ISessionStore>();

    /// <summary>A valid session of alice holding every secret of the witness.</summary>
    protected McpSession SecretSession(string? sessionId = null) => new()
    {
        SessionId = sessionId ?? $"leak-{Guid.NewGuid():N}",
        Identity = "alice",
        ServerUrl = "https://mcp.example.com/mcp",
        CallbackUrl = "https://app.example.com/oauth/callback",
        TransportType = McpTransportType.StreamableHttp,
        Active = true,
        Tokens = SecretTokens(),
        ClientInformation = new OAuthClientInformation { ClientId = "client-1", ClientSecret = Witness.ClientSecret },
        Headers = new() { ["Authorization"] = "Bearer " + Witness.HeaderValue },
        CodeVerifier = Witness.CodeVerifier,
    };

    protected OAuthTokens SecretTokens() => new()
    {
        AccessToken = Witness.AccessToken,
        RefreshToken = Witness.RefreshToken,
        IdToken = Witness.IdToken,
        TokenType = "Bearer",
        ExpiresIn = 3600,
    };

    /// <summary>Asserts the store read back every planted secret (the failure under test did not simply lose them) and nothing leaked.</summary>
    private void AssertHoldsTheSecrets(McpSession? read)
    {
        Assert.NotNull(read);
        Assert.Equal(Witness.AccessToken, read.Tokens?.AccessToken);
        Assert.Equal(Witness.ClientSecret, read.ClientInformation?.ClientSecret);
        Assert.Equal("Bearer " + Witness.HeaderValue, read.Headers?["Authorization"]);
        Assert.Equal(Witness.CodeVerifier, read.CodeVerifier);
    }

    [Fact]
    public async Task The_watch_sees_the_commands_with_their_parameter_values_and_no_secret_in_them()
    {
        var store = Store();
        var session = await store.CreateAsync(SecretSession());
        await store.UpdateAsync("alice", session.SessionId, new SessionUpdate { Tokens = SecretTokens(), CodeVerifier = Witness.CodeVerifier });
        AssertHoldsTheSecrets(await store.GetAsync("alice", session.SessionId));
        await store.ListAsync("alice");

        // Sensitive data logging is on: the commands' logs print the parameter values, the secret columns' ciphertext among them.
        Assert.Contains(Witness.LogLines, l => l.Contains("Microsoft.EntityFrameworkCore.Database.Command", StringComparison.Ordinal) && l.Contains("enc:2:", StringComparison.Ordinal));
        Witness.AssertNoSecret();
    }

    [Fact]
    public async Task A_wrong_key_leaks_no_secret()
    {
        var session = await Store().CreateAsync(SecretSession());
        var wrong = Store(key: TestKeys.C);

        var get = await Witness.FailsAsync("get with the wrong key", () => wrong.GetAsync("alice", session.SessionId));
        await Witness.FailsAsync("list with the wrong key", () => wrong.ListAsync("alice"));
        await Witness.TryAsync("update with the wrong key", () => wrong.UpdateAsync("alice", session.SessionId, new SessionUpdate { Active = false }));

        Assert.IsType<SecretDecryptionException>(get);
        Assert.Contains(Witness.Tags, t => t.Contains("error.type=SecretDecryptionException", StringComparison.Ordinal));
        Witness.AssertNoSecret();
    }

    [Theory]
    [InlineData("tokens")]
    [InlineData("headers")]
    [InlineData("client_information")]
    [InlineData("code_verifier")]
    public async Task A_tampered_value_in_a_secret_column_leaks_no_secret(string column)
    {
        var store = Store();
        var session = await store.CreateAsync(SecretSession());
        var raw = (await Fixture.ReadRawRowAsync(session.SessionId))[column]!;
        var json = column != "code_verifier";
        var envelope = json ? JsonSerializer.Deserialize<string>(raw)! : raw;
        Assert.StartsWith("enc:2:", envelope, StringComparison.Ordinal);
        await Fixture.SetRawAsync(session.SessionId, column, json ? JsonSerializer.Serialize(Tamper(envelope)) : Tamper(envelope));

        var get = await Witness.FailsAsync($"get of a tampered {column}", () => store.GetAsync("alice", session.SessionId));
        await Witness.FailsAsync($"list with a tampered {column}", () => store.ListAsync("alice"));
        await Witness.TryAsync($"update of a session with a tampered {column}", () => store.UpdateAsync("alice", session.SessionId, new SessionUpdate { Tokens = SecretTokens() }));

        Assert.Equal(column, Assert.IsType<SecretDecryptionException>(get).Column);
        Witness.AssertNoSecret();
    }

    [Fact]
    public async Task A_tampered_cache_entry_leaks_no_secret_and_the_database_answers()
    {
        var prefix = $"mcpsessions-leak:{Guid.NewGuid():N}:";
        var redisCache = TestRedis.Cache(TestServers.Redis, operationTimeoutMs: 5000);
        using var redis = TestRedis.Connect(TestServers.Redis);
        try
        {
            var services = Services(build: b =>
            {
                b.Services.AddSingleton<IDistributedCache>(redisCache);
                b.AddDistributedCache(o =>
                {
                    o.Prefix = prefix;
                    o.OperationTimeout = TimeSpan.FromSeconds(5);
                });
            });
            var store = services.GetRequiredService<ISessionStore>();
            var session = await store.CreateAsync(SecretSession());
            AssertHoldsTheSecrets(await store.GetAsync("alice", session.SessionId)); // fills the entry
            var key = $"{prefix}alice:{session.SessionId}";
            var entry = JsonNode.Parse((byte[])(await TestRedis.ReadValueAsync(redis.GetDatabase(), key))!)!.AsObject();
            foreach (var member in new[] { "t", "h", "ci", "cv" })
            {
                var envelope = (string)entry[member]!;
                Assert.DoesNotContain(Witness.Secrets, envelope.Contains);
                entry[member] = Tamper(envelope);
            }

            await redis.GetDatabase().HashSetAsync(key, "data", JsonSerializer.SerializeToUtf8Bytes(entry));

            AssertHoldsTheSecrets(await store.GetAsync("alice", session.SessionId));
            Assert.Contains(Witness.LogLines, l => l.Contains("[1306]", StringComparison.Ordinal)); // the tier saw the tampered entry
            Witness.AssertNoSecret();
        }
        finally
        {
            await TestRedis.DeleteKeysAsync(TestServers.Redis, prefix);
            redisCache.Dispose();
        }
    }

    [Fact]
    public async Task A_cache_that_cannot_be_reached_leaks_no_secret()
    {
        var redisCache = TestRedis.Cache("127.0.0.1:1");
        try
        {
            var store = Services(build: b =>
            {
                b.Services.AddSingleton<IDistributedCache>(redisCache);
                b.AddDistributedCache(o => o.FailureThreshold = 1000);
            }).GetRequiredService<ISessionStore>();

            var session = await store.CreateAsync(SecretSession());
            await store.UpdateAsync("alice", session.SessionId, new SessionUpdate { Tokens = SecretTokens() });
            AssertHoldsTheSecrets(await store.GetAsync("alice", session.SessionId));

            Assert.Contains(Witness.LogLines, l => l.Contains("McpSessions.EF.Caching[1301]", StringComparison.Ordinal) || l.Contains("McpSessions.EF.Caching[1302]", StringComparison.Ordinal));
            Witness.AssertNoSecret();
        }
        finally
        {
            redisCache.Dispose();
        }
    }

    [Fact]
    public async Task A_database_that_cannot_be_reached_leaks_no_secret_nor_a_password()
    {
        var store = Store(UnreachableConnectionString(Witness.Password));

        await Witness.FailsAsync("create on an unreachable database", () => store.CreateAsync(SecretSession()));
        await Witness.FailsAsync("update on an unreachable database", () => store.UpdateAsync("alice", "unreachable-1", new SessionUpdate { Tokens = SecretTokens(), CodeVerifier = Witness.CodeVerifier }));
        await Witness.FailsAsync("get on an unreachable database", () => store.GetAsync("alice", "unreachable-1"));

        Witness.AssertNoSecret();
    }

    [Fact]
    public async Task A_unique_violation_leaks_no_secret_also_under_a_race()
    {
        var store = Store();
        var session = await store.CreateAsync(SecretSession());

        var again = await Witness.FailsAsync("create of an existing id", () => store.CreateAsync(SecretSession(session.SessionId)));

        var racers = Enumerable.Range(0, 8).Select(_ => Store()).ToList();
        var raced = $"race-{Guid.NewGuid():N}";
        var outcomes = await Task.WhenAll(racers.Select((s, i) => Witness.TryAsync($"racer {i}", () => s.CreateAsync(SecretSession(raced)))));

        Assert.IsType<SessionAlreadyExistsException>(again);
        Assert.Equal(1, outcomes.Count(won => won));
        Witness.AssertNoSecret();
    }

    [Fact]
    public async Task A_validation_error_on_a_member_next_to_a_secret_leaks_no_secret()
    {
        var store = Store();
        var session = await store.CreateAsync(SecretSession());
        var badUrl = SecretSession();
        badUrl.ServerUrl = "ftp://" + Witness.HeaderValue;
        var badHeader = SecretSession();
        badHeader.Headers = new() { ["Authorization"] = $"Bearer {Witness.HeaderValue}\r\nX-Injected: {Witness.AccessToken}" };

        await Witness.FailsAsync("create with a bad server URL", () => store.CreateAsync(badUrl));
        var header = await Witness.FailsAsync("create with a header value holding CR LF", () => store.CreateAsync(badHeader));
        await Witness.FailsAsync("update with a bad callback URL beside new tokens", () => store.UpdateAsync("alice", session.SessionId, new SessionUpdate { Tokens = SecretTokens(), CallbackUrl = "not a uri" }));
        await Witness.FailsAsync("update with a header value holding NUL", () => store.UpdateAsync("alice", session.SessionId, new SessionUpdate { Headers = new() { ["X-Key"] = Witness.HeaderValue + "\0" } }));

        Assert.Equal("Headers", Assert.IsType<SessionValidationException>(header).Field);
        AssertHoldsTheSecrets(await store.GetAsync("alice", session.SessionId)); // nothing was written
        Witness.AssertNoSecret();
    }

    [Fact]
    public async Task The_witness_catches_a_secret_logged_thrown_or_tagged_on_purpose()
    {
        var services = Services();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Microsoft.EntityFrameworkCore.Database.Command");
        var store = services.GetRequiredService<ISessionStore>();
        await store.CreateAsync(SecretSession());
        Witness.AssertNoSecret(); // clean so far

        // A truncated echo: 12 characters from the middle of the refresh token, in a structured value at Trace.
#pragma warning disable CA1848, CA1873, CA2254 // a deliberate leak, written the way careless code would
        logger.LogTrace("refresh {Value}", Witness.RefreshToken.Substring(5, SecretWitness.Piece));
#pragma warning restore CA1848, CA1873, CA2254
        var logged = Witness.Findings();
        Assert.Contains(logged, f => f.StartsWith("log Microsoft.EntityFrameworkCore.Database.Command", StringComparison.Ordinal));
        Assert.Throws<Xunit.Sdk.XunitException>(Witness.AssertNoSecret);

        using var other = new SecretWitness();
        await other.FailsAsync("a careless wrapper", () => Task.FromException(new InvalidOperationException("failed", new FormatException($"bad value {other.ClientSecret}"))));
        Assert.Contains(other.Findings(), f => f.Contains("FormatException.Message", StringComparison.Ordinal));

        using var tagged = new SecretWitness();
        using var meter = new System.Diagnostics.Metrics.Meter("McpSessions.EF");
        meter.CreateCounter<long>("mcp_sessions.careless").Add(1, new KeyValuePair<string, object?>("token", tagged.AccessToken[^14..]));
        Assert.Contains(tagged.Findings(), f => f.StartsWith("metric tag", StringComparison.Ordinal));

        using var printed = new SecretWitness();
        printed.Saw("a process's stderr", $"error: header {printed.HeaderValue[..SecretWitness.Piece]}…");
        Assert.Single(printed.Findings());
    }

    /// <summary>The <c>enc:2</c> envelope with one base64url character of its tag changed: it no longer authenticates.</summary>
    protected static string Tamper(string envelope)
    {
        var at = envelope.Length - 10;
        return envelope[..at] + (envelope[at] == 'A' ? 'B' : 'A') + envelope[(at + 1)..];
    }
}
