using System.Collections.Concurrent;
using System.Text;
using McpSessions.EF.Storage;
using Microsoft.Extensions.Caching.Distributed;

namespace McpSessions.EF.Caching;

internal sealed partial class CachingSessionStore
{
    /// <summary>Past this many owed generation bumps, one epoch bump is owed instead: it invalidates every entry.</summary>
    internal const int MaxOwedInvalidations = 10_000;

    /// <summary>The epoch key never expires: losing it would invalidate every entry at once.</summary>
    private static readonly DistributedCacheEntryOptions EpochOptions = new();

    private readonly DistributedCacheEntryOptions _generationOptions;

    /// <summary>Generation keys whose bump failed, with the sequence number of the latest failure.</summary>
    private readonly ConcurrentDictionary<string, long> _owed = new(StringComparer.Ordinal);
    private readonly Lock _paymentGate = new();
    private long _oweSequence;
    private int _owedCount;
    private int _epochOwed;
    private Task<bool>? _payment;

    /// <summary>
    /// A write: bump the tag before (optionally) and after the database statement. The bump after runs even when the
    /// statement threw, since a statement that timed out may still have committed. Both share one budget, so a slow
    /// cache adds at most <c>OperationTimeout</c>; a bump that cannot be made is owed, and the write still succeeds.
    /// A generation lives <c>CacheTtl</c>, or <paramref name="tagTtlAfter"/> of the result for the bump after.
    /// </summary>
    private async Task<T> WriteAsync<T>(string tagKey, bool bumpBefore, Func<Task<T>> write, Func<T, TimeSpan>? tagTtlAfter = null)
    {
        var budget = _cache.Begin();
        if (budget.Usable)
        {
            await PayOwedAsync(tagKey, budget, CancellationToken.None).ConfigureAwait(false);
        }

        if (bumpBefore)
        {
            await BumpAsync(tagKey, budget).ConfigureAwait(false);
        }

        var optionsAfter = tagKey == _keys.Epoch ? EpochOptions : _generationOptions;
        try
        {
            var result = await write().ConfigureAwait(false);
            if (tagTtlAfter is not null)
            {
                optionsAfter = TagOptions(tagTtlAfter(result));
            }

            return result;
        }
        finally
        {
            await BumpAsync(tagKey, optionsAfter, budget).ConfigureAwait(false);
        }
    }

    private Task BumpAsync(string tagKey, CacheBudget budget) =>
        BumpAsync(tagKey, tagKey == _keys.Epoch ? EpochOptions : _generationOptions, budget);

    private async Task BumpAsync(string tagKey, DistributedCacheEntryOptions options, CacheBudget budget)
    {
        if (!await _cache.SetAsync(tagKey, NewTag(), options, budget, CancellationToken.None).ConfigureAwait(false))
        {
            Owe(tagKey);
        }
    }

    private void Owe(string tagKey)
    {
        if (tagKey == _keys.Epoch)
        {
            Interlocked.Increment(ref _epochOwed);
            return;
        }

        var sequence = Interlocked.Increment(ref _oweSequence);
        while (true)
        {
            if (_owed.TryGetValue(tagKey, out var previous))
            {
                if (_owed.TryUpdate(tagKey, sequence, previous))
                {
                    return;
                }
            }
            else if (Volatile.Read(ref _owedCount) >= MaxOwedInvalidations)
            {
                if (Interlocked.Increment(ref _epochOwed) == 1)
                {
                    Log.InvalidationsOverflowed(_logger, MaxOwedInvalidations);
                }

                return;
            }
            else if (_owed.TryAdd(tagKey, sequence))
            {
                Interlocked.Increment(ref _owedCount);
                return;
            }
        }
    }

    /// <summary>
    /// Pays what this instance owes before it relies on the cache: every owed bump, or one epoch bump. Returns whether
    /// the payment went through and nothing that concerns <paramref name="tagKey"/> is owed any more. One payment runs
    /// at a time; a caller that joined one that started before its key was owed looks again.
    /// </summary>
    private async Task<bool> PayOwedAsync(string tagKey, CacheBudget budget, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _epochOwed) == 0 && Volatile.Read(ref _owedCount) == 0)
        {
            return true; // the usual case: one read of two fields
        }

        do
        {
            if (!budget.Usable)
            {
                return false;
            }

            Task<bool> payment;
            lock (_paymentGate)
            {
                payment = _payment is { IsCompleted: false } running ? running : _payment = PayAsync(budget);
            }

            if (!await WithinBudgetAsync(payment, budget, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }
        while (Volatile.Read(ref _epochOwed) > 0 || (Volatile.Read(ref _owedCount) > 0 && _owed.ContainsKey(tagKey)));

        return true;
    }

    private async Task<bool> PayAsync(CacheBudget budget)
    {
        await Task.Yield(); // never run under the payment lock
        var epoch = Volatile.Read(ref _epochOwed);
        var owed = _owed.ToArray();
        if (epoch > 0)
        {
            if (!await _cache.SetAsync(_keys.Epoch, NewTag(), EpochOptions, budget, CancellationToken.None).ConfigureAwait(false))
            {
                return false;
            }

            // The new epoch invalidates every entry, so it also pays each generation owed before it was written.
            Interlocked.Add(ref _epochOwed, -epoch);
            foreach (var (key, sequence) in owed)
            {
                Paid(key, sequence);
            }

            return true;
        }

        var bumps = owed.Select(o => _cache.SetAsync(o.Key, NewTag(), _generationOptions, budget, CancellationToken.None)).ToArray();
        var done = await Task.WhenAll(bumps).ConfigureAwait(false);
        for (var i = 0; i < owed.Length; i++)
        {
            if (done[i])
            {
                Paid(owed[i].Key, owed[i].Value);
            }
        }

        return done.All(d => d);
    }

    /// <summary>Forgets an owed bump, unless it was owed again since (a later write's bump failed too).</summary>
    private void Paid(string key, long sequence)
    {
        if (_owed.TryRemove(KeyValuePair.Create(key, sequence)))
        {
            Interlocked.Decrement(ref _owedCount);
        }
    }

    /// <summary>Waits for work another call started, within this call's budget; running out counts against this call only.</summary>
    private static async Task<bool> WithinBudgetAsync(Task<bool> shared, CacheBudget budget, CancellationToken cancellationToken)
    {
        try
        {
            if (await budget.WaitAsync(shared, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // out of budget (TimeoutException); the shared work reports its own failure
        }

        budget.Fail();
        return false;
    }

    private static byte[] NewTag() => Encoding.UTF8.GetBytes(SessionIdGenerator.NewId());
}
