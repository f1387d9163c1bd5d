using System.Buffers;
using System.Text;
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
                Generation = EntryText.Of(generation),
                Epoch = EntryText.Of(epoch),
                Id = session.Id,
                SessionId = EntryText.Of(session.SessionId),
                Identity = EntryText.Of(session.Identity),
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
                Headers = EntryText.Of(EncodeSecret(session, SecretColumn.Headers)),
                ClientInformation = EntryText.Of(EncodeSecret(session, SecretColumn.ClientInformation)),
                Tokens = EntryText.Of(EncodeSecret(session, SecretColumn.Tokens)),
                CodeVerifier = EntryText.Of(EncodeSecret(session, SecretColumn.CodeVerifier)),
                ClientId = session.ClientId,
                Version = session.Version,
            },
            EntryJson.Default.SessionCacheEntry);

    /// <summary>
    /// The session in <paramref name="bytes"/> when it is an entry of this format, for this identity and session id,
    /// tagged with exactly <paramref name="generation"/> and <paramref name="epoch"/>; otherwise null. Only an entry
    /// that matches is decrypted, every secret of it at once, so a retired key or a tampered entry fails here and the
    /// caller reads the database; the secrets are parsed when first read (<see cref="McpSession.SetPendingSecret"/>).
    /// </summary>
    /// <exception cref="SecretDecryptionException">The entry matches but a secret does not decrypt (a key was retired, or it was tampered with).</exception>
    public McpSession? Decode(byte[] bytes, string identity, string sessionId, string generation, string epoch)
    {
        SessionCacheEntry? entry;
        try
        {
            // Secrets are read in place by offset: an entry must start at its object, with no byte order mark before it.
            entry = bytes is [(byte)'{', ..] ? JsonSerializer.Deserialize(bytes, EntryJson.Default.SessionCacheEntry) : null;
        }
        catch (JsonException)
        {
            return null;
        }

        if (entry is null || entry.Format != FormatVersion
            || entry.Generation?.Equals(bytes, generation) != true
            || entry.Epoch?.Equals(bytes, epoch) != true
            || entry.Identity?.Equals(bytes, identity) != true
            || entry.SessionId?.Equals(bytes, sessionId) != true
            || !Enum.IsDefined((McpTransportType)entry.TransportType))
        {
            return null;
        }

        var session = new McpSession
        {
            Id = entry.Id,
            SessionId = sessionId,
            Identity = identity,
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
            ClientId = entry.ClientId,
            Version = entry.Version,
        };
        DecodeSecret(bytes, entry.Headers, SecretColumn.Headers, session);
        DecodeSecret(bytes, entry.ClientInformation, SecretColumn.ClientInformation, session);
        DecodeSecret(bytes, entry.Tokens, SecretColumn.Tokens, session);
        DecodeSecret(bytes, entry.CodeVerifier, SecretColumn.CodeVerifier, session);
        return session;
    }

    /// <summary>
    /// A secret as the entry holds it: encrypted under the primary key, from its pending plaintext as it is when it was
    /// never read (no parse and serialize on a fill), or null.
    /// </summary>
    private string? EncodeSecret(McpSession session, SecretColumn column)
    {
        if (_ring.Encrypts(column) && session.TryGetPendingSecret(column, out var plaintext))
        {
            return _ring.Protect(column, plaintext.Span, quoted: false);
        }

        return column switch
        {
            SecretColumn.Headers => session.Headers is { } headers ? SecretValues.WriteJson(_ring, column, headers, quoted: false) : null,
            SecretColumn.ClientInformation => session.ClientInformation is { } client ? SecretValues.WriteJson(_ring, column, client, quoted: false) : null,
            SecretColumn.Tokens => session.Tokens is { } tokens ? SecretValues.WriteJson(_ring, column, tokens, quoted: false) : null,
            _ => session.CodeVerifier is { } verifier ? SecretValues.WriteText(_ring, column, verifier) : null,
        };
    }

    /// <summary>
    /// Decrypts one secret of the entry from its bytes, as the store reads a stored secret (<see cref="SecretValues.Plaintext"/>),
    /// into the session's pending plaintext: no string is made of an envelope, the bulk of an entry.
    /// </summary>
    private void DecodeSecret(byte[] entry, EntryText? secret, SecretColumn column, McpSession session)
    {
        if (secret is not { } present)
        {
            return;
        }

        var stored = present.Utf8(entry);
        var chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(stored.Length));
        try
        {
            var length = Encoding.UTF8.GetChars(stored, chars);
            if (SecretValues.Plaintext(_ring, column, chars.AsSpan(0, length)) is { } json)
            {
                session.SetPendingSecret(column, json);
            }
            else
            {
                session.CodeVerifier = new string(chars, 0, length); // a verifier in clear text (a ring with no key)
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars, clearArray: true);
        }
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
    [JsonPropertyName("g")] public EntryText? Generation { get; set; }
    [JsonPropertyName("e")] public EntryText? Epoch { get; set; }
    [JsonPropertyName("id")] public Guid Id { get; set; }
    [JsonPropertyName("sid")] public EntryText? SessionId { get; set; }
    [JsonPropertyName("idn")] public EntryText? Identity { get; set; }
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
    [JsonPropertyName("h")] public EntryText? Headers { get; set; }
    [JsonPropertyName("ci")] public EntryText? ClientInformation { get; set; }
    [JsonPropertyName("t")] public EntryText? Tokens { get; set; }
    [JsonPropertyName("cv")] public EntryText? CodeVerifier { get; set; }
    [JsonPropertyName("cid")] public string? ClientId { get; set; }
    [JsonPropertyName("ver")] public uint Version { get; set; }
}

/// <summary>
/// A string member of an entry that decoding reads in place, where its value sits in the entry's bytes, rather than as
/// a string: the secrets (an envelope is the bulk of an entry), and the tags, identity and session id, which are only
/// compared. A value with JSON escapes (never an envelope or a tag) is copied out unescaped. Written as the string it holds.
/// </summary>
[JsonConverter(typeof(EntryTextConverter))]
internal readonly struct EntryText
{
    private readonly int _start;
    private readonly int _length;
    private readonly byte[]? _unescaped;
    private readonly string? _text;

    private EntryText(int start, int length, byte[]? unescaped, string? text) => (_start, _length, _unescaped, _text) = (start, length, unescaped, text);

    /// <summary>A value to write: <paramref name="text"/>, or none.</summary>
    public static EntryText? Of(string? text) => text is null ? null : new(0, 0, null, text);

    public static EntryText InPlace(int start, int length) => new(start, length, null, null);

    public static EntryText Copied(byte[] unescaped) => new(0, unescaped.Length, unescaped, null);

    /// <summary>The value's UTF-8 bytes, within <paramref name="entry"/> (the bytes it was read from) or its own.</summary>
    public ReadOnlySpan<byte> Utf8(byte[] entry) => _unescaped ?? entry.AsSpan(_start, _length);

    /// <summary>Whether the value is exactly <paramref name="expected"/>, compared as UTF-8 without making a string.</summary>
    public bool Equals(byte[] entry, string expected)
    {
        var actual = Utf8(entry);
        if (actual.Length > expected.Length * 3)
        {
            return false; // longer than any UTF-8 form of expected
        }

        Span<byte> encoded = actual.Length <= 512 ? stackalloc byte[actual.Length] : new byte[actual.Length];
        return System.Text.Unicode.Utf8.FromUtf16(expected, encoded, out _, out var written, replaceInvalidSequences: false, isFinalBlock: true) == OperationStatus.Done
            && written == actual.Length
            && actual.SequenceEqual(encoded);
    }

    /// <summary>The text to write (only an entry being encoded has one).</summary>
    public string? Text => _text;
}

internal sealed class EntryTextConverter : JsonConverter<EntryText>
{
    public override EntryText Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("A member read in place is not a string.");
        }

        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            var unescaped = new byte[reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length];
            return EntryText.Copied(unescaped[..reader.CopyString(unescaped)]);
        }

        // TokenStartIndex is the opening quote's offset in the entry's bytes.
        return EntryText.InPlace((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
    }

    public override void Write(Utf8JsonWriter writer, EntryText value, JsonSerializerOptions options)
    {
        writer.WriteStringValue(value.Text ?? throw new JsonException("Only a value made with EntryText.Of is written."));
    }
}
