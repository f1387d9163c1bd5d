namespace McpSessions.EF.Locking;

/// <summary>The session lock was held by someone else for longer than the caller would wait.</summary>
public sealed class SessionLockTimeoutException(string identity, string sessionId, TimeSpan timeout)
    : McpSessionsException($"Timed out after {timeout.TotalMilliseconds:0} ms waiting for the lock of session {sessionId} of identity {identity}.")
{
    /// <summary>The identity of the session.</summary>
    public string Identity { get; } = identity;

    /// <summary>The session id.</summary>
    public string SessionId { get; } = sessionId;

    /// <summary>How long the caller waited.</summary>
    public TimeSpan Timeout { get; } = timeout;
}
