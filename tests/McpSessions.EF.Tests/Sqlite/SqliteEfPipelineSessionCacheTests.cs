using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Sqlite;

/// <summary>The cache tier specification on a real Redis, over a host's own SQLite context (EF Core's pipeline).</summary>
// The fault tests bound each call's extra latency by the cache timeout; run alone so the rest of the suite cannot
// starve them of CPU on a 2-core machine.
[Collection(ScaleCollection.Name)]
public sealed class SqliteEfPipelineSessionCacheTests(SqliteHostContextFixture fixture, ITestOutputHelper output) : SessionCacheSpecification<SqliteHostContextFixture>(fixture)
{
    protected override ITestOutputHelper Output => output;
}
