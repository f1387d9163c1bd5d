using McpSessions.EF.Locking;

namespace McpSessions.EF.ModelContextProtocol.TokenCache;

// Single-flight refresh across instances.
//
// Why two instances whose tokens expire at the same time cause exactly one refresh:
//
// 1. The SDK (ClientOAuthProvider, 2.4.0) refreshes only right after this cache handed it tokens that it judges
//    expired, on the same flow: the silent path reads the cache again under its own lock just before refreshing, and
//    the 401 path reads it in GetAccessTokenAsync before it refreshes. ToContainer makes the SDK's judgment of expiry
//    the cache's own, so every refresh is preceded by a GetTokensAsync here that saw expired tokens.
// 2. A GetTokensAsync that sees expired tokens takes the session's lock (ISessionLock: across instances), waiting if
//    another instance holds it, and reads the session again under it. If the tokens are fresh by then, another
//    instance refreshed: the lock is released and the fresh tokens returned, so this instance's SDK uses them and does
//    not refresh. Only if they are still expired does this instance keep the lock, and its SDK refreshes.
// 3. The lock is kept until StoreTokensAsync has written the refreshed tokens (the SDK stores before it uses them),
//    so whoever takes the lock next reads the new generation. Hence one refresh per generation of tokens, across
//    instances; and within one instance the SDK's own lock serialises its requests behind that one refresh, each of
//    them reading the cache again before deciding.
// 4. Bounded: RefreshHoldTimeout releases a lock whose refresh never stored (a failed request, an abandoned
//    interactive authorization); LockTimeout bounds the wait of the others (SessionLockTimeoutException).
//
// Limit: when the server refuses (401) tokens that still look fresh here, the SDK refreshes without asking whether
// they expired, so without the lock. MaxExpirySkew (tokens count as expired a little early) keeps clocks that
// disagree by less than it out of that case.
internal sealed partial class SessionTokenCache
{
    private readonly ISessionLock _lock;

    // One lock acquisition per cache at a time; the cache's concurrent callers queue here, not on the session lock.
    private readonly SemaphoreSlim _gate = new(1, 1);

    // Set while this instance holds the session's lock and its SDK refreshes.
    private RefreshHold? _hold;

    private async Task<StoredSession?> WaitForRefreshOrTakeItAsync(StoredSession expired, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _hold) is not null)
        {
            // This instance is the refresher: the SDK reads again in the middle of its refresh.
            return expired;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A refresh may have finished, here or elsewhere, while this caller waited for the gate.
            var current = await ReadAsync(cancellationToken).ConfigureAwait(false);
            if (current is null || !IsExpired(current) || Volatile.Read(ref _hold) is not null)
            {
                return current;
            }

            var handle = await _lock.AcquireAsync(Identity, SessionId, _options.LockTimeout, cancellationToken).ConfigureAwait(false);
            try
            {
                current = await ReadAsync(cancellationToken, fromDatabase: true).ConfigureAwait(false);
            }
            catch
            {
                await handle.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            if (current is null || !IsExpired(current))
            {
                await handle.DisposeAsync().ConfigureAwait(false);
                Log.RefreshedElsewhere(_logger, SessionId);
                return current;
            }

            var hold = new RefreshHold(handle);
            Volatile.Write(ref _hold, hold);
            hold.Timer = _time.CreateTimer(
                static state =>
                {
                    var (cache, timedOut) = ((SessionTokenCache, RefreshHold))state!;
                    cache.OnHoldTimedOut(timedOut);
                },
                (this, hold),
                _options.RefreshHoldTimeout,
                Timeout.InfiniteTimeSpan);
            Log.RefreshTaken(_logger, SessionId);
            return current;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask ReleaseRefreshLockAsync()
    {
        if (Interlocked.Exchange(ref _hold, null) is { } hold)
        {
            await ReleaseAsync(hold).ConfigureAwait(false);
        }
    }

    private void OnHoldTimedOut(RefreshHold hold)
    {
        if (Interlocked.CompareExchange(ref _hold, null, hold) == hold)
        {
            Log.HoldTimedOut(_logger, SessionId, _options.RefreshHoldTimeout);
            _ = ReleaseAsync(hold).AsTask();
        }
    }

    private async ValueTask ReleaseAsync(RefreshHold hold)
    {
        hold.Timer?.Dispose();
        try
        {
            await hold.Handle.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The lock dies with its connection or process anyway; a failed release must not hide the caller's outcome.
            Log.ReleaseFailed(_logger, SessionId, e);
        }
    }

    private sealed class RefreshHold(IAsyncDisposable handle)
    {
        public IAsyncDisposable Handle { get; } = handle;

        public ITimer? Timer { get; set; }
    }
}
