using McpSessions.EF.Tests.Infrastructure;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Properties;

/// <summary>Hostile strings at every entry point, on a real SQLite file.</summary>
public sealed class SqliteHostileInputTests(SqliteFixture fixture, ITestOutputHelper output) : HostileInputSpecification<SqliteFixture>(fixture, output);
