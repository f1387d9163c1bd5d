using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using McpSessions.EF.Model;
using McpSessions.EF.ModelContextProtocol.OAuth;
using McpSessions.EF.ModelContextProtocol.TokenCache;

namespace McpSessions.EF.ModelContextProtocol.Authorization;

/// <summary>
/// An authorization in progress, kept as a pending session of its own, found again from nothing but the callback's
/// <c>state</c>.
/// </summary>
/// <remarks>
/// <para>
/// Why a session of its own, keyed by the state: the callback carries only <c>state</c> and <c>code</c>, and every
/// store call needs the identity and the session id. So both derive from the state: the reserved identity
/// <see cref="Identity"/> and the session id <c>oauth-state_</c> + base64url(SHA-256(state)). The state itself is
/// never stored (a database reader cannot forge a callback), the row gets the pending window and cleanup of every
/// pending session for free, a user's <c>ListAsync</c> never shows it, and <c>user_id</c> is the user's, so row-level
/// security lets only that user see or consume it.
/// </para>
/// <para>
/// It holds the PKCE verifier (<c>code_verifier</c>), the redirect URI (<c>callback_url</c>) and, in the encrypted
/// <c>client_information</c>, the client registration plus <see cref="Member"/>: the target session, the token
/// endpoint, the resource and the issuer.
/// </para>
/// <para>
/// Consumed exactly once: <c>DeleteAsync</c> is one <c>DELETE</c>, and of two racing callbacks only one deletes the
/// row; the other gets <see langword="false"/> and is refused. A target session's own columns are not touched until
/// the code is exchanged, so an abandoned re-authorization leaves an active session as it was.
/// </para>
/// </remarks>
internal static class PendingAuthorization
{
    /// <summary>The identity that owns every pending authorization row.</summary>
    public const string Identity = "mcp-sessions:oauth-state";

    /// <summary>The member of <c>client_information</c> that holds <see cref="PendingAuthorizationDocument"/>.</summary>
    public const string Member = "mcp_sessions_pending_authorization";

    private const string SessionIdPrefix = "oauth-state_";

    public static string SessionIdFor(string state)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(state), hash);
        return SessionIdPrefix + Base64Url.EncodeToString(hash);
    }

    public static McpSession Create(string state, McpSession target, OAuthClientInformation client, string verifier, PendingAuthorizationDocument document)
    {
        var stored = StoredTokens.Copy(client);
        stored.AdditionalProperties ??= [];
        stored.AdditionalProperties[Member] = JsonSerializer.SerializeToElement(document, OAuthJsonContext.Default.PendingAuthorizationDocument);
        return new McpSession
        {
            SessionId = SessionIdFor(state),
            Identity = Identity,
            UserId = target.UserId,
            ServerId = target.ServerId,
            ServerName = target.ServerName,
            ServerUrl = target.ServerUrl,
            CallbackUrl = target.CallbackUrl,
            TransportType = target.TransportType,
            ClientInformation = stored,
            ClientId = client.ClientId,
            CodeVerifier = verifier,
            Active = false,
        };
    }

    /// <summary>The pending document and the client registration (without the document) of a pending row.</summary>
    public static (PendingAuthorizationDocument Document, OAuthClientInformation Client) Read(McpSession pending)
    {
        var client = pending.ClientInformation is null ? null : StoredTokens.Copy(pending.ClientInformation);
        if (client?.AdditionalProperties is not { } extra || !extra.Remove(Member, out var element)
            || element.Deserialize(OAuthJsonContext.Default.PendingAuthorizationDocument) is not { } document
            || pending.CodeVerifier is null)
        {
            throw new McpAuthorizationException(McpAuthorizationError.UnknownState, "The pending authorization record is incomplete.");
        }

        return (document, client);
    }
}
