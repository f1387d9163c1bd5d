using System.Data.Common;
using Npgsql;

namespace McpSessions.EF.Locking;

/// <summary>
/// A PostgreSQL session-level advisory lock on a connection of its own, held until the hold is disposed. If the
/// holder dies, its connection closes and PostgreSQL releases the lock. The wait is bounded by <c>lock_timeout</c>.
/// </summary>
internal static class PostgresSessionLock
{
    public static async Task<IAsyncDisposable> AcquireAsync(NpgsqlConnection connection, long key, TimeSpan timeout, Func<Exception> onTimeout, CancellationToken cancellationToken)
    {
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (var limit = new NpgsqlCommand($"SET lock_timeout = {Math.Max(1, (long)timeout.TotalMilliseconds)}", connection))
            {
                await limit.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var command = new NpgsqlCommand("SELECT pg_advisory_lock($1)", connection))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = key });
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return new Hold(connection, key);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw onTimeout();
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private sealed class Hold(NpgsqlConnection connection, long key) : IAsyncDisposable
    {
        private int _released;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
            {
                return;
            }

            try
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection);
                command.Parameters.Add(new NpgsqlParameter { Value = key });
                await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            catch (DbException)
            {
                // The connection is gone, and with it the lock.
            }
            finally
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
