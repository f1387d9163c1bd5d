using System.Diagnostics;
using System.Runtime.CompilerServices;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;

namespace McpSessions.EF.Diagnostics;

/// <summary>
/// Records each store operation's duration and the session counters, around the real store. Each call is written out
/// (no closure, no delegate): this wrapper is on every call's hot path.
/// </summary>
internal sealed class InstrumentedSessionStore(ISessionStore inner, SessionMetrics metrics) : ISessionStore
{
    public string GenerateSessionId() => inner.GenerateSessionId();

    public async Task<McpSession> CreateAsync(McpSession session, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        McpSession created;
        try
        {
            created = await inner.CreateAsync(session, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            metrics.Operation("create", start, e);
            throw;
        }

        metrics.Operation("create", start, null);
        metrics.Created(created.Active);
        return created;
    }

    public async Task UpdateAsync(string identity, string sessionId, SessionUpdate update, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await inner.UpdateAsync(identity, sessionId, update, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            metrics.Operation("update", start, e);
            throw;
        }

        metrics.Operation("update", start, null);
        if (update.IsSet(SessionFields.Active) && update.Active)
        {
            metrics.Activated();
        }
    }

    public async Task TouchAsync(string identity, string sessionId, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await inner.TouchAsync(identity, sessionId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            metrics.Operation("touch", start, e);
            throw;
        }

        metrics.Operation("touch", start, null);
    }

    public async Task<McpSession?> GetAsync(string identity, string sessionId, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            var session = await inner.GetAsync(identity, sessionId, cancellationToken).ConfigureAwait(false);
            metrics.Operation("get", start, null);
            return session;
        }
        catch (Exception e)
        {
            metrics.Operation("get", start, e);
            throw;
        }
    }

    public async Task<IReadOnlyList<McpSession>> ListAsync(string identity, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            var sessions = await inner.ListAsync(identity, cancellationToken).ConfigureAwait(false);
            metrics.Operation("list", start, null);
            return sessions;
        }
        catch (Exception e)
        {
            metrics.Operation("list", start, e);
            throw;
        }
    }

    public async Task<IReadOnlyList<string>> ListIdsAsync(string identity, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            var ids = await inner.ListIdsAsync(identity, cancellationToken).ConfigureAwait(false);
            metrics.Operation("list_ids", start, null);
            return ids;
        }
        catch (Exception e)
        {
            metrics.Operation("list_ids", start, e);
            throw;
        }
    }

    public async Task<bool> DeleteAsync(string identity, string sessionId, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            var deleted = await inner.DeleteAsync(identity, sessionId, cancellationToken).ConfigureAwait(false);
            metrics.Operation("delete", start, null);
            return deleted;
        }
        catch (Exception e)
        {
            metrics.Operation("delete", start, e);
            throw;
        }
    }

    public async IAsyncEnumerable<string> ListAllIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        Exception? error = null;
        await using var ids = inner.ListAllIdsAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await ids.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception e)
                {
                    error = e;
                    throw;
                }

                yield return ids.Current;
            }
        }
        finally
        {
            metrics.Operation("list_all_ids", start, error);
        }
    }

    public async Task<int> ClearAllAsync(CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            var cleared = await inner.ClearAllAsync(cancellationToken).ConfigureAwait(false);
            metrics.Operation("clear_all", start, null);
            return cleared;
        }
        catch (Exception e)
        {
            metrics.Operation("clear_all", start, e);
            throw;
        }
    }

    public async Task<int> CleanupExpiredAsync(CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        int removed;
        try
        {
            removed = await inner.CleanupExpiredAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            metrics.Operation("cleanup", start, e);
            throw;
        }

        metrics.Operation("cleanup", start, null);
        metrics.CleanedUp(removed);
        return removed;
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
