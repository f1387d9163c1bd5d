using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;

namespace McpSessions.EF.Tests.Postgres;

public sealed class PostgresSessionLockTests(PostgresFixture fixture) : SessionLockSpecification<PostgresFixture>(fixture)
{
    protected override string ProviderArgument => "postgres";
}
