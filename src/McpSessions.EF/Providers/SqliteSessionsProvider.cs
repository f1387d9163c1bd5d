using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace McpSessions.EF.Providers;

/// <summary>
/// SQLite: timestamps as INTEGER microseconds since the Unix epoch (SQLite cannot compare or order
/// <see cref="DateTimeOffset"/> text; integers compare exactly and index well), JSON as TEXT, and a
/// <c>version</c> column as the concurrency token.
/// </summary>
internal sealed class SqliteSessionsProvider : SessionsProvider
{
    // Method calls, not inline arithmetic: EF 10's compiled-model generator drops the parentheses of
    // (a - b) / c when it writes a converter's expression as C# (it wrote v.UtcTicks - UnixEpoch.Ticks / 10).
    private static readonly ValueConverter<DateTimeOffset, long> UnixMicroseconds = new(v => ToUnixMicroseconds(v), v => FromUnixMicroseconds(v));

    public override string Name => "sqlite";

    public override string MigrationsAssembly => "McpSessions.EF.Migrations.Sqlite";

    public override string JsonColumnType => "TEXT";

    public override void ConfigureSession(EntityTypeBuilder<McpSession> session)
    {
        session.Property(s => s.CreatedAt).HasConversion(UnixMicroseconds);
        session.Property(s => s.UpdatedAt).HasConversion(UnixMicroseconds);
        session.Property(s => s.ExpiresAt).HasConversion(UnixMicroseconds);
        session.Property(s => s.Version).HasColumnName("version").IsConcurrencyToken().HasDefaultValue(0u).ValueGeneratedNever();
    }

    internal static long ToUnixMicroseconds(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;

    internal static DateTimeOffset FromUnixMicroseconds(long value) => new(DateTimeOffset.UnixEpoch.Ticks + (value * TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);

    /// <summary>A lock file beside the database file; none in memory.</summary>
    public override SharedLock? SharedLockFor(System.Data.Common.DbConnection connection)
    {
        var settings = new SqliteConnectionStringBuilder(connection.ConnectionString);
        if (settings.Mode == SqliteOpenMode.Memory || settings.DataSource is ":memory:" or "")
        {
            return null;
        }

        var directory = Path.GetFullPath(settings.DataSource) + ".locks";
        return (key, timeout, time, onTimeout, ct) => Locking.SqliteFileSessionLock.AcquireAsync(directory, key, timeout, time, onTimeout, ct);
    }

    public override string DatabaseSizeSql => "SELECT page_count * page_size AS \"Value\" FROM pragma_page_count(), pragma_page_size()";

    // SQLITE_CANTOPEN (14): no such file, or no access; SQLITE_NOTADB (26): the file is not a SQLite database.
    protected override bool IsConnectionFailureCore(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 14 or 26 };

    // SQLITE_READONLY (8, every variant): the file or its directory cannot be written, seen by a connection opened
    // since; SQLITE_IOERR_WRITE (778): the kernel refused a write of a connection opened before (an immutable or
    // read-only file, a failing disk), which SQLite reports only as "disk I/O error".
    protected override bool IsReadOnlyCore(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 8 } or SqliteException { SqliteExtendedErrorCode: 778 };

    public override string Describe(System.Data.Common.DbConnection connection)
    {
        var settings = new SqliteConnectionStringBuilder(connection.ConnectionString);
        return settings.Mode == SqliteOpenMode.Memory || settings.DataSource is ":memory:" or ""
            ? "SQLite in-memory database"
            : $"SQLite file '{Path.GetFullPath(settings.DataSource)}'";
    }

    /// <summary>
    /// Refuses a write when the database file is no longer where the connection string says (deleted, or its directory
    /// removed or moved): an open SQLite connection, kept by the store or pooled by Microsoft.Data.Sqlite, goes on
    /// writing into the unlinked file (WAL mode has no SQLITE_READONLY_DBMOVED check), so the write would return and be
    /// lost. The pool of such connections is cleared, so the next call opens the path afresh. One stat per write.
    /// </summary>
    public override void BeforeWrite(System.Data.Common.DbConnection connection)
    {
        if (FileOf(connection.ConnectionString) is not { } path || File.Exists(path))
        {
            return;
        }

        SqliteConnection.ClearPool((SqliteConnection)connection);
        throw new SessionDatabaseUnreachableException(Describe(connection), "the file is not there any more (deleted, or its directory removed or moved, since it was opened)");
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string?> Files = new(StringComparer.Ordinal);

    /// <summary>The database file of <paramref name="connectionString"/>; null in memory. Parsed once per connection string.</summary>
    private static string? FileOf(string connectionString) => Files.GetOrAdd(connectionString, static c =>
    {
        var settings = new SqliteConnectionStringBuilder(c);
        return settings.Mode == SqliteOpenMode.Memory || settings.DataSource is ":memory:" or "" ? null : Path.GetFullPath(settings.DataSource);
    });

    // SQLITE_ERROR (1) is every kind of SQL error; only its message tells a missing table or column.
    public override bool IsMissingSchema(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 1 } e
        && (e.Message.Contains("no such table", StringComparison.Ordinal) || e.Message.Contains("no such column", StringComparison.Ordinal));

    public override bool IsUniqueViolation(Exception exception) =>
        // SQLITE_CONSTRAINT (19); the extended code SQLITE_CONSTRAINT_UNIQUE is 2067.
        exception is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 };
}
