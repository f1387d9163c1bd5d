namespace McpSessions.EF.Storage;

/// <summary>The base of the exceptions the session store throws for a known condition.</summary>
public abstract class McpSessionsException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected McpSessionsException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
