namespace McpSessions.EF.Caching;

/// <summary>
/// The cache time one store call may spend, all of its cache operations together, so a slow cache adds at most
/// <c>OperationTimeout</c> to any call. After one failure the call spends nothing more on the cache.
/// </summary>
internal sealed class CacheBudget(TimeProvider time, TimeSpan limit, bool bypassed)
{
    private readonly long _start = time.GetTimestamp();

    /// <summary>The cache is bypassed (open circuit) for this call: it is never asked.</summary>
    public bool Bypassed { get; } = bypassed;

    private int _failed;

    /// <summary>A cache operation of this call failed or ran out of time.</summary>
    public bool Failed => Volatile.Read(ref _failed) != 0;

    /// <summary>Whether the call may still ask the cache.</summary>
    public bool Usable => !Bypassed && !Failed;

    /// <summary>Marks the call failed; true only the first time, so operations run side by side count as one failure.</summary>
    public bool Fail() => Interlocked.Exchange(ref _failed, 1) == 0;

    public TimeSpan Remaining
    {
        get
        {
            var left = limit - time.GetElapsedTime(_start);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    public TimeSpan Limit => limit;

    /// <summary>Waits for <paramref name="task"/> for what is left of the budget; <see cref="TimeoutException"/> when it runs out.</summary>
    public Task<T> WaitAsync<T>(Task<T> task, CancellationToken cancellationToken) => task.WaitAsync(Remaining, time, cancellationToken);

    /// <inheritdoc cref="WaitAsync{T}"/>
    public Task WaitAsync(Task task, CancellationToken cancellationToken) => task.WaitAsync(Remaining, time, cancellationToken);
}
