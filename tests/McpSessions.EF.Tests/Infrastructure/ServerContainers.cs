using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using Testcontainers.PostgreSql;
using Testcontainers.Redis;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// The fallback for a plain <c>dotnet test</c> without MCPSESSIONS_TEST_*: PostgreSQL 15 and Redis 7 in containers,
/// each started by Testcontainers on first use, once per test process, and removed when the process exits. Null when
/// no Docker engine answers (Testcontainers finds none: that check is quick and never waits for a daemon).
/// </summary>
internal static class ServerContainers
{
    private static readonly Lazy<string?> PostgresContainer = new(() => Start(
        () => new PostgreSqlBuilder("postgres:15-alpine").Build(), c => c.GetConnectionString()));

    private static readonly Lazy<string?> RedisContainer = new(() => Start(
        () => new RedisBuilder("redis:7-alpine").Build(), c => c.GetConnectionString()));

    /// <summary>An Npgsql connection string for the superuser of a PostgreSQL container, or null without Docker.</summary>
    public static string? Postgres => PostgresContainer.Value;

    /// <summary><c>host:port</c> of a Redis container, or null without Docker.</summary>
    public static string? Redis => RedisContainer.Value;

    private static string? Start<TContainer>(Func<TContainer> build, Func<TContainer, string> connectionString)
        where TContainer : IContainer
    {
        TContainer container;
        try
        {
            container = build();
        }
        catch (DockerUnavailableException)
        {
            return null;
        }

        // Off the caller's synchronization context: the servers are asked for from synchronous properties.
        Task.Run(() => container.StartAsync()).GetAwaiter().GetResult();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => container.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return connectionString(container);
    }
}
