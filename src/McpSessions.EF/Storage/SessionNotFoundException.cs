namespace McpSessions.EF.Storage;

/// <summary>No live session with this id for this identity (SPEC §3).</summary>
public sealed class SessionNotFoundException(string identity, string sessionId)
    : McpSessionsException($"Session {sessionId} not found for identity {identity}")
{
    /// <summary>The identity asked for.</summary>
    public string Identity { get; } = identity;

    /// <summary>The session id asked for.</summary>
    public string SessionId { get; } = sessionId;
}
