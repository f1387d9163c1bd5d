namespace McpSessions.EF.Caching;

/// <summary>
/// Options of the distributed cache tier (SPEC §6), set with <c>AddDistributedCache(o => …)</c> on the builder that
/// <c>AddMcpSessions</c> returns. To bind them from configuration, add
/// <c>services.Configure&lt;SessionCacheOptions&gt;(configuration.GetSection(SessionCacheOptions.SectionName))</c>.
/// </summary>
public sealed class SessionCacheOptions
{
    /// <summary>The conventional configuration section, <c>McpSessions:Cache</c>; validation messages name settings under it.</summary>
    public const string SectionName = "McpSessions:Cache";

    /// <summary>
    /// The start of every cache key. An entry's key is <c>{Prefix}{identity}:{sessionId}</c>. Default <c>mcp:session:</c>.
    /// Give each application (or environment) sharing one cache its own prefix.
    /// </summary>
    public string Prefix { get; set; } = "mcp:session:";

    /// <summary>
    /// The longest an entry lives. An entry never outlives its session, so its time to live is at most
    /// <c>min(CacheTtl, the session's remaining life)</c>. It is also the bound of SPEC §6 on staleness: when a writer
    /// cannot reach the cache, its write still succeeds but cannot invalidate, and another instance may read the
    /// previous value until the entry expires, for at most <c>CacheTtl</c> after the write. Default 30 seconds: short
    /// enough that a change made during a cache outage (a revoked or replaced token, a removed session) is seen
    /// everywhere within half a minute, long enough that a session read on every request costs each instance one
    /// database read per session per half minute, not one per request. Paths that act on a secret's freshness never rely on it:
    /// they read the database (<see cref="SessionStoreDatabaseReads.GetFromDatabaseAsync"/>).
    /// </summary>
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The most time one store call spends on the cache, all of its cache operations together. When it runs out the
    /// call carries on from the database and the cache operation counts as a failure. Default 250 ms.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Consecutive failed cache operations after which the cache is bypassed for <see cref="BypassPeriod"/>. Default 3.</summary>
    public int FailureThreshold { get; set; } = 3;

    /// <summary>
    /// How long the cache is bypassed after <see cref="FailureThreshold"/> failures. Then one call tries it again: on
    /// success the cache is used again, on failure it is bypassed for another period. Default 30 seconds.
    /// </summary>
    public TimeSpan BypassPeriod { get; set; } = TimeSpan.FromSeconds(30);
}
