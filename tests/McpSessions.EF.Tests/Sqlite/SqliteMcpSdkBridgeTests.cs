using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;

namespace McpSessions.EF.Tests.Sqlite;

/// <summary>The MCP SDK bridge on a real SQLite file; instances refresh one at a time under its cross-process lock.</summary>
public sealed class SqliteMcpSdkBridgeTests(SqliteFixture fixture) : McpSdkBridgeSpecification<SqliteFixture>(fixture);
