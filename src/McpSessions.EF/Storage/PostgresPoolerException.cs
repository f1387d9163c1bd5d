namespace McpSessions.EF.Storage;

/// <summary>
/// A connection pooler between the store and PostgreSQL refused a prepared statement: it pools in transaction mode,
/// and the store was not told so. The message names the setting that fixes it.
/// </summary>
public sealed class PostgresPoolerException(string message, Exception? innerException = null)
    : McpSessionsException(message, innerException);
