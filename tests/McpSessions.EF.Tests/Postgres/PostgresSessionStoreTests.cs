using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;

namespace McpSessions.EF.Tests.Postgres;

/// <summary>The session store specification on a real PostgreSQL server, through EF Core's relational command pipeline.</summary>
public sealed class PostgresSessionStoreTests(PostgresFixture fixture) : OwnDatabaseSessionStoreSpecification<PostgresFixture>(fixture)
{
    protected override bool AutoMigratesByDefault => false;
}
