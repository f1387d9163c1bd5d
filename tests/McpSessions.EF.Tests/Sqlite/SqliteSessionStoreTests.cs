using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;

namespace McpSessions.EF.Tests.Sqlite;

/// <summary>The session store specification on a real SQLite file.</summary>
public sealed class SqliteSessionStoreTests(SqliteFixture fixture) : SessionStoreSpecification<SqliteFixture>(fixture)
{
    protected override bool AutoMigratesByDefault => true;
}
