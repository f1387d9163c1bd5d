using Npgsql;

namespace McpSessions.EF.Locking;

/// <summary>
/// A PostgreSQL transaction-scoped advisory lock (<c>pg_try_advisory_xact_lock</c>) in a transaction of its own, on a
/// connection of its own, held until the hold is disposed (rolled back). Nothing outlives the transaction: no session
/// lock, no setting, so it holds and leaves nothing behind through a transaction-mode pooler (PgBouncer, Supabase's
/// pooler on port 6543) as well as on a direct connection. If the holder dies, its connection closes, the transaction
/// ends and PostgreSQL releases the lock. A busy lock is retried in short transactions, with a growing delay up to
/// 50 ms, so a waiter never keeps a pooled server connection while it waits.
/// </summary>
internal static class PostgresSessionLock
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(50);

    public static async Task<IAsyncDisposable> AcquireAsync(NpgsqlConnection connection, long key, TimeSpan timeout, TimeProvider time, Func<Exception> onTimeout, CancellationToken cancellationToken)
    {
        var deadline = time.GetTimestamp() + (long)(timeout.TotalSeconds * time.TimestampFrequency);
        var delay = TimeSpan.FromMilliseconds(1);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock($1)", connection);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = key });
            while (true)
            {
                // Npgsql sends BEGIN with the SELECT: one round trip per attempt.
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
                    {
                        return new Hold(connection, transaction);
                    }
                }
                catch
                {
                    await transaction.DisposeAsync().ConfigureAwait(false);
                    throw;
                }

                await transaction.DisposeAsync().ConfigureAwait(false);
                var remaining = TimeSpan.FromSeconds((deadline - time.GetTimestamp()) / (double)time.TimestampFrequency);
                if (remaining <= TimeSpan.Zero)
                {
                    throw onTimeout();
                }

                await Task.Delay(delay < remaining ? delay : remaining, time, cancellationToken).ConfigureAwait(false);
                delay = delay * 2 < MaxDelay ? delay * 2 : MaxDelay;
            }
        }
        catch (Exception e)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            PostgresPoolerErrors.ThrowIfRefused(e);
            throw;
        }
    }

    private sealed class Hold(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
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
                // Ending the transaction releases the lock; the connection goes back to the pool with nothing open.
                await transaction.RollbackAsync().ConfigureAwait(false);
            }
            catch (DbException)
            {
                // The connection is gone, and with it the transaction and the lock.
            }
            finally
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
