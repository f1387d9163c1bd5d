using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using McpSessions.EF.Encryption;
using McpSessions.EF.Json;

namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>
/// The cryptography of the floors, AES-GCM on <c>enc:2</c> envelopes (<c>enc:2:&lt;key id, 8 hex&gt;:&lt;base64url(nonce 12 ‖
/// ciphertext ‖ tag 16)&gt;</c>, associated data <c>mcp-sessions:enc:2:&lt;key id&gt;:&lt;column label&gt;</c>, as SecretCipher
/// and EncryptionKey build them) and nothing else: no key ring, no error translation. A read's floor authenticates and
/// decrypts a stored secret straight from its envelope, no JSON, the plaintext dropped; a write's floor serializes a
/// member to its JSON text (the library's own source-generated contract) and seals it. What each costs is the least any
/// library that authenticates what it reads, or encrypts what it writes, must pay for it.
/// </summary>
internal sealed class StoredSecretCipher
{
    /// <summary>What a floor row adds to the name of the raw read it decrypts after.</summary>
    public const string OpenedSuffix = " + AES-GCM";

    /// <summary>What a floor row adds to the name of the raw write it encrypts before.</summary>
    public const string SealedSuffix = " + JSON + AES-GCM";

    private const string Prefix = "enc:2:";
    private const int KeyIdLength = 8;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    // An AesGcm is a native context that costs more to create than a decryption, and is not thread-safe: each thread
    // keeps one, as the library does, so the floor does not pay for a creation the library does not pay either.
    [ThreadStatic]
    private static AesGcm? t_cipher;

    [ThreadStatic]
    private static StoredSecretCipher? t_cipherOwner;

    // The JSON a seal serializes, per thread, as the library keeps its JSON buffers.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_json;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    private readonly byte[] _key;
    private readonly string _keyId;
    private readonly byte[][] _associatedData;

    public StoredSecretCipher(EncryptionKey key)
    {
        _key = key.Material;
        _keyId = key.Id;
        _associatedData = SecretColumns.All.Select(c => Encoding.UTF8.GetBytes($"mcp-sessions:enc:2:{_keyId}:{c.Label()}")).ToArray();
    }

    /// <summary>Authenticates and decrypts each stored secret of <paramref name="row"/> (those not null), as a library reading it must.</summary>
    public RawSession OpenSecrets(RawSession row)
    {
        Open(SecretColumn.Headers, row.Headers);
        Open(SecretColumn.ClientInformation, row.ClientInformation);
        Open(SecretColumn.Tokens, row.Tokens);
        Open(SecretColumn.CodeVerifier, row.CodeVerifier);
        return row;
    }

    /// <summary>
    /// Authenticates and decrypts each secret of a cache entry as the cache tier stores it (SessionCacheCodec's entry
    /// format 2: the envelopes are the JSON strings of members <c>t</c>, <c>h</c>, <c>ci</c> and <c>cv</c>, under the
    /// same associated data as the columns); returns how many it opened. The least a hit that authenticates what it
    /// serves must do with the entry it read.
    /// </summary>
    public int OpenEntrySecrets(byte[] entry)
    {
        var opened = 0;
        var reader = new Utf8JsonReader(entry);
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1)
            {
                continue;
            }

            SecretColumn? column = reader.ValueTextEquals("t"u8) ? SecretColumn.Tokens
                : reader.ValueTextEquals("h"u8) ? SecretColumn.Headers
                : reader.ValueTextEquals("ci"u8) ? SecretColumn.ClientInformation
                : reader.ValueTextEquals("cv"u8) ? SecretColumn.CodeVerifier
                : null;
            reader.Read();
            if (column is { } secret && reader.TokenType == JsonTokenType.String)
            {
                Open(secret, reader.GetString()!, static plaintext => plaintext.Length);
                opened++;
            }
            else
            {
                reader.Skip();
            }
        }

        return opened;
    }

    /// <summary>
    /// Checks once, before anything is measured, that <see cref="OpenSecrets"/> reads what the library reads: the plaintext of
    /// <paramref name="stored"/> equals the library's own decryption of it, and under another column's associated data
    /// it fails. A floor that decrypted nothing, or authenticated nothing, would be cheaper than the real one.
    /// </summary>
    public void VerifyOpen(SessionKeyRing ring, SecretColumn column, string stored)
    {
        var opened = Open(column, stored, static plaintext => plaintext.ToArray());
        using var expected = ring.Unprotect(column, Envelope(stored));
        if (!expected.Span.SequenceEqual(opened))
        {
            throw new InvalidOperationException($"the floor's AES-GCM decryption of {column.Label()} differs from the library's");
        }

        var other = SecretColumns.All.First(c => c != column);
        try
        {
            Open(other, stored, static plaintext => plaintext.Length);
        }
        catch (AuthenticationTagMismatchException)
        {
            return;
        }

        throw new InvalidOperationException($"the floor's AES-GCM decryption of {column.Label()} ignores the associated data");
    }

    /// <summary>The length in bytes of the plaintext of <paramref name="stored"/>, a secret of <paramref name="column"/>.</summary>
    public int PlaintextLength(SecretColumn column, string stored) => Open(column, stored, static plaintext => plaintext.Length);

    /// <summary>Decrypts one stored secret (the plaintext dropped); null is a column with no value.</summary>
    private void Open(SecretColumn column, string? stored)
    {
        if (stored is not null)
        {
            Open(column, stored, static plaintext => plaintext.Length);
        }
    }

    /// <summary>
    /// Decrypts <paramref name="stored"/> into a pooled buffer and hands the plaintext to <paramref name="use"/>.
    /// Throws <see cref="AuthenticationTagMismatchException"/> (AesGcm's own) when the key and associated data do not
    /// authenticate it, <see cref="CryptographicException"/> when it is not an <c>enc:2</c> envelope under this key.
    /// The buffer goes back uncleared: clearing is hygiene, not authentication, and this is the least cost.
    /// </summary>
    private T Open<T>(SecretColumn column, string stored, Func<ReadOnlySpan<byte>, T> use)
    {
        var envelope = Envelope(stored);
        if (envelope.Length <= Prefix.Length + KeyIdLength + 1 || !envelope.StartsWith(Prefix, StringComparison.Ordinal)
            || envelope[Prefix.Length + KeyIdLength] != ':' || !envelope.Slice(Prefix.Length, KeyIdLength).SequenceEqual(_keyId))
        {
            throw new CryptographicException($"{column.Label()}: not an enc:2 value under key {_keyId}");
        }

        var encoded = envelope[(Prefix.Length + KeyIdLength + 1)..];
        var maximum = Base64Url.GetMaxDecodedLength(encoded.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(2 * maximum); // the sealed bytes, then the plaintext after them
        try
        {
            if (Base64Url.DecodeFromChars(encoded, buffer, out _, out var written) != OperationStatus.Done || written < NonceSize + TagSize)
            {
                throw new CryptographicException($"{column.Label()}: the enc:2 value is malformed");
            }

            var length = written - NonceSize - TagSize;
            var box = buffer.AsSpan(0, written);
            var plaintext = buffer.AsSpan(written, length);
            Cipher().Decrypt(box[..NonceSize], box.Slice(NonceSize, length), box[^TagSize..], plaintext, _associatedData[(int)column]);
            return use(plaintext);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The stored text of column <paramref name="column"/> holding <paramref name="value"/>, sealed under a fresh nonce:
    /// a JSON column holds the envelope as a JSON string (in quotes), <c>code_verifier</c> bare.
    /// </summary>
    public string Seal<T>(SecretColumn column, T value)
    {
        var json = t_json ??= new ArrayBufferWriter<byte>(4096);
        json.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(json);
        writer.Reset(json);
        JsonSerializer.Serialize(writer, value, JsonColumn.TypeInfo<T>());
        return Seal(column, json.WrittenSpan, quoted: IsJsonColumn(column));
    }

    /// <summary>
    /// Checks once, before anything is measured, that the library reads what <see cref="Seal{T}"/> writes: the library's
    /// key ring opens the envelope, under the column's associated data, to exactly the JSON the library writes for
    /// <paramref name="value"/>.
    /// </summary>
    public void VerifySeal<T>(SessionKeyRing ring, SecretColumn column, T value)
    {
        var stored = Seal(column, value);
        if ((stored[0] == '"') != IsJsonColumn(column))
        {
            throw new InvalidOperationException($"the floor's stored {column.Label()} is {(IsJsonColumn(column) ? "not " : "")}a JSON string");
        }

        using var opened = ring.Unprotect(column, Envelope(stored));
        if (!opened.Span.SequenceEqual(Encoding.UTF8.GetBytes(JsonColumn.Serialize(value))))
        {
            throw new InvalidOperationException($"the floor's sealing of {column.Label()} does not open to the library's JSON");
        }
    }

    private static bool IsJsonColumn(SecretColumn column) => column != SecretColumn.CodeVerifier;

    private string Seal(SecretColumn column, ReadOnlySpan<byte> plaintext, bool quoted)
    {
        var length = NonceSize + plaintext.Length + TagSize;
        var box = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var sealedSpan = box.AsSpan(0, length);
            RandomNumberGenerator.Fill(sealedSpan[..NonceSize]);
            Cipher().Encrypt(sealedSpan[..NonceSize], plaintext, sealedSpan.Slice(NonceSize, plaintext.Length), sealedSpan[^TagSize..], _associatedData[(int)column]);
            var quote = quoted ? "\"" : "";
            return string.Create(
                2 * quote.Length + Prefix.Length + KeyIdLength + 1 + Base64Url.GetEncodedLength(length),
                (Quote: quote, KeyId: _keyId, Box: box, Length: length),
                static (chars, s) =>
                {
                    var at = 0;
                    foreach (var part in (ReadOnlySpan<string>)[s.Quote, Prefix, s.KeyId, ":"])
                    {
                        part.CopyTo(chars[at..]);
                        at += part.Length;
                    }

                    Base64Url.EncodeToChars(s.Box.AsSpan(0, s.Length), chars[at..], out _, out var written);
                    s.Quote.CopyTo(chars[(at + written)..]);
                });
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(box);
        }
    }

    /// <summary>The envelope of a stored value: a JSON column holds it as a JSON string (in quotes, never escaped), a text column bare.</summary>
    private static ReadOnlySpan<char> Envelope(string stored) =>
        stored.Length >= 2 && stored[0] == '"' && stored[^1] == '"' ? stored.AsSpan(1, stored.Length - 2) : stored;

    private AesGcm Cipher()
    {
        if (!ReferenceEquals(t_cipherOwner, this))
        {
            t_cipher?.Dispose();
            t_cipher = new AesGcm(_key, TagSize);
            t_cipherOwner = this;
        }

        return t_cipher!;
    }
}
