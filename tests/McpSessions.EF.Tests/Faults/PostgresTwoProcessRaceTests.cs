using McpSessions.EF.Tests.Infrastructure;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Faults;

/// <summary>The two-process races on a fresh database of the real PostgreSQL server.</summary>
public sealed class PostgresTwoProcessRaceTests(PostgresFixture fixture, ITestOutputHelper output) : TwoProcessRaceSpecification<PostgresFixture>(fixture, output)
{
    protected override string HostProvider => "postgres";
}
