namespace McpSessions.EF.ModelContextProtocol;

/// <summary>Why an authorization of the redirect flow failed.</summary>
public enum McpAuthorizationError
{
    /// <summary>The <c>state</c> is unknown, expired (the pending window is over) or was already used.</summary>
    UnknownState,

    /// <summary>The authorization response names another issuer than the one the authorization began with (RFC 9207).</summary>
    IssuerMismatch,

    /// <summary>The server's protected-resource or authorization-server metadata could not be found or is invalid.</summary>
    DiscoveryFailed,

    /// <summary>Dynamic client registration is not offered or failed.</summary>
    RegistrationFailed,

    /// <summary>The token endpoint refused the request (see <see cref="McpAuthorizationException.OAuthError"/>) or answered nonsense.</summary>
    TokenRequestFailed,
}
