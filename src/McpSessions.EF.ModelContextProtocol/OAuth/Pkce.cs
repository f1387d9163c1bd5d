using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace McpSessions.EF.ModelContextProtocol.OAuth;

/// <summary>PKCE (RFC 7636) with S256, and the random values of an authorization request.</summary>
internal static class Pkce
{
    /// <summary>256 random bits as 43 base64url characters: a code verifier, or a <c>state</c>.</summary>
    public static string NewRandomValue()
    {
        Span<byte> bytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>The S256 <c>code_challenge</c> of <paramref name="verifier"/>.</summary>
    public static string Challenge(string verifier)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.ASCII.GetBytes(verifier), hash);
        return Base64Url.EncodeToString(hash);
    }
}
