using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;

namespace McpSessions.EF.Tests.Pooler;

/// <summary>The session store specification (with cleanup and re-encryption) through a transaction-mode PgBouncer.</summary>
public sealed class PgBouncerSessionStoreTests(PgBouncerFixture fixture) : OwnDatabaseSessionStoreSpecification<PgBouncerFixture>(fixture)
{
    protected override bool AutoMigratesByDefault => false;
}
