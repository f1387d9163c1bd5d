namespace McpSessions.EF.Locking;

/// <summary>
/// A single-flight lock for one session across every instance of the application: on PostgreSQL an advisory lock
/// (released if the holder's connection dies), on SQLite a lock file beside the database (released if the holder's
/// process dies). Typical use: only one instance refreshes a session's OAuth tokens at a time, and the others wait,
/// then read the new tokens.
/// </summary>
public interface ISessionLock
{
    /// <summary>
    /// Waits until this caller holds the lock of <paramref name="sessionId"/> of <paramref name="identity"/>, and returns
    /// the hold; disposing it releases the lock.
    /// </summary>
    /// <exception cref="SessionLockTimeoutException">The lock was not free within <paramref name="timeout"/>.</exception>
    Task<IAsyncDisposable> AcquireAsync(string identity, string sessionId, TimeSpan timeout, CancellationToken cancellationToken = default);
}
