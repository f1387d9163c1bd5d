using McpSessions.EF.Tests.Infrastructure;

namespace McpSessions.EF.Tests.Faults;

/// <summary>The library's own SQLite context, whose statements run as prepared SQLite statements.</summary>
public sealed class SqliteSecretLeakTests(SqliteFixture fixture) : LibraryContextSecretLeakSpecification<SqliteFixture>(fixture)
{
    /// <summary>A file in a directory that does not exist: SQLite cannot open or create it.</summary>
    protected override string UnreachableConnectionString(string password) =>
        Path.Combine(Path.GetTempPath(), $"mcpsessions-missing-{Guid.NewGuid():N}", "sessions.db");
}
