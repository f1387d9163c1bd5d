using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// Sits between the cache tier and the database store: counts the database reads, and adds up the time spent in the
/// database, so a test can tell a call's cache time from its database time.
/// </summary>
public sealed class ProbeSessionStore(ISessionStore inner) : ISessionStore
{
    private long _databaseTicks;
    private int _gets;

    /// <summary>GetAsync calls that reached the database.</summary>
    public int DatabaseGets => Volatile.Read(ref _gets);

    /// <summary>The time spent in the database store so far, all calls together.</summary>
    public TimeSpan DatabaseTime => TimeSpan.FromTicks(Interlocked.Read(ref _databaseTicks));

    /// <summary>Registers a probe under the store registered so far (call it before AddDistributedCache).</summary>
    public static void Insert(McpSessionsBuilder builder, Action<ProbeSessionStore> created)
    {
        var services = builder.Services;
        var descriptor = services.Last(d => d.ServiceType == typeof(ISessionStore));
        services[services.IndexOf(descriptor)] = ServiceDescriptor.Singleton<ISessionStore>(sp =>
        {
            var probe = new ProbeSessionStore((ISessionStore)descriptor.ImplementationFactory!(sp));
            created(probe);
            return probe;
        });
    }

    public string GenerateSessionId() => inner.GenerateSessionId();

    public Task<McpSession> CreateAsync(McpSession session, CancellationToken cancellationToken = default) => Timed(() => inner.CreateAsync(session, cancellationToken));

    public Task UpdateAsync(string identity, string sessionId, SessionUpdate update, CancellationToken cancellationToken = default) =>
        Timed(async () => { await inner.UpdateAsync(identity, sessionId, update, cancellationToken); return 0; });

    public Task TouchAsync(string identity, string sessionId, CancellationToken cancellationToken = default) =>
        Timed(async () => { await inner.TouchAsync(identity, sessionId, cancellationToken); return 0; });

    public Task<McpSession?> GetAsync(string identity, string sessionId, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _gets);
        return Timed(() => inner.GetAsync(identity, sessionId, cancellationToken));
    }

    public Task<IReadOnlyList<McpSession>> ListAsync(string identity, CancellationToken cancellationToken = default) => Timed(() => inner.ListAsync(identity, cancellationToken));

    public Task<IReadOnlyList<string>> ListIdsAsync(string identity, CancellationToken cancellationToken = default) => Timed(() => inner.ListIdsAsync(identity, cancellationToken));

    public Task<bool> DeleteAsync(string identity, string sessionId, CancellationToken cancellationToken = default) => Timed(() => inner.DeleteAsync(identity, sessionId, cancellationToken));

    public IAsyncEnumerable<string> ListAllIdsAsync(CancellationToken cancellationToken = default) => inner.ListAllIdsAsync(cancellationToken);

    public Task<int> ClearAllAsync(CancellationToken cancellationToken = default) => Timed(() => inner.ClearAllAsync(cancellationToken));

    public Task<int> CleanupExpiredAsync(CancellationToken cancellationToken = default) => Timed(() => inner.CleanupExpiredAsync(cancellationToken));

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private async Task<T> Timed<T>(Func<Task<T>> call)
    {
        var start = TimeProvider.System.GetTimestamp();
        try
        {
            return await call();
        }
        finally
        {
            Interlocked.Add(ref _databaseTicks, TimeProvider.System.GetElapsedTime(start).Ticks);
        }
    }
}
