namespace McpSessions.EF.Soak;

/// <summary>The command line, as <c>--name value</c> pairs.</summary>
internal sealed class SoakOptions
{
    private readonly Dictionary<string, string> _values;

    private SoakOptions(Dictionary<string, string> values) => _values = values;

    public static SoakOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"expected --name value, got '{args[i]}'");
            }

            values[args[i][2..]] = args[i + 1];
        }

        return new SoakOptions(values);
    }

    public string Required(string name) =>
        _values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required");

    public int Int(string name, int fallback) =>
        _values.TryGetValue(name, out var value) ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    public int Id => Int("id", 0);

    public string Connection => Required("connection");

    public string Redis => Required("redis");

    public string Key => Required("key");

    public string Directory => Required("dir");

    public int Seconds => Int("seconds", 60);

    public int Tasks => Int("tasks", 16);

    /// <summary>The mean pause between two operations of one task, in milliseconds: a realistic rate, not a flood.</summary>
    public int ThinkMs => Int("think-ms", 20);

    /// <summary>The cache tier's CacheTtl, in seconds: the staleness bound that is checked.</summary>
    public int CacheTtlSeconds => Int("cache-ttl", 30);
}
