using McpSessions.EF.Locking;
using Microsoft.Extensions.Logging;

namespace McpSessions.EF.ModelContextProtocol.Locking;

/// <summary>
/// FALLBACK, registered only when no <see cref="ISessionLock"/> is: a lock per session shared by everything in this
/// process (every service provider), and nothing more. It is NOT a lock across processes or machines: two instances of
/// an application can then both refresh the same session. Register the provider's session lock (an advisory lock on
/// PostgreSQL, a lock file on SQLite) for several instances; it wins over this one.
/// </summary>
internal sealed partial class InProcessSessionLockFallback(ILogger<InProcessSessionLockFallback> logger) : ISessionLock
{
    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.Ordinal);
    private static int s_warned;

    public async Task<IAsyncDisposable> AcquireAsync(string identity, string sessionId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(identity);
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        if (Interlocked.Exchange(ref s_warned, 1) == 0)
        {
            NotCrossProcess(logger);
        }

        // Identities have no control characters, so a newline cannot occur inside either part.
        var key = identity + "\n" + sessionId;
        Entry entry;
        lock (Entries)
        {
            if (!Entries.TryGetValue(key, out entry!))
            {
                Entries[key] = entry = new Entry();
            }

            entry.Users++;
        }

        try
        {
            if (!await entry.Gate.WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
            {
                throw new SessionLockTimeoutException(identity, sessionId, timeout);
            }
        }
        catch
        {
            Leave(key, entry);
            throw;
        }

        return new Hold(key, entry);
    }

    private static void Leave(string key, Entry entry)
    {
        lock (Entries)
        {
            if (--entry.Users == 0)
            {
                Entries.Remove(key);
            }
        }
    }

    [LoggerMessage(EventId = 8301, Level = LogLevel.Warning, Message = "No ISessionLock is registered: OAuth token refreshes are single-flight within this process only. Register the provider's session lock when several instances share the database.")]
    private static partial void NotCrossProcess(ILogger logger);

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public int Users { get; set; }
    }

    private sealed class Hold(string key, Entry entry) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                entry.Gate.Release();
                Leave(key, entry);
            }

            return ValueTask.CompletedTask;
        }
    }
}
