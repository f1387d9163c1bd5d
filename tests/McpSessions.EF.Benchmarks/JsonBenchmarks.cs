using BenchmarkDotNet.Attributes;
using McpSessions.EF.Benchmarks.Macro;
using McpSessions.EF.Caching;
using McpSessions.EF.Encryption;
using McpSessions.EF.Json;
using McpSessions.EF.Model;

namespace McpSessions.EF.Benchmarks;

/// <summary>
/// The session's JSON round trips: the JSON columns alone (serialise, then parse), and a whole session through the cache
/// tier's entry (serialise with its four secrets encrypted, then parse and decrypt), as a cache fill and hit do.
/// </summary>
[MemoryDiagnoser]
public class JsonBenchmarks
{
    private BenchPayload _payload = null!;
    private SessionCacheCodec _codec = null!;
    private McpSession _session = null!;
    private byte[] _entry = [];

    [GlobalSetup]
    public void Setup()
    {
        _payload = new BenchPayload(EncryptionKey.Generate());
        _codec = new SessionCacheCodec(new SessionKeyRing(EncryptionKey.Parse(_payload.KeyHex, "benchmark"), [], EncryptionFormat.Versioned));
        _session = new McpSession
        {
            Id = Guid.CreateVersion7(),
            SessionId = "session-0000001",
            Identity = "user-0001",
            UserId = "user-0001",
            ServerUrl = BenchPayload.ServerUrl,
            CallbackUrl = BenchPayload.CallbackUrl,
            ServerName = BenchPayload.ServerName,
            CreatedAt = DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow,
            ExpiresAt = DateTimeOffset.UtcNow.AddHours(12),
            Active = true,
            Headers = _payload.Headers,
            ClientInformation = _payload.ClientInformation,
            Tokens = _payload.Tokens,
            CodeVerifier = _payload.CodeVerifier,
            ClientId = _payload.ClientInformation.ClientId,
        };
        _entry = _codec.Encode(_session, "generation", "epoch");
    }

    [Benchmark(Baseline = true, Description = "tokens JSON round trip (~2 KB)")]
    public OAuthTokens Tokens_round_trip() => JsonColumn.Deserialize<OAuthTokens>(JsonColumn.Serialize(_payload.Tokens));

    [Benchmark(Description = "client information JSON round trip")]
    public OAuthClientInformation Client_information_round_trip() =>
        JsonColumn.Deserialize<OAuthClientInformation>(JsonColumn.Serialize(_payload.ClientInformation));

    [Benchmark(Description = "session cache entry round trip (4 secrets encrypted)")]
    public McpSession? Session_entry_round_trip() => _codec.Decode(_codec.Encode(_session, "generation", "epoch"), "user-0001", "session-0000001", "generation", "epoch");

    [Benchmark(Description = "session cache entry decode (a hit)")]
    public McpSession? Session_entry_decode() => _codec.Decode(_entry, "user-0001", "session-0000001", "generation", "epoch");
}
