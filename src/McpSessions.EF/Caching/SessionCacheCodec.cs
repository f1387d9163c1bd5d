using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace McpSessions.EF.Caching;

/// <summary>
/// The cache entry format: a session and the tags its filler read before it read the database, and back. The session's
/// members go as <see cref="McpSession"/>'s own JSON, less the four secret members (<see cref="SecretColumn"/>), which
/// go beside it exactly as their columns store them (<see cref="SecretValues"/>), under the primary key of the store's
/// key ring, always in the versioned <c>enc:2</c> format with the column bound as associated data: in the cache all four
/// are encrypted even when the database runs in the <c>enc:1</c> compatibility mode, which leaves two of them in clear
/// text for a Node service. Only when the ring has no key at all (<c>AllowPlaintext</c>, where the database holds clear
/// text too) is the cache clear text.
/// </summary>
/// <remarks>
/// A miss decrypts (the store's value converters) and encrypts again (here), although the row held ciphertext: it
/// cannot be kept. The store hands this tier an <see cref="McpSession"/>, decrypted; its stored text exists only below
/// <see cref="Storage.ISessionStore"/>. And it is not always the cache's form: in the <c>enc:1</c> mode two columns are
/// clear text and the others carry no associated data, and a row under a retired key or a legacy plaintext row is not
/// under the primary key. Only a row written in the default mode under the primary key could be copied as it is.
/// </remarks>
internal sealed partial class SessionCacheCodec
{
    /// <summary>
    /// The entry layout. An entry of another format is a miss, so a rolling upgrade never misreads one. 3: the session
    /// as <see cref="McpSession"/>'s JSON (2 had a member list of its own).
    /// </summary>
    public const int FormatVersion = 3;

    private static readonly JsonTypeInfo<Entry> EntryJson = (JsonTypeInfo<Entry>)new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = EntryJsonContext.Default.WithAddedModifier(static type =>
        {
            if (type.Type == typeof(McpSession))
            {
                // A secret column is named as its member; one that is not would go into the cache in clear text.
                var secrets = type.Properties.Where(p => Enum.GetNames<SecretColumn>().Contains(p.Name)).ToList();
                if (secrets.Count != Enum.GetValues<SecretColumn>().Length)
                {
                    throw new InvalidOperationException("Every SecretColumn must name a member of McpSession.");
                }

                secrets.ForEach(secret => type.Properties.Remove(secret));
            }
        }),
    }.GetTypeInfo(typeof(Entry));

    private readonly SessionKeyRing _ring;

    public SessionCacheCodec(SessionKeyRing ring) =>
        _ring = ring.Primary is { } primary && ring.Format != EncryptionFormat.Versioned
            ? new SessionKeyRing(primary, ring.Keys.Where(k => k.Id != primary.Id), EncryptionFormat.Versioned)
            : ring;

    public byte[] Encode(McpSession session, string generation, string epoch) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new Entry(
                FormatVersion,
                generation,
                epoch,
                session,
                Headers: session.Headers is null ? null : SecretValues.WriteJson(_ring, SecretColumn.Headers, session.Headers, quoted: false),
                ClientInformation: session.ClientInformation is null ? null : SecretValues.WriteJson(_ring, SecretColumn.ClientInformation, session.ClientInformation, quoted: false),
                Tokens: session.Tokens is null ? null : SecretValues.WriteJson(_ring, SecretColumn.Tokens, session.Tokens, quoted: false),
                CodeVerifier: session.CodeVerifier is null ? null : SecretValues.WriteText(_ring, SecretColumn.CodeVerifier, session.CodeVerifier)),
            EntryJson);

    /// <summary>
    /// The session in <paramref name="bytes"/> when it is an entry of this format, for this identity and session id,
    /// tagged with exactly <paramref name="generation"/> and <paramref name="epoch"/>; otherwise null. Secrets are
    /// decrypted only for an entry that matches.
    /// </summary>
    /// <exception cref="SecretDecryptionException">The entry matches but a secret does not decrypt (a key was retired, or it was tampered with).</exception>
    public McpSession? Decode(byte[] bytes, string identity, string sessionId, string generation, string epoch)
    {
        Entry? entry;
        try
        {
            entry = JsonSerializer.Deserialize(bytes, EntryJson);
        }
        catch (JsonException)
        {
            return null;
        }

        if (entry is not { Format: FormatVersion, Session: { } session }
            || !string.Equals(entry.Generation, generation, StringComparison.Ordinal)
            || !string.Equals(entry.Epoch, epoch, StringComparison.Ordinal)
            || !string.Equals(session.Identity, identity, StringComparison.Ordinal)
            || !string.Equals(session.SessionId, sessionId, StringComparison.Ordinal)
            || !Enum.IsDefined(session.TransportType))
        {
            return null;
        }

        session.Headers = entry.Headers is null ? null : SecretValues.ReadJson<Dictionary<string, string>>(_ring, SecretColumn.Headers, entry.Headers);
        session.ClientInformation = entry.ClientInformation is null ? null : SecretValues.ReadJson<OAuthClientInformation>(_ring, SecretColumn.ClientInformation, entry.ClientInformation);
        session.Tokens = entry.Tokens is null ? null : SecretValues.ReadJson<OAuthTokens>(_ring, SecretColumn.Tokens, entry.Tokens);
        session.CodeVerifier = entry.CodeVerifier is null ? null : SecretValues.ReadText(_ring, SecretColumn.CodeVerifier, entry.CodeVerifier);
        return session;
    }

    /// <summary>One cache entry; <see cref="Session"/> without its secret members. Short names: an entry is written on every fill.</summary>
    private sealed record Entry(
        [property: JsonPropertyName("v")] int Format,
        [property: JsonPropertyName("g")] string Generation,
        [property: JsonPropertyName("e")] string Epoch,
        [property: JsonPropertyName("s")] McpSession? Session,
        [property: JsonPropertyName("h")] string? Headers,
        [property: JsonPropertyName("ci")] string? ClientInformation,
        [property: JsonPropertyName("t")] string? Tokens,
        [property: JsonPropertyName("cv")] string? CodeVerifier);

    [JsonSerializable(typeof(Entry))]
    private sealed partial class EntryJsonContext : JsonSerializerContext;
}
