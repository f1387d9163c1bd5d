namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// The real servers the tests use. scripts/test.sh starts them and sets these variables; a developer can point them
/// at servers of their own. A missing server is a test failure, never a skip.
/// </summary>
public static class TestServers
{
    public const string PostgresVariable = "MCPSESSIONS_TEST_POSTGRES";
    public const string PgBouncerVariable = "MCPSESSIONS_TEST_PGBOUNCER";
    public const string RedisVariable = "MCPSESSIONS_TEST_REDIS";
    public const string RedisServerVariable = "MCPSESSIONS_TEST_REDIS_SERVER";

    /// <summary>An Npgsql connection string to a maintenance database on a server where the tests may create databases.</summary>
    public static string PostgresAdmin => Required(PostgresVariable, "an Npgsql connection string, e.g. Host=127.0.0.1;Port=5432;Username=postgres");

    /// <summary>A transaction-mode PgBouncer in front of <see cref="PostgresAdmin"/>'s server, as an Npgsql connection string.</summary>
    public static string PgBouncer => Required(PgBouncerVariable, "an Npgsql connection string of a PgBouncer with pool_mode = transaction in front of that server, e.g. Host=127.0.0.1;Port=6432;Username=postgres");

    /// <summary>The shared Redis server, <c>host:port</c>. Tests never flush it: each uses a key prefix of its own.</summary>
    public static string Redis => Required(RedisVariable, "host:port of a Redis server, e.g. 127.0.0.1:6379");

    /// <summary>The redis-server binary, for tests that start, kill and restart a server of their own.</summary>
    public static string RedisServerBinary => Required(RedisServerVariable, "the path of redis-server, e.g. /usr/bin/redis-server");

    private static string Required(string variable, string what) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{variable} is not set. Run ./scripts/test.sh, which installs and starts the servers, or set {variable} to {what}.");
}
