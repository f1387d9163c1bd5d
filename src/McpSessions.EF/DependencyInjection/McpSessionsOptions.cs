namespace McpSessions.EF.DependencyInjection;

/// <summary>Options of the session store. Bound from the <c>McpSessions</c> configuration section.</summary>
public sealed class McpSessionsOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "McpSessions";

    /// <summary>Where sessions are stored. Default: a SQLite file.</summary>
    public SessionStorageProvider Provider { get; set; } = SessionStorageProvider.Sqlite;

    /// <summary>
    /// The connection string: an Npgsql connection string or <c>postgres://</c> URI for PostgreSQL, or a
    /// Microsoft.Data.Sqlite connection string for SQLite (which wins over <see cref="SqlitePath"/>).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The SQLite file when no <see cref="ConnectionString"/> is given (also <c>MCP_TS_STORAGE_SQLITE_PATH</c>). Default
    /// <c>mcp-sessions.db</c> in the current directory, the same file the <c>mcp-sessions</c> CLI and <c>dotnet ef</c> use.
    /// </summary>
    public string SqlitePath { get; set; } = "mcp-sessions.db";

    /// <summary>
    /// SQLite's <c>PRAGMA synchronous</c> on every connection of the store (which runs in WAL mode). Default
    /// <see cref="SqliteSynchronous.Normal"/>: commits are not synced one by one, so a power loss can undo the last few,
    /// but never corrupts the file. <see cref="SqliteSynchronous.Full"/> syncs every commit. Ignored for PostgreSQL,
    /// for <c>memory</c>, and for a host's own context.
    /// </summary>
    public SqliteSynchronous SqliteSynchronous { get; set; } = SqliteSynchronous.Normal;

    /// <summary>
    /// Whether the PostgreSQL connection goes through a transaction-mode pooler, which cannot keep prepared statements.
    /// Default <see cref="PostgresPooler.Auto"/>: Supabase's pooler (port 6543, a <c>pooler.supabase.com</c> host) is
    /// recognised; set <see cref="PostgresPooler.Transaction"/> for PgBouncer in transaction mode on another port.
    /// Ignored for SQLite and for a host's own context.
    /// </summary>
    public PostgresPooler PostgresPooler { get; set; } = PostgresPooler.Auto;

    /// <summary>
    /// Apply pending migrations on the first store call. Default: on for SQLite and memory, off for PostgreSQL,
    /// where schema changes belong to a deployment step (<c>dotnet ef database update</c> or <c>mcp-sessions migrate</c>).
    /// The library's own database only: a host's context (<c>AddMcpSessions&lt;TContext&gt;()</c>) is the host's to
    /// migrate, and setting it there is a validation error.
    /// </summary>
    public bool? AutoMigrate { get; set; }

    /// <summary>How long a pending session (OAuth in progress) lives. Default 10 minutes.</summary>
    public TimeSpan PendingTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The <c>expires_at</c> written when a session becomes active (for @mcp-ts/sdk). Default 12 hours.</summary>
    public TimeSpan ActiveTtl { get; set; } = TimeSpan.FromHours(12);

    /// <summary>An active session unused for this long is dormant and no longer live. Default 30 days.</summary>
    public TimeSpan DormantAfter { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Run <c>CleanupExpiredAsync</c> in a hosted background service. Default on.</summary>
    public bool CleanupEnabled { get; set; } = true;

    /// <summary>The interval between cleanup runs. Default 5 minutes.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The most rows one cleanup batch deletes (one short transaction each). Default 1000.</summary>
    public int CleanupBatchSize { get; set; } = 1000;

    /// <summary>The most rows one re-encryption batch rewrites (one short transaction each). Default 500.</summary>
    public int ReencryptBatchSize { get; set; } = 500;

    /// <summary>Encryption at rest of the secret columns. A key is required unless <see cref="EncryptionOptions.AllowPlaintext"/>.</summary>
    public EncryptionOptions Encryption { get; } = new();

    /// <summary>Configuration values that could not be understood (an unknown MCP_TS_STORAGE_TYPE, say), reported by validation.</summary>
    internal List<string> ConfigurationErrors { get; } = [];

    /// <summary>
    /// Whether opening a SQLite file that does not exist creates it (the default). The CLI turns this off for every
    /// command but <c>migrate</c>, so a mistyped path is an error rather than a new, empty database.
    /// </summary>
    internal bool CreateMissingDatabase { get; set; } = true;

    /// <summary>Set by <c>AddMcpSessions&lt;TContext&gt;()</c>: the provider and connection are the host context's.</summary>
    internal bool UsesHostContext { get; set; }

    internal bool ResolvedAutoMigrate => AutoMigrate ?? Provider is SessionStorageProvider.Sqlite or SessionStorageProvider.Memory;
}
