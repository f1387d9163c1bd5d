using BenchmarkDotNet.Attributes;
using McpSessions.EF.Benchmarks.Macro;
using McpSessions.EF.Caching;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Encryption;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StackExchange.Redis;

namespace McpSessions.EF.Benchmarks;

/// <summary>
/// <see cref="ISessionStore.GetAsync"/> of one session with realistic secrets (a ~2 KB token response, client
/// registration, headers, PKCE verifier; all encrypted) from PostgreSQL, and answered from the Redis cache tier. Both
/// decrypt the four secrets (a hit parses them when first read, as a read from the database does); the hit also reads its tag. The cache tier runs over RedisCache
/// (Microsoft.Extensions.Caching.StackExchangeRedis), on the same connection as the raw baselines. Servers from
/// MCPSESSIONS_TEST_POSTGRES and MCPSESSIONS_TEST_REDIS (scripts/test.sh starts them); a fresh database and key prefix,
/// removed afterwards.
/// </summary>
/// <remarks><c>dotnet run -c Release --project tests/McpSessions.EF.Benchmarks -- --filter '*Cache*'</c></remarks>
[MemoryDiagnoser]
public class CacheBenchmarks
{
    private readonly string _prefix = $"mcpsessions-bench:{Guid.NewGuid():N}:";
    private readonly string _databaseName = $"mcps_bench_{Guid.NewGuid():N}";
    private ServiceProvider _databaseServices = null!;
    private ServiceProvider _cacheServices = null!;
    private ConnectionMultiplexer _redis = null!;
    private ISessionStore _database = null!;
    private ISessionStore _cached = null!;
    private Microsoft.Extensions.Caching.Distributed.IDistributedCache _distributed = null!;
    private string _sessionId = "";
    private string _entryKey = "";
    private SessionCacheCodec _codec = null!;
    private byte[] _entry = [];

    // Synchronous on purpose: the in-process toolchain (--inProcess) does not wait for an asynchronous one.
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        var admin = Required("MCPSESSIONS_TEST_POSTGRES");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_databaseName}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = _databaseName }.ConnectionString;
        var key = EncryptionKey.Generate();
        _redis = TestRedis.Connect(Required("MCPSESSIONS_TEST_REDIS"));
        _databaseServices = Services(connectionString, key, cached: false);
        _cacheServices = Services(connectionString, key, cached: true);
        _database = _databaseServices.GetRequiredService<ISessionStore>();
        _cached = _cacheServices.GetRequiredService<ISessionStore>();
        _distributed = _cacheServices.GetRequiredService<Microsoft.Extensions.Caching.Distributed.IDistributedCache>();

        var session = await _database.CreateAsync(new McpSession
        {
            SessionId = _database.GenerateSessionId(),
            Identity = "user-1234",
            ServerUrl = "https://mcp.example.com/mcp",
            CallbackUrl = "https://app.example.com/oauth/callback",
            ServerName = "Example MCP",
            Active = true,
            Tokens = BenchPayload.RealisticTokens(),
            ClientInformation = new OAuthClientInformation { ClientId = "client-1234", ClientSecret = Convert.ToBase64String(new byte[32]) },
            Headers = new() { ["X-Api-Key"] = "api-key-value-0123456789" },
            CodeVerifier = new string('v', 64),
        });
        _sessionId = session.SessionId;
        _entryKey = $"{_prefix}user-1234:{_sessionId}";
        _codec = new SessionCacheCodec(_databaseServices.GetRequiredService<SessionKeyRing>());
        _entry = _codec.Encode((await _database.GetAsync("user-1234", _sessionId))!, "generation-tag-00000000", "epoch-tag-000000000000000");

        // Fill, then check that a hit is what is measured.
        await _cached.GetAsync("user-1234", _sessionId);
        if (await _cached.GetAsync("user-1234", _sessionId) is null || await TestRedis.ReadValueAsync(_redis.GetDatabase(), _entryKey) is null)
        {
            throw new InvalidOperationException("the session is not in the cache");
        }
    }

    /// <summary>
    /// The raw floor of a hit: one round trip reading the entry through the same connection, with the command
    /// RedisCache.GetAsync sends (it keeps an entry as a hash): HMGET key absexp sldexp data.
    /// </summary>
    [Benchmark(Description = "raw Redis HMGET of the entry")]
    public Task<RedisValue[]> Raw_HMGET() => RedisOperations.ReadEntryAsync(_redis.GetDatabase(), _entryKey);

    /// <summary>
    /// What a hit reads: the entry and its generation tag, two HMGETs at once (one round trip). The epoch tag is read
    /// beside them only once per EpochRefresh per instance.
    /// </summary>
    [Benchmark(Description = "raw Redis HMGET x2 at once (entry, generation)")]
    public Task<RedisValue[][]> Raw_two_HMGETs()
    {
        var database = _redis.GetDatabase();
        return Task.WhenAll(RedisOperations.ReadEntryAsync(database, _entryKey), RedisOperations.ReadEntryAsync(database, _entryKey + "#gen"));
    }

    /// <summary>The same reads through the interface the tier uses: what RedisCache adds to the raw HMGETs.</summary>
    [Benchmark(Description = "IDistributedCache (RedisCache) GetAsync of the entry")]
    public Task<byte[]?> RedisCache_Get() => _distributed.GetAsync(_entryKey);

    [Benchmark(Description = "IDistributedCache (RedisCache) GetAsync x2 at once (entry, generation)")]
    public Task<byte[]?[]> RedisCache_two_Gets() => Task.WhenAll(_distributed.GetAsync(_entryKey), _distributed.GetAsync(_entryKey + "#gen"));

    [Benchmark(Baseline = true, Description = "Get from PostgreSQL")]
    public Task<McpSession?> Database_Get() => _database.GetAsync("user-1234", _sessionId);

    [Benchmark(Description = "Get, cache hit (Redis)")]
    public Task<McpSession?> Cache_hit_Get() => _cached.GetAsync("user-1234", _sessionId);

    /// <summary>The CPU part of a hit, no Redis: parse the entry, check its tags, decrypt the four secrets.</summary>
    [Benchmark(Description = "Decode a cache entry (no I/O)")]
    public McpSession? Decode_entry() => _codec.Decode(_entry, "user-1234", _sessionId, "generation-tag-00000000", "epoch-tag-000000000000000");

    // Synchronous on purpose: the in-process toolchain (--inProcess) does not wait for an asynchronous one.
    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    private async Task CleanupAsync()
    {
        var server = _redis.GetServer(_redis.GetEndPoints()[0]);
        foreach (var key in server.Keys(pattern: _prefix + "*"))
        {
            await _redis.GetDatabase().KeyDeleteAsync(key);
        }

        await _cacheServices.DisposeAsync(); // and RedisCache with it, which closes the shared connection
        await _databaseServices.DisposeAsync();
        _redis.Dispose();
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Required("MCPSESSIONS_TEST_POSTGRES"));
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_databaseName}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private ServiceProvider Services(string connectionString, string key, bool cached)
    {
        var services = new ServiceCollection();
        var builder = services.AddMcpSessions(o =>
        {
            o.Provider = SessionStorageProvider.Postgres;
            o.ConnectionString = connectionString;
            o.AutoMigrate = true;
            o.CleanupEnabled = false;
            o.Encryption.Key = key;
        });
        if (cached)
        {
            services.AddStackExchangeRedisCache(o => o.ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(_redis));
            builder.AddDistributedCache(o => o.Prefix = _prefix);
        }

        return services.BuildServiceProvider();
    }

    private static string Required(string variable) => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException($"{variable} is not set: run the servers (scripts/test.sh starts them) and set it.");
}
