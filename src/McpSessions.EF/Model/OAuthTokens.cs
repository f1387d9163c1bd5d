using System.Text.Json;
using System.Text.Json.Serialization;

namespace McpSessions.EF.Model;

/// <summary>
/// OAuth 2.0 tokens as the authorization server returned them (RFC 6749 §5.1), with their wire names.
/// Members the server sent that are not modelled here are kept in <see cref="AdditionalProperties"/> and round-trip.
/// </summary>
public sealed class OAuthTokens
{
    /// <summary><c>access_token</c>.</summary>
    [JsonPropertyName("access_token")]
    public string? AccessToken { get; set; }

    /// <summary><c>token_type</c>, usually <c>Bearer</c>.</summary>
    [JsonPropertyName("token_type")]
    public string? TokenType { get; set; }

    /// <summary><c>expires_in</c>, in seconds from issue.</summary>
    [JsonPropertyName("expires_in")]
    public long? ExpiresIn { get; set; }

    /// <summary><c>refresh_token</c>.</summary>
    [JsonPropertyName("refresh_token")]
    public string? RefreshToken { get; set; }

    /// <summary><c>scope</c>.</summary>
    [JsonPropertyName("scope")]
    public string? Scope { get; set; }

    /// <summary><c>id_token</c> (OpenID Connect).</summary>
    [JsonPropertyName("id_token")]
    public string? IdToken { get; set; }

    /// <summary>Every other member the server sent, kept as is.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <inheritdoc />
    public override string ToString() => "OAuthTokens { [redacted] }";
}
