using McpSessions.EF.Tests.Infrastructure;

namespace McpSessions.EF.Tests.Cli;

/// <summary>The CLI specification on fresh PostgreSQL databases; the round trip goes to SQLite.</summary>
[Collection(CliCollection.Name)]
public sealed class PostgresCliTests(PostgresFixture postgres, SqliteFixture sqlite)
    : CliSpecification(postgres, sqlite), IClassFixture<PostgresFixture>, IClassFixture<SqliteFixture>;
