using Microsoft.Extensions.Caching.Distributed;
using StackExchange.Redis;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// A minimal <see cref="IDistributedCache"/> over StackExchange.Redis 1.2.6, the test-side stand-in for
/// Microsoft.Extensions.Caching.StackExchangeRedis, which needs StackExchange.Redis 2.x and does not restore from the
/// feed (ENVIRONMENT.md workaround 3; delete this once it does). Plain SET with an expiry, GET and DEL: the cache tier
/// uses absolute expirations only, so sliding expiration is refused rather than faked. Also compiled into the
/// benchmarks.
/// </summary>
public sealed class RedisDistributedCache(IDatabase database) : IDistributedCache
{
    /// <summary>
    /// Connects to <paramref name="endpoint"/> (<c>host:port</c>) so that a server that goes away fails commands at
    /// once instead of stalling them, and is reconnected to in the background when it returns.
    /// </summary>
    public static ConnectionMultiplexer Connect(string endpoint)
    {
        var options = ConfigurationOptions.Parse(endpoint);
        options.AbortOnConnectFail = false; // start, and keep going, while the server is down; reconnect by itself
        options.ConnectTimeout = 2000;
        options.SyncTimeout = 2000;
        options.ConnectRetry = 1;
        options.KeepAlive = 1;
        var connection = ConnectionMultiplexer.Connect(options);
        return connection;
    }

    public byte[]? Get(string key) => database.StringGet(key);

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default) => await database.StringGetAsync(key);

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => database.StringSet(key, value, Expiry(options));

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        database.StringSetAsync(key, value, Expiry(options));

    public void Refresh(string key)
    {
    }

    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    public void Remove(string key) => database.KeyDelete(key);

    public Task RemoveAsync(string key, CancellationToken token = default) => database.KeyDeleteAsync(key);

    private static TimeSpan? Expiry(DistributedCacheEntryOptions options)
    {
        if (options.SlidingExpiration is not null)
        {
            throw new NotSupportedException("This test adapter supports absolute expirations only.");
        }

        return options.AbsoluteExpirationRelativeToNow
            ?? (options.AbsoluteExpiration is { } at ? at - TimeProvider.System.GetUtcNow() : null);
    }
}
