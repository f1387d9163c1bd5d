using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace McpSessions.EF.Encryption;

/// <summary>
/// AES-256-GCM in the two envelope formats (docs/ENCRYPTION.md). A fresh random 96-bit nonce per value, a 128-bit tag.
/// <list type="bullet">
/// <item><c>enc:1:&lt;nonce hex 24&gt;:&lt;tag hex 32&gt;:&lt;ciphertext hex&gt;</c>: @mcp-ts/sdk's, no associated data, no key id.</item>
/// <item><c>enc:2:&lt;key id hex 8&gt;:&lt;base64url(nonce ‖ ciphertext ‖ tag)&gt;</c>: ours; associated data
/// <c>mcp-sessions:enc:2:&lt;key id&gt;:&lt;column&gt;</c>.</item>
/// </list>
/// Plaintexts are UTF-8 (a column value's JSON text). Working buffers come from the array pool and are cleared before
/// they go back; the only allocation of an encryption is the envelope string it returns.
/// </summary>
internal static class SecretCipher
{
    public const string V1Prefix = "enc:1:";
    public const string V2Prefix = "enc:2:";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int KeyIdLength = 8;

    // An AesGcm is a native cipher context whose creation (context and key schedule) costs more than sealing a 2 KB
    // token response, so each thread keeps the one of the key it used last. It is only ever used synchronously, by its
    // own thread, so it is never shared; a thread that ends leaves it to its finalizer.
    [ThreadStatic]
    private static AesGcm? t_cipher;

    [ThreadStatic]
    private static EncryptionKey? t_cipherKey;

    /// <summary>Encrypts to an <c>enc:1</c> envelope, in JSON string quotes when <paramref name="quoted"/>.</summary>
    public static string EncryptV1(EncryptionKey key, ReadOnlySpan<byte> plaintext, bool quoted)
    {
        // nonce ‖ tag ‖ ciphertext, hex-encoded in that order with colons between.
        var sealedLength = NonceSize + TagSize + plaintext.Length;
        var sealedBytes = ArrayPool<byte>.Shared.Rent(sealedLength);
        try
        {
            var nonce = sealedBytes.AsSpan(0, NonceSize);
            RandomNumberGenerator.Fill(nonce);
            Cipher(key).Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize + TagSize, plaintext.Length), sealedBytes.AsSpan(NonceSize, TagSize));
            var quotes = quoted ? 2 : 0;
            return string.Create(quotes + V1Prefix.Length + (2 * sealedLength) + 2, (sealedBytes, sealedLength, quoted), static (chars, state) =>
            {
                var (bytes, length, quoted) = state;
                var at = 0;
                if (quoted)
                {
                    chars[at++] = '"';
                    chars[^1] = '"';
                }

                V1Prefix.CopyTo(chars[at..]);
                at += V1Prefix.Length;
                at += Hex(bytes.AsSpan(0, NonceSize), chars[at..]);
                chars[at++] = ':';
                at += Hex(bytes.AsSpan(NonceSize, TagSize), chars[at..]);
                chars[at++] = ':';
                Hex(bytes.AsSpan(NonceSize + TagSize, length - NonceSize - TagSize), chars[at..]);
            });
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sealedBytes, clearArray: true);
        }
    }

    /// <summary>
    /// Decrypts an <c>enc:1</c> envelope with the first key that authenticates it (into an array of its own when
    /// <paramref name="exact"/>, as <see cref="TryDecryptV2"/>). False with <paramref name="malformed"/>
    /// set when it is not a well-formed envelope, false alone when no key authenticates it.
    /// </summary>
    public static bool TryDecryptV1(IReadOnlyList<EncryptionKey> keys, ReadOnlySpan<char> value, bool exact, out PooledBytes plaintext, out string? malformed)
    {
        plaintext = default;
        malformed = "the enc:1 value is malformed";
        var rest = value.StartsWith(V1Prefix, StringComparison.Ordinal) ? value[V1Prefix.Length..] : default;
        var nonceEnd = rest.IndexOf(':');
        if (nonceEnd != NonceSize * 2 || rest[(nonceEnd + 1)..].IndexOf(':') != TagSize * 2)
        {
            return false;
        }

        var hexCiphertext = rest[(nonceEnd + 1 + (TagSize * 2) + 1)..];
        if (hexCiphertext.Length % 2 != 0 || hexCiphertext.Contains(':'))
        {
            return false;
        }

        Span<byte> nonce = stackalloc byte[NonceSize];
        Span<byte> tag = stackalloc byte[TagSize];
        var ciphertext = new PooledBytes(hexCiphertext.Length / 2) { Length = hexCiphertext.Length / 2 };
        try
        {
            if (!FromHex(rest[..nonceEnd], nonce) || !FromHex(rest.Slice(nonceEnd + 1, TagSize * 2), tag) || !FromHex(hexCiphertext, ciphertext.Buffer[..ciphertext.Length]))
            {
                return false;
            }

            malformed = null;
            foreach (var key in keys)
            {
                var output = exact ? PooledBytes.Exact(ciphertext.Length) : new PooledBytes(ciphertext.Length) { Length = ciphertext.Length };
                try
                {
                    Cipher(key).Decrypt(nonce, ciphertext.Span, tag, output.Buffer[..output.Length]);
                    plaintext = output;
                    return true;
                }
                catch (AuthenticationTagMismatchException)
                {
                    output.Dispose();
                }
            }

            return false;
        }
        finally
        {
            ciphertext.Dispose();
        }
    }

    /// <summary>Encrypts to an <c>enc:2</c> envelope under <paramref name="key"/>, in JSON string quotes when <paramref name="quoted"/>.</summary>
    public static string EncryptV2(EncryptionKey key, SecretColumn column, ReadOnlySpan<byte> plaintext, bool quoted)
    {
        var sealedLength = NonceSize + plaintext.Length + TagSize;
        var sealedBytes = ArrayPool<byte>.Shared.Rent(sealedLength);
        try
        {
            var nonce = sealedBytes.AsSpan(0, NonceSize);
            RandomNumberGenerator.Fill(nonce);
            Cipher(key).Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize, plaintext.Length), sealedBytes.AsSpan(NonceSize + plaintext.Length, TagSize), key.AssociatedData(column));
            var quotes = quoted ? 2 : 0;
            var length = quotes + V2Prefix.Length + KeyIdLength + 1 + Base64Url.GetEncodedLength(sealedLength);
            return string.Create(length, (sealedBytes, sealedLength, key.Id, quoted), static (chars, state) =>
            {
                var (bytes, length, keyId, quoted) = state;
                var at = 0;
                if (quoted)
                {
                    chars[at++] = '"';
                    chars[^1] = '"';
                }

                V2Prefix.CopyTo(chars[at..]);
                at += V2Prefix.Length;
                keyId.CopyTo(chars[at..]);
                at += KeyIdLength;
                chars[at++] = ':';
                Base64Url.EncodeToChars(bytes.AsSpan(0, length), chars[at..]);
            });
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sealedBytes, clearArray: true);
        }
    }

    /// <summary>The key id of an <c>enc:2</c> value, or null if it is malformed.</summary>
    public static string? V2KeyId(ReadOnlySpan<char> value) =>
        value.Length > V2Prefix.Length + KeyIdLength + 1 && value[V2Prefix.Length + KeyIdLength] == ':'
            ? new string(value.Slice(V2Prefix.Length, KeyIdLength))
            : null;

    /// <summary>Whether <paramref name="value"/>'s key id is <paramref name="keyId"/>, without allocating it.</summary>
    public static bool HasKeyId(ReadOnlySpan<char> value, string keyId) =>
        value.Length > V2Prefix.Length + KeyIdLength + 1 && value[V2Prefix.Length + KeyIdLength] == ':'
        && value.Slice(V2Prefix.Length, KeyIdLength).SequenceEqual(keyId);

    /// <summary>
    /// Decrypts an <c>enc:2</c> envelope whose key id is <paramref name="key"/>'s, into a pooled buffer or, when
    /// <paramref name="exact"/>, an array of the plaintext's length for a caller that keeps it. False with
    /// <paramref name="malformed"/> set when it is not a well-formed envelope, false alone when the key does not
    /// authenticate it.
    /// </summary>
    public static bool TryDecryptV2(EncryptionKey key, SecretColumn column, ReadOnlySpan<char> value, bool exact, out PooledBytes plaintext, out string? malformed)
    {
        plaintext = default;
        malformed = "the enc:2 value is malformed";
        var encoded = value[(V2Prefix.Length + KeyIdLength + 1)..];

        // nonce ‖ ciphertext ‖ tag: nothing secret, so its buffer goes back to the pool uncleared.
        var sealedBytes = ArrayPool<byte>.Shared.Rent(Base64Url.GetMaxDecodedLength(encoded.Length));
        try
        {
            if (Base64Url.DecodeFromChars(encoded, sealedBytes, out _, out var written) != OperationStatus.Done || written < NonceSize + TagSize)
            {
                return false;
            }

            malformed = null;
            var length = written - NonceSize - TagSize;
            var sealedSpan = sealedBytes.AsSpan(0, written);
            var output = exact ? PooledBytes.Exact(length) : new PooledBytes(length) { Length = length };
            try
            {
                Cipher(key).Decrypt(sealedSpan[..NonceSize], sealedSpan.Slice(NonceSize, length), sealedSpan[^TagSize..], output.Buffer[..length], key.AssociatedData(column));
            }
            catch (AuthenticationTagMismatchException)
            {
                output.Dispose();
                return false;
            }

            plaintext = output;
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sealedBytes);
        }
    }

    private static AesGcm Cipher(EncryptionKey key)
    {
        if (!ReferenceEquals(t_cipherKey, key))
        {
            t_cipher?.Dispose();
            t_cipher = new AesGcm(key.Material, TagSize);
            t_cipherKey = key;
        }

        return t_cipher!;
    }

    private static int Hex(ReadOnlySpan<byte> bytes, Span<char> chars)
    {
        Convert.TryToHexStringLower(bytes, chars, out var written);
        return written;
    }

    private static bool FromHex(ReadOnlySpan<char> hex, Span<byte> bytes) =>
        Convert.FromHexString(hex, bytes, out _, out var written) == OperationStatus.Done && written == bytes.Length;
}
