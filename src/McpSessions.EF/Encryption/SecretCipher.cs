using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace McpSessions.EF.Encryption;

/// <summary>
/// AES-256-GCM in the two envelope formats (docs/ENCRYPTION.md). A fresh random 96-bit nonce per value, a 128-bit tag.
/// <list type="bullet">
/// <item><c>enc:1:&lt;nonce hex 24&gt;:&lt;tag hex 32&gt;:&lt;ciphertext hex&gt;</c>: @mcp-ts/sdk's, no associated data, no key id.</item>
/// <item><c>enc:2:&lt;key id hex 8&gt;:&lt;base64url(nonce ‖ ciphertext ‖ tag)&gt;</c>: ours; associated data
/// <c>mcp-sessions:enc:2:&lt;key id&gt;:&lt;column&gt;</c>.</item>
/// </list>
/// </summary>
internal static class SecretCipher
{
    public const string V1Prefix = "enc:1:";
    public const string V2Prefix = "enc:2:";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public static string EncryptV1(EncryptionKey key, string plaintext)
    {
        var input = Encoding.UTF8.GetBytes(plaintext);
        Span<byte> nonce = stackalloc byte[NonceSize];
        Span<byte> tag = stackalloc byte[TagSize];
        RandomNumberGenerator.Fill(nonce);
        var ciphertext = new byte[input.Length];
        using (var aes = new AesGcm(key.Material, TagSize))
        {
            aes.Encrypt(nonce, input, ciphertext, tag);
        }

        return string.Concat(V1Prefix, Convert.ToHexStringLower(nonce), ":", Convert.ToHexStringLower(tag), ":", Convert.ToHexStringLower(ciphertext));
    }

    /// <summary>Decrypts an <c>enc:1</c> value with the first key that authenticates it, or returns null if none does.</summary>
    public static string? DecryptV1(IReadOnlyList<EncryptionKey> keys, string value, out string? malformed)
    {
        malformed = null;
        var parts = value.Split(':');
        if (parts.Length != 5 || parts[2].Length != NonceSize * 2 || parts[3].Length != TagSize * 2 || parts[4].Length % 2 != 0)
        {
            malformed = "the enc:1 value is malformed";
            return null;
        }

        byte[] nonce, tag, ciphertext;
        try
        {
            nonce = Convert.FromHexString(parts[2]);
            tag = Convert.FromHexString(parts[3]);
            ciphertext = Convert.FromHexString(parts[4]);
        }
        catch (FormatException)
        {
            malformed = "the enc:1 value is malformed";
            return null;
        }

        var plaintext = new byte[ciphertext.Length];
        foreach (var key in keys)
        {
            using var aes = new AesGcm(key.Material, TagSize);
            try
            {
                aes.Decrypt(nonce, ciphertext, tag, plaintext);
                return Encoding.UTF8.GetString(plaintext);
            }
            catch (AuthenticationTagMismatchException)
            {
            }
        }

        return null;
    }

    public static string EncryptV2(EncryptionKey key, string column, string plaintext)
    {
        var input = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[NonceSize + input.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(key.Material, TagSize))
        {
            aes.Encrypt(nonce, input, sealedBytes.AsSpan(NonceSize, input.Length), sealedBytes.AsSpan(NonceSize + input.Length), AssociatedData(key.Id, column));
        }

        return string.Concat(V2Prefix, key.Id, ":", Base64Url.EncodeToString(sealedBytes));
    }

    /// <summary>The key id of an <c>enc:2</c> value, or null if it is malformed.</summary>
    public static string? V2KeyId(string value) =>
        value.Length > V2Prefix.Length + 9 && value[V2Prefix.Length + 8] == ':' ? value.Substring(V2Prefix.Length, 8) : null;

    public static bool TryDecryptV2(EncryptionKey key, string column, string value, out string plaintext, out string? malformed)
    {
        plaintext = "";
        malformed = null;
        byte[] sealedBytes;
        try
        {
            sealedBytes = Base64Url.DecodeFromChars(value.AsSpan(V2Prefix.Length + 9));
        }
        catch (FormatException)
        {
            malformed = "the enc:2 value is malformed";
            return false;
        }

        if (sealedBytes.Length < NonceSize + TagSize)
        {
            malformed = "the enc:2 value is malformed";
            return false;
        }

        var length = sealedBytes.Length - NonceSize - TagSize;
        var output = new byte[length];
        using var aes = new AesGcm(key.Material, TagSize);
        try
        {
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, length), sealedBytes.AsSpan(NonceSize + length), output, AssociatedData(key.Id, column));
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }

        plaintext = Encoding.UTF8.GetString(output);
        return true;
    }

    private static byte[] AssociatedData(string keyId, string column) => Encoding.UTF8.GetBytes($"mcp-sessions:enc:2:{keyId}:{column}");
}
