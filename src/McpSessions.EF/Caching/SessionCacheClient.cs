using Microsoft.Extensions.Caching.Distributed;

namespace McpSessions.EF.Caching;

/// <summary>
/// The app's <see cref="IDistributedCache"/> behind a time budget, the circuit breaker and the counters. Its methods
/// never throw a cache failure: they report it (null or false), count it, and feed the breaker. Only the caller's own
/// cancellation propagates.
/// </summary>
internal sealed class SessionCacheClient(
    IDistributedCache cache,
    SessionCacheCircuitBreaker breaker,
    SessionCacheMetrics metrics,
    TimeProvider time,
    TimeSpan operationTimeout,
    ILogger logger)
{
    /// <summary>Starts the cache budget of one store call; a bypassed call is counted here.</summary>
    public CacheBudget Begin()
    {
        var bypassed = !breaker.Admit();
        if (bypassed)
        {
            metrics.Bypassed();
        }

        return new CacheBudget(time, operationTimeout, bypassed);
    }

    /// <summary>Reads <paramref name="keys"/> at once (one round trip on a pipelining client); null when the cache failed.</summary>
    public async Task<byte[]?[]?> GetAsync(string[] keys, CacheBudget budget, CancellationToken cancellationToken)
    {
        if (!budget.Usable)
        {
            return null;
        }

        var reads = new Task<byte[]?>?[keys.Length];
        try
        {
            for (var i = 0; i < keys.Length; i++)
            {
                reads[i] = cache.GetAsync(keys[i], cancellationToken);
            }

            // Awaited one by one rather than through Task.WhenAll: on a pipelining client the later reads have their
            // answers by the time the first has, so only the first wait needs a timer.
            var values = new byte[]?[keys.Length];
            for (var i = 0; i < keys.Length; i++)
            {
                values[i] = await budget.WaitAsync(reads[i]!, cancellationToken).ConfigureAwait(false);
            }

            breaker.Success();
            return values;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Fail(budget, e, reads);
            return null;
        }
    }

    /// <summary>Writes one value; false when the cache failed.</summary>
    public async Task<bool> SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CacheBudget budget, CancellationToken cancellationToken)
    {
        if (!budget.Usable)
        {
            return false;
        }

        Task? write = null;
        try
        {
            write = cache.SetAsync(key, value, options, cancellationToken);
            await budget.WaitAsync(write, cancellationToken).ConfigureAwait(false);
            breaker.Success();
            return true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Fail(budget, e, [write]);
            return false;
        }
    }

    private void Fail(CacheBudget budget, Exception exception, Task?[] operations)
    {
        // An operation we stopped waiting for may still fail later: observe it, so it is not an unobserved exception.
        foreach (var operation in operations)
        {
            if (operation is { IsCompleted: false })
            {
                _ = operation.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        if (!budget.Fail())
        {
            return; // this call's failure is already counted
        }

        metrics.Error();
        if (exception is TimeoutException)
        {
            Log.OperationTimedOut(logger, budget.Limit);
        }
        else
        {
            Log.OperationFailed(logger, exception);
        }

        breaker.Failure(exception is TimeoutException ? null : exception);
    }
}
