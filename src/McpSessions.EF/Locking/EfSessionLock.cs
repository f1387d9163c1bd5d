using System.Diagnostics;
using McpSessions.EF.Diagnostics;
using McpSessions.EF.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace McpSessions.EF.Locking;

/// <summary>
/// <see cref="ISessionLock"/> on the store's database: a PostgreSQL transaction-scoped advisory lock, or a lock file
/// beside a SQLite file (an in-memory SQLite database lives in one process, so an in-process lock serves it).
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
    /// Waiters of this process queue in memory (exact timeouts, no polling); the first then takes the lock across
    /// processes: a PostgreSQL advisory lock on a connection of its own, or a lock file beside a SQLite file.
    /// </summary>
    private async Task<IAsyncDisposable> AcquireCoreAsync(long key, TimeSpan timeout, Func<Exception> onTimeout, CancellationToken cancellationToken)
    {
        NpgsqlConnection? postgres = null;
        string? lockDirectory = null;
        await using (var lease = contexts.Rent())
        {
            switch (lease.Context.Database.GetDbConnection())
            {
                case NpgsqlConnection connection:
                    // A connection of the context's own data source and settings (through a pooler if the store's is).
                    postgres = connection.CloneWith(connection.ConnectionString);
                    break;
                case SqliteConnection { DataSource: var file } sqlite when !IsInMemory(sqlite):
                    lockDirectory = Path.GetFullPath(file) + ".locks";
                    break;
            }
        }

        var started = time.GetTimestamp();
        IAsyncDisposable local;
        try
        {
            local = await _inProcess.AcquireAsync(key, timeout, onTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (postgres is not null)
            {
                await postgres.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        if (postgres is null && lockDirectory is null)
        {
            return local;
        }

        try
        {
            var remaining = timeout - time.GetElapsedTime(started);
            remaining = remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
            var shared = postgres is not null
                ? await PostgresSessionLock.AcquireAsync(postgres, key, remaining, time, onTimeout, cancellationToken).ConfigureAwait(false)
                : await SqliteFileSessionLock.AcquireAsync(lockDirectory!, key, remaining, time, onTimeout, cancellationToken).ConfigureAwait(false);
            return new Both(shared, local);
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
