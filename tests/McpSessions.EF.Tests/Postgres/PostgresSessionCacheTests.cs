using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Postgres;

/// <summary>The cache tier specification on a real PostgreSQL server and a real Redis.</summary>
public sealed class PostgresSessionCacheTests(PostgresFixture fixture, ITestOutputHelper output) : SessionCacheSpecification<PostgresFixture>(fixture)
{
    protected override ITestOutputHelper Output => output;
}
