namespace McpSessions.EF.Storage;

/// <summary>The database refused the write: row-level security does not let the current user write this session.</summary>
public sealed class SessionAccessDeniedException(string identity, string sessionId, Exception? innerException = null)
    : McpSessionsException($"The database refused to write session {sessionId} for identity {identity}: row-level security does not allow the current user to.", innerException)
{
    /// <summary>The identity of the session.</summary>
    public string Identity { get; } = identity;

    /// <summary>The session id.</summary>
    public string SessionId { get; } = sessionId;
}
