using System.Collections.Concurrent;

namespace McpSessions.EF.Caching;

// Failures. The cache is a help, never a dependency: every failure or timeout falls back to the database and a write
// succeeds even when its bump cannot be made. That bump is then owed: this instance pays what it owes (or, past
// MaxOwedInvalidations, bumps the epoch) before it uses the cache again. Until it is paid, another instance that still
// reaches the cache could serve the previous value, for at most CacheTtl. The argument also assumes the cache does not
// lose an acknowledged write (one Redis primary; a failover to a replica that lagged can lose a bump).
internal sealed partial class CachingSessionStore
{
    /// <summary>Past this many owed generation bumps, one epoch bump is owed instead: it invalidates every entry.</summary>
    private const int MaxOwedInvalidations = 10_000;

    /// <summary>Generation keys whose bump failed, with the sequence number of the latest failure.</summary>
    private readonly ConcurrentDictionary<string, long> _owed = new(StringComparer.Ordinal);

    /// <summary>The payment in flight: one at a time, under one key.</summary>
    private readonly SingleFlight<bool> _payments = new();
    private long _oweSequence;
    private int _owedCount;
    private int _epochOwed;

    private void Owe(string tagKey)
    {
        if (tagKey == _epochKey)
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

            if (!await _payments.RunAsync("", () => PayAsync(budget), payment => budget.JoinAsync(payment, cancellationToken)).ConfigureAwait(false))
            {
                return false;
            }
        }
        while (Volatile.Read(ref _epochOwed) > 0 || (Volatile.Read(ref _owedCount) > 0 && _owed.ContainsKey(tagKey)));

        return true;
    }

    private async Task<bool> PayAsync(CacheBudget budget)
    {
        var epoch = Volatile.Read(ref _epochOwed);
        var owed = _owed.ToArray();
        if (epoch > 0)
        {
            if (!await _cache.SetAsync(_epochKey, NewTag(), EpochOptions, budget, CancellationToken.None).ConfigureAwait(false))
            {
                return false;
            }

            // The new epoch invalidates every entry, so it also pays each generation owed before it was written. This
            // instance reads it back before its next hit; others go on with the old one for up to EpochRefresh, well
            // within the CacheTtl a cut-off writer's change may take to be seen.
            Volatile.Write(ref _epoch, null);
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
}
