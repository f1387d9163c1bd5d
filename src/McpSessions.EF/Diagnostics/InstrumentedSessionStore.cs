using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace McpSessions.EF.Diagnostics;

/// <summary>
/// Records each store operation's duration and the session counters, around the real store. The calls pass their
/// arguments as state to static lambdas: no closure is allocated on a call's hot path.
/// </summary>
internal sealed class InstrumentedSessionStore(ISessionStore inner, SessionMetrics metrics) : ISessionStore
{
    public string GenerateSessionId() => inner.GenerateSessionId();

    public async Task<McpSession> CreateAsync(McpSession session, CancellationToken cancellationToken = default)
    {
        var created = await MeasureAsync("create", (session, cancellationToken), static (s, a) => s.CreateAsync(a.session, a.cancellationToken)).ConfigureAwait(false);
        metrics.Created(created.Active);
        return created;
    }

    public async Task UpdateAsync(string identity, string sessionId, SessionUpdate update, CancellationToken cancellationToken = default)
    {
        await MeasureAsync("update", (identity, sessionId, update, cancellationToken), static (s, a) => Done(s.UpdateAsync(a.identity, a.sessionId, a.update, a.cancellationToken))).ConfigureAwait(false);
        if (update.IsSet(SessionFields.Active) && update.Active)
        {
            metrics.Activated();
        }
    }

    public Task TouchAsync(string identity, string sessionId, CancellationToken cancellationToken = default) =>
        MeasureAsync("touch", (identity, sessionId, cancellationToken), static (s, a) => Done(s.TouchAsync(a.identity, a.sessionId, a.cancellationToken)));

    public Task<McpSession?> GetAsync(string identity, string sessionId, CancellationToken cancellationToken = default) =>
        MeasureAsync("get", (identity, sessionId, cancellationToken), static (s, a) => s.GetAsync(a.identity, a.sessionId, a.cancellationToken));

    public Task<IReadOnlyList<McpSession>> ListAsync(string identity, CancellationToken cancellationToken = default) =>
        MeasureAsync("list", (identity, cancellationToken), static (s, a) => s.ListAsync(a.identity, a.cancellationToken));

    public Task<IReadOnlyList<string>> ListIdsAsync(string identity, CancellationToken cancellationToken = default) =>
        MeasureAsync("list_ids", (identity, cancellationToken), static (s, a) => s.ListIdsAsync(a.identity, a.cancellationToken));

    public Task<bool> DeleteAsync(string identity, string sessionId, CancellationToken cancellationToken = default) =>
        MeasureAsync("delete", (identity, sessionId, cancellationToken), static (s, a) => s.DeleteAsync(a.identity, a.sessionId, a.cancellationToken));

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
        MeasureAsync("clear_all", cancellationToken, static (s, ct) => s.ClearAllAsync(ct));

    public async Task<int> CleanupExpiredAsync(CancellationToken cancellationToken = default)
    {
        var removed = await MeasureAsync("cleanup", cancellationToken, static (s, ct) => s.CleanupExpiredAsync(ct)).ConfigureAwait(false);
        metrics.CleanedUp(removed);
        return removed;
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private static async Task<bool> Done(Task call)
    {
        await call.ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Runs <paramref name="call"/> on the inner store and records its duration and outcome as <paramref name="operation"/>.
    /// A call that completed synchronously (a SQLite read) is recorded and its task returned as it is: no state machine.
    /// </summary>
    private Task<T> MeasureAsync<TArgs, T>(string operation, TArgs args, Func<ISessionStore, TArgs, Task<T>> call)
    {
        var start = Stopwatch.GetTimestamp();
        Task<T> task;
        try
        {
            task = call(inner, args);
        }
        catch (Exception e)
        {
            task = Task.FromException<T>(e); // awaited below, so it ends as an async method's throw would (cancelled, or faulted)
        }

        if (task.IsCompletedSuccessfully)
        {
            metrics.Operation(operation, start, null);
            return task;
        }

        return AwaitAsync(task, operation, start);
    }

    private async Task<T> AwaitAsync<T>(Task<T> task, string operation, long start)
    {
        try
        {
            var result = await task.ConfigureAwait(false);
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
