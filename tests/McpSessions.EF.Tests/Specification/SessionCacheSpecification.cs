using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpSessions.EF.Caching;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace McpSessions.EF.Tests.Specification;

/// <summary>
/// The cache tier (SPEC §6) against a real Redis, written once and run per provider, like
/// <see cref="SessionStoreSpecification{TFixture}"/>. Each test is its own pair (or more) of store instances: separate
/// service providers sharing the fixture's database, its clock and one Redis server, each with a
/// <see cref="Microsoft.Extensions.Caching.StackExchangeRedis.RedisCache"/> and a connection of its own, under a key
/// prefix of the test's own, so tests running side by side on the shared server never see each other's keys. Nothing is
/// ever flushed.
/// </summary>
public abstract partial class SessionCacheSpecification<TFixture>(TFixture fixture) : IClassFixture<TFixture>, IAsyncLifetime
    where TFixture : SessionStoreFixture
{
    protected const string AccessSecret = "AccessTokenSecretQzx";
    protected const string RefreshSecret = "RefreshTokenSecretWvk";
    protected const string ClientSecret = "ClientSecretValueJpm";
    protected const string HeaderSecret = "HeaderSecretValueYrt";
    protected const string VerifierSecret = "PkceVerifierSecretGhw";
    protected static readonly string[] Secrets = [AccessSecret, RefreshSecret, ClientSecret, HeaderSecret, VerifierSecret];

    private readonly List<Instance> _instances = [];
    private ConnectionMultiplexer? _redis;

    protected TFixture Fixture { get; } = fixture;

    protected ManualTimeProvider Clock => Fixture.Clock;

    /// <summary>This test's key prefix on the shared Redis.</summary>
    protected string Prefix { get; } = $"mcpsessions-test:{Guid.NewGuid():N}:";

    /// <summary>A raw connection of the test's own, to inspect and change keys behind the instances' backs.</summary>
    protected ConnectionMultiplexer Redis => _redis ??= TestRedis.Connect(TestServers.Redis);

    protected IDatabase RedisDatabase => Redis.GetDatabase();

    public async Task InitializeAsync() => await Fixture.Store.ClearAllAsync();

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        if (_redis is not null)
        {
            foreach (var key in RawKeys())
            {
                await RedisDatabase.KeyDeleteAsync(key);
            }

            _redis.Dispose();
        }
    }

    /// <summary>One store instance, as one app instance would have it: its own service provider, cache client and connection.</summary>
    protected sealed class Instance(ServiceProvider services, ProbeSessionStore probe, FaultyDistributedCache cache, IDisposable redisCache, ListLoggerProvider logs) : IAsyncDisposable
    {
        public ISessionStore Store { get; } = services.GetRequiredService<ISessionStore>();

        /// <summary>The database store under the cache: counts database reads and time.</summary>
        public ProbeSessionStore Database { get; } = probe;

        /// <summary>This instance's way to the cache; make it fail to cut this instance off.</summary>
        public FaultyDistributedCache Cache { get; } = cache;

        public CacheMetrics Metrics { get; } = new(services.GetRequiredService<IMeterFactory>());

        public ListLoggerProvider Logs { get; } = logs;

        public int Warnings => Logs.Entries.Count(e => e.Level == LogLevel.Warning && e.Category == "McpSessions.EF.Caching");

        public async ValueTask DisposeAsync()
        {
            Metrics.Dispose();
            await services.DisposeAsync();
            redisCache.Dispose(); // and its connection
        }
    }

    /// <summary>
    /// A new store instance with the cache tier on a <see cref="Microsoft.Extensions.Caching.StackExchangeRedis.RedisCache"/>
    /// of its own, connected on its own to <paramref name="redisEndpoint"/> (default: the shared Redis) with
    /// <see cref="TestRedis.Options"/>, this test's prefix, and a generous operation timeout unless
    /// <paramref name="configure"/> says otherwise.
    /// </summary>
    protected Instance NewInstance(Action<SessionCacheOptions>? configure = null, string? redisEndpoint = null, Action<McpSessionsOptions>? options = null)
    {
        // The tier's budget, and the Redis client's timeouts to match it, as a host would set them (TestRedis.Options).
        var tier = new SessionCacheOptions { OperationTimeout = TimeSpan.FromSeconds(5) }; // timing is the fault tests' subject, not the others'
        configure?.Invoke(tier);
        var redisCache = TestRedis.Cache(redisEndpoint ?? TestServers.Redis, (int)tier.OperationTimeout.TotalMilliseconds);
        var faulty = new FaultyDistributedCache(redisCache);
        var logs = new ListLoggerProvider();
        ProbeSessionStore? probe = null;
        var services = Fixture.BuildServices(Fixture.ConnectionString, options, build: builder =>
        {
            builder.Services.AddSingleton<IDistributedCache>(faulty);
            builder.Services.AddMetrics();
            builder.Services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
            ProbeSessionStore.Insert(builder, p => probe = p);
            builder.AddDistributedCache(o =>
            {
                o.Prefix = Prefix;
                o.OperationTimeout = tier.OperationTimeout;
                configure?.Invoke(o);
            });
        });
        _ = services.GetRequiredService<ISessionStore>(); // builds the probe under it
        var instance = new Instance(services, probe!, faulty, redisCache, logs);
        _instances.Add(instance);
        return instance;
    }

    protected string EntryKey(string identity, string sessionId) => $"{Prefix}{identity}:{sessionId}";

    protected string GenerationKey(string identity, string sessionId) => EntryKey(identity, sessionId) + "#gen";

    protected string EpochKey => Prefix + "#epoch";

    /// <summary>The bytes the cache tier stored under <paramref name="key"/> (the <c>data</c> field of RedisCache's hash).</summary>
    protected Task<byte[]?> RawValueAsync(string key) => TestRedis.ReadValueAsync(RedisDatabase, key);

    /// <summary>This test's keys on the shared Redis (SCAN, never KEYS on the whole server).</summary>
    protected List<RedisKey> RawKeys()
    {
        var server = Redis.GetServer(Redis.GetEndPoints()[0]);
        return server.Keys(pattern: Prefix + "*", pageSize: 500).ToList();
    }

    protected static McpSession NewSession(string identity = "alice", string? sessionId = null, bool active = true) =>
        TestSessions.New(identity, sessionId, active);

    protected static McpSession SecretSession(string identity = "alice", bool active = true)
    {
        var session = NewSession(identity, active: active);
        session.Tokens = Tokens(AccessSecret, RefreshSecret);
        session.ClientInformation = new OAuthClientInformation { ClientId = "client-1", ClientSecret = ClientSecret };
        session.Headers = new() { ["X-Api-Key"] = HeaderSecret };
        session.CodeVerifier = VerifierSecret;
        return session;
    }

    protected static OAuthTokens Tokens(string access, string? refresh = "refresh") => new()
    {
        AccessToken = access,
        TokenType = "Bearer",
        ExpiresIn = 3600,
        RefreshToken = refresh,
        AdditionalProperties = new() { ["issued_token_type"] = JsonSerializer.SerializeToElement("urn:ietf:params:oauth:token-type:access_token") },
    };

    /// <summary>Every member equal, JSON members in any order (jsonb reorders them).</summary>
    protected static void AssertSameSession(McpSession expected, McpSession? actual)
    {
        Assert.NotNull(actual);
        var a = JsonSerializer.SerializeToNode(expected)!.AsObject();
        var b = JsonSerializer.SerializeToNode(actual)!.AsObject();
        Assert.True(JsonNode.DeepEquals(a, b), $"expected {a.ToJsonString()}\n     read {b.ToJsonString()}");
    }
}
