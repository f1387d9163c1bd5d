using Microsoft.Extensions.Caching.StackExchangeRedis;
using StackExchange.Redis;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// Redis as a host should connect to it for the cache tier: the <see cref="ConfigurationOptions"/> (the README gives
/// them verbatim), a <see cref="RedisCache"/> on them, and a raw connection for tests that inspect keys. Also compiled
/// into the benchmarks.
/// </summary>
public static class TestRedis
{
    /// <summary>
    /// Options under which a Redis that is down or gone costs a store call no more than the cache tier's default
    /// <c>OperationTimeout</c> (250 ms), and the client reconnects by itself when it is back. The tier's budget bounds
    /// every call anyway; these make the client give up as soon as the tier does, and fail at once rather than
    /// queue while it has no connection, so an outage does not pile up commands.
    /// </summary>
    public static ConfigurationOptions Options(string endpoint, int operationTimeoutMs = 250) => new()
    {
        EndPoints = { endpoint },
        AbortOnConnectFail = false,             // start, and keep running, while Redis is down; reconnect in the background
        BacklogPolicy = BacklogPolicy.FailFast, // no connection: fail a command at once instead of queueing it
        ConnectTimeout = 1000,                  // one connect attempt (a cold first connect included) may take this long
        ConnectRetry = 1,                       // ... and is not repeated in the foreground; reconnects are in the background
        AsyncTimeout = operationTimeoutMs,      // the tier's OperationTimeout: a reply later than this is not waited for
        SyncTimeout = operationTimeoutMs,
        KeepAlive = 1,                          // seconds: ping an idle connection every second, so a dead one shows soon
    };

    /// <summary>
    /// A <see cref="RedisCache"/> with a connection of its own to <paramref name="endpoint"/>, made on first use, whose
    /// client timeouts match the cache tier's <c>OperationTimeout</c> (<paramref name="operationTimeoutMs"/>).
    /// </summary>
    public static RedisCache Cache(string endpoint, int operationTimeoutMs = 250) =>
        new(Microsoft.Extensions.Options.Options.Create(new RedisCacheOptions { ConfigurationOptions = Options(endpoint, operationTimeoutMs) }));

    /// <summary>
    /// A raw connection to <paramref name="endpoint"/>, for reading and changing keys behind the cache. Unlike a host's
    /// cache connection it is connected when returned and queues rather than fails a command while (re)connecting, and
    /// waits up to 10 s: a test's own look at Redis must not fail because the machine is busy.
    /// </summary>
    public static ConnectionMultiplexer Connect(string endpoint)
    {
        var options = Options(endpoint, operationTimeoutMs: 10_000);
        options.AbortOnConnectFail = true;
        options.BacklogPolicy = BacklogPolicy.Default;
        options.ConnectTimeout = 10_000;
        return ConnectionMultiplexer.Connect(options);
    }

    /// <summary>
    /// The value a <see cref="RedisCache"/> stores under <paramref name="key"/>: it keeps an entry as a hash whose
    /// <c>data</c> field holds the bytes (beside <c>absexp</c> and <c>sldexp</c>), and expires the whole hash.
    /// </summary>
    public static async Task<byte[]?> ReadValueAsync(IDatabase database, RedisKey key) => await database.HashGetAsync(key, "data");

    /// <summary>Deletes every key under <paramref name="prefix"/> on <paramref name="endpoint"/>: tests never flush a shared Redis.</summary>
    public static async Task DeleteKeysAsync(string endpoint, string prefix)
    {
        using var redis = Connect(endpoint);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        foreach (var key in server.Keys(pattern: prefix + "*", pageSize: 500).ToList())
        {
            await redis.GetDatabase().KeyDeleteAsync(key);
        }
    }
}
