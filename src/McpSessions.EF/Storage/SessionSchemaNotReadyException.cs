namespace McpSessions.EF.Storage;

/// <summary>The database has no session schema, or an older one, and automatic migration is off.</summary>
public sealed class SessionSchemaNotReadyException(string message, Exception? innerException = null)
    : McpSessionsException(message, innerException);
