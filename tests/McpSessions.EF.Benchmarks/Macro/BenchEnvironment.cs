namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>The servers the harness needs, from the variables scripts/bench.sh (or the user) sets.</summary>
internal static class BenchEnvironment
{
    public static string Postgres => Required("MCPSESSIONS_TEST_POSTGRES", "an Npgsql connection string to a server where databases may be created");

    public static string Redis => Required("MCPSESSIONS_TEST_REDIS", "host:port of a Redis server");

    private static string Required(string variable, string what) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set: run scripts/bench.sh, which starts the servers, or set it to {what}.");
}
