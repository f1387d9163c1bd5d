namespace McpSessions.EF.Storage;

/// <summary>
/// The session database could not be reached, did not answer in time, or the connection to it was lost (SPEC §10):
/// refused, timed out, shut down, or it would not let the store in. A call that could not connect wrote nothing; a
/// write whose connection was lost on the way may or may not have been applied. The store recovers by itself once
/// the database answers again; a host's execution strategy (<c>EnableRetryOnFailure</c>) has already retried the call
/// when this is thrown. The message names the database, never a password.
/// </summary>
public sealed class SessionDatabaseUnreachableException(string database, string cause, Exception? innerException = null)
    : McpSessionsException($"The session database ({database}) is unreachable: {cause}", innerException)
{
    /// <summary>The database, as messages name it (<c>PostgreSQL database 'app' on db.example.com:5432</c>, <c>SQLite file '/data/sessions.db'</c>).</summary>
    public string Database { get; } = database;
}
