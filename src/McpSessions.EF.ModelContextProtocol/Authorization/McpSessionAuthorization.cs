using System.Text;
using McpSessions.EF.Model;
using McpSessions.EF.ModelContextProtocol.OAuth;
using McpSessions.EF.ModelContextProtocol.TokenCache;
using McpSessions.EF.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpSessions.EF.ModelContextProtocol.Authorization;

/// <inheritdoc cref="IMcpSessionAuthorization"/>
internal sealed class McpSessionAuthorization(
    ISessionStore store,
    IHttpClientFactory httpClients,
    IOptions<McpSessionsClientOptions> options,
    TimeProvider time,
    ILogger<McpSessionAuthorization> logger) : IMcpSessionAuthorization
{
    private const int MaxStateLength = 512;

    // Read now, so invalid options fail when the flow is resolved, not on first use.
    private readonly McpSessionsClientOptions _options = options.Value;

    public async Task<McpAuthorizationStart> BeginAuthorizationAsync(string identity, string sessionId, CancellationToken cancellationToken = default)
    {
        var session = await store.GetAsync(identity, sessionId, cancellationToken).ConfigureAwait(false)
            ?? throw new SessionNotFoundException(identity, sessionId);
        var oauth = NewClient();

        var resource = await oauth.DiscoverResourceAsync(new Uri(session.ServerUrl), cancellationToken).ConfigureAwait(false);
        var bound = StoredTokens.AuthorizationServer(session.ClientInformation);
        var issuer = resource.AuthorizationServers.FirstOrDefault(s => string.Equals(s, bound, StringComparison.Ordinal)) ?? resource.AuthorizationServers[0];
        var server = await oauth.GetAuthorizationServerAsync(issuer, cancellationToken).ConfigureAwait(false);
        var scope = Scope(resource, server);

        var client = ReusableRegistration(session, issuer);
        var registered = client is null;
        if (client is null)
        {
            var endpoint = server.RegistrationEndpoint
                ?? throw new McpAuthorizationException(McpAuthorizationError.RegistrationFailed, $"Authorization server {issuer} does not offer dynamic client registration.");
            client = await oauth.RegisterAsync(
                endpoint,
                new ClientRegistrationRequest { RedirectUris = [session.CallbackUrl], ClientName = _options.ClientName, Scope = scope },
                cancellationToken).ConfigureAwait(false);
        }

        // The SDK's rule, so a later refresh by the SDK authenticates the same way.
        client.TokenEndpointAuthMethod ??= server.TokenEndpointAuthMethodsSupported.Count > 0 ? server.TokenEndpointAuthMethodsSupported[0] : "client_secret_post";
        StoredTokens.WithAuthorizationServer(client, issuer);

        var state = Pkce.NewRandomValue();
        var verifier = Pkce.NewRandomValue();
        var pending = await store.CreateAsync(
            PendingAuthorization.Create(state, session, client, verifier, new PendingAuthorizationDocument
            {
                Identity = identity,
                SessionId = sessionId,
                TokenEndpoint = server.TokenEndpoint.AbsoluteUri,
                Resource = resource.Resource,
                Issuer = issuer,
                IssRequired = server.IssParameterSupported,
            }),
            cancellationToken).ConfigureAwait(false);
        if (!session.Active)
        {
            // The session's own pending window starts again with the authorization's.
            await store.UpdateAsync(identity, sessionId, new SessionUpdate { Active = false }, cancellationToken).ConfigureAwait(false);
        }

        Log.Begun(logger, sessionId, issuer, registered);
        var url = AuthorizationUrl(server.AuthorizationEndpoint, new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = client.ClientId,
            ["redirect_uri"] = session.CallbackUrl,
            ["code_challenge"] = Pkce.Challenge(verifier),
            ["code_challenge_method"] = "S256",
            ["state"] = state,
            ["resource"] = resource.Resource,
            ["scope"] = scope,
        });
        return new McpAuthorizationStart(url, state, pending.ExpiresAt);
    }

    public async Task<McpSession> CompleteAuthorizationAsync(string state, string code, string? issuer = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(state) || state.Length > MaxStateLength)
        {
            throw new SessionValidationException(nameof(state), $"must be 1–{MaxStateLength} characters.");
        }

        if (string.IsNullOrEmpty(code))
        {
            throw new SessionValidationException(nameof(code), "must not be empty.");
        }

        // Consume the pending record: read it (only a live one, so within the pending window), then delete it. The
        // DELETE is the single point of truth: of two racing callbacks exactly one removes the row.
        var key = PendingAuthorization.SessionIdFor(state);
        var row = await store.GetAsync(PendingAuthorization.Identity, key, cancellationToken).ConfigureAwait(false);
        if (row is null || !await store.DeleteAsync(PendingAuthorization.Identity, key, cancellationToken).ConfigureAwait(false))
        {
            Log.UnknownState(logger);
            throw new McpAuthorizationException(McpAuthorizationError.UnknownState, "The authorization state is unknown, expired or already used.");
        }

        var (pending, client) = PendingAuthorization.Read(row);
        if ((issuer is not null || pending.IssRequired) && !string.Equals(issuer, pending.Issuer, StringComparison.Ordinal))
        {
            // RFC 9207: the response must come from the authorization server the request went to (mix-up attacks).
            Log.IssuerMismatch(logger, pending.SessionId, pending.Issuer);
            throw new McpAuthorizationException(McpAuthorizationError.IssuerMismatch, $"The authorization response does not come from {pending.Issuer}.");
        }

        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = row.CallbackUrl,
            ["code_verifier"] = row.CodeVerifier!,
        };
        if (pending.Resource is { } resource)
        {
            form["resource"] = resource;
        }

        var tokens = await NewClient().RequestTokensAsync(new Uri(pending.TokenEndpoint), client, form, cancellationToken).ConfigureAwait(false);
        StoredTokens.WithObtainedAt(tokens, time.GetUtcNow());
        await store.UpdateAsync(
            pending.Identity,
            pending.SessionId,
            new SessionUpdate { Tokens = tokens, ClientInformation = client, ClientId = client.ClientId, Active = true },
            cancellationToken).ConfigureAwait(false);
        Log.Completed(logger, pending.SessionId);
        return await store.GetAsync(pending.Identity, pending.SessionId, cancellationToken).ConfigureAwait(false)
            ?? throw new SessionNotFoundException(pending.Identity, pending.SessionId);
    }

    private OAuthClient NewClient() => new(httpClients.CreateClient(McpSessionsClientOptions.HttpClientName));

    /// <summary>The session's registration, when it was made with this authorization server for this redirect URI.</summary>
    private static OAuthClientInformation? ReusableRegistration(McpSession session, string issuer) =>
        session.ClientInformation is { ClientId.Length: > 0 } client
        && string.Equals(StoredTokens.AuthorizationServer(client), issuer, StringComparison.Ordinal)
        && (client.RedirectUris is null || client.RedirectUris.Contains(session.CallbackUrl))
            ? StoredTokens.Copy(client)
            : null;

    /// <summary>
    /// The SDK's scope strategy: the resource's <c>scopes_supported</c>, else the configured scopes; plus
    /// <c>offline_access</c> when the authorization server offers it, so that a refresh token is issued.
    /// </summary>
    private string? Scope(ProtectedResource resource, AuthorizationServer server)
    {
        var scopes = new List<string>(resource.ScopesSupported.Count > 0 ? resource.ScopesSupported : _options.Scopes ?? []);
        if (server.ScopesSupported.Contains("offline_access") && !scopes.Contains("offline_access"))
        {
            scopes.Add("offline_access");
        }

        return scopes.Count == 0 ? null : string.Join(' ', scopes);
    }

    private static Uri AuthorizationUrl(Uri endpoint, Dictionary<string, string?> parameters)
    {
        var query = new StringBuilder(endpoint.Query.TrimStart('?'));
        foreach (var (name, value) in parameters)
        {
            if (value is null)
            {
                continue;
            }

            query.Append(query.Length == 0 ? "" : "&").Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return new UriBuilder(endpoint) { Query = query.ToString() }.Uri;
    }
}
