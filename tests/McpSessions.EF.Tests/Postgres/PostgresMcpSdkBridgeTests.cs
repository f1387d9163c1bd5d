using McpSessions.EF.Locking;
using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Tests.Postgres;

/// <summary>The MCP SDK bridge on a real PostgreSQL server, instances kept apart by a PostgreSQL advisory lock.</summary>
public sealed class PostgresMcpSdkBridgeTests(PostgresFixture fixture) : McpSdkBridgeSpecification<PostgresFixture>(fixture)
{
    protected override void AddSessionLock(IServiceCollection services) =>
        services.AddSingleton<ISessionLock>(new PostgresAdvisorySessionLock(Fixture.ConnectionString));
}
