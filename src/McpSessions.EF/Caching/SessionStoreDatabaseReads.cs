namespace McpSessions.EF.Caching;

/// <summary>Reads that must see the latest committed write, whatever the cache tier holds (SPEC §6).</summary>
public static class SessionStoreDatabaseReads
{
    /// <summary>
    /// <see cref="ISessionStore.GetAsync"/> answered by the database, never by the cache tier. Use it on every path that
    /// acts on a secret's freshness, above all a token refresh under the session lock: an instance that could not reach
    /// the cache when it wrote leaves the previous value there for up to <see cref="SessionCacheOptions.CacheTtl"/>, and
    /// a refresh token read from it may already have been rotated. On a store without the cache tier it is
    /// <see cref="ISessionStore.GetAsync"/> itself. It sees through the library's own cache decorator only: a decorator
    /// of the host's own around it must forward the call itself.
    /// </summary>
    public static Task<McpSession?> GetFromDatabaseAsync(this ISessionStore store, string identity, string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store is CachingSessionStore caching
            ? caching.GetFromDatabaseAsync(identity, sessionId, cancellationToken)
            : store.GetAsync(identity, sessionId, cancellationToken);
    }
}
