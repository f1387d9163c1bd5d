using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace McpSessions.EF.Diagnostics;

/// <summary>Health checks for the session database.</summary>
public static class McpSessionsHealthCheckExtensions
{
    /// <summary>The default name of the check.</summary>
    public const string DefaultName = "mcp-sessions";

    /// <summary>
    /// Adds a health check that reports the session database as reachable and migrated; unreachable, or with
    /// pending migrations, it reports <paramref name="failureStatus"/> (default unhealthy) and says why.
    /// </summary>
    public static IHealthChecksBuilder AddMcpSessions(this IHealthChecksBuilder builder, string name = DefaultName, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<SessionStoreHealthCheck>(name, failureStatus, tags ?? []);
    }

    /// <summary><c>services.AddMcpSessions(...).AddHealthChecks()</c>: the same check, registered from the sessions builder.</summary>
    public static McpSessionsBuilder AddHealthChecks(this McpSessionsBuilder builder, string name = DefaultName, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHealthChecks().AddMcpSessions(name, failureStatus, tags);
        return builder;
    }
}
