using McpSessions.EF.Storage;

namespace McpSessions.EF.ModelContextProtocol;

/// <summary>The OAuth redirect flow failed. The message never holds a token, code, state or secret.</summary>
public sealed class McpAuthorizationException : McpSessionsException
{
    /// <summary>Creates the exception.</summary>
    public McpAuthorizationException(McpAuthorizationError error, string message, string? oauthError = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
        OAuthError = oauthError;
    }

    /// <summary>What went wrong.</summary>
    public McpAuthorizationError Error { get; }

    /// <summary>The OAuth <c>error</c> code the server answered with (for example <c>invalid_grant</c>), if any.</summary>
    public string? OAuthError { get; }
}
