using StackExchange.Redis;

namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>
/// The Redis baseline: one read or one write of an entry the size of a real cache entry, stored the way RedisCache
/// stores it (a hash of <c>absexp</c>, <c>sldexp</c> and <c>data</c>, the whole hash expiring with the cache tier's
/// 5-minute TTL), through the same StackExchange.Redis connection the library's RedisCache uses, straight on
/// <see cref="IDatabase"/>. The read is the command RedisCache.GetAsync sends, in one round trip; the write is
/// RedisCache.SetAsync's two commands, HSET and EXPIRE, pipelined as RedisCache sends them. An instance with
/// <see cref="TagValue"/> stands for the cache tier's freshness tags (what a write bumps, what a hit reads beside the entry).
/// </summary>
internal sealed class RedisOperations(IDatabase database, string prefix, byte[] value)
{
    private static readonly TimeSpan Expiry = TimeSpan.FromMinutes(5);
    private static readonly RedisValue[] Fields = ["absexp", "sldexp", "data"];

    private int? _envelopes; // in the entry this instance wrote

    public const string Name = "raw Redis";

    public const string GetCommand = "HMGET";

    public const string SetCommand = "HSET+EXPIRE";

    public const string PairName = "raw Redis 2×HMGET at once";

    /// <summary>The floor of a hit: <see cref="PairName"/>, then the entry's secrets authenticated and decrypted.</summary>
    public const string OpenedPairName = PairName + StoredSecretCipher.OpenedSuffix;

    /// <summary>The floor of a hit through the interface the library must use: <see cref="OpenedPairName"/>, each read a RedisCache.GetAsync.</summary>
    public const string OpenedCachePairName = "RedisCache 2×Get at once" + StoredSecretCipher.OpenedSuffix;

    /// <summary>A value the size of a freshness tag (a session id's UTF-8 bytes).</summary>
    public static byte[] TagValue { get; } = System.Text.Encoding.UTF8.GetBytes(new string('t', 43));

    /// <summary>The length of the value this instance writes.</summary>
    private int ValueLength => value.Length;

    /// <summary>HMGET key absexp sldexp data: what RedisCache.GetAsync sends to read an entry, one round trip.</summary>
    public static Task<RedisValue[]> ReadEntryAsync(IDatabase database, RedisKey key) => database.HashGetAsync(key, Fields);

    public async Task SetAsync(int i)
    {
        var key = Key(i);
        var absoluteExpiration = TimeProvider.System.GetUtcNow().Add(Expiry).Ticks; // RedisCache stores UTC ticks
        var set = database.HashSetAsync(key, [new("absexp", absoluteExpiration), new("sldexp", -1), new("data", value)]);
        var expire = database.KeyExpireAsync(key, Expiry);
        await set;
        if (!await expire)
        {
            throw new InvalidOperationException("raw EXPIRE failed");
        }
    }

    public async Task GetAsync(int i)
    {
        byte[]? bytes = (await ReadEntryAsync(database, Key(i)))[2];
        Check.Count($"raw {GetCommand}", bytes?.Length ?? -1, value.Length);
    }

    /// <summary>
    /// Reads entry <paramref name="i"/> here and entry <paramref name="i"/> of <paramref name="other"/> (a tag), issued
    /// together on the same connection (pipelined, one round trip's wait), then authenticates and decrypts the entry's
    /// secrets (<see cref="StoredSecretCipher.OpenEntrySecrets"/>): the floor of a hit, which must read the entry
    /// and its tag and serve only secrets it has authenticated.
    /// </summary>
    public async Task GetWithOpenedAsync(RedisOperations other, StoredSecretCipher opener, int i)
    {
        var entry = ReadEntryAsync(database, Key(i));
        var tag = other.GetAsync(i);
        byte[]? bytes = (await entry)[2];
        await tag;
        CheckOpened($"raw {GetCommand}", bytes, opener);
    }

    /// <summary>
    /// <see cref="GetWithOpenedAsync"/> with both reads through <paramref name="cache"/> (a RedisCache on the same
    /// connection, with no instance name, so it reads these very keys): what the floor of a hit costs when its reads go
    /// through <see cref="Microsoft.Extensions.Caching.Distributed.IDistributedCache"/>, as the library's must (SPEC §6).
    /// </summary>
    public async Task GetWithOpenedAsync(Microsoft.Extensions.Caching.Distributed.IDistributedCache cache, RedisOperations other, StoredSecretCipher opener, int i)
    {
        var entry = cache.GetAsync(Key(i));
        var tag = cache.GetAsync(other.Key(i));
        var bytes = await entry;
        Check.Count("RedisCache.GetAsync of the tag", (await tag)?.Length ?? -1, other.ValueLength);
        CheckOpened("RedisCache.GetAsync of the entry", bytes, opener);
    }

    /// <summary>A hit floor's entry: it is the entry this instance wrote, and every secret in it was opened.</summary>
    private void CheckOpened(string read, byte[]? entry, StoredSecretCipher opener)
    {
        Check.Count(read, entry?.Length ?? -1, value.Length);
        Check.Count("secrets opened in the entry", opener.OpenEntrySecrets(entry!), _envelopes ??= Envelopes(value));
    }

    /// <summary>How many <c>enc:2</c> envelopes <paramref name="entry"/> holds, counted without the opener the floor checks.</summary>
    private static int Envelopes(byte[] entry)
    {
        var count = 0;
        for (var rest = entry.AsSpan(); rest.IndexOf("enc:2:"u8) is var at and >= 0; rest = rest[(at + 1)..])
        {
            count++;
        }

        return count > 0 ? count : throw new InvalidOperationException("the cache entry holds no encrypted secret");
    }

    private string Key(int i) => string.Concat(prefix, "raw:", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
