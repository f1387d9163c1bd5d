using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;

namespace McpSessions.EF.Tests.Sqlite;

public sealed class SqliteHostContextTests(SqliteFixture fixture) : HostContextSpecification<SqliteFixture>(fixture);
