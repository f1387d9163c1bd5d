using System.Text.Json;
using System.Text.Json.Serialization;

namespace McpSessions.EF.Model;

/// <summary>
/// An OAuth client registration (RFC 7591 §3.2.1), with its wire names. Members not modelled here are kept in
/// <see cref="AdditionalProperties"/> and round-trip.
/// </summary>
public sealed class OAuthClientInformation
{
    /// <summary><c>client_id</c>.</summary>
    [JsonPropertyName("client_id")]
    public string? ClientId { get; set; }

    /// <summary><c>client_secret</c>, for confidential clients.</summary>
    [JsonPropertyName("client_secret")]
    public string? ClientSecret { get; set; }

    /// <summary><c>client_id_issued_at</c>, seconds since the Unix epoch.</summary>
    [JsonPropertyName("client_id_issued_at")]
    public long? ClientIdIssuedAt { get; set; }

    /// <summary><c>client_secret_expires_at</c>, seconds since the Unix epoch; 0 means never.</summary>
    [JsonPropertyName("client_secret_expires_at")]
    public long? ClientSecretExpiresAt { get; set; }

    /// <summary><c>redirect_uris</c>.</summary>
    [JsonPropertyName("redirect_uris")]
    public IList<string>? RedirectUris { get; set; }

    /// <summary><c>token_endpoint_auth_method</c>.</summary>
    [JsonPropertyName("token_endpoint_auth_method")]
    public string? TokenEndpointAuthMethod { get; set; }

    /// <summary><c>grant_types</c>.</summary>
    [JsonPropertyName("grant_types")]
    public IList<string>? GrantTypes { get; set; }

    /// <summary><c>response_types</c>.</summary>
    [JsonPropertyName("response_types")]
    public IList<string>? ResponseTypes { get; set; }

    /// <summary><c>client_name</c>.</summary>
    [JsonPropertyName("client_name")]
    public string? ClientName { get; set; }

    /// <summary><c>scope</c>.</summary>
    [JsonPropertyName("scope")]
    public string? Scope { get; set; }

    /// <summary>Every other member the server sent, kept as is.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <inheritdoc />
    public override string ToString() => "OAuthClientInformation { [redacted] }";
}
