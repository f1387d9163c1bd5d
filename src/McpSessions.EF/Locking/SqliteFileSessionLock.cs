using Microsoft.Data.Sqlite;

namespace McpSessions.EF.Locking;

/// <summary>
/// A lock across processes on one SQLite file: an exclusive transaction (<c>BEGIN EXCLUSIVE</c>) on a small lock
/// database of its own beside the sessions file, one per session key, held on a connection of its own until the hold
/// is disposed. SQLite's POSIX locks work across processes (and between connections of one process), and the
/// operating system drops them when the holder's process dies. Waiting retries with a growing delay up to 50 ms.
/// </summary>
internal static class SqliteFileSessionLock
{
    public static async Task<IAsyncDisposable> AcquireAsync(string directory, long key, TimeSpan timeout, TimeProvider time, Func<Exception> onTimeout, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(directory, $"{(ulong)key:x16}.lock"),
            Pooling = false, // closing must really close, so the lock goes with it
        }.ConnectionString;
        var deadline = time.GetTimestamp() + (long)(timeout.TotalSeconds * time.TimestampFrequency);
        var delay = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            var connection = new SqliteConnection(connectionString);
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using (var begin = connection.CreateCommand())
                {
                    // Microsoft.Data.Sqlite retries a busy statement until the command timeout, in whole seconds
                    // (0 would mean forever): so a wait can overshoot a sub-second timeout by up to a second. Waiters
                    // of one process queue in memory first (EfSessionLock), so this only ever waits on other processes.
                    var remaining = (deadline - time.GetTimestamp()) / (double)time.TimestampFrequency;
                    begin.CommandTimeout = (int)Math.Clamp(Math.Ceiling(remaining), 1, int.MaxValue);
                    begin.CommandText = "BEGIN EXCLUSIVE;";
                    await begin.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                return new Hold(connection);
            }
            catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6) // SQLITE_BUSY, SQLITE_LOCKED
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                if (time.GetTimestamp() >= deadline)
                {
                    throw onTimeout();
                }
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(50, delay.TotalMilliseconds * 2));
        }
    }

    private sealed class Hold(SqliteConnection connection) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => connection.DisposeAsync();
    }
}
