using System.Text.Json;
using System.Text.Json.Serialization;

namespace McpSessions.EF.Caching;

/// <summary>
/// Turns a session into a cache entry and back. The secret members are written exactly as their columns store them
/// (<see cref="SecretValues"/>), under the primary key of the store's key ring, always in the versioned <c>enc:2</c>
/// format with the column bound as associated data: in the cache all four are encrypted even when the database runs
/// in the <c>enc:1</c> compatibility mode, which leaves two of them in clear text for a Node service. Only when the
/// ring has no key at all (<c>AllowPlaintext</c>, where the database holds clear text too) is the cache clear text.
/// </summary>
/// <remarks>
/// The entry lists the members itself: as <see cref="McpSession"/>'s own JSON a hit was ~15% slower (bench.sh). A miss
/// cannot keep the row's ciphertext: the store hands this tier a decrypted session, and the stored form is not always
/// the cache's (<c>enc:1</c> mode, a retired key, a legacy plaintext row).
/// </remarks>
internal sealed partial class SessionCacheCodec
{
    /// <summary>
    /// The entry layout. An entry of another format is a miss, so a rolling upgrade never misreads one. 2: the JSON
    /// secrets hold the bare envelope (1 held it in JSON string quotes, which the entry's JSON then had to escape).
    /// </summary>
    public const int FormatVersion = 2;

    private readonly SessionKeyRing _ring;

    public SessionCacheCodec(SessionKeyRing ring) =>
        _ring = ring.Primary is { } primary && ring.Format != EncryptionFormat.Versioned
            ? new SessionKeyRing(primary, ring.Keys.Where(k => k.Id != primary.Id), EncryptionFormat.Versioned)
            : ring;

    public byte[] Encode(McpSession session, string generation, string epoch) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new SessionCacheEntry
            {
                Format = FormatVersion,
                Generation = generation,
                Epoch = epoch,
                Id = session.Id,
                SessionId = session.SessionId,
                Identity = session.Identity,
                UserId = session.UserId,
                ServerId = session.ServerId,
                ServerName = session.ServerName,
                ServerUrl = session.ServerUrl,
                CallbackUrl = session.CallbackUrl,
                TransportType = (int)session.TransportType,
                CreatedAt = session.CreatedAt.UtcTicks,
                UpdatedAt = session.UpdatedAt.UtcTicks,
                ExpiresAt = session.ExpiresAt.UtcTicks,
                Active = session.Active,
                Headers = session.Headers is null ? null : SecretValues.WriteJson(_ring, SecretColumn.Headers, session.Headers, quoted: false),
                ClientInformation = session.ClientInformation is null ? null : SecretValues.WriteJson(_ring, SecretColumn.ClientInformation, session.ClientInformation, quoted: false),
                Tokens = session.Tokens is null ? null : SecretValues.WriteJson(_ring, SecretColumn.Tokens, session.Tokens, quoted: false),
                CodeVerifier = session.CodeVerifier is null ? null : SecretValues.WriteText(_ring, SecretColumn.CodeVerifier, session.CodeVerifier),
                ClientId = session.ClientId,
                Version = session.Version,
            },
            EntryJson.Default.SessionCacheEntry);

    /// <summary>
    /// The session in <paramref name="bytes"/> when it is an entry of this format, for this identity and session id,
    /// tagged with exactly <paramref name="generation"/> and <paramref name="epoch"/>; otherwise null. Secrets are
    /// decrypted only for an entry that matches.
    /// </summary>
    /// <exception cref="SecretDecryptionException">The entry matches but a secret does not decrypt (a key was retired, or it was tampered with).</exception>
    public McpSession? Decode(byte[] bytes, string identity, string sessionId, string generation, string epoch)
    {
        SessionCacheEntry? entry;
        try
        {
            entry = JsonSerializer.Deserialize(bytes, EntryJson.Default.SessionCacheEntry);
        }
        catch (JsonException)
        {
            return null;
        }

        if (entry is null || entry.Format != FormatVersion
            || !string.Equals(entry.Generation, generation, StringComparison.Ordinal)
            || !string.Equals(entry.Epoch, epoch, StringComparison.Ordinal)
            || !string.Equals(entry.Identity, identity, StringComparison.Ordinal)
            || !string.Equals(entry.SessionId, sessionId, StringComparison.Ordinal)
            || !Enum.IsDefined((McpTransportType)entry.TransportType))
        {
            return null;
        }

        return new McpSession
        {
            Id = entry.Id,
            SessionId = entry.SessionId,
            Identity = entry.Identity,
            UserId = entry.UserId,
            ServerId = entry.ServerId,
            ServerName = entry.ServerName,
            ServerUrl = entry.ServerUrl,
            CallbackUrl = entry.CallbackUrl,
            TransportType = (McpTransportType)entry.TransportType,
            CreatedAt = new DateTimeOffset(entry.CreatedAt, TimeSpan.Zero),
            UpdatedAt = new DateTimeOffset(entry.UpdatedAt, TimeSpan.Zero),
            ExpiresAt = new DateTimeOffset(entry.ExpiresAt, TimeSpan.Zero),
            Active = entry.Active,
            Headers = entry.Headers is null ? null : SecretValues.ReadJson<Dictionary<string, string>>(_ring, SecretColumn.Headers, entry.Headers),
            ClientInformation = entry.ClientInformation is null ? null : SecretValues.ReadJson<OAuthClientInformation>(_ring, SecretColumn.ClientInformation, entry.ClientInformation),
            Tokens = entry.Tokens is null ? null : SecretValues.ReadJson<OAuthTokens>(_ring, SecretColumn.Tokens, entry.Tokens),
            CodeVerifier = entry.CodeVerifier is null ? null : SecretValues.ReadText(_ring, SecretColumn.CodeVerifier, entry.CodeVerifier),
            ClientId = entry.ClientId,
            Version = entry.Version,
        };
    }

    [JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonSerializable(typeof(SessionCacheEntry))]
    private sealed partial class EntryJson : JsonSerializerContext;
}

/// <summary>
/// One cache entry: the session as the database stores it, the four secret members in their encrypted stored form, and
/// the tags (<see cref="Generation"/>, <see cref="Epoch"/>) its filler read before it read the database. Short member
/// names and times as UTC ticks: an entry is written on every fill.
/// </summary>
internal sealed class SessionCacheEntry
{
    [JsonPropertyName("v")] public int Format { get; set; }
    [JsonPropertyName("g")] public string Generation { get; set; } = "";
    [JsonPropertyName("e")] public string Epoch { get; set; } = "";
    [JsonPropertyName("id")] public Guid Id { get; set; }
    [JsonPropertyName("sid")] public string SessionId { get; set; } = "";
    [JsonPropertyName("idn")] public string Identity { get; set; } = "";
    [JsonPropertyName("uid")] public string UserId { get; set; } = "";
    [JsonPropertyName("srv")] public string? ServerId { get; set; }
    [JsonPropertyName("name")] public string? ServerName { get; set; }
    [JsonPropertyName("url")] public string ServerUrl { get; set; } = "";
    [JsonPropertyName("cb")] public string CallbackUrl { get; set; } = "";
    [JsonPropertyName("tr")] public int TransportType { get; set; }
    [JsonPropertyName("c")] public long CreatedAt { get; set; }
    [JsonPropertyName("u")] public long UpdatedAt { get; set; }
    [JsonPropertyName("x")] public long ExpiresAt { get; set; }
    [JsonPropertyName("a")] public bool Active { get; set; }
    [JsonPropertyName("h")] public string? Headers { get; set; }
    [JsonPropertyName("ci")] public string? ClientInformation { get; set; }
    [JsonPropertyName("t")] public string? Tokens { get; set; }
    [JsonPropertyName("cv")] public string? CodeVerifier { get; set; }
    [JsonPropertyName("cid")] public string? ClientId { get; set; }
    [JsonPropertyName("ver")] public uint Version { get; set; }
}
