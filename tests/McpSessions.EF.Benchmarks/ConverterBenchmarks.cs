using BenchmarkDotNet.Attributes;
using McpSessions.EF.Benchmarks.Macro;
using McpSessions.EF.Encryption;
using McpSessions.EF.Model;

namespace McpSessions.EF.Benchmarks;

/// <summary>
/// The cost the secret-column converters add per value, for a realistic token response of about 2 KB (a JWT access
/// token, a refresh token, an id token): JSON serialisation alone, then with enc:2 and enc:1 encryption, and back; and
/// the two halves of a read by the store, which decrypts at materialisation and parses on first read
/// (<see cref="SecretValues.Plaintext"/>, <see cref="SecretValues.Parse{T}"/>).
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
    private byte[] _plaintext = [];

    [GlobalSetup]
    public void Setup()
    {
        var key = EncryptionKey.Parse(EncryptionKey.Generate(), "benchmark");
        _versioned = new SessionKeyRing(key, [], EncryptionFormat.Versioned);
        _compatible = new SessionKeyRing(key, [], EncryptionFormat.McpTsCompatible);
        _tokens = BenchPayload.RealisticTokens();
        _plainStored = SecretValues.WriteJson(SessionKeyRing.Plaintext, SecretColumn.Tokens, _tokens);
        _v2Stored = SecretValues.WriteJson(_versioned, SecretColumn.Tokens, _tokens);
        _v1Stored = SecretValues.WriteJson(_compatible, SecretColumn.Tokens, _tokens);
        _plaintext = SecretValues.Plaintext(_versioned, SecretColumn.Tokens, _v2Stored)!;
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

    [Benchmark]
    public byte[]? Decrypt_enc2_pending() => SecretValues.Plaintext(_versioned, SecretColumn.Tokens, _v2Stored);

    [Benchmark]
    public OAuthTokens Parse_pending() => SecretValues.Parse<OAuthTokens>(SecretColumn.Tokens, _plaintext);
}
