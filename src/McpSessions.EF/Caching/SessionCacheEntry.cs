using System.Text.Json.Serialization;

namespace McpSessions.EF.Caching;

/// <summary>
/// What one cache entry holds: the session as the database stores it, the four secret members in their encrypted
/// stored form, and the tags (<see cref="Generation"/>, <see cref="Epoch"/>) its filler read before it read the
/// database. Short member names: an entry is written on every fill.
/// </summary>
internal sealed class SessionCacheEntry
{
    [JsonPropertyName("v")]
    public int Format { get; set; }

    [JsonPropertyName("g")]
    public string Generation { get; set; } = "";

    [JsonPropertyName("e")]
    public string Epoch { get; set; } = "";

    [JsonPropertyName("id")]
    public Guid Id { get; set; }

    [JsonPropertyName("sid")]
    public string SessionId { get; set; } = "";

    [JsonPropertyName("idn")]
    public string Identity { get; set; } = "";

    [JsonPropertyName("uid")]
    public string UserId { get; set; } = "";

    [JsonPropertyName("srv")]
    public string? ServerId { get; set; }

    [JsonPropertyName("name")]
    public string? ServerName { get; set; }

    [JsonPropertyName("url")]
    public string ServerUrl { get; set; } = "";

    [JsonPropertyName("cb")]
    public string CallbackUrl { get; set; } = "";

    [JsonPropertyName("tr")]
    public int TransportType { get; set; }

    /// <summary>UTC ticks, exact.</summary>
    [JsonPropertyName("c")]
    public long CreatedAt { get; set; }

    [JsonPropertyName("u")]
    public long UpdatedAt { get; set; }

    [JsonPropertyName("x")]
    public long ExpiresAt { get; set; }

    [JsonPropertyName("a")]
    public bool Active { get; set; }

    /// <summary>The stored (encrypted) form of <c>headers</c>.</summary>
    [JsonPropertyName("h")]
    public string? Headers { get; set; }

    /// <summary>The stored (encrypted) form of <c>client_information</c>.</summary>
    [JsonPropertyName("ci")]
    public string? ClientInformation { get; set; }

    /// <summary>The stored (encrypted) form of <c>tokens</c>.</summary>
    [JsonPropertyName("t")]
    public string? Tokens { get; set; }

    /// <summary>The stored (encrypted) form of <c>code_verifier</c>.</summary>
    [JsonPropertyName("cv")]
    public string? CodeVerifier { get; set; }

    [JsonPropertyName("cid")]
    public string? ClientId { get; set; }

    [JsonPropertyName("ver")]
    public uint Version { get; set; }
}
