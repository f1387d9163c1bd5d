using System.Diagnostics;

namespace McpSessions.EF.Locking;

/// <summary>
/// <see cref="ISessionLock"/> on the store's database: an in-process lock, then the provider's lock across processes
/// (a PostgreSQL transaction-scoped advisory lock, or a lock file beside a SQLite file).
/// </summary>
internal sealed class EfSessionLock<TContext>(SessionContextSource<TContext> contexts, TimeProvider time, SessionMetrics metrics) : ISessionLock
    where TContext : DbContext
{
    private readonly InProcessLocks _inProcess = new();

    public async Task<IAsyncDisposable> AcquireAsync(string identity, string sessionId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateKey(identity, sessionId);
        if (timeout < TimeSpan.Zero)
        {
            throw new SessionValidationException(nameof(timeout), "must not be negative.");
        }

        var key = SessionLockKey.For(identity, sessionId);
        var started = Stopwatch.GetTimestamp();
        Func<Exception> onTimeout = () => new SessionLockTimeoutException(identity, sessionId, timeout);
        try
        {
            var hold = await AcquireCoreAsync(key, timeout, onTimeout, cancellationToken).ConfigureAwait(false);
            metrics.LockWait(Stopwatch.GetElapsedTime(started), acquired: true);
            return hold;
        }
        catch (SessionLockTimeoutException)
        {
            metrics.LockWait(Stopwatch.GetElapsedTime(started), acquired: false);
            throw;
        }
    }

    /// <summary>
    /// Waiters of this process queue in memory (exact timeouts, no polling); the first then takes the provider's lock
    /// across processes (<see cref="SessionsProvider.SharedLockFor"/>).
    /// </summary>
    private async Task<IAsyncDisposable> AcquireCoreAsync(long key, TimeSpan timeout, Func<Exception> onTimeout, CancellationToken cancellationToken)
    {
        SessionsProvider.SharedLock? shared;
        await using (var lease = contexts.Rent())
        {
            shared = SessionsProvider.For(lease.Context.Database).SharedLockFor(lease.Context.Database.GetDbConnection());
        }

        var started = time.GetTimestamp();
        var local = await _inProcess.AcquireAsync(key, timeout, onTimeout, cancellationToken).ConfigureAwait(false);
        if (shared is null)
        {
            return local;
        }

        try
        {
            var remaining = timeout - time.GetElapsedTime(started);
            return new Both(await shared(key, remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, time, onTimeout, cancellationToken).ConfigureAwait(false), local);
        }
        catch
        {
            await local.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private sealed class Both(IAsyncDisposable first, IAsyncDisposable second) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await first.DisposeAsync().ConfigureAwait(false);
            await second.DisposeAsync().ConfigureAwait(false);
        }
    }
}
