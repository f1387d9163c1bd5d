using McpSessions.EF.Tests.Infrastructure;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Properties;

/// <summary>Hostile strings at every entry point, on a real PostgreSQL server.</summary>
public sealed class PostgresHostileInputTests(PostgresFixture fixture, ITestOutputHelper output) : HostileInputSpecification<PostgresFixture>(fixture, output);
