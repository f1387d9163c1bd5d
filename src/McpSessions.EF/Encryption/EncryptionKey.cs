using System.Security.Cryptography;
using System.Text;

namespace McpSessions.EF.Encryption;

/// <summary>One 256-bit key and its public id (8 hex characters derived from it by HMAC, revealing nothing of it).</summary>
internal sealed class EncryptionKey
{
    private static readonly byte[] IdLabel = Encoding.UTF8.GetBytes("McpSessions.EF key id v1");

    private readonly byte[][] _associatedData;

    private EncryptionKey(byte[] material)
    {
        Material = material;
        Id = Convert.ToHexStringLower(HMACSHA256.HashData(material, IdLabel), 0, 4);
        _associatedData = SecretColumns.All.Select(c => Encoding.UTF8.GetBytes($"mcp-sessions:enc:2:{Id}:{c.Label()}")).ToArray();
    }

    public byte[] Material { get; }

    public string Id { get; }

    /// <summary>What an <c>enc:2</c> value of <paramref name="column"/> under this key authenticates besides its ciphertext.</summary>
    public ReadOnlySpan<byte> AssociatedData(SecretColumn column) => _associatedData[(int)column];

    /// <summary>Parses 64 hex characters or base64 of 32 bytes; anything else fails naming <paramref name="setting"/> and the rule, never the value.</summary>
    public static EncryptionKey Parse(string? value, string setting)
    {
        var text = value?.Trim() ?? "";
        if (text.Length == 64 && text.All(Uri.IsHexDigit))
        {
            return new EncryptionKey(Convert.FromHexString(text));
        }

        var buffer = new byte[48];
        if (text.Length > 0 && Convert.TryFromBase64String(text, buffer, out var written) && written == 32)
        {
            return new EncryptionKey(buffer[..32]);
        }

        var got = text.Length == 0 ? "it is empty" : $"it is {text.Length} characters that are neither";
        throw new EncryptionConfigurationException(
            $"{setting} must be a 256-bit key: 64 hex characters or base64 of 32 bytes; {got}. Generate one with `mcp-sessions keygen`.");
    }

    /// <summary>A new random key as 64 hex characters.</summary>
    public static string Generate() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
