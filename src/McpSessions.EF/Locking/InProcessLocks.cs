using System.Collections.Concurrent;

namespace McpSessions.EF.Locking;

/// <summary>Per-key locks inside one process, for a database that only one process can reach (in-memory SQLite).</summary>
internal sealed class InProcessLocks
{
    private readonly ConcurrentDictionary<long, SemaphoreSlim> _locks = new();

    public async Task<IAsyncDisposable> AcquireAsync(long key, TimeSpan timeout, Func<Exception> onTimeout, CancellationToken cancellationToken)
    {
        var semaphore = _locks.GetOrAdd(key, static _ => new SemaphoreSlim(1, 1));
        if (!await semaphore.WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
        {
            throw onTimeout();
        }

        return new Hold(semaphore);
    }

    private sealed class Hold(SemaphoreSlim semaphore) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }

            return ValueTask.CompletedTask;
        }
    }
}
