using McpSessions.EF.Tests.Infrastructure;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Faults;

/// <summary>The two-process races on one real SQLite file in WAL mode.</summary>
public sealed class SqliteTwoProcessRaceTests(SqliteFixture fixture, ITestOutputHelper output) : TwoProcessRaceSpecification<SqliteFixture>(fixture, output)
{
    protected override string HostProvider => "sqlite";
}
