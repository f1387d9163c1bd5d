using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;

namespace McpSessions.EF.Tests.Postgres;

public sealed class PostgresHostContextTests(PostgresFixture fixture) : HostContextSpecification<PostgresFixture>(fixture);
