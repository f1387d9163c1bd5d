namespace McpSessions.EF.Storage;

/// <summary>
/// The session store (SPEC §3). Every read returns live sessions only (SPEC §4), and a session of one identity
/// is invisible to every call made for another. Thread-safe; register it as a singleton.
/// </summary>
public interface ISessionStore : IAsyncDisposable
{
    /// <summary>A new session id: 128 bits from a cryptographic generator, as 22 URL-safe characters.</summary>
    string GenerateSessionId();

    /// <summary>
    /// Inserts <paramref name="session"/>. The store assigns <see cref="McpSession.Id"/>, <see cref="McpSession.UpdatedAt"/>
    /// and <see cref="McpSession.ExpiresAt"/>, <see cref="McpSession.CreatedAt"/> when it is unset, and
    /// <see cref="McpSession.UserId"/> when it is empty, and writes them back onto <paramref name="session"/>.
    /// </summary>
    /// <exception cref="SessionAlreadyExistsException">A session with this <see cref="McpSession.SessionId"/> exists.</exception>
    /// <exception cref="SessionValidationException">A field breaks a rule of SPEC §2; nothing is written.</exception>
    Task<McpSession> CreateAsync(McpSession session, CancellationToken cancellationToken = default);

    /// <summary>Changes the members set on <paramref name="update"/> (a member set to <see langword="null"/> is cleared), and nothing else.</summary>
    /// <exception cref="SessionNotFoundException">No live session <paramref name="sessionId"/> of <paramref name="identity"/>.</exception>
    /// <exception cref="SessionValidationException">A value breaks a rule of SPEC §2; nothing is written.</exception>
    Task UpdateAsync(string identity, string sessionId, SessionUpdate update, CancellationToken cancellationToken = default);

    /// <summary>Marks the session as used now, which keeps an active session from going dormant. Changes nothing else.</summary>
    /// <exception cref="SessionNotFoundException">No live session <paramref name="sessionId"/> of <paramref name="identity"/>.</exception>
    Task TouchAsync(string identity, string sessionId, CancellationToken cancellationToken = default);

    /// <summary>The live session, or <see langword="null"/>.</summary>
    Task<McpSession?> GetAsync(string identity, string sessionId, CancellationToken cancellationToken = default);

    /// <summary>The live sessions of <paramref name="identity"/>, oldest first.</summary>
    Task<IReadOnlyList<McpSession>> ListAsync(string identity, CancellationToken cancellationToken = default);

    /// <summary>The ids of the live sessions of <paramref name="identity"/>, oldest first.</summary>
    Task<IReadOnlyList<string>> ListIdsAsync(string identity, CancellationToken cancellationToken = default);

    /// <summary>Removes the session whether or not it is still live. Returns whether a row was removed.</summary>
    Task<bool> DeleteAsync(string identity, string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Admin: the ids of every live session of every identity, in id order, streamed page by page.</summary>
    IAsyncEnumerable<string> ListAllIdsAsync(CancellationToken cancellationToken = default);

    /// <summary>Admin: removes every session. Returns the count removed.</summary>
    Task<int> ClearAllAsync(CancellationToken cancellationToken = default);

    /// <summary>Removes every session that is no longer live, in bounded batches. Returns the count removed.</summary>
    Task<int> CleanupExpiredAsync(CancellationToken cancellationToken = default);
}
