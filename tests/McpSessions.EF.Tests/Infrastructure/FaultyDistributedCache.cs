using Microsoft.Extensions.Caching.Distributed;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// An <see cref="IDistributedCache"/> in front of another, that a test can make throw, hang, or hold one write back.
/// A cache of one instance only: wrapping the shared Redis per instance makes a partition, not an outage.
/// </summary>
public sealed class FaultyDistributedCache(IDistributedCache inner) : IDistributedCache
{
    public enum Fault
    {
        None,
        Throw,
        Hang,
    }

    private int _fault;

    public Fault Mode
    {
        get => (Fault)Volatile.Read(ref _fault);
        set => Volatile.Write(ref _fault, (int)value);
    }

    /// <summary>Runs before every SetAsync of a key that passes the filter, and may delay it (the writes of the classic race).</summary>
    public Func<string, Task>? BeforeSet { get; set; }

    public int Calls => Volatile.Read(ref _calls);

    private int _calls;

    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        await FaultAsync();
        return await inner.GetAsync(key, token);
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => SetAsync(key, value, options).GetAwaiter().GetResult();

    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        await FaultAsync();
        if (BeforeSet is { } before)
        {
            await before(key);
        }

        await inner.SetAsync(key, value, options, token);
    }

    public void Refresh(string key) => RefreshAsync(key).GetAwaiter().GetResult();

    public async Task RefreshAsync(string key, CancellationToken token = default)
    {
        await FaultAsync();
        await inner.RefreshAsync(key, token);
    }

    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        await FaultAsync();
        await inner.RemoveAsync(key, token);
    }

    private async Task FaultAsync()
    {
        Interlocked.Increment(ref _calls);
        switch (Mode)
        {
            case Fault.Throw:
                throw new InvalidOperationException("injected cache failure");
            case Fault.Hang:
                await Task.Delay(Timeout.InfiniteTimeSpan);
                break;
        }
    }
}
