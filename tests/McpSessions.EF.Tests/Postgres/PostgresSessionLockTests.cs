using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;

namespace McpSessions.EF.Tests.Postgres;

public sealed class PostgresSessionLockTests(PostgresFixture fixture) : SessionLockSpecification<PostgresFixture>(fixture)
{
    protected override string ProviderArgument => "postgres";

    /// <summary>Advisory locks held in the database.</summary>
    protected override async Task<IReadOnlyList<string>> LeftoversAsync() =>
        await Fixture.AdvisoryLocksAsync(Fixture.ConnectionString) is var locks and > 0 ? [$"{locks} advisory locks"] : [];
}
