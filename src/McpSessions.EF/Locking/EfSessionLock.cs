using System.Diagnostics;
using McpSessions.EF.Diagnostics;
using McpSessions.EF.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace McpSessions.EF.Locking;

/// <summary>
/// <see cref="ISessionLock"/> on the store's database: a PostgreSQL advisory lock, or a lock file beside a SQLite
/// file (an in-memory SQLite database lives in one process, so an in-process lock serves it).
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
            IAsyncDisposable hold;
            await using (var lease = contexts.Rent())
            {
                hold = lease.Context.Database.GetDbConnection() switch
                {
                    NpgsqlConnection postgres => await PostgresSessionLock.AcquireAsync(postgres.CloneWith(postgres.ConnectionString), key, timeout, onTimeout, cancellationToken).ConfigureAwait(false),
                    SqliteConnection { DataSource: var file } sqlite when !IsInMemory(sqlite) =>
                        await AcquireFileLockAsync(Path.GetFullPath(file) + ".locks", key, timeout, onTimeout, cancellationToken).ConfigureAwait(false),
                    _ => await _inProcess.AcquireAsync(key, timeout, onTimeout, cancellationToken).ConfigureAwait(false),
                };
            }

            metrics.LockWait(Stopwatch.GetElapsedTime(started), acquired: true);
            return hold;
        }
        catch (SessionLockTimeoutException)
        {
            metrics.LockWait(Stopwatch.GetElapsedTime(started), acquired: false);
            throw;
        }
    }

    /// <summary>Waiters of this process queue in memory (exact timeouts, no polling), then take the cross-process file lock.</summary>
    private async Task<IAsyncDisposable> AcquireFileLockAsync(string directory, long key, TimeSpan timeout, Func<Exception> onTimeout, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var local = await _inProcess.AcquireAsync(key, timeout, onTimeout, cancellationToken).ConfigureAwait(false);
        try
        {
            var remaining = timeout - time.GetElapsedTime(started);
            var file = await SqliteFileSessionLock.AcquireAsync(directory, key, remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, time, onTimeout, cancellationToken).ConfigureAwait(false);
            return new Both(file, local);
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

    private static bool IsInMemory(SqliteConnection connection)
    {
        var builder = new SqliteConnectionStringBuilder(connection.ConnectionString);
        return builder.Mode == SqliteOpenMode.Memory || builder.DataSource is ":memory:" or "";
    }
}
