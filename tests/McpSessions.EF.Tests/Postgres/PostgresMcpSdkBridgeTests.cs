using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;

namespace McpSessions.EF.Tests.Postgres;

/// <summary>The MCP SDK bridge on a real PostgreSQL server; instances refresh one at a time under its advisory lock.</summary>
public sealed class PostgresMcpSdkBridgeTests(PostgresFixture fixture) : McpSdkBridgeSpecification<PostgresFixture>(fixture);
