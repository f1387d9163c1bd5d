using BenchmarkDotNet.Attributes;
using McpSessions.EF.Benchmarks.Macro;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Encryption;
using McpSessions.EF.Model;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using StackExchange.Redis;

namespace McpSessions.EF.Benchmarks;

/// <summary>
/// The library's hot paths, through its public API only (<c>AddMcpSessions</c>, resolved <c>ISessionStore</c>), so they
/// measure the same thing whatever the store, the materializer, the encryption or the cache tier look like inside:
/// a SQLite get of one session, a SQLite list of an identity's 20 sessions, and a get answered by the cache tier over
/// RedisCache (Microsoft.Extensions.Caching.StackExchangeRedis) on a real Redis, from MCPSESSIONS_TEST_REDIS. The
/// sessions are as in the macro harness: active, with realistic encrypted secrets (a ~2 KB token response among them).
/// A short run, with allocations (the targets of issue 17 include allocated KB per get).
/// </summary>
/// <remarks>
/// <c>./scripts/bench.sh --micro '*Hot*'</c> starts Redis and runs them; or, with MCPSESSIONS_TEST_REDIS set,
/// <c>dotnet run -c Release --project tests/McpSessions.EF.Benchmarks -- --filter '*Hot*'</c>. The same paths beside
/// raw baselines: <see cref="StoreBenchmarks"/>, <see cref="CacheBenchmarks"/>.
/// </remarks>
[MemoryDiagnoser]
[ShortRunJob]
public class HotPathBenchmarks
{
    private const int Sessions = 100;
    private const int Identities = 5; // so a list returns 20

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpsessions-bench-").FullName;
    private readonly string _prefix = $"mcpsessions-bench:{Guid.NewGuid():N}:";
    private readonly Workload _stored = new("hot", Sessions, Identities);
    private readonly Workload _cachedWork = new("hot-cached", Sessions, Identities);
    private StoreOperations _sqlite = null!;
    private StoreOperations _cached = null!;
    private ConnectionMultiplexer _redis = null!;
    private int _next;

    // Synchronous on purpose: the in-process toolchain (--inProcess) does not wait for an asynchronous one.
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        var payload = new BenchPayload(EncryptionKey.Generate());
        var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_directory, "hot.db") }.ConnectionString;
        _sqlite = await StoreOperations.CreateAsync(SessionStorageProvider.Sqlite, connectionString, payload);
        _redis = TestRedis.Connect(BenchEnvironment.Redis);
        _cached = await StoreOperations.CreateAsync(SessionStorageProvider.Sqlite, connectionString, payload, redis: _redis, cachePrefix: _prefix);
        await _stored.FillAsync(_sqlite);
        await _cachedWork.FillAsync(_cached);

        // Fill the cache, then check that every get of a second pass is a hit: a hit is what Cache_hit_get measures.
        using var hits = new CacheHitCounter();
        for (var pass = 0; pass < 2; pass++)
        {
            _ = hits.Take();
            for (var i = 0; i < Sessions; i++)
            {
                await _cached.GetAsync(_cachedWork, i);
            }
        }

        var (hitCount, missCount) = hits.Take();
        if (missCount > 0 || hitCount < Sessions)
        {
            throw new InvalidOperationException($"the cache is not filled: {hitCount} hits and {missCount} misses in a pass over {Sessions} sessions");
        }
    }

    [Benchmark(Description = "SQLite GetAsync (one session)")]
    public Task<McpSession?> Sqlite_get()
    {
        var i = Next();
        return _sqlite.Store.GetAsync(_stored.IdentityOf(i), _stored.SessionId(i));
    }

    [Benchmark(Description = "SQLite ListAsync (20 sessions)")]
    public Task<IReadOnlyList<McpSession>> Sqlite_list() => _sqlite.Store.ListAsync(_stored.Identity(Next() % Identities));

    [Benchmark(Description = "GetAsync, cache hit (RedisCache)")]
    public Task<McpSession?> Cache_hit_get()
    {
        var i = Next();
        return _cached.Store.GetAsync(_cachedWork.IdentityOf(i), _cachedWork.SessionId(i));
    }

    // Synchronous on purpose: the in-process toolchain (--inProcess) does not wait for an asynchronous one.
    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    private async Task CleanupAsync()
    {
        await MacroHarness.ClearAsync(_redis.GetDatabase(), _prefix + "*");
        await _cached.DisposeAsync(); // and RedisCache with it, which closes the connection
        await _sqlite.DisposeAsync();
        _redis.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private int Next() => _next = (_next + 1) % Sessions;
}
