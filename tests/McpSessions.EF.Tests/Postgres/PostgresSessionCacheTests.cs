using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Postgres;

/// <summary>The cache tier specification on a real PostgreSQL server and a real Redis.</summary>
// The fault tests bound each call's extra latency by the cache timeout; run alone so the rest of the suite cannot
// starve them of CPU on a 2-core machine.
[Collection(ScaleCollection.Name)]
public sealed class PostgresSessionCacheTests(PostgresFixture fixture, ITestOutputHelper output) : SessionCacheSpecification<PostgresFixture>(fixture)
{
    protected override ITestOutputHelper Output => output;
}
