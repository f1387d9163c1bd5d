using System.Text;
using Microsoft.Extensions.Caching.Distributed;

namespace McpSessions.EF.Caching;

// Coherence. After a write returns on any instance, no instance reads the old value. An IDistributedCache has get, set
// and remove but no compare-and-set, so nothing can stop the classic race: a reader misses, reads the old row, and
// writes it into the cache after the writer invalidated. Instead of keeping such a late fill out, every entry carries
// the evidence of its freshness and a reader checks it:
// - Tags. Each session has a generation key ({entry key}#gen); all sessions share an epoch key ({prefix}#epoch). A tag
//   value is 128 random bits. A tag key is only ever set to a fresh value (a bump) or expires; nobody ever writes back
//   a value they read, so a value that is gone never comes back.
// - Update, touch and delete bump the session's generation after their database statement returned, and return only
//   once the bump is acknowledged. A create starts its bump before its insert and returns once both are done.
//   ClearAllAsync bumps the epoch after its statement, then waits EpochRefresh.
// - A filler reads the tags before it reads the database and stores them in the entry. A hit reads the entry and its
//   generation together (one round trip on a pipelining client) and serves the entry only if its generation equals
//   the current one and its epoch the one this instance read last, at most EpochRefresh ago.
//
// Why that is enough: let W be a write that returned before a read R started, g_w the generation W's bump wrote, and g
// the generation R reads. g_w was written before R read g. Tag values are unique and a tag key only ever changes to a
// fresh value, so had g been written before g_w, g_w would have replaced it and g could not be current: g was written
// at or after g_w. An entry tagged g was filled by a reader that read g before it read the database. For an update,
// touch or delete, g_w was written after W committed, so that database read saw W or a newer write. For a create, the
// id's old row (if any) was gone before W began, or W would have failed on the unique id; a database read before W's
// insert committed found no row and fills nothing, one after it found W's row or newer. A stale fill carries an older
// tag and is never served. A read that joins another's database read (ReadThroughAsync) joins only one keyed by the
// tags it read itself, which the same argument orders after W.
// The epoch is the same argument with one more step. An instance uses an epoch value only until EpochRefresh after it
// sent the read that returned it; ClearAllAsync returns only EpochRefresh after its bump was acknowledged. A read that
// returned the old epoch was served before the bump, so it was sent before the acknowledgement and its value is out of
// use on every instance by the time ClearAllAsync returns. (Durations on each instance's monotonic clock: the clocks
// need not agree, only tick at the same rate. They are the physical clock, not the store's TimeProvider, which tests move.)
//
// Why a hit must read a second key. A fill is a blind write of the entry key: whatever an entry says about itself, a
// late fill can say too. The evidence must sit in a key fillers never write, and reading it beside the entry is the
// floor of a coherent hit through IDistributedCache (bench.sh measures two reads ÷ one). The epoch, one key for all
// sessions, is read once per EpochRefresh per instance instead of on every hit: its cost moved to ClearAllAsync, an
// admin call that can afford to wait.
// Why only one bump per write. The argument needs only the bump after the statement. A bump before it too would only
// narrow the window a writer cut off from the cache after its statement leaves open, which CacheTtl bounds anyway (see
// .OwedInvalidations), and would cost every write a second awaited round trip. The bump after is awaited: a write that
// returned while its bump was still on the wire would let another instance read the old entry under a current tag.
//
// Missing and expiring tags. A generation expires no later than the entries it guards could: a get creates it with the
// entry's own time to live (min(CacheTtl, the session's remaining life)), a create with that of the new session, any
// other write and an owed bump with CacheTtl. The epoch, one key for all, never expires. A tag that expires, or is
// evicted, early costs misses, never a stale read: the argument above nowhere needs a tag to live, since its successor
// is a fresh value that no entry carries. No entry is ever stored against a missing tag: a get that finds a tag missing
// reads the database first and writes nothing unless the database shows the caller a live session (so a get of an id
// that does not exist, is not live, or is hidden by row-level security writes no key, and probing random ids cannot
// fill the cache). Only then does it create the missing tags as fresh values (just another bump), read them back, and
// read the database again to fill, so the fill's read follows the tags as above. The first read only decides whether to
// write: it may predate a write whose bump the created tag replaced. That costs a session one more database read,
// cluster-wide, each time its generation has expired (about once per CacheTtl while it is read) and on the first read
// after the epoch was lost. A write of an id that does not exist still bumps its generation, for at most CacheTtl:
// writes are the host's own calls, and their number bounds the keys.
internal sealed partial class CachingSessionStore
{
    /// <summary>How long an instance uses an epoch it read, and how long <see cref="ClearAllAsync"/> waits after its bump.</summary>
    internal static readonly TimeSpan EpochRefresh = TimeSpan.FromMilliseconds(100);

    /// <summary>The epoch key never expires: losing it would invalidate every entry at once.</summary>
    private static readonly DistributedCacheEntryOptions EpochOptions = new();

    /// <summary>Key names start with it: an entry is <c>{prefix}{identity}:{sessionId}</c> (SPEC §6).</summary>
    private readonly string _prefix;

    /// <summary>
    /// <c>{prefix}#epoch</c>, the tag every entry shares. A session id never contains <c>#</c> or <c>:</c>, so no entry
    /// key ends in <c>#gen</c> and none equals the epoch key, whatever the identity holds.
    /// </summary>
    private readonly string _epochKey;

    /// <summary>A write bumps a generation for CacheTtl, the longest any entry lives.</summary>
    private readonly DistributedCacheEntryOptions _generationOptions;

    /// <summary>Tag creations in flight, by tag key.</summary>
    private readonly SingleFlight<bool> _tagCreations = new();

    /// <summary>The epoch this instance read last and until when (a <see cref="TimeProvider.System"/> timestamp) it may use it.</summary>
    private EpochReading? _epoch;

    private string EntryKey(string identity, string sessionId) => string.Concat(_prefix, identity, ":", sessionId);

    private static string GenerationKey(string entryKey) => entryKey + "#gen";

    /// <summary>
    /// A write: its statement, then the bump of <paramref name="tagKey"/> (or, <paramref name="bumpBeside"/>, a bump
    /// started before the statement and awaited after it: a create's). The bump runs even when the statement threw,
    /// since a statement that timed out may still have committed. Within one budget, so a slow cache adds at most
    /// <c>OperationTimeout</c>; a bump that cannot be made is owed, and the write still succeeds.
    /// </summary>
    private async Task<T> WriteAsync<T>(string tagKey, DistributedCacheEntryOptions tagOptions, bool bumpBeside, Func<Task<T>> write)
    {
        var budget = _cache.Begin();
        if (budget.Usable)
        {
            await PayOwedAsync(tagKey, budget, CancellationToken.None).ConfigureAwait(false);
        }

        var bump = bumpBeside ? BumpAsync(tagKey, tagOptions, budget) : null;
        try
        {
            return await write().ConfigureAwait(false);
        }
        finally
        {
            var bumped = await (bump ?? BumpAsync(tagKey, tagOptions, budget)).ConfigureAwait(false);
            if (bumped && tagKey == _epochKey)
            {
                // Every instance stops using an epoch it read before this bump (see above).
                Volatile.Write(ref _epoch, null);
                await WaitEpochRefreshAsync(TimeProvider.System.GetTimestamp()).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Returns when <see cref="EpochRefresh"/> has passed since <paramref name="acknowledged"/> on the clock epoch readings
    /// are timed with. A timer alone is not enough: it counts in the system's coarse ticks and may fire a few
    /// milliseconds early by the precise clock, while an epoch read just before the bump is still in use.
    /// </summary>
    private static async Task WaitEpochRefreshAsync(long acknowledged)
    {
        for (var left = EpochRefresh; left > TimeSpan.Zero; left = EpochRefresh - TimeProvider.System.GetElapsedTime(acknowledged))
        {
            await Task.Delay(left, TimeProvider.System).ConfigureAwait(false);
        }
    }

    private async Task<bool> BumpAsync(string tagKey, DistributedCacheEntryOptions options, CacheBudget budget)
    {
        if (await _cache.SetAsync(tagKey, NewTag(), options, budget, CancellationToken.None).ConfigureAwait(false))
        {
            return true;
        }

        Owe(tagKey);
        return false;
    }

    /// <summary>The epoch this instance may still use at <paramref name="now"/> (a timestamp), or null when it must read it (with the entry) again.</summary>
    private string? UsableEpoch(long now) =>
        Volatile.Read(ref _epoch) is { } epoch && now < epoch.UsableUntil ? epoch.Value : null;

    /// <summary>Keeps an epoch read by a request sent at <paramref name="sentAt"/>, usable until EpochRefresh after that.</summary>
    private void ReadEpoch(string epoch, long sentAt)
    {
        var reading = new EpochReading(epoch, sentAt + (long)(EpochRefresh.TotalSeconds * TimeProvider.System.TimestampFrequency));
        var current = Volatile.Read(ref _epoch);
        while (current is null || current.UsableUntil < reading.UsableUntil)
        {
            var seen = Interlocked.CompareExchange(ref _epoch, reading, current);
            if (ReferenceEquals(seen, current))
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>
    /// Sets the missing tags to fresh values (one write per tag key at a time in this instance) and reads them back.
    /// Only tags read back are used: a value this instance wrote may already have been replaced by a writer's bump. The
    /// epoch is read back too when this instance still holds a reading of it (<paramref name="epoch"/>, written
    /// nothing): a generation lost to an eviction or a restart that kept the entries may have gone with the epoch, and an
    /// epoch key left missing would be created again, invalidating every entry once more, by whichever instance's
    /// reading runs out first. Found missing, it is created here. A generation lives <paramref name="generationTtl"/>,
    /// the longest the entry it guards may live.
    /// </summary>
    private async Task<(string? Generation, string? Epoch)> CreateTagsAsync(string generationKey, bool generation, string? epoch, TimeSpan generationTtl, CacheBudget budget, CancellationToken cancellationToken)
    {
        var created = await Task.WhenAll(
            generation ? CreateTagAsync(generationKey, TagOptions(generationTtl), budget) : Task.FromResult(true),
            epoch is null ? CreateTagAsync(_epochKey, EpochOptions, budget) : Task.FromResult(true)).ConfigureAwait(false);
        if (!created[0] || !created[1])
        {
            return (null, null);
        }

        var sentAt = TimeProvider.System.GetTimestamp();
        var values = await _cache.GetAsync([generationKey, _epochKey], budget, cancellationToken).ConfigureAwait(false);
        if (values is null)
        {
            return (null, null);
        }

        if (Tag(values[1]) is { } readEpoch)
        {
            ReadEpoch(readEpoch, sentAt);
            return (Tag(values[0]), readEpoch);
        }

        return epoch is null
            ? (null, null) // created, and gone again already
            : await CreateTagsAsync(generationKey, generation: false, epoch: null, generationTtl, budget, cancellationToken).ConfigureAwait(false);
    }

    private Task<bool> CreateTagAsync(string tagKey, DistributedCacheEntryOptions options, CacheBudget budget) =>
        _tagCreations.RunAsync(tagKey, () => _cache.SetAsync(tagKey, NewTag(), options, budget, CancellationToken.None), creation => budget.JoinAsync(creation, CancellationToken.None));

    /// <summary>A tag written with <paramref name="ttl"/>, at least <see cref="MinimumEntryTtl"/> (a bump must be written to invalidate).</summary>
    private static DistributedCacheEntryOptions TagOptions(TimeSpan ttl) =>
        new() { AbsoluteExpirationRelativeToNow = ttl > MinimumEntryTtl ? ttl : MinimumEntryTtl };

    private static byte[] NewTag() => Encoding.UTF8.GetBytes(SessionIdGenerator.NewId());

    private static string? Tag(byte[]? value) => value is { Length: > 0 } ? Encoding.UTF8.GetString(value) : null;

    private sealed record EpochReading(string Value, long UsableUntil);
}
