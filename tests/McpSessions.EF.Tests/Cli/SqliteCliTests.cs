using McpSessions.EF.Tests.Infrastructure;

namespace McpSessions.EF.Tests.Cli;

/// <summary>The CLI specification on SQLite files; the round trip goes to PostgreSQL.</summary>
[Collection(CliCollection.Name)]
public sealed class SqliteCliTests(SqliteFixture sqlite, PostgresFixture postgres)
    : CliSpecification(sqlite, postgres), IClassFixture<SqliteFixture>, IClassFixture<PostgresFixture>;
