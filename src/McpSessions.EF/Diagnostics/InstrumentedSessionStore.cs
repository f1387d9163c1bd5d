using System.Diagnostics;
using System.Runtime.CompilerServices;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;

namespace McpSessions.EF.Diagnostics;

/// <summary>Records each store operation's duration and the session counters, around the real store.</summary>
internal sealed class InstrumentedSessionStore(ISessionStore inner, SessionMetrics metrics) : ISessionStore
{
    public string GenerateSessionId() => inner.GenerateSessionId();

    public async Task<McpSession> CreateAsync(McpSession session, CancellationToken cancellationToken = default)
    {
        var created = await Measure("create", () => inner.CreateAsync(session, cancellationToken)).ConfigureAwait(false);
        metrics.Created(created.Active);
        return created;
    }

    public async Task UpdateAsync(string identity, string sessionId, SessionUpdate update, CancellationToken cancellationToken = default)
    {
        await Measure("update", async () =>
        {
            await inner.UpdateAsync(identity, sessionId, update, cancellationToken).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
        if (update.IsSet(SessionFields.Active) && update.Active)
        {
            metrics.Activated();
        }
    }

    public Task TouchAsync(string identity, string sessionId, CancellationToken cancellationToken = default) =>
        Measure("touch", async () =>
        {
            await inner.TouchAsync(identity, sessionId, cancellationToken).ConfigureAwait(false);
            return true;
        });

    public Task<McpSession?> GetAsync(string identity, string sessionId, CancellationToken cancellationToken = default) =>
        Measure("get", () => inner.GetAsync(identity, sessionId, cancellationToken));

    public Task<IReadOnlyList<McpSession>> ListAsync(string identity, CancellationToken cancellationToken = default) =>
        Measure("list", () => inner.ListAsync(identity, cancellationToken));

    public Task<IReadOnlyList<string>> ListIdsAsync(string identity, CancellationToken cancellationToken = default) =>
        Measure("list_ids", () => inner.ListIdsAsync(identity, cancellationToken));

    public Task<bool> DeleteAsync(string identity, string sessionId, CancellationToken cancellationToken = default) =>
        Measure("delete", () => inner.DeleteAsync(identity, sessionId, cancellationToken));

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

    public Task<int> ClearAllAsync(CancellationToken cancellationToken = default) =>
        Measure("clear_all", () => inner.ClearAllAsync(cancellationToken));

    public async Task<int> CleanupExpiredAsync(CancellationToken cancellationToken = default)
    {
        var removed = await Measure("cleanup", () => inner.CleanupExpiredAsync(cancellationToken)).ConfigureAwait(false);
        metrics.CleanedUp(removed);
        return removed;
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private async Task<T> Measure<T>(string operation, Func<Task<T>> call)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            var result = await call().ConfigureAwait(false);
            metrics.Operation(operation, start, null);
            return result;
        }
        catch (Exception e)
        {
            metrics.Operation(operation, start, e);
            throw;
        }
    }
}
