using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;

namespace McpSessions.EF.Tests.Sqlite;

public sealed class SqliteSessionLockTests(SqliteFixture fixture) : SessionLockSpecification<SqliteFixture>(fixture)
{
    protected override string ProviderArgument => "sqlite";
}
