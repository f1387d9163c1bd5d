using System.Diagnostics.Metrics;
using System.Text;
using McpSessions.EF.Encryption;
using McpSessions.EF.Lifecycle;
using McpSessions.EF.Model;
using McpSessions.EF.RowLevelSecurity;
using McpSessions.EF.Storage;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;

namespace McpSessions.EF.Caching;

/// <summary>
/// The cache tier (SPEC §6): an <see cref="ISessionStore"/> decorator that answers <see cref="GetAsync"/> from an
/// <see cref="IDistributedCache"/> and keeps it coherent with the database across instances. Every other read goes to
/// the store it decorates. One concern per file: this one the store calls and liveness, <c>.Stampede</c> the
/// single-flight database reads, <c>.Invalidation</c> the tags and the invalidations a failing cache is owed.
/// </summary>
/// <remarks>
/// <para><b>Coherence.</b> After a write returns on any instance, no instance reads the old value. An
/// <see cref="IDistributedCache"/> has get, set and remove but no compare-and-set, so nothing can stop the classic race:
/// a reader misses, reads the old row, and writes it into the cache after the writer invalidated. Instead of keeping
/// such a late fill out, every entry carries the evidence of its freshness and a reader checks it:</para>
/// <list type="bullet">
/// <item>Tags. Each session has a generation key (<c>{entry key}#gen</c>); all sessions share an epoch key
/// (<c>{prefix}#epoch</c>). A tag value is 128 random bits. A tag key is only ever set to a fresh value (a bump) or
/// expires; nobody ever writes back a value they read, so a value that is gone never comes back.</item>
/// <item>Every write (create, update, touch, delete) bumps the session's generation after its database statement
/// returned, and update, touch and delete also bump it before. <see cref="ClearAllAsync"/> bumps the epoch.</item>
/// <item>A filler reads both tags before it reads the database and stores them in the entry. A hit reads the entry and
/// the tags together and serves the entry only if its tags equal the current ones.</item>
/// </list>
/// <para>Why that is enough: let W be a write that returned before a read R started, g_w the generation W's last bump
/// wrote, and g the generation R reads. g_w was written before R read g. Tag values are unique and a tag key only ever
/// changes to a fresh value, so had g been written before g_w, g_w would have replaced it and g could not be current:
/// g was written at or after g_w, so after W committed. An entry tagged g was filled by a reader that read g before it
/// read the database, so that database read started after W committed and saw W or a newer write. A stale fill carries
/// an older tag and is never served. The epoch gives the same argument for <see cref="ClearAllAsync"/>. A read that
/// joins another's database read (<c>.Stampede</c>) joins only one keyed by the tags it read itself, which the same
/// argument orders after W.</para>
/// <para><b>Missing and expiring tags.</b> A generation expires no later than the entries it guards could: a get
/// creates it with the entry's own time to live (<c>min(CacheTtl, the session's remaining life)</c>), a create with that
/// of the new session, any other write and an owed bump with <c>CacheTtl</c>. The epoch, one key for all, never
/// expires. A tag that expires, or is evicted, early costs misses, never a stale read: the argument above nowhere
/// needs a tag to live, since its successor is a fresh value that no entry carries. No entry is ever stored against a
/// missing tag: a get that finds a tag missing reads the database first and writes nothing unless the database shows
/// the caller a live session (so a get of an id that does not exist, is not live, or is hidden by row-level security
/// writes no key, and probing random ids cannot fill the cache). Only then does it create the missing tags as fresh
/// values (just another bump), read them back, and read the database again to fill, so the fill's read follows the
/// tags as above. The first read only decides whether to write: it may predate a write whose bump the created tag
/// replaced. That costs a session one more database read, cluster-wide, each time its generation has expired
/// (about once per <c>CacheTtl</c> while it is read) and on the first read after the epoch was lost. A write of an id
/// that does not exist still bumps its generation, for at most <c>CacheTtl</c>: writes are the host's own calls,
/// and their number bounds the keys.</para>
/// <para><b>Liveness.</b> A hit re-checks SPEC §4 against the <see cref="TimeProvider"/>: a current entry holds the
/// row's fields, so it answers as the database would. That makes <see cref="CleanupExpiredAsync"/> safe without
/// invalidations: it deletes only rows that are not live, and a row that is not live stays so without a write. An entry
/// within <see cref="ExpiryMargin"/> of its session's end is not served but read from the database, so a cleanup on an
/// instance whose clock runs up to that much ahead cannot delete a row whose entry is still served.</para>
/// <para><b>Failures.</b> The cache is a help, never a dependency: every failure or timeout falls back to the database
/// and a write succeeds even when its bump cannot be made. That bump is then owed: this instance pays what it owes
/// (or, past <see cref="MaxOwedInvalidations"/>, bumps the epoch) before it uses the cache again. Until it is paid,
/// another instance that still reaches the cache could serve the previous value, for at most <c>CacheTtl</c>. The
/// argument also assumes the cache does not lose an acknowledged write (one Redis primary; a failover to a replica that
/// lagged can lose a bump).</para>
/// <para><b>Row-level security.</b> An entry holds the row as the database stored it, whoever read it. With row-level
/// security on, a hit is served only when <see cref="RowLevelSecurityPolicy.Allows"/> says the policies let the current
/// user see that row; otherwise the call is a miss of that user's own, answered by the database as that user (null for
/// a session the policies hide). The database reads of concurrent misses are shared only between callers of the same
/// user (<c>.Stampede</c>), since the database answers different users differently. Writes go to the database as
/// today, which refuses another user's update or delete; their invalidations cost the owner a miss, nothing more.</para>
/// </remarks>
internal sealed partial class CachingSessionStore : ISessionStore
{
    /// <summary>
    /// An entry is served only while its session has at least this much life left; also the most by which instance
    /// clocks may disagree.
    /// </summary>
    internal static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(5);

    /// <summary>The shortest time to live worth writing an entry for.</summary>
    private static readonly TimeSpan MinimumEntryTtl = TimeSpan.FromSeconds(1);

    private readonly ISessionStore _inner;
    private readonly bool _ownsInner;
    private readonly SessionCacheClient _cache;
    private readonly SessionCacheCodec _codec;
    private readonly SessionCacheKeys _keys;
    private readonly SessionClock _clock;
    private readonly SessionCacheMetrics _metrics;
    private readonly TimeSpan _cacheTtl;
    private readonly RowLevelSecurityPolicy? _rowLevelSecurity;
    private readonly ILogger _logger;
    private int _disposed;

    public CachingSessionStore(
        ISessionStore inner,
        bool ownsInner,
        IDistributedCache cache,
        SessionCacheOptions options,
        SessionKeyRing keyRing,
        SessionClock clock,
        TimeProvider time,
        IMeterFactory? meterFactory,
        RowLevelSecurityPolicy? rowLevelSecurity,
        ILogger logger)
    {
        _inner = inner;
        _ownsInner = ownsInner;
        _clock = clock;
        _rowLevelSecurity = rowLevelSecurity;
        _logger = logger;
        _cacheTtl = options.CacheTtl;
        _keys = new SessionCacheKeys(options.Prefix);
        _codec = new SessionCacheCodec(keyRing);
        _metrics = new SessionCacheMetrics(meterFactory);
        _cache = new SessionCacheClient(
            cache,
            new SessionCacheCircuitBreaker(time, options.FailureThreshold, options.BypassPeriod, logger),
            _metrics,
            time,
            options.OperationTimeout,
            logger);

        // A write bumps a generation for CacheTtl, the longest any entry lives: see the remarks on tags.
        _generationOptions = TagOptions(options.CacheTtl);
    }

    public string GenerateSessionId() => _inner.GenerateSessionId();

    public Task<McpSession> CreateAsync(McpSession session, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateNew(session);

        // No bump before: there is no old row to protect. The bump after matters: an entry of an earlier session with
        // this id (cleaned up, so not live, so never bumped) must not answer for the new one.
        // Its tag lives no longer than an entry of the new session could.
        return WriteAsync(GenerationKey(session.Identity, session.SessionId), bumpBefore: false, () => _inner.CreateAsync(session, cancellationToken), EntryTtl);
    }

    public Task UpdateAsync(string identity, string sessionId, SessionUpdate update, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateKey(identity, sessionId);
        SessionValidator.ValidateUpdate(update);
        return WriteAsync(GenerationKey(identity, sessionId), bumpBefore: true, async () =>
        {
            await _inner.UpdateAsync(identity, sessionId, update, cancellationToken).ConfigureAwait(false);
            return true;
        });
    }

    public Task TouchAsync(string identity, string sessionId, CancellationToken cancellationToken = default)
    {
        // Touch moves updated_at, which GetAsync returns and liveness depends on: it invalidates like any write.
        SessionValidator.ValidateKey(identity, sessionId);
        return WriteAsync(GenerationKey(identity, sessionId), bumpBefore: true, async () =>
        {
            await _inner.TouchAsync(identity, sessionId, cancellationToken).ConfigureAwait(false);
            return true;
        });
    }

    public Task<bool> DeleteAsync(string identity, string sessionId, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateKey(identity, sessionId);
        return WriteAsync(GenerationKey(identity, sessionId), bumpBefore: true, () => _inner.DeleteAsync(identity, sessionId, cancellationToken));
    }

    public Task<int> ClearAllAsync(CancellationToken cancellationToken = default) =>
        WriteAsync(_keys.Epoch, bumpBefore: true, () => _inner.ClearAllAsync(cancellationToken));

    /// <summary>Needs no invalidation: see the remarks on liveness.</summary>
    public Task<int> CleanupExpiredAsync(CancellationToken cancellationToken = default) => _inner.CleanupExpiredAsync(cancellationToken);

    public async Task<McpSession?> GetAsync(string identity, string sessionId, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateKey(identity, sessionId);
        var key = _keys.Entry(identity, sessionId);
        var generationKey = SessionCacheKeys.Generation(key);
        var user = _rowLevelSecurity?.CurrentUserId;
        var budget = _cache.Begin();
        if (!budget.Usable || !await PayOwedAsync(generationKey, budget, cancellationToken).ConfigureAwait(false))
        {
            return await _inner.GetAsync(identity, sessionId, cancellationToken).ConfigureAwait(false);
        }

        var values = await _cache.GetAsync([key, generationKey, _keys.Epoch], budget, cancellationToken).ConfigureAwait(false);
        if (values is null)
        {
            return await _inner.GetAsync(identity, sessionId, cancellationToken).ConfigureAwait(false);
        }

        var generation = Tag(values[1]);
        var epoch = Tag(values[2]);
        if (generation is not null && epoch is not null && values[0] is { } entry && TryHit(entry, identity, sessionId, generation, epoch, user, out var hit))
        {
            _metrics.Hit();
            return hit;
        }

        _metrics.Miss();
        if (generation is null || epoch is null)
        {
            // A missing tag is created only for a session the database shows this caller, and with the life of the
            // entry it will guard: a get of an id that does not exist writes nothing (see the remarks on tags).
            var found = await _inner.GetAsync(identity, sessionId, cancellationToken).ConfigureAwait(false);
            var tagTtl = found is null ? TimeSpan.Zero : EntryTtl(found);
            if (tagTtl <= TimeSpan.Zero)
            {
                return found;
            }

            (generation, epoch) = await CreateTagsAsync(generationKey, generation is null, epoch is null, tagTtl, budget, cancellationToken).ConfigureAwait(false);
            if (generation is null || epoch is null)
            {
                return found;
            }
        }

        return await ReadThroughAsync(identity, sessionId, key, generation, epoch, user, budget, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><see cref="GetAsync"/> answered by the database, never the cache: see <see cref="SessionStoreDatabaseReads"/>.</summary>
    public Task<McpSession?> GetFromDatabaseAsync(string identity, string sessionId, CancellationToken cancellationToken) =>
        _inner.GetAsync(identity, sessionId, cancellationToken);

    public Task<IReadOnlyList<McpSession>> ListAsync(string identity, CancellationToken cancellationToken = default) =>
        _inner.ListAsync(identity, cancellationToken);

    public Task<IReadOnlyList<string>> ListIdsAsync(string identity, CancellationToken cancellationToken = default) =>
        _inner.ListIdsAsync(identity, cancellationToken);

    public IAsyncEnumerable<string> ListAllIdsAsync(CancellationToken cancellationToken = default) =>
        _inner.ListAllIdsAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _metrics.Dispose();
        if (_ownsInner)
        {
            await _inner.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Whether the current entry answers the read of <paramref name="user"/>: its tags are current, it decodes, and
    /// row-level security, if on, lets the user see it. <paramref name="session"/> is null when the session is no
    /// longer live, which is what the database would answer.
    /// </summary>
    private bool TryHit(byte[] entry, string identity, string sessionId, string generation, string epoch, string? user, out McpSession? session)
    {
        session = null;
        McpSession? cached;
        try
        {
            cached = _codec.Decode(entry, identity, sessionId, generation, epoch);
        }
        catch (SecretDecryptionException e)
        {
            // A retired key or a tampered entry: the database has the truth, and the fill replaces the entry.
            Log.EntryUnreadable(_logger, sessionId, e.Reason);
            return false;
        }

        if (cached is null || (_rowLevelSecurity is { } policy && !policy.Allows(user, cached.Identity, cached.UserId)))
        {
            return false;
        }

        var now = _clock.Now();
        if (!_clock.IsLive(cached, now))
        {
            return true;
        }

        if (RemainingLife(cached, now) < ExpiryMargin)
        {
            return false; // at the edge of its life the database decides
        }

        session = cached;
        return true;
    }

    /// <summary>The time to live of an entry for <paramref name="session"/>: at most CacheTtl, and ending before the session does.</summary>
    private TimeSpan EntryTtl(McpSession session)
    {
        var left = RemainingLife(session, _clock.Now()) - ExpiryMargin;
        var ttl = left < _cacheTtl ? left : _cacheTtl;
        return ttl >= MinimumEntryTtl ? ttl : TimeSpan.Zero;
    }

    private TimeSpan RemainingLife(McpSession session, DateTimeOffset now) =>
        _clock.LiveUntil(session.Active, session.UpdatedAt, session.ExpiresAt) - now;

    /// <summary>A tag written with <paramref name="ttl"/>, at least <see cref="MinimumEntryTtl"/> (a bump must be written to invalidate).</summary>
    private static DistributedCacheEntryOptions TagOptions(TimeSpan ttl) =>
        new() { AbsoluteExpirationRelativeToNow = ttl > MinimumEntryTtl ? ttl : MinimumEntryTtl };

    private string GenerationKey(string identity, string sessionId) => SessionCacheKeys.Generation(_keys.Entry(identity, sessionId));

    private static string? Tag(byte[]? value) => value is { Length: > 0 } ? Encoding.UTF8.GetString(value) : null;
}
