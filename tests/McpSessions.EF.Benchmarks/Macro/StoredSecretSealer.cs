using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using McpSessions.EF.Encryption;
using McpSessions.EF.Json;

namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>
/// The cryptography of a write's floor, the mirror of <see cref="StoredSecretOpener"/>: serializes a secret member to
/// its JSON text (the library's own source-generated contract) and seals it with <see cref="AesGcm"/> into the
/// <c>enc:2</c> envelope the column stores (<c>enc:2:&lt;key id&gt;:&lt;base64url(nonce ‖ ciphertext ‖ tag)&gt;</c>; a JSON
/// column holds it as a JSON string, in quotes, <c>code_verifier</c> bare), and nothing else: no key ring, no validation. What it costs is the least any library that encrypts every secret it
/// writes must pay, on top of the raw write of the text.
/// </summary>
internal sealed class StoredSecretSealer
{
    /// <summary>What a floor row adds to the name of the raw write it encrypts before.</summary>
    public const string Suffix = " + JSON + AES-GCM";

    private const int NonceSize = 12;
    private const int TagSize = 16;

    // Per thread, as the library keeps its AesGcm and its JSON buffers: the floor does not pay for creations the
    // library does not pay either.
    [ThreadStatic]
    private static AesGcm? t_cipher;

    [ThreadStatic]
    private static StoredSecretSealer? t_cipherOwner;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_json;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    private readonly byte[] _key;
    private readonly string _prefix;
    private readonly byte[][] _associatedData;

    public StoredSecretSealer(EncryptionKey key)
    {
        _key = key.Material;
        _prefix = $"enc:2:{key.Id}:";
        _associatedData = SecretColumns.All.Select(c => Encoding.UTF8.GetBytes($"mcp-sessions:enc:2:{key.Id}:{c.Label()}")).ToArray();
    }

    /// <summary>The stored text of column <paramref name="column"/> holding <paramref name="value"/>, sealed under a fresh nonce.</summary>
    public string Seal<T>(SecretColumn column, T value)
    {
        var json = t_json ??= new ArrayBufferWriter<byte>(4096);
        json.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(json);
        writer.Reset(json);
        JsonSerializer.Serialize(writer, value, JsonColumn.TypeInfo<T>());
        return Seal(column, json.WrittenSpan, quoted: column != SecretColumn.CodeVerifier);
    }

    /// <summary>
    /// Checks once, before anything is measured, that the library reads what this sealer writes: the library's key
    /// ring opens the envelope to exactly the JSON the library would have written for <paramref name="value"/>.
    /// </summary>
    public void Verify<T>(SessionKeyRing ring, SecretColumn column, T value)
    {
        var stored = Seal(column, value);
        var quoted = column != SecretColumn.CodeVerifier;
        if ((stored[0] == '"') != quoted)
        {
            throw new InvalidOperationException($"the floor's stored {column.Label()} is {(quoted ? "not " : "")}a JSON string");
        }

        using var opened = ring.Unprotect(column, quoted ? stored.AsSpan(1, stored.Length - 2) : stored);
        if (!opened.Span.SequenceEqual(Encoding.UTF8.GetBytes(JsonColumn.Serialize(value))))
        {
            throw new InvalidOperationException($"the floor's sealing of {column.Label()} does not open to the library's JSON");
        }
    }

    private string Seal(SecretColumn column, ReadOnlySpan<byte> plaintext, bool quoted)
    {
        var length = NonceSize + plaintext.Length + TagSize;
        var box = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var sealedSpan = box.AsSpan(0, length);
            RandomNumberGenerator.Fill(sealedSpan[..NonceSize]);
            Cipher().Encrypt(sealedSpan[..NonceSize], plaintext, sealedSpan.Slice(NonceSize, plaintext.Length), sealedSpan[^TagSize..], _associatedData[(int)column]);
            var quotes = quoted ? 1 : 0;
            return string.Create(
                quotes + _prefix.Length + Base64Url.GetEncodedLength(length) + quotes,
                (Prefix: _prefix, Box: box, Length: length, Quotes: quotes),
                static (chars, s) =>
                {
                    chars[0] = '"'; // overwritten below when unquoted
                    s.Prefix.CopyTo(chars[s.Quotes..]);
                    Base64Url.EncodeToChars(s.Box.AsSpan(0, s.Length), chars[(s.Quotes + s.Prefix.Length)..], out _, out var written);
                    if (s.Quotes == 1)
                    {
                        chars[1 + s.Prefix.Length + written] = '"';
                    }
                });
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(box);
        }
    }

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
