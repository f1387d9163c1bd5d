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
// - Every write (create, update, touch, delete) bumps the session's generation after its database statement returned,
//   and update, touch and delete also bump it before. ClearAllAsync bumps the epoch.
// - A filler reads both tags before it reads the database and stores them in the entry. A hit reads the entry and the
//   tags together and serves the entry only if its tags equal the current ones.
//
// Why that is enough: let W be a write that returned before a read R started, g_w the generation W's last bump wrote,
// and g the generation R reads. g_w was written before R read g. Tag values are unique and a tag key only ever changes
// to a fresh value, so had g been written before g_w, g_w would have replaced it and g could not be current: g was
// written at or after g_w, so after W committed. An entry tagged g was filled by a reader that read g before it read
// the database, so that database read started after W committed and saw W or a newer write. A stale fill carries an
// older tag and is never served. The epoch gives the same argument for ClearAllAsync. A read that joins another's
// database read (ReadThroughAsync) joins only one keyed by the tags it read itself, which the same argument orders
// after W.
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

    private string EntryKey(string identity, string sessionId) => string.Concat(_prefix, identity, ":", sessionId);

    private static string GenerationKey(string entryKey) => entryKey + "#gen";

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

        var optionsAfter = TagOptionsOf(tagKey);
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

    private Task BumpAsync(string tagKey, CacheBudget budget) => BumpAsync(tagKey, TagOptionsOf(tagKey), budget);

    private async Task BumpAsync(string tagKey, DistributedCacheEntryOptions options, CacheBudget budget)
    {
        if (!await _cache.SetAsync(tagKey, NewTag(), options, budget, CancellationToken.None).ConfigureAwait(false))
        {
            Owe(tagKey);
        }
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
            epoch ? CreateTagAsync(_epochKey, EpochOptions, budget) : Task.FromResult(true)).ConfigureAwait(false);
        if (!created[0] || !created[1])
        {
            return (null, null);
        }

        var values = await _cache.GetAsync([generationKey, _epochKey], budget, cancellationToken).ConfigureAwait(false);
        return values is null ? (null, null) : (Tag(values[0]), Tag(values[1]));
    }

    private Task<bool> CreateTagAsync(string tagKey, DistributedCacheEntryOptions options, CacheBudget budget) =>
        _tagCreations.RunAsync(tagKey, () => _cache.SetAsync(tagKey, NewTag(), options, budget, CancellationToken.None), creation => budget.JoinAsync(creation, CancellationToken.None));

    private DistributedCacheEntryOptions TagOptionsOf(string tagKey) => tagKey == _epochKey ? EpochOptions : _generationOptions;

    /// <summary>A tag written with <paramref name="ttl"/>, at least <see cref="MinimumEntryTtl"/> (a bump must be written to invalidate).</summary>
    private static DistributedCacheEntryOptions TagOptions(TimeSpan ttl) =>
        new() { AbsoluteExpirationRelativeToNow = ttl > MinimumEntryTtl ? ttl : MinimumEntryTtl };

    private static byte[] NewTag() => Encoding.UTF8.GetBytes(SessionIdGenerator.NewId());

    private static string? Tag(byte[]? value) => value is { Length: > 0 } ? Encoding.UTF8.GetString(value) : null;
}
