using System.Globalization;
using System.Text.Json;
using McpSessions.EF.Model;
using McpSessions.EF.ModelContextProtocol.OAuth;
using ModelContextProtocol.Authentication;

namespace McpSessions.EF.ModelContextProtocol.TokenCache;

/// <summary>
/// Where the SDK's <see cref="TokenContainer"/> lives in a session, all of it in encrypted columns: the tokens in
/// <see cref="McpSession.Tokens"/> with <c>obtained_at</c> among their extra members; <c>client_id</c>,
/// <c>client_secret</c> and <c>token_endpoint_auth_method</c> in <see cref="McpSession.ClientInformation"/> (where the
/// dynamic client registration goes too) with <c>authorization_server</c>, the issuer the registration and the tokens
/// are bound to, among its extra members.
/// </summary>
internal static class StoredTokens
{
    /// <summary>When the tokens were obtained, on the library's clock, as ISO 8601 text.</summary>
    public const string ObtainedAtMember = "obtained_at";

    /// <summary>The authorization server (issuer) the client registration and the tokens belong to.</summary>
    public const string AuthorizationServerMember = "authorization_server";

    public static DateTimeOffset? ObtainedAt(OAuthTokens tokens) =>
        tokens.AdditionalProperties is { } extra
        && extra.TryGetValue(ObtainedAtMember, out var value)
        && value.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var obtainedAt)
            ? obtainedAt
            : null;

    public static string? AuthorizationServer(OAuthClientInformation? client) =>
        client?.AdditionalProperties is { } extra
        && extra.TryGetValue(AuthorizationServerMember, out var value)
        && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>
    /// When the access token should be treated as expired, on the library's clock: <c>obtained_at + expires_in</c>,
    /// less a skew of at most <paramref name="maxSkew"/> and at most a tenth of the lifetime. Null when either is
    /// unknown (tokens written by another writer without <c>obtained_at</c>): the server's 401 decides then.
    /// </summary>
    public static DateTimeOffset? ExpiresAt(OAuthTokens tokens, TimeSpan maxSkew)
    {
        if (tokens.ExpiresIn is not { } seconds || ObtainedAt(tokens) is not { } obtainedAt)
        {
            return null;
        }

        var lifetime = TimeSpan.FromSeconds(seconds);
        var skew = lifetime / 10 < maxSkew ? lifetime / 10 : maxSkew;
        return obtainedAt + lifetime - skew;
    }

    /// <summary>
    /// The tokens of <paramref name="container"/> as stored, exactly as the SDK hands them over. A refresh response
    /// that leaves out <c>refresh_token</c> (the old one stays valid, RFC 6749 §6) needs nothing here: since 2.4.0 the
    /// SDK puts the refresh token it used into the container, and only there can a refresh be told from a new grant.
    /// </summary>
    public static OAuthTokens FromContainer(TokenContainer container, DateTimeOffset obtainedAt) =>
        WithObtainedAt(
            new OAuthTokens
            {
                AccessToken = container.AccessToken,
                TokenType = container.TokenType,
                ExpiresIn = container.ExpiresIn,
                RefreshToken = container.RefreshToken,
                Scope = container.Scope,
            },
            obtainedAt);

    /// <summary>
    /// The client registration of <paramref name="container"/>, on top of what is stored when it is the same client
    /// (so the rest of the dynamic client registration response is kept), or alone when the client changed.
    /// </summary>
    public static OAuthClientInformation ClientFromContainer(TokenContainer container, OAuthClientInformation? current)
    {
        var client = current is not null && string.Equals(current.ClientId, container.ClientId, StringComparison.Ordinal)
            ? Copy(current)
            : new OAuthClientInformation();
        client.ClientId = container.ClientId;
        client.ClientSecret = container.ClientSecret;
        client.TokenEndpointAuthMethod = container.TokenEndpointAuthMethod;
        return WithAuthorizationServer(client, container.AuthorizationServer);
    }

    /// <summary>A dynamic client registration response as stored, bound to <paramref name="authorizationServer"/>.</summary>
    public static OAuthClientInformation ClientFromRegistration(DynamicClientRegistrationResponse registration, string? authorizationServer) =>
        WithAuthorizationServer(
            new OAuthClientInformation
            {
                ClientId = registration.ClientId,
                ClientSecret = registration.ClientSecret,
                ClientIdIssuedAt = registration.ClientIdIssuedAt,
                ClientSecretExpiresAt = registration.ClientSecretExpiresAt,
                RedirectUris = registration.RedirectUris?.ToList(),
                TokenEndpointAuthMethod = registration.TokenEndpointAuthMethod,
                GrantTypes = registration.GrantTypes?.ToList(),
                ResponseTypes = registration.ResponseTypes?.ToList(),
            },
            authorizationServer);

    public static OAuthTokens WithObtainedAt(OAuthTokens tokens, DateTimeOffset obtainedAt)
    {
        tokens.AdditionalProperties ??= [];
        tokens.AdditionalProperties[ObtainedAtMember] = JsonSerializer.SerializeToElement(
            obtainedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture), OAuthJsonContext.Default.String);
        return tokens;
    }

    public static OAuthClientInformation WithAuthorizationServer(OAuthClientInformation client, string? authorizationServer)
    {
        if (authorizationServer is null)
        {
            client.AdditionalProperties?.Remove(AuthorizationServerMember);
            return client;
        }

        client.AdditionalProperties ??= [];
        client.AdditionalProperties[AuthorizationServerMember] = JsonSerializer.SerializeToElement(authorizationServer, OAuthJsonContext.Default.String);
        return client;
    }

    /// <summary>A deep copy, by a JSON round trip (the stored objects are mutable and shared with the caller).</summary>
    public static OAuthClientInformation Copy(OAuthClientInformation client) =>
        JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(client, OAuthJsonContext.Default.OAuthClientInformation), OAuthJsonContext.Default.OAuthClientInformation)!;
}
