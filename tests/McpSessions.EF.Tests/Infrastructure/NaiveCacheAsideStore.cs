using System.Text.Json;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using Microsoft.Extensions.Caching.Distributed;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// The textbook cache-aside that the cache tier must not be: read the entry, on a miss read the database and fill;
/// on a write, write the database and then delete the entry. It has the classic race (a fill of the old row landing
/// after the delete), and exists only to show that the coherence test catches that race. Clear text, test data only.
/// </summary>
public sealed class NaiveCacheAsideStore(ISessionStore inner, IDistributedCache cache, string prefix) : ISessionStore
{
    public string GenerateSessionId() => inner.GenerateSessionId();

    public async Task<McpSession> CreateAsync(McpSession session, CancellationToken cancellationToken = default)
    {
        var created = await inner.CreateAsync(session, cancellationToken);
        await cache.RemoveAsync(Key(session.Identity, session.SessionId), cancellationToken);
        return created;
    }

    public async Task UpdateAsync(string identity, string sessionId, SessionUpdate update, CancellationToken cancellationToken = default)
    {
        await inner.UpdateAsync(identity, sessionId, update, cancellationToken);
        await cache.RemoveAsync(Key(identity, sessionId), cancellationToken);
    }

    public async Task TouchAsync(string identity, string sessionId, CancellationToken cancellationToken = default)
    {
        await inner.TouchAsync(identity, sessionId, cancellationToken);
        await cache.RemoveAsync(Key(identity, sessionId), cancellationToken);
    }

    public async Task<McpSession?> GetAsync(string identity, string sessionId, CancellationToken cancellationToken = default)
    {
        if (await cache.GetAsync(Key(identity, sessionId), cancellationToken) is { } bytes)
        {
            return JsonSerializer.Deserialize<McpSession>(bytes);
        }

        var session = await inner.GetAsync(identity, sessionId, cancellationToken);
        if (session is not null)
        {
            await cache.SetAsync(Key(identity, sessionId), JsonSerializer.SerializeToUtf8Bytes(session), new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) }, cancellationToken);
        }

        return session;
    }

    public async Task<bool> DeleteAsync(string identity, string sessionId, CancellationToken cancellationToken = default)
    {
        var deleted = await inner.DeleteAsync(identity, sessionId, cancellationToken);
        await cache.RemoveAsync(Key(identity, sessionId), cancellationToken);
        return deleted;
    }

    public Task<IReadOnlyList<McpSession>> ListAsync(string identity, CancellationToken cancellationToken = default) => inner.ListAsync(identity, cancellationToken);

    public Task<IReadOnlyList<string>> ListIdsAsync(string identity, CancellationToken cancellationToken = default) => inner.ListIdsAsync(identity, cancellationToken);

    public IAsyncEnumerable<string> ListAllIdsAsync(CancellationToken cancellationToken = default) => inner.ListAllIdsAsync(cancellationToken);

    public Task<int> ClearAllAsync(CancellationToken cancellationToken = default) => inner.ClearAllAsync(cancellationToken);

    public Task<int> CleanupExpiredAsync(CancellationToken cancellationToken = default) => inner.CleanupExpiredAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private string Key(string identity, string sessionId) => $"{prefix}{identity}:{sessionId}";
}
