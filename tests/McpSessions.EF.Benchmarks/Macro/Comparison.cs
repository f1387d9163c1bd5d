namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>
/// What a row of the report divides by what. Most rows are the library ÷ its raw baseline; a phase can have more rows,
/// each measured in the same runs, back to back with the others.
/// </summary>
internal static class Comparison
{
    /// <summary>The library ÷ the raw baseline of its configuration (Npgsql, Microsoft.Data.Sqlite, Redis HMGET).</summary>
    public const string Raw = "raw";

    /// <summary>SQLite: the library's get ÷ a get on an open connection with its command prepared once and reused.</summary>
    public const string PreparedRaw = "prepared raw";

    /// <summary>postgres+redis: a write of the library with the cache tier ÷ the same write of the library without it.</summary>
    public const string NoCache = "no cache";

    /// <summary>
    /// Not the library: the least a path must cost, as raw commands ÷ the raw baseline: in round trips (a cache hit, a
    /// cached write) or in the cryptography of a read (the raw read, then AES-GCM decryption of each stored secret). A
    /// ratio of the library above its floor cannot be reached by removing overhead.
    /// </summary>
    public const string Floor = "floor";

    /// <summary>
    /// A cache hit's <see cref="Floor"/> with its reads through <c>IDistributedCache</c> (a RedisCache on the same
    /// connection), the interface the library must read through (SPEC §6): what is left of a hit's gap to its floor
    /// that the library cannot remove, because it is the interface's.
    /// </summary>
    public const string CacheFloor = "floor, cache";
}
