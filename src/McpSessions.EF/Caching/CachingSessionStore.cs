using System.Diagnostics.Metrics;
using McpSessions.EF.RowLevelSecurity;
using Microsoft.Extensions.Caching.Distributed;

namespace McpSessions.EF.Caching;

/// <summary>
/// The cache tier (SPEC §6): an <see cref="ISessionStore"/> decorator that answers <see cref="GetAsync"/> from an
/// <see cref="IDistributedCache"/> and keeps it coherent with the database across instances. Every other read goes to
/// the store it decorates. One concern per file: this one the store calls, hits and misses; <c>.Coherence</c> the
/// keys, the tags and the bumps a write makes; <c>.OwedInvalidations</c> the bumps a failing cache is owed.
/// </summary>
/// <remarks>
/// <para><b>Liveness.</b> A hit re-checks SPEC §4 against the <see cref="TimeProvider"/>: a current entry holds the
/// row's fields, so it answers as the database would. That makes <see cref="CleanupExpiredAsync"/> safe without
/// invalidations: it deletes only rows that are not live, and a row that is not live stays so without a write. An entry
/// within <see cref="ExpiryMargin"/> of its session's end is not served but read from the database, so a cleanup on an
/// instance whose clock runs up to that much ahead cannot delete a row whose entry is still served.</para>
/// <para><b>Row-level security.</b> An entry holds the row as the database stored it, whoever read it. With row-level
/// security on, a hit is served only when <see cref="RowLevelSecurityPolicy.Allows"/> says the policies let the current
/// user see that row; otherwise the call is a miss of that user's own, answered by the database as that user (null for
/// a session the policies hide). The database reads of concurrent misses are shared only between callers of the same
/// user (<see cref="ReadThroughAsync"/>), since the database answers different users differently. Writes go to the
/// database as today, which refuses another user's update or delete; their invalidations cost the owner a miss, nothing
/// more.</para>
/// </remarks>
internal sealed partial class CachingSessionStore : ISessionStore
{
    /// <summary>
    /// An entry is served only while its session has at least this much life left; also the most by which instance
    /// clocks may disagree.
    /// </summary>
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(5);

    /// <summary>The shortest time to live worth writing an entry for.</summary>
    private static readonly TimeSpan MinimumEntryTtl = TimeSpan.FromSeconds(1);

    private readonly ISessionStore _inner;
    private readonly bool _ownsInner;
    private readonly SessionCacheClient _cache;
    private readonly SessionCacheCodec _codec;
    private readonly SessionClock _clock;
    private readonly SessionCacheMetrics _metrics;
    private readonly TimeSpan _cacheTtl;
    private readonly RowLevelSecurityPolicy? _rowLevelSecurity;
    private readonly ILogger _logger;

    /// <summary>Database reads of misses in flight, by entry key, the tags their reader saw and (row-level security) its user.</summary>
    private readonly SingleFlight<Flight> _flights = new();
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
        _prefix = options.Prefix;
        _epochKey = options.Prefix + "#epoch";
        _codec = new SessionCacheCodec(keyRing);
        _metrics = new SessionCacheMetrics(meterFactory);
        _cache = new SessionCacheClient(
            cache,
            new SessionCacheCircuitBreaker(time, options.FailureThreshold, options.BypassPeriod, logger),
            _metrics,
            time,
            options.OperationTimeout,
            logger);
        _generationOptions = TagOptions(options.CacheTtl);
    }

    public string GenerateSessionId() => _inner.GenerateSessionId();

    public Task<McpSession> CreateAsync(McpSession session, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateNew(session);

        // The bump matters though there is no old row to protect: an entry of an earlier session with this id (cleaned
        // up, so not live, so never bumped) must not answer for the new one. It runs beside the insert (see
        // .Coherence) and its tag lives no longer than an entry of the new session could.
        var life = session.Active ? _clock.Options.DormantAfter : _clock.Options.PendingTtl;
        return WriteAsync(GenerationKey(EntryKey(session.Identity, session.SessionId)), TagOptions(EntryTtl(life)), bumpBeside: true, () => _inner.CreateAsync(session, cancellationToken));
    }

    public Task UpdateAsync(string identity, string sessionId, SessionUpdate update, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateKey(identity, sessionId);
        SessionValidator.ValidateUpdate(update);
        return WriteAsync(GenerationKey(EntryKey(identity, sessionId)), _generationOptions, bumpBeside: false, async () =>
        {
            await _inner.UpdateAsync(identity, sessionId, update, cancellationToken).ConfigureAwait(false);
            return true;
        });
    }

    public Task TouchAsync(string identity, string sessionId, CancellationToken cancellationToken = default)
    {
        // Touch moves updated_at, which GetAsync returns and liveness depends on: it invalidates like any write.
        SessionValidator.ValidateKey(identity, sessionId);
        return WriteAsync(GenerationKey(EntryKey(identity, sessionId)), _generationOptions, bumpBeside: false, async () =>
        {
            await _inner.TouchAsync(identity, sessionId, cancellationToken).ConfigureAwait(false);
            return true;
        });
    }

    public Task<bool> DeleteAsync(string identity, string sessionId, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateKey(identity, sessionId);
        return WriteAsync(GenerationKey(EntryKey(identity, sessionId)), _generationOptions, bumpBeside: false, () => _inner.DeleteAsync(identity, sessionId, cancellationToken));
    }

    /// <summary>Bumps the epoch, then waits <see cref="EpochRefresh"/> so no instance still uses the old one (see .Coherence).</summary>
    public Task<int> ClearAllAsync(CancellationToken cancellationToken = default) =>
        WriteAsync(_epochKey, EpochOptions, bumpBeside: false, () => _inner.ClearAllAsync(cancellationToken));

    /// <summary>Needs no invalidation: see the remarks on liveness.</summary>
    public Task<int> CleanupExpiredAsync(CancellationToken cancellationToken = default) => _inner.CleanupExpiredAsync(cancellationToken);

    public async Task<McpSession?> GetAsync(string identity, string sessionId, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateKey(identity, sessionId);
        var key = EntryKey(identity, sessionId);
        var generationKey = GenerationKey(key);
        var user = _rowLevelSecurity?.CurrentUserId;
        var budget = _cache.Begin();
        if (!budget.Usable || !await PayOwedAsync(generationKey, budget, cancellationToken).ConfigureAwait(false))
        {
            return await _inner.GetAsync(identity, sessionId, cancellationToken).ConfigureAwait(false);
        }

        // The epoch is read with the entry only when this instance's reading of it is older than EpochRefresh.
        var sentAt = TimeProvider.System.GetTimestamp();
        var epoch = UsableEpoch(sentAt);
        var values = await _cache.GetAsync(epoch is null ? [key, generationKey, _epochKey] : [key, generationKey], budget, cancellationToken).ConfigureAwait(false);
        if (values is null)
        {
            return await _inner.GetAsync(identity, sessionId, cancellationToken).ConfigureAwait(false);
        }

        if (epoch is null && Tag(values[2]) is { } readEpoch)
        {
            ReadEpoch(readEpoch, sentAt);
            epoch = readEpoch;
        }

        var generation = Tag(values[1]);
        if (generation is not null && epoch is not null && values[0] is { } entry && TryHit(entry, identity, sessionId, generation, epoch, user, out var hit))
        {
            _metrics.Hit();
            return hit;
        }

        _metrics.Miss();
        if (generation is null || epoch is null)
        {
            // A missing tag is created only for a session the database shows this caller, and with the life of the
            // entry it will guard: a get of an id that does not exist writes nothing (see the missing tags in .Coherence).
            var found = await _inner.GetAsync(identity, sessionId, cancellationToken).ConfigureAwait(false);
            var tagTtl = found is null ? TimeSpan.Zero : EntryTtl(found);
            if (tagTtl <= TimeSpan.Zero)
            {
                return found;
            }

            (generation, epoch) = await CreateTagsAsync(generationKey, generation is null, epoch, tagTtl, budget, cancellationToken).ConfigureAwait(false);
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

    /// <summary>What one database read of a miss found: the session and its encoded entry (both null when there is none).</summary>
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
        var (flight, leader) = _flights.Join(flightKey, () => ReadDatabaseAsync(identity, sessionId, generation, epoch));
        if (!leader)
        {
            var shared = await flight.WaitAsync(cancellationToken).ConfigureAwait(false);
            return shared.Entry is null ? null : _codec.Decode(shared.Entry, identity, sessionId, generation, epoch);
        }

        try
        {
            var result = await flight.WaitAsync(cancellationToken).ConfigureAwait(false);
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
            _flights.Leave(flightKey);
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

    /// <summary>The time to live of an entry for <paramref name="session"/>: at most CacheTtl, and ending before the session does.</summary>
    private TimeSpan EntryTtl(McpSession session) => EntryTtl(RemainingLife(session, _clock.Now()));

    /// <summary>The time to live of an entry for a session with <paramref name="life"/> left; zero when not worth writing.</summary>
    private TimeSpan EntryTtl(TimeSpan life)
    {
        var left = life - ExpiryMargin;
        var ttl = left < _cacheTtl ? left : _cacheTtl;
        return ttl >= MinimumEntryTtl ? ttl : TimeSpan.Zero;
    }

    private TimeSpan RemainingLife(McpSession session, DateTimeOffset now) =>
        _clock.LiveUntil(session.Active, session.UpdatedAt, session.ExpiresAt) - now;
}
