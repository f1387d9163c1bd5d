using StackExchange.Redis;

namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>
/// The Redis baseline: one read or one write of an entry the size of a real cache entry, stored the way RedisCache
/// stores it (a hash of <c>absexp</c>, <c>sldexp</c> and <c>data</c>, the whole hash expiring with the cache tier's
/// 5-minute TTL), through the same StackExchange.Redis connection the library's RedisCache uses, straight on
/// <see cref="IDatabase"/>. The read is the command RedisCache.GetAsync sends, in one round trip; the write is
/// RedisCache.SetAsync's two commands, HSET and EXPIRE, pipelined as RedisCache sends them.
/// </summary>
internal sealed class RedisOperations(IDatabase database, string prefix, byte[] value)
{
    private static readonly TimeSpan Expiry = TimeSpan.FromMinutes(5);
    private static readonly RedisValue[] Fields = ["absexp", "sldexp", "data"];

    public const string Name = "raw Redis";

    public const string GetCommand = "HMGET";

    public const string SetCommand = "HSET+EXPIRE";

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

    private string Key(int i) => string.Concat(prefix, "raw:", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
