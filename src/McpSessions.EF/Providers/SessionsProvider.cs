using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace McpSessions.EF.Providers;

/// <summary>
/// Everything that differs between the relational providers. The rest of the library is provider-neutral:
/// a new provider is one subclass of this.
/// </summary>
internal abstract class SessionsProvider
{
    public static readonly SessionsProvider Postgres = new PostgresSessionsProvider();
    public static readonly SessionsProvider Sqlite = new SqliteSessionsProvider();

    /// <summary>The provider's name for people: <c>postgres</c>, <c>sqlite</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The assembly holding this provider's migrations for <see cref="SessionsDbContext"/>.</summary>
    public abstract string MigrationsAssembly { get; }

    /// <summary>The column type of the JSON columns.</summary>
    public abstract string JsonColumnType { get; }

    /// <summary>Column types, defaults, converters and the concurrency token that differ by provider.</summary>
    public abstract void ConfigureSession(EntityTypeBuilder<McpSession> session);

    /// <summary>SQL returning the size of the whole database in bytes, as one column.</summary>
    public abstract string DatabaseSizeSql { get; }

    /// <summary>
    /// Whether <paramref name="exception"/>, or one it wraps, says the database could not be reached or opened
    /// (refused, unknown host, bad credentials, no such database or file), as opposed to a failing statement.
    /// </summary>
    public bool IsConnectionFailure(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (IsConnectionFailureCore(e))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether this one exception (not what it wraps) is a connection failure of this provider.</summary>
    protected abstract bool IsConnectionFailureCore(Exception exception);

    /// <summary>
    /// What a failed call on the session database throws, when the provider's exception says more than the statement
    /// failed: <see cref="SessionDatabaseReadOnlyException"/> when the database would not take a write
    /// (<see cref="IsReadOnlyCore"/>), <see cref="Unreachable"/> when it could not be reached; otherwise null (the
    /// provider's exception stands). Null too for an exception translated already.
    /// </summary>
    public McpSessionsException? Translate(Exception exception, string database)
    {
        if (exception is SessionDatabaseReadOnlyException)
        {
            return null;
        }

        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (IsReadOnlyCore(e))
            {
                return new SessionDatabaseReadOnlyException(database, e.Message, exception);
            }
        }

        return Unreachable(exception, database);
    }

    /// <summary>Whether this one exception (not what it wraps) says the database would not take a write.</summary>
    protected virtual bool IsReadOnlyCore(Exception exception) => false;

    /// <summary>
    /// <see cref="SessionDatabaseUnreachableException"/> for <paramref name="exception"/> when it is a connection failure
    /// (<see cref="IsConnectionFailure"/>), naming <paramref name="database"/> and the cause as the provider put it
    /// (its message, and the innermost one where that says more: "Failed to connect to 127.0.0.1:5432: Connection
    /// refused"); otherwise null. The provider's messages name hosts, ports, users and files, never a password.
    /// </summary>
    public SessionDatabaseUnreachableException? Unreachable(Exception exception, string database)
    {
        if (exception is SessionDatabaseUnreachableException)
        {
            return null; // translated already
        }

        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (!IsConnectionFailureCore(e))
            {
                continue;
            }

            var innermost = e;
            while (innermost.InnerException is not null)
            {
                innermost = innermost.InnerException;
            }

            var cause = innermost == e || e.Message.Contains(innermost.Message, StringComparison.Ordinal)
                ? e.Message
                : $"{e.Message.TrimEnd('.')}: {innermost.Message}";

            // A connection that timed out reading is a database that did not answer: down, cut off, or (on an open
            // connection) a statement waiting on a lock past the command timeout. Say that, not "unreachable".
            return innermost is TimeoutException
                ? new SessionDatabaseUnreachableException(database, $"no answer within the timeout ({cause})", exception)
                : new SessionDatabaseUnreachableException(database, cause, exception);
        }

        return null;
    }

    /// <summary>
    /// Runs before each statement that writes, on the connection it will run on: throws
    /// <see cref="SessionDatabaseUnreachableException"/> where the write would succeed somewhere nobody reads it back.
    /// </summary>
    public virtual void BeforeWrite(System.Data.Common.DbConnection connection)
    {
    }

    /// <summary>The database <paramref name="connection"/> (not opened) points at, for messages, with no password.</summary>
    public abstract string Describe(System.Data.Common.DbConnection connection);

    /// <summary>Whether the provider's <paramref name="exception"/> is a unique-key violation.</summary>
    public abstract bool IsUniqueViolation(Exception exception);

    /// <summary>Whether the provider's <paramref name="exception"/> says a table, schema or column the statement names does not exist.</summary>
    public abstract bool IsMissingSchema(Exception exception);

    /// <summary>Whether the provider's <paramref name="exception"/> is the database refusing a write (row-level security).</summary>
    public virtual bool IsAccessDenied(Exception exception) => false;

    /// <summary>
    /// SQL deleting at most <paramref name="limit"/> rows that meet <paramref name="condition"/>, ordered by
    /// <paramref name="orderBy"/>, in one statement (one short transaction). SQLite has one writer at a time, so
    /// concurrent cleaners simply take turns.
    /// </summary>
    public virtual string DeleteBatchSql(string table, string id, string condition, string orderBy, string limit) =>
        $"DELETE FROM {table} WHERE {id} IN (SELECT {id} FROM {table} WHERE {condition} ORDER BY {orderBy} LIMIT {limit})";

    /// <summary>
    /// Whether the database moves the concurrency token itself on every write (PostgreSQL's xmin); otherwise every
    /// update sets <c>version = version + 1</c>.
    /// </summary>
    public virtual bool MovesVersionItself => false;

    /// <summary>
    /// The lock across processes for <paramref name="connection"/>'s database, or null where an in-process lock is
    /// enough (an in-memory SQLite database lives in one process).
    /// </summary>
    public abstract SharedLock? SharedLockFor(System.Data.Common.DbConnection connection);

    /// <summary>Takes the lock on <paramref name="key"/> within <paramref name="timeout"/>; disposing the result releases it.</summary>
    public delegate Task<IAsyncDisposable> SharedLock(long key, TimeSpan timeout, TimeProvider time, Func<Exception> onTimeout, CancellationToken cancellationToken);

    /// <summary>SQL reading a JSON column's stored text as the database holds it.</summary>
    public virtual string JsonAsText(string delimitedColumn) => delimitedColumn;

    /// <summary>The name of the migrations history table, kept apart from a host's own migrations.</summary>
    public const string MigrationsHistoryTable = "__mcp_sessions_migrations";

    /// <summary>The provider of <paramref name="database"/>'s context: PostgreSQL (Npgsql) or SQLite.</summary>
    public static SessionsProvider For(DatabaseFacade database) =>
        database.IsNpgsql() ? Postgres
        : database.IsSqlite() ? Sqlite
        : throw new NotSupportedException(
            $"McpSessions.EF supports PostgreSQL (Npgsql) and SQLite; the context is configured with '{database.ProviderName ?? "no provider"}'.");
}
