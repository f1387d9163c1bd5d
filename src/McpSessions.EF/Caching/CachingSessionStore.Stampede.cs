using System.Collections.Concurrent;
using McpSessions.EF.Model;
using Microsoft.Extensions.Caching.Distributed;

namespace McpSessions.EF.Caching;

internal sealed partial class CachingSessionStore
{
    /// <summary>Database reads in flight, by entry key, the tags their reader saw and (row-level security) its user.</summary>
    private readonly ConcurrentDictionary<string, Lazy<Task<Flight>>> _flights = new(StringComparer.Ordinal);

    /// <summary>Tag creations in flight, by tag key.</summary>
    private readonly ConcurrentDictionary<string, Lazy<Task<bool>>> _tagCreations = new(StringComparer.Ordinal);

    /// <summary>What one database read found: the session and its encoded entry (both null when there is none).</summary>
    private sealed record Flight(McpSession? Session, byte[]? Entry, TimeSpan Ttl);

    /// <summary>
    /// A miss. Concurrent misses for one key in this instance share one database read, but only misses that read the
    /// same tags: a read that saw newer tags may not share a database read that could predate the write behind them.
    /// The first reader fills the cache; the others get their own copy of the session from the encoded entry. With
    /// row-level security on, only misses of the same user share: the read runs as the first caller, and the database
    /// may answer another user differently (null for a session its policies hide from them).
    /// </summary>
    private async Task<McpSession?> ReadThroughAsync(string identity, string sessionId, string key, string generation, string epoch, string? user, CacheBudget budget, CancellationToken cancellationToken)
    {
        var flightKey = _rowLevelSecurity is null
            ? string.Concat(key, "\n", generation, "\n", epoch)
            : string.Concat(key, "\n", generation, "\n", epoch, user is null ? "\n-" : "\n+", user);
        var mine = new Lazy<Task<Flight>>(() => ReadDatabaseAsync(identity, sessionId, generation, epoch));
        var flight = _flights.GetOrAdd(flightKey, mine);
        if (!ReferenceEquals(flight, mine))
        {
            var shared = await flight.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            return shared.Entry is null ? null : _codec.Decode(shared.Entry, identity, sessionId, generation, epoch);
        }

        try
        {
            var result = await mine.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (result.Entry is not null && result.Ttl > TimeSpan.Zero)
            {
                // Awaited within the budget, so this caller's next read hits; a failure only costs the hit.
                var options = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = result.Ttl };
                await _cache.SetAsync(key, result.Entry, options, budget, cancellationToken).ConfigureAwait(false);
            }

            return result.Session;
        }
        finally
        {
            // Kept until the fill is done, so misses meanwhile share the result instead of reading again.
            _flights.TryRemove(KeyValuePair.Create(flightKey, mine));
        }
    }

    /// <summary>
    /// The shared database read. It runs without the first caller's cancellation token, which must not cancel the
    /// others; each caller stops waiting on its own token.
    /// </summary>
    private async Task<Flight> ReadDatabaseAsync(string identity, string sessionId, string generation, string epoch)
    {
        var session = await _inner.GetAsync(identity, sessionId, CancellationToken.None).ConfigureAwait(false);
        return session is null
            ? new Flight(null, null, TimeSpan.Zero)
            : new Flight(session, _codec.Encode(session, generation, epoch), EntryTtl(session));
    }

    /// <summary>
    /// Sets the missing tags to fresh values (one write per tag key at a time in this instance) and reads both back.
    /// Only tags read back are used: a value this instance wrote may already have been replaced by a writer's bump.
    /// A generation lives <paramref name="generationTtl"/>, the longest the entry it guards may live.
    /// </summary>
    private async Task<(string? Generation, string? Epoch)> CreateTagsAsync(string generationKey, bool generation, bool epoch, TimeSpan generationTtl, CacheBudget budget, CancellationToken cancellationToken)
    {
        var created = await Task.WhenAll(
            generation ? CreateTagAsync(generationKey, TagOptions(generationTtl), budget) : Task.FromResult(true),
            epoch ? CreateTagAsync(_keys.Epoch, EpochOptions, budget) : Task.FromResult(true)).ConfigureAwait(false);
        if (!created[0] || !created[1])
        {
            return (null, null);
        }

        var values = await _cache.GetAsync([generationKey, _keys.Epoch], budget, cancellationToken).ConfigureAwait(false);
        return values is null ? (null, null) : (Tag(values[0]), Tag(values[1]));
    }

    private Task<bool> CreateTagAsync(string tagKey, DistributedCacheEntryOptions options, CacheBudget budget)
    {
        var mine = new Lazy<Task<bool>>(() => _cache.SetAsync(tagKey, NewTag(), options, budget, CancellationToken.None));
        var creation = _tagCreations.GetOrAdd(tagKey, mine);
        if (ReferenceEquals(creation, mine))
        {
            _ = mine.Value.ContinueWith(_ => _tagCreations.TryRemove(KeyValuePair.Create(tagKey, mine)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return mine.Value;
        }

        return WithinBudgetAsync(creation.Value, budget, CancellationToken.None);
    }
}
