namespace McpSessions.EF.Storage;

/// <summary>One of the sessions given to <see cref="ISessionAdmin.ImportAsync"/> is invalid. Nothing was written.</summary>
internal sealed class SessionImportException(int index, string field, string rule, Exception? innerException = null)
    : McpSessionsException($"Session [{index}]: {field} {rule}", innerException)
{
    /// <summary>The position of the session in the input, from 0.</summary>
    public int Index { get; } = index;

    /// <summary>The invalid field, by its <see cref="Model.McpSession"/> property name (<c>ServerUrl</c>).</summary>
    public string Field { get; } = field;

    /// <summary>The rule it breaks.</summary>
    public string Rule { get; } = rule;
}
