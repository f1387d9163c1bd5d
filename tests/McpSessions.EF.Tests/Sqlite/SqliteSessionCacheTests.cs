using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Sqlite;

/// <summary>The cache tier specification on a real SQLite file and a real Redis.</summary>
public sealed class SqliteSessionCacheTests(SqliteFixture fixture, ITestOutputHelper output) : SessionCacheSpecification<SqliteFixture>(fixture)
{
    protected override ITestOutputHelper Output => output;
}
