using System.Text.Json;
using McpSessions.EF.Encryption;
using McpSessions.EF.Model;

namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>
/// What every benchmarked session holds, shared by the library and the raw baselines. A pending session is created
/// with the OAuth client registration, the PKCE verifier and a header (three secrets); the update adds a ~2 KB token
/// response and activates it. The raw baselines write the same stored (encrypted) text, encrypted once here: they pay
/// for the bytes, not for the cryptography, so a ratio shows the library's whole overhead, encryption included.
/// The floors of a read decrypt the same stored text, and those of a write encrypt the same members, with
/// <see cref="Cipher"/>, checked here against the library.
/// </summary>
internal sealed class BenchPayload
{
    public const string ServerUrl = "https://mcp.example.com/mcp";
    public const string CallbackUrl = "https://app.example.com/oauth/callback";
    public const string ServerName = "Example MCP";
    public const string ServerId = "example-mcp";

    public BenchPayload(string keyHex)
    {
        KeyHex = keyHex;
        var key = EncryptionKey.Parse(keyHex, "benchmark");
        var ring = new SessionKeyRing(key, [], EncryptionFormat.Versioned);
        StoredHeaders = SecretValues.WriteJson(ring, SecretColumn.Headers, Headers);
        StoredClientInformation = SecretValues.WriteJson(ring, SecretColumn.ClientInformation, ClientInformation);
        StoredCodeVerifier = SecretValues.WriteText(ring, SecretColumn.CodeVerifier, CodeVerifier);
        StoredTokens = SecretValues.WriteJson(ring, SecretColumn.Tokens, Tokens);
        Cipher = new StoredSecretCipher(key);
        Cipher.VerifyOpen(ring, SecretColumn.Headers, StoredHeaders);
        Cipher.VerifyOpen(ring, SecretColumn.ClientInformation, StoredClientInformation);
        Cipher.VerifyOpen(ring, SecretColumn.CodeVerifier, StoredCodeVerifier);
        Cipher.VerifyOpen(ring, SecretColumn.Tokens, StoredTokens);
        Cipher.VerifySeal(ring, SecretColumn.Headers, Headers);
        Cipher.VerifySeal(ring, SecretColumn.ClientInformation, ClientInformation);
        Cipher.VerifySeal(ring, SecretColumn.CodeVerifier, CodeVerifier);
        Cipher.VerifySeal(ring, SecretColumn.Tokens, Tokens);

        // A read hands back a session whose secrets it authenticated: decrypted once, each kept as one byte array of its
        // plaintext (McpSession.SetPendingSecret) until a member is read. An array is its bytes, rounded up to 8, and a
        // 24-byte header on 64-bit .NET. The get phase reads sessions as they were created, before the update phase
        // gives them tokens: their headers, client registration and verifier.
        KeptPlaintextKb = new[] { (SecretColumn.Headers, StoredHeaders), (SecretColumn.ClientInformation, StoredClientInformation), (SecretColumn.CodeVerifier, StoredCodeVerifier) }
            .Sum(s => 24 + ((Cipher.PlaintextLength(s.Item1, s.Item2) + 7) / 8 * 8)) / 1024.0;
    }

    /// <summary>What the plaintext of a created session's three secrets takes, kept by the get phase's sessions once read: the least a get allocates beyond its floor row, which drops it.</summary>
    public double KeptPlaintextKb { get; }

    public string KeyHex { get; }

    public Dictionary<string, string> Headers { get; } = new() { ["X-Api-Key"] = "api-key-value-0123456789abcdef" };

    public OAuthClientInformation ClientInformation { get; } = new()
    {
        ClientId = "client-0123456789",
        ClientSecret = Convert.ToBase64String(new byte[32]),
        ClientIdIssuedAt = 1_767_225_600,
        RedirectUris = [CallbackUrl],
        TokenEndpointAuthMethod = "client_secret_post",
        GrantTypes = ["authorization_code", "refresh_token"],
        ResponseTypes = ["code"],
        ClientName = "McpSessions.EF benchmark",
    };

    public string CodeVerifier { get; } = new('v', 64);

    public OAuthTokens Tokens { get; } = RealisticTokens();

    public string StoredHeaders { get; }

    public string StoredClientInformation { get; }

    public string StoredCodeVerifier { get; }

    public string StoredTokens { get; }

    /// <summary>AES-GCM alone: decrypts the stored secrets of a raw row (a read's floor), encrypts a secret member (a write's floor).</summary>
    public StoredSecretCipher Cipher { get; }

    /// <summary>About 2 KB of JSON, shaped like a real OAuth token response (a JWT access token, a refresh token, an id token).</summary>
    public static OAuthTokens RealisticTokens()
    {
        var random = new Random(42);
        string Segment(int bytes)
        {
            var buffer = new byte[bytes];
            random.NextBytes(buffer);
            return Convert.ToBase64String(buffer).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        }

        return new OAuthTokens
        {
            AccessToken = $"{Segment(36)}.{Segment(420)}.{Segment(256)}",
            TokenType = "Bearer",
            ExpiresIn = 3600,
            RefreshToken = Segment(96),
            Scope = "openid profile email offline_access mcp:tools mcp:resources",
            IdToken = $"{Segment(36)}.{Segment(300)}.{Segment(256)}",
            AdditionalProperties = new() { ["issued_token_type"] = JsonSerializer.SerializeToElement("urn:ietf:params:oauth:token-type:access_token") },
        };
    }
}
