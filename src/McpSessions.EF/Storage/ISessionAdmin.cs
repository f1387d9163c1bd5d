namespace McpSessions.EF.Storage;

/// <summary>
/// Operator tasks on the library's own database, for the <c>mcp-sessions</c> tool: migrating, reading every session
/// in every state, moving sessions in and out, cleanup with progress, statistics. Unlike <see cref="ISessionStore"/>,
/// reads here also see sessions that are no longer live, and are not scoped to one identity.
/// </summary>
internal interface ISessionAdmin
{
    /// <summary>The database, for messages: provider, name and host or file, never a password.</summary>
    string DatabaseDescription { get; }

    /// <summary>Applies every pending migration. Returns the ids of those applied, oldest first (empty when up to date).</summary>
    Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The sessions, oldest first, streamed page by page, without their secrets (nothing is decrypted, so this works
    /// whatever the key). Only live ones unless <paramref name="includeNotLive"/>; only <paramref name="identity"/>'s
    /// when it is given.
    /// </summary>
    IAsyncEnumerable<SessionSummary> ListAsync(string? identity, bool includeNotLive, CancellationToken cancellationToken = default);

    /// <summary>The session whatever its state, with its secrets decrypted, or <see langword="null"/>.</summary>
    /// <exception cref="Encryption.SecretDecryptionException">A secret cannot be decrypted.</exception>
    Task<McpSession?> FindAsync(string identity, string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Every session in every state, with its secrets decrypted, in session-id order, streamed page by page.</summary>
    /// <exception cref="Encryption.SecretDecryptionException">A secret cannot be decrypted; names the session.</exception>
    IAsyncEnumerable<McpSession> ExportAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts <paramref name="sessions"/>, replacing any stored session with the same <see cref="McpSession.SessionId"/>,
    /// in one transaction: all or nothing. Each is first checked with the rules of <see cref="ISessionStore.CreateAsync"/>.
    /// <see cref="McpSession.CreatedAt"/> is kept. <see cref="McpSession.UpdatedAt"/> and <see cref="McpSession.ExpiresAt"/>
    /// are kept when set, and otherwise the import counts as a write now: <c>updated_at = now</c>,
    /// <c>expires_at = now + the TTL of the session's state</c>. The objects are updated with what was stored.
    /// </summary>
    /// <param name="sessions">The sessions to import.</param>
    /// <param name="progress">Told how many have been written so far.</param>
    /// <param name="cancellationToken">Cancels; nothing is written then.</param>
    /// <exception cref="SessionImportException">A session breaks a rule, or two share an id; nothing was written.</exception>
    Task<SessionImportResult> ImportAsync(IReadOnlyList<McpSession> sessions, IProgress<int>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>How many sessions <see cref="CleanupExpiredAsync"/> would remove now.</summary>
    Task<long> CountNotLiveAsync(CancellationToken cancellationToken = default);

    /// <summary><see cref="ISessionStore.CleanupExpiredAsync"/>, telling <paramref name="progress"/> the running total after each batch.</summary>
    Task<int> CleanupExpiredAsync(IProgress<int>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Counts by state, the <paramref name="topIdentities"/> identities with the most sessions, and the database size.</summary>
    Task<SessionStatistics> GetStatisticsAsync(int topIdentities, CancellationToken cancellationToken = default);

    /// <summary><paramref name="session"/> without its secrets, with its state now and when it stops being live.</summary>
    SessionSummary Summarize(McpSession session);

    /// <summary>Now, on the store's clock.</summary>
    DateTimeOffset Now { get; }
}
