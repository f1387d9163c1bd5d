namespace McpSessions.EF.DependencyInjection;

/// <summary>
/// SQLite's <c>PRAGMA synchronous</c> for the store's connections, which run in WAL mode. The trade is durability
/// against write latency; neither setting can corrupt the database.
/// </summary>
public enum SqliteSynchronous
{
    /// <summary>
    /// <c>NORMAL</c>, the default: the WAL is synced at checkpoints, not at every commit. A power loss or OS crash (not
    /// an application crash) can undo the last transactions that committed before it; the database stays consistent.
    /// </summary>
    Normal,

    /// <summary><c>FULL</c>: every commit is synced to disk before it returns, so a committed write survives a power loss. Slower writes.</summary>
    Full,
}
