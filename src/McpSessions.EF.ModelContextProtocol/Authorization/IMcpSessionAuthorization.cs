using McpSessions.EF.Model;
using McpSessions.EF.Storage;

namespace McpSessions.EF.ModelContextProtocol;

/// <summary>
/// The OAuth authorization code flow (with PKCE, RFC 7636) for web hosts, where it spans two HTTP requests that may
/// reach different instances: one sends the browser to the authorization server, the callback completes it. Discovery
/// follows the MCP authorization specification (RFC 9728, RFC 8414), the client registers dynamically (RFC 7591) unless
/// the session already holds a registration with the same authorization server, and the tokens end up in the session,
/// where the SDK client built by <see cref="IMcpSessionClientFactory"/> finds and refreshes them.
/// </summary>
public interface IMcpSessionAuthorization
{
    /// <summary>
    /// Begins authorizing session <paramref name="sessionId"/> of <paramref name="identity"/> (its <c>ServerUrl</c>;
    /// its <c>CallbackUrl</c> is the redirect URI) and returns the URL to send the browser to. The <c>state</c>, the PKCE
    /// verifier and the redirect URI are kept in a pending record for the pending window (10 minutes by default). A
    /// pending session's window starts again; an active session stays active until the new tokens replace its own.
    /// </summary>
    /// <exception cref="SessionNotFoundException">No live session <paramref name="sessionId"/> of <paramref name="identity"/>.</exception>
    /// <exception cref="McpAuthorizationException">Discovery or client registration failed.</exception>
    Task<McpAuthorizationStart> BeginAuthorizationAsync(string identity, string sessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Completes the authorization that <paramref name="state"/> belongs to, from the callback's <c>state</c>,
    /// <c>code</c> and, when present, <c>iss</c> query parameters: consumes the pending record (exactly once, even when
    /// two requests race), exchanges the code, stores the tokens and marks the session active. Returns the session.
    /// The state is spent even when the exchange then fails: begin again.
    /// </summary>
    /// <exception cref="McpAuthorizationException">
    /// <see cref="McpAuthorizationError.UnknownState"/> for a state that is unknown, expired or already used; or the
    /// issuer or token exchange failed.
    /// </exception>
    /// <exception cref="SessionNotFoundException">The session was deleted meanwhile.</exception>
    Task<McpSession> CompleteAuthorizationAsync(string state, string code, string? issuer = null, CancellationToken cancellationToken = default);
}
