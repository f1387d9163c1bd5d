using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;

namespace McpSessions.EF.Tests.Sqlite;

/// <summary>
/// The session store specification on a real SQLite file through EF Core's relational command pipeline: the store on
/// a host's own context (<see cref="SqliteHostContextFixture"/>), as every <c>AddMcpSessions&lt;THostContext&gt;()</c> on
/// SQLite gets it. <see cref="SqliteSessionStoreTests"/> runs it through the prepared statements.
/// </summary>
public sealed class SqliteEfPipelineSessionStoreTests(SqliteHostContextFixture fixture) : SessionStoreSpecification<SqliteHostContextFixture>(fixture);
