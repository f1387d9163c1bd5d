using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Sqlite;

/// <summary>The cache tier specification on a real SQLite file (the library's own context: prepared statements) and a real Redis.</summary>
// The fault tests bound each call's extra latency by the cache timeout; run alone so the rest of the suite cannot
// starve them of CPU on a 2-core machine.
[Collection(ScaleCollection.Name)]
public sealed class SqliteSessionCacheTests(SqliteFixture fixture, ITestOutputHelper output) : SessionCacheSpecification<SqliteFixture>(fixture)
{
    protected override ITestOutputHelper Output => output;
}
