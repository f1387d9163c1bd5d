namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// The real servers the tests use. scripts/test.sh starts them and sets these variables; a developer can point them
/// at servers of their own. Without the variables, PostgreSQL and Redis run in containers when a Docker engine answers
/// (<see cref="ServerContainers"/>). A missing server is a test failure, never a skip.
/// </summary>
public static class TestServers
{
    public const string PostgresVariable = "MCPSESSIONS_TEST_POSTGRES";
    public const string PgBouncerVariable = "MCPSESSIONS_TEST_PGBOUNCER";
    public const string RedisVariable = "MCPSESSIONS_TEST_REDIS";
    public const string RedisServerVariable = "MCPSESSIONS_TEST_REDIS_SERVER";

    /// <summary>An Npgsql connection string to a maintenance database on a server where the tests may create databases.</summary>
    public static string PostgresAdmin =>
        Variable(PostgresVariable) ?? ServerContainers.Postgres
        ?? throw Missing(PostgresVariable, "an Npgsql connection string, e.g. Host=127.0.0.1;Port=5432;Username=postgres", "or start Docker (no engine answers now) and the tests start a PostgreSQL container.");

    /// <summary>A transaction-mode PgBouncer in front of <see cref="PostgresAdmin"/>'s server, as an Npgsql connection string.</summary>
    public static string PgBouncer =>
        Variable(PgBouncerVariable)
        ?? throw Missing(PgBouncerVariable, "an Npgsql connection string of a PgBouncer with pool_mode = transaction in front of that server, e.g. Host=127.0.0.1;Port=6432;Username=postgres", "no container stands in for the pooler.");

    /// <summary>The shared Redis server, <c>host:port</c>. Tests never flush it: each uses a key prefix of its own.</summary>
    public static string Redis =>
        Variable(RedisVariable) ?? ServerContainers.Redis
        ?? throw Missing(RedisVariable, "host:port of a Redis server, e.g. 127.0.0.1:6379", "or start Docker (no engine answers now) and the tests start a Redis container.");

    /// <summary>
    /// The redis-server binary, for tests that start, kill and restart a server of their own. No container: these
    /// tests kill the server by its pid.
    /// </summary>
    public static string RedisServerBinary =>
        Variable(RedisServerVariable)
        ?? throw Missing(RedisServerVariable, "the path of redis-server, e.g. /usr/bin/redis-server", "a container cannot stand in: these tests kill and restart a redis-server process of their own.");

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static InvalidOperationException Missing(string variable, string what, string otherwise) => new(
        $"{variable} is not set. Run ./scripts/test.sh, which installs and starts the servers and sets the variables, " +
        $"or set {variable} to {what}; {otherwise}");
}
