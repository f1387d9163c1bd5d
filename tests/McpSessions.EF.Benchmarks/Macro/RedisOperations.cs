using StackExchange.Redis;

namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>
/// The Redis baseline: one GET or one SET (with the cache tier's 5-minute expiry) of a value the size of a real cache
/// entry, through the same StackExchange.Redis connection the cache tier uses, straight on <see cref="IDatabase"/>.
/// </summary>
internal sealed class RedisOperations(IDatabase database, string prefix, byte[] value)
{
    private static readonly TimeSpan Expiry = TimeSpan.FromMinutes(5);

    public const string Name = "raw Redis";

    public async Task SetAsync(int i)
    {
        if (!await database.StringSetAsync(Key(i), value, Expiry))
        {
            throw new InvalidOperationException("raw SET failed");
        }
    }

    public async Task GetAsync(int i)
    {
        byte[]? bytes = await database.StringGetAsync(Key(i));
        Check.Count("raw GET", bytes?.Length ?? -1, value.Length);
    }

    private string Key(int i) => string.Concat(prefix, "raw:", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
