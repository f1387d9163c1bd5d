using System.Text.Json;
using BenchmarkDotNet.Attributes;
using McpSessions.EF.Encryption;
using McpSessions.EF.Model;

namespace McpSessions.EF.Benchmarks;

/// <summary>
/// The cost the secret-column converters add per value, for a realistic token response of about 2 KB (a JWT access
/// token, a refresh token, an id token): JSON serialisation alone, then with enc:2 and enc:1 encryption, and back.
/// </summary>
[MemoryDiagnoser]
public class ConverterBenchmarks
{
    private SessionKeyRing _versioned = null!;
    private SessionKeyRing _compatible = null!;
    private OAuthTokens _tokens = null!;
    private string _plainStored = "";
    private string _v2Stored = "";
    private string _v1Stored = "";

    [GlobalSetup]
    public void Setup()
    {
        var key = EncryptionKey.Parse(EncryptionKey.Generate(), "benchmark");
        _versioned = new SessionKeyRing(key, [], EncryptionFormat.Versioned);
        _compatible = new SessionKeyRing(key, [], EncryptionFormat.McpTsCompatible);
        _tokens = RealisticTokens();
        _plainStored = SecretValues.WriteJson(SessionKeyRing.Plaintext, SecretColumn.Tokens, _tokens);
        _v2Stored = SecretValues.WriteJson(_versioned, SecretColumn.Tokens, _tokens);
        _v1Stored = SecretValues.WriteJson(_compatible, SecretColumn.Tokens, _tokens);
    }

    /// <summary>About 2 KB of JSON, shaped like a real OAuth token response.</summary>
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

    [Benchmark(Baseline = true)]
    public string Write_plaintext_json() => SecretValues.WriteJson(SessionKeyRing.Plaintext, SecretColumn.Tokens, _tokens);

    [Benchmark]
    public string Encrypt_enc2() => SecretValues.WriteJson(_versioned, SecretColumn.Tokens, _tokens);

    [Benchmark]
    public string Encrypt_enc1() => SecretValues.WriteJson(_compatible, SecretColumn.Tokens, _tokens);

    [Benchmark]
    public OAuthTokens Read_plaintext_json() => SecretValues.ReadJson<OAuthTokens>(SessionKeyRing.Plaintext, SecretColumn.Tokens, _plainStored);

    [Benchmark]
    public OAuthTokens Decrypt_enc2() => SecretValues.ReadJson<OAuthTokens>(_versioned, SecretColumn.Tokens, _v2Stored);

    [Benchmark]
    public OAuthTokens Decrypt_enc1() => SecretValues.ReadJson<OAuthTokens>(_compatible, SecretColumn.Tokens, _v1Stored);
}
