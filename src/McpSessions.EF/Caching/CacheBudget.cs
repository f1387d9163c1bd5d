namespace McpSessions.EF.Caching;

/// <summary>
/// The cache time one store call may spend, all of its cache operations together, so a slow cache adds at most
/// <c>OperationTimeout</c> to any call. After one failure, or when the circuit is open, the call spends nothing on the cache.
/// </summary>
internal sealed class CacheBudget(TimeProvider time, TimeSpan limit, bool bypassed)
{
    private readonly long _start = time.GetTimestamp();
    private int _failed;

    public TimeSpan Limit => limit;

    /// <summary>Whether the call may still ask the cache.</summary>
    public bool Usable => !bypassed && Volatile.Read(ref _failed) == 0;

    private TimeSpan Remaining
    {
        get
        {
            var left = limit - time.GetElapsedTime(_start);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>Marks the call failed; true only the first time, so operations run side by side count as one failure.</summary>
    public bool Fail() => Interlocked.Exchange(ref _failed, 1) == 0;

    /// <summary>Waits for <paramref name="task"/> for what is left of the budget; <see cref="TimeoutException"/> when it runs out.</summary>
    public Task<T> WaitAsync<T>(Task<T> task, CancellationToken cancellationToken) => task.WaitAsync(Remaining, time, cancellationToken);

    /// <inheritdoc cref="WaitAsync{T}"/>
    public Task WaitAsync(Task task, CancellationToken cancellationToken) => task.WaitAsync(Remaining, time, cancellationToken);

    /// <summary>
    /// Waits, within this budget, for cache work another call started; running out fails this call only (the work
    /// reports and counts its own failure).
    /// </summary>
    public async Task<bool> JoinAsync(Task<bool> shared, CancellationToken cancellationToken)
    {
        try
        {
            if (await WaitAsync(shared, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // out of budget (TimeoutException)
        }

        Fail();
        return false;
    }
}
