using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace McpSessions.EF.Locking;

/// <summary>A session's lock key: 64 bits of SHA-256 over the identity and session id, the same on every instance.</summary>
internal static class SessionLockKey
{
    public static long For(string identity, string sessionId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"mcp_sessions\0{identity}\0{sessionId}"), hash);
        return BinaryPrimitives.ReadInt64BigEndian(hash);
    }
}
