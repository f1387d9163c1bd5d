using McpSessions.EF.Caching;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>
/// The library as an application uses it: <c>AddMcpSessions</c> with its defaults (a 600 s pending window), resolved
/// <see cref="ISessionStore"/>, optionally behind the cache tier over RedisCache (<c>AddStackExchangeRedisCache</c>).
/// Every secret is encrypted (enc:2).
/// </summary>
internal sealed class StoreOperations : ISessionOperations
{
    private readonly ServiceProvider _services;
    private readonly ISessionStore _store;
    private readonly BenchPayload _payload;

    private StoreOperations(ServiceProvider services, BenchPayload payload)
    {
        _services = services;
        _store = services.GetRequiredService<ISessionStore>();
        _payload = payload;
    }

    public string Name => "library";

    public ISessionStore Store => _store;

    /// <param name="redis">
    /// With a connection, the store sits behind the cache tier, on a RedisCache over this connection (keys under
    /// <paramref name="cachePrefix"/>). Disposing the store disposes the RedisCache, which closes the connection.
    /// </param>
    /// <param name="configure">More settings, after the benchmark's own.</param>
    public static async Task<StoreOperations> CreateAsync(
        SessionStorageProvider provider,
        string connectionString,
        BenchPayload payload,
        Action<McpSessionsOptions>? configure = null,
        ConnectionMultiplexer? redis = null,
        string cachePrefix = "")
    {
        var services = new ServiceCollection();
        var builder = services.AddMcpSessions(o =>
        {
            o.Provider = provider;
            o.ConnectionString = connectionString;
            o.AutoMigrate = true;
            o.CleanupEnabled = false;
            o.PendingTtl = TimeSpan.FromSeconds(600);
            o.Encryption.Key = payload.KeyHex;
            configure?.Invoke(o);
        });
        if (redis is not null)
        {
            services.AddStackExchangeRedisCache(o => o.ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(redis));
            builder.AddDistributedCache(o => o.Prefix = cachePrefix);
        }

        var operations = new StoreOperations(services.BuildServiceProvider(), payload);

        // Migrates (AutoMigrate) and warms the model, outside any measurement.
        _ = await operations._store.GetAsync("warm-up", "warm-up");
        return operations;
    }

    public Task CreateAsync(Workload work, int i) => _store.CreateAsync(new McpSession
    {
        SessionId = work.SessionId(i),
        Identity = work.IdentityOf(i),
        ServerUrl = BenchPayload.ServerUrl,
        CallbackUrl = BenchPayload.CallbackUrl,
        ServerName = BenchPayload.ServerName,
        ServerId = BenchPayload.ServerId,
        TransportType = McpTransportType.StreamableHttp,
        Headers = _payload.Headers,
        ClientInformation = _payload.ClientInformation,
        CodeVerifier = _payload.CodeVerifier,
        ClientId = _payload.ClientInformation.ClientId,
    });

    public async Task GetAsync(Workload work, int i)
    {
        var session = await _store.GetAsync(work.IdentityOf(i), work.SessionId(i));
        if (session?.ClientInformation is null)
        {
            throw new InvalidOperationException($"get: session {work.SessionId(i)} was not returned whole");
        }
    }

    public Task UpdateAsync(Workload work, int i) =>
        _store.UpdateAsync(work.IdentityOf(i), work.SessionId(i), new SessionUpdate { Tokens = _payload.Tokens, Active = true });

    public async Task ListAsync(Workload work, int identity)
    {
        var sessions = await _store.ListAsync(work.Identity(identity));
        Check.Count("list", sessions.Count, work.PerIdentity(identity));
    }

    public async Task ListIdsAsync(Workload work, int identity)
    {
        var ids = await _store.ListIdsAsync(work.Identity(identity));
        Check.Count("list ids", ids.Count, work.PerIdentity(identity));
    }

    public async Task<long> ListAllIdsAsync()
    {
        long count = 0;
        await foreach (var _ in _store.ListAllIdsAsync())
        {
            count++;
        }

        return count;
    }

    public async Task DeleteAsync(Workload work, int i)
    {
        if (!await _store.DeleteAsync(work.IdentityOf(i), work.SessionId(i)))
        {
            throw new InvalidOperationException($"delete: session {work.SessionId(i)} was not there");
        }
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
