using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;

namespace McpSessions.EF.Tests.Postgres;

public sealed class PostgresSessionLockTests(PostgresFixture fixture) : SessionLockSpecification<PostgresFixture>(fixture)
{
    protected override string ProviderArgument => "postgres";

    /// <summary>No advisory lock is left in the database.</summary>
    protected override async Task AssertNothingLeftBehindAsync() =>
        Assert.Equal(0, await Fixture.AdvisoryLocksAsync(Fixture.ConnectionString));
}
