namespace McpSessions.EF.ModelContextProtocol;

/// <summary>An authorization begun by <see cref="IMcpSessionAuthorization.BeginAuthorizationAsync"/>.</summary>
public sealed class McpAuthorizationStart
{
    /// <summary>Creates the result (public so that hosts can fake <see cref="IMcpSessionAuthorization"/> in their tests).</summary>
    public McpAuthorizationStart(Uri authorizationUrl, string state, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(authorizationUrl);
        ArgumentException.ThrowIfNullOrEmpty(state);
        AuthorizationUrl = authorizationUrl;
        State = state;
        ExpiresAt = expiresAt;
    }

    /// <summary>Where to send the user's browser (an HTTP 302 to it).</summary>
    public Uri AuthorizationUrl { get; }

    /// <summary>The <c>state</c> of the request, also inside <see cref="AuthorizationUrl"/>; single use.</summary>
    public string State { get; }

    /// <summary>When the pending authorization stops being accepted (the pending window, 10 minutes by default).</summary>
    public DateTimeOffset ExpiresAt { get; }
}
