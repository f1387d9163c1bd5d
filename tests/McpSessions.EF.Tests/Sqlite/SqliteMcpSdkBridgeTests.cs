using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Tests.Sqlite;

/// <summary>
/// The MCP SDK bridge on a real SQLite file. No session lock is registered, so the library's in-process fallback keeps
/// the instances apart: they share this process, which is all that fallback covers.
/// </summary>
public sealed class SqliteMcpSdkBridgeTests(SqliteFixture fixture) : McpSdkBridgeSpecification<SqliteFixture>(fixture)
{
    protected override void AddSessionLock(IServiceCollection services)
    {
    }
}
