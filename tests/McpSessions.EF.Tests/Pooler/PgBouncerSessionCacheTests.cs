using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Pooler;

/// <summary>The cache tier specification with the store through a transaction-mode PgBouncer.</summary>
// Latency-bounded fault tests: run alone, as the other providers' cache suites do.
[Collection(ScaleCollection.Name)]
public sealed class PgBouncerSessionCacheTests(PgBouncerFixture fixture, ITestOutputHelper output) : SessionCacheSpecification<PgBouncerFixture>(fixture)
{
    protected override ITestOutputHelper Output => output;
}
