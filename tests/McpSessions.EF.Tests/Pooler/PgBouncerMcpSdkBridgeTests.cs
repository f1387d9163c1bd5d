using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;

namespace McpSessions.EF.Tests.Pooler;

/// <summary>The MCP SDK bridge, refreshes included, with the store and its lock through a transaction-mode PgBouncer.</summary>
public sealed class PgBouncerMcpSdkBridgeTests(PgBouncerFixture fixture) : McpSdkBridgeSpecification<PgBouncerFixture>(fixture);
