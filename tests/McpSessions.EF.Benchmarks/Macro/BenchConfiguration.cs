using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>
/// One configuration of the harness (<c>sqlite</c>, <c>postgres</c>, <c>postgres+redis</c>): a fresh database, the
/// library on it, and its raw baselines on the same table (and, with the cache tier, on the same Redis connection as
/// the library's RedisCache). With the cache tier, also the library without it on the same database, so a write
/// through the cache can be divided by the same write without it.
/// </summary>
internal sealed class BenchConfiguration : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private ConnectionMultiplexer? _redis;

    private BenchConfiguration(string name) => Name = name;

    public string Name { get; }

    public StoreOperations Library { get; private set; } = null!;

    public IRawOperations Raw { get; private set; } = null!;

    /// <summary>With the cache tier: the library on the same database without it (<c>AddMcpSessions</c> alone).</summary>
    public StoreOperations? Uncached { get; private set; }

    /// <summary>With the cache tier: the Redis connection and the library's key prefix.</summary>
    public IDatabase? Redis => _redis?.GetDatabase();

    public string CachePrefix { get; } = $"mcpsessions-bench:{Guid.NewGuid():N}:";

    /// <summary>
    /// With the cache tier: a RedisCache of its own on the same connection, for a floor that reads through
    /// <see cref="IDistributedCache"/>, the interface the library must use, as the library's own RedisCache does.
    /// </summary>
    public IDistributedCache? DistributedCache => _distributedCache;

    private RedisCache? _distributedCache;

    public static async Task<BenchConfiguration> CreateAsync(string name, MacroOptions options, BenchPayload payload, string workDirectory)
    {
        var configuration = new BenchConfiguration(name);
        try
        {
            await configuration.StartAsync(options, payload, workDirectory);
            return configuration;
        }
        catch
        {
            await configuration.DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync(MacroOptions options, BenchPayload payload, string workDirectory)
    {
        if (Name == "sqlite")
        {
            var path = Path.Combine(workDirectory, $"bench-{Guid.NewGuid():N}.db");
            var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ConnectionString;
            Library = Own(await StoreOperations.CreateAsync(SessionStorageProvider.Sqlite, connectionString, payload, o => o.SqliteSynchronous = options.SqliteSynchronous));
            Raw = Own(new SqliteOperations(path, options.SqliteSynchronous, payload));
            return;
        }

        var database = Own(await PostgresDatabase.CreateAsync(BenchEnvironment.Postgres));
        if (Name == "postgres+redis")
        {
            _redis = TestRedis.Connect(BenchEnvironment.Redis);
            var connection = _redis;
            _distributedCache = new RedisCache(Options.Create(new RedisCacheOptions { ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(connection) }));
        }

        Library = Own(await StoreOperations.CreateAsync(SessionStorageProvider.Postgres, database.ConnectionString, payload, redis: _redis, cachePrefix: CachePrefix));
        if (_redis is not null)
        {
            Uncached = Own(await StoreOperations.CreateAsync(SessionStorageProvider.Postgres, database.ConnectionString, payload));
        }

        Raw = Own(new NpgsqlOperations(database.ConnectionString, payload));
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await MacroHarness.ClearAsync(_redis.GetDatabase(), CachePrefix + "*");
        }

        // Libraries and baselines first, the database last.
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        _distributedCache?.Dispose();
        _redis?.Dispose(); // the library's RedisCache closed it already; this is for a failed start
        SqliteConnection.ClearAllPools();
    }

    private T Own<T>(T resource) where T : IAsyncDisposable
    {
        _owned.Add(resource);
        return resource;
    }
}
