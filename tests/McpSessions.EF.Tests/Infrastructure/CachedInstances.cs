using McpSessions.EF.Caching;
using McpSessions.EF.DependencyInjection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// Instances of the application on one database of <paramref name="fixture"/>, on real time, each with the cache tier
/// over a <see cref="Microsoft.Extensions.Caching.StackExchangeRedis.RedisCache"/> and connection of its own, under one
/// key prefix of the shared Redis that is deleted afterwards.
/// </summary>
public sealed class CachedInstances(SessionStoreFixture fixture) : IAsyncDisposable
{
    private readonly List<ServiceProvider> _instances = [];

    public string Prefix { get; } = $"mcpsessions-test:{Guid.NewGuid():N}:";

    /// <summary>
    /// An instance whose cache tier reaches Redis at <paramref name="redis"/> and spends at most
    /// <paramref name="operationTimeout"/> on a cache call (its Redis client's timeouts set to match).
    /// </summary>
    public ServiceProvider Start(string redis, TimeSpan operationTimeout, Action<SessionCacheOptions>? configure = null, Action<McpSessionsBuilder>? build = null)
    {
        var provider = fixture.BuildServices(fixture.ConnectionString, clock: TimeProvider.System, build: builder =>
        {
            builder.Services.AddSingleton<IDistributedCache>(_ => TestRedis.Cache(redis, (int)operationTimeout.TotalMilliseconds));
            builder.AddDistributedCache(o =>
            {
                o.Prefix = Prefix;
                o.OperationTimeout = operationTimeout;
                configure?.Invoke(o);
            });
            build?.Invoke(builder);
        });
        _instances.Add(provider);
        return provider;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        await TestRedis.DeleteKeysAsync(TestServers.Redis, Prefix);
    }
}
