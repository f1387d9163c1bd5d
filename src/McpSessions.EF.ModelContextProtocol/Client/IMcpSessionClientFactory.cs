using McpSessions.EF.Storage;
using ModelContextProtocol.Authentication;
using ModelContextProtocol.Client;

namespace McpSessions.EF.ModelContextProtocol;

/// <summary>
/// Builds the official MCP C# SDK's client configuration from a stored session, so an <c>McpClient</c> reconnects with
/// the session's server, transport, headers and OAuth material, on any instance and after a restart.
/// </summary>
public interface IMcpSessionClientFactory
{
    /// <summary>
    /// <see cref="HttpClientTransportOptions"/> for the session: its <c>ServerUrl</c> as the endpoint, its transport
    /// (<c>sse</c> or <c>streamable_http</c>), its headers as <see cref="HttpClientTransportOptions.AdditionalHeaders"/>,
    /// and OAuth with the session's <c>CallbackUrl</c> as redirect URI, the session's durable token cache, and the
    /// dynamic client registration persisted into the session. <paramref name="configureOAuth"/> may set anything else
    /// (an <see cref="ClientOAuthOptions.AuthorizationCallbackHandler"/> for interactive authorization, scopes, ...);
    /// the token cache is always the session's, and a registration delegate or server selector you set is kept and
    /// called.
    /// </summary>
    /// <exception cref="SessionNotFoundException">No live session <paramref name="sessionId"/> of <paramref name="identity"/>.</exception>
    Task<HttpClientTransportOptions> CreateClientTransportOptionsAsync(
        string identity, string sessionId, Action<ClientOAuthOptions>? configureOAuth = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The durable <see cref="ITokenCache"/> of one session, for wiring <see cref="ClientOAuthOptions.TokenCache"/> by
    /// hand. <see cref="CreateClientTransportOptionsAsync"/> also wires issuer binding and registration persistence.
    /// </summary>
    ITokenCache CreateTokenCache(string identity, string sessionId);
}
