using McpSessions.EF.Locking;
using Npgsql;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// A minimal cross-instance <see cref="ISessionLock"/> for the tests until the provider's own lands (the operations
/// work): a PostgreSQL session-level advisory lock, keyed by a 64-bit hash of identity and session id, on a dedicated
/// unpooled connection held until the hold is disposed (the lock dies with the connection).
/// </summary>
public sealed class PostgresAdvisorySessionLock(string connectionString) : ISessionLock
{
    private readonly string _connectionString = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    public async Task<IAsyncDisposable> AcquireAsync(string identity, string sessionId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var key = identity + "\n" + sessionId;
        var connection = new NpgsqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using (var limit = new NpgsqlCommand($"SET lock_timeout = {(long)Math.Ceiling(timeout.TotalMilliseconds)}", connection))
            {
                await limit.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var command = new NpgsqlCommand("SELECT pg_advisory_lock(hashtextextended(@key, 0))", connection);
            command.Parameters.AddWithValue("key", key);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return new Hold(connection, key);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            await connection.DisposeAsync();
            throw new SessionLockTimeoutException(identity, sessionId, timeout);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class Hold(NpgsqlConnection connection, string key) : IAsyncDisposable
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
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtextextended(@key, 0))", connection);
                command.Parameters.AddWithValue("key", key);
                await command.ExecuteNonQueryAsync();
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }
}
