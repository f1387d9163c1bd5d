using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;

namespace McpSessions.EF.Tests.Sqlite;

/// <summary>
/// The session store specification on a real SQLite file, on the library's own context: its statements run as kept-open
/// prepared SQLite statements. <see cref="SqliteEfPipelineSessionStoreTests"/> runs it through EF Core's pipeline.
/// </summary>
public sealed class SqliteSessionStoreTests(SqliteFixture fixture) : OwnDatabaseSessionStoreSpecification<SqliteFixture>(fixture)
{
    protected override bool AutoMigratesByDefault => true;
}
