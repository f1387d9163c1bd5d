namespace McpSessions.EF.Storage;

/// <summary>A session with this id exists already (SPEC §3).</summary>
public sealed class SessionAlreadyExistsException(string sessionId, Exception? innerException = null)
    : McpSessionsException($"Session {sessionId} already exists", innerException)
{
    /// <summary>The session id that is taken.</summary>
    public string SessionId { get; } = sessionId;
}
