using System.Text.Json.Serialization;

namespace McpSessions.EF.ModelContextProtocol.OAuth;

/// <summary>OAuth 2.0 Protected Resource Metadata (RFC 9728 §2), the members the flow reads.</summary>
internal sealed class ProtectedResourceDocument
{
    [JsonPropertyName("resource")]
    public string? Resource { get; set; }

    [JsonPropertyName("authorization_servers")]
    public List<string>? AuthorizationServers { get; set; }

    [JsonPropertyName("scopes_supported")]
    public List<string>? ScopesSupported { get; set; }
}

/// <summary>OAuth 2.0 Authorization Server Metadata (RFC 8414 §2), the members the flow reads.</summary>
internal sealed class AuthorizationServerDocument
{
    [JsonPropertyName("issuer")]
    public string? Issuer { get; set; }

    [JsonPropertyName("authorization_endpoint")]
    public string? AuthorizationEndpoint { get; set; }

    [JsonPropertyName("token_endpoint")]
    public string? TokenEndpoint { get; set; }

    [JsonPropertyName("registration_endpoint")]
    public string? RegistrationEndpoint { get; set; }

    [JsonPropertyName("scopes_supported")]
    public List<string>? ScopesSupported { get; set; }

    [JsonPropertyName("token_endpoint_auth_methods_supported")]
    public List<string>? TokenEndpointAuthMethodsSupported { get; set; }

    [JsonPropertyName("code_challenge_methods_supported")]
    public List<string>? CodeChallengeMethodsSupported { get; set; }

    [JsonPropertyName("authorization_response_iss_parameter_supported")]
    public bool AuthorizationResponseIssParameterSupported { get; set; }
}

/// <summary>A dynamic client registration request (RFC 7591 §2).</summary>
internal sealed class ClientRegistrationRequest
{
    [JsonPropertyName("redirect_uris")]
    public required IList<string> RedirectUris { get; init; }

    [JsonPropertyName("grant_types")]
    public IList<string> GrantTypes { get; init; } = ["authorization_code", "refresh_token"];

    [JsonPropertyName("response_types")]
    public IList<string> ResponseTypes { get; init; } = ["code"];

    [JsonPropertyName("token_endpoint_auth_method")]
    public string TokenEndpointAuthMethod { get; init; } = "client_secret_post";

    [JsonPropertyName("client_name")]
    public string? ClientName { get; init; }

    [JsonPropertyName("scope")]
    public string? Scope { get; init; }
}

/// <summary>An OAuth error response (RFC 6749 §5.2).</summary>
internal sealed class OAuthErrorDocument
{
    [JsonPropertyName("error")]
    public string? Error { get; set; }
}

/// <summary>
/// What the redirect flow keeps about an authorization in progress, besides the PKCE verifier and the redirect URI,
/// which have columns of their own.
/// </summary>
internal sealed class PendingAuthorizationDocument
{
    [JsonPropertyName("identity")]
    public required string Identity { get; init; }

    [JsonPropertyName("session_id")]
    public required string SessionId { get; init; }

    [JsonPropertyName("token_endpoint")]
    public required string TokenEndpoint { get; init; }

    [JsonPropertyName("resource")]
    public string? Resource { get; init; }

    [JsonPropertyName("issuer")]
    public required string Issuer { get; init; }

    [JsonPropertyName("iss_required")]
    public bool IssRequired { get; init; }
}
