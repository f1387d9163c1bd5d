using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;

namespace McpSessions.EF.Tests.Postgres;

/// <summary>The session store specification on a real PostgreSQL server.</summary>
public sealed class PostgresSessionStoreTests(PostgresFixture fixture) : SessionStoreSpecification<PostgresFixture>(fixture)
{
    protected override bool AutoMigratesByDefault => false;
}
