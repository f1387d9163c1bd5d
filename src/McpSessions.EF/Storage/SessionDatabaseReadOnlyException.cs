namespace McpSessions.EF.Storage;

/// <summary>
/// The session database would not take a write (SPEC §10): its file is read-only or immutable, or the file system
/// refused the write. Nothing was written; reads go on. The store writes again by itself once the file can be written.
/// The message names the database, never a secret.
/// </summary>
public sealed class SessionDatabaseReadOnlyException(string database, string cause, Exception? innerException = null)
    : McpSessionsException($"The session database ({database}) cannot be written: {cause}", innerException)
{
    /// <summary>The database, as messages name it (<c>SQLite file '/data/sessions.db'</c>).</summary>
    public string Database { get; } = database;
}
