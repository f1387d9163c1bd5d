using System.Buffers.Text;
using System.Security.Cryptography;

namespace McpSessions.EF.Storage;

/// <summary>Session ids: 128 bits from <see cref="RandomNumberGenerator"/>, as 22 characters of base64url.</summary>
internal static class SessionIdGenerator
{
    public static string NewId()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }
}
