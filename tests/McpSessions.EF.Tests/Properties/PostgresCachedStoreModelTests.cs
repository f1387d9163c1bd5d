using McpSessions.EF.Caching;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Properties;

/// <summary>
/// The model-based store test with the Redis cache tier on: PostgreSQL behind the shared Redis, under a key prefix of
/// this class's own (removed afterwards), so a stale or resurrected cache entry shows as a disagreement with the model.
/// </summary>
public sealed class PostgresCachedStoreModelTests(PostgresFixture fixture, ITestOutputHelper output) : StoreModelSpecification<PostgresFixture>(fixture, output)
{
    private readonly string _prefix = $"mcpsessions-test:{Guid.NewGuid():N}:";
    private RedisCache? _cache;

    protected override void ConfigureStore(McpSessionsBuilder builder)
    {
        var tier = new SessionCacheOptions { OperationTimeout = TimeSpan.FromSeconds(5) };
        _cache = TestRedis.Cache(TestServers.Redis, (int)tier.OperationTimeout.TotalMilliseconds);
        builder.Services.AddSingleton<IDistributedCache>(_cache);
        builder.AddDistributedCache(o =>
        {
            o.Prefix = _prefix;
            o.OperationTimeout = tier.OperationTimeout;
        });
    }

    public override async Task DisposeAsync()
    {
        _cache?.Dispose();
        await TestRedis.DeleteKeysAsync(TestServers.Redis, _prefix);
    }
}
