using Microsoft.Data.Sqlite;

namespace McpSessions.EF.Providers;

/// <summary>
/// A SQLite file, or an in-memory SQLite database kept alive by one open connection for the store's lifetime. A file
/// runs in WAL mode with <c>synchronous</c> as configured (<see cref="SqliteConnectionPragmas"/>).
/// </summary>
internal sealed class SqliteSessionsDatabase : SessionsDatabase
{
    private readonly string _connectionString;
    private readonly SqliteConnection? _keepAlive;

    private SqliteSessionsDatabase(string connectionString, SqliteConnection? keepAlive, SqliteSynchronous synchronous = SqliteSynchronous.Normal)
    {
        _connectionString = connectionString;
        _keepAlive = keepAlive;
        Pragmas = keepAlive is null ? new SqliteConnectionPragmas(synchronous) : null;
    }

    /// <summary>The connection string the context and the prepared-statement runner open.</summary>
    public string ConnectionString => _connectionString;

    /// <summary>The pragmas of a file database; none in memory, where there is no journal to sync.</summary>
    public SqliteConnectionPragmas? Pragmas { get; }

    public override SessionsProvider Provider => SessionsProvider.Sqlite;

    public override Model.Compiled.CompiledSessionsModel CompiledModel => Model.Compiled.CompiledSessionsModel.Sqlite;

    public override string Description => FilePath is { } path ? $"SQLite file '{path}'" : "SQLite in-memory database";

    /// <summary>The full path of the database file; <see langword="null"/> in memory.</summary>
    public override string? FilePath
    {
        get
        {
            var builder = new SqliteConnectionStringBuilder(_connectionString);
            return _keepAlive is null && builder.Mode != SqliteOpenMode.Memory && builder.DataSource is not ("" or ":memory:")
                ? Path.GetFullPath(builder.DataSource)
                : null;
        }
    }

    /// <summary>
    /// A SQLite file, from a connection string or else a path. A connection string without <c>=</c> is taken as a
    /// path, so <c>--connection mcp-sessions.db</c> and <c>DATABASE_URL</c>-style settings read naturally. Unless
    /// <paramref name="createIfMissing"/>, a file that does not exist is an error instead of a new empty database.
    /// </summary>
    public static SqliteSessionsDatabase File(string? connectionString, string path, bool createIfMissing = true, SqliteSynchronous synchronous = SqliteSynchronous.Normal)
    {
        var builder = Parse(connectionString, path);
        if (!createIfMissing && builder.Mode == SqliteOpenMode.ReadWriteCreate)
        {
            builder.Mode = SqliteOpenMode.ReadWrite;
        }

        return new(builder.ConnectionString, null, synchronous);
    }

    /// <summary>The settings of <see cref="File"/>, parsed: an <see cref="ArgumentException"/> when they cannot be.</summary>
    public static SqliteConnectionStringBuilder Parse(string? connectionString, string path) =>
        connectionString is null || !connectionString.Contains('=', StringComparison.Ordinal)
            ? new SqliteConnectionStringBuilder { DataSource = connectionString ?? path, Pooling = true }
            : new SqliteConnectionStringBuilder(connectionString);

    /// <summary>A private shared-cache database: it exists while at least one connection to it is open.</summary>
    public static SqliteSessionsDatabase InMemory()
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = $"mcp-sessions-{Guid.NewGuid():N}",
            Mode = SqliteOpenMode.Memory,
            Cache = SqliteCacheMode.Shared,
        }.ConnectionString;
        var keepAlive = new SqliteConnection(connectionString);
        keepAlive.Open();
        return new SqliteSessionsDatabase(connectionString, keepAlive);
    }

    public override void Configure(DbContextOptionsBuilder builder)
    {
        builder.UseSqlite(_connectionString, sqlite => sqlite
            .MigrationsAssembly(Provider.MigrationsAssembly)
            .MigrationsHistoryTable(SessionsProvider.MigrationsHistoryTable));

        // WAL lets readers run beside the single writer, and with it synchronous=NORMAL is safe from corruption.
        if (Pragmas is not null)
        {
            builder.AddInterceptors(Pragmas);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_keepAlive is not null)
        {
            await _keepAlive.DisposeAsync().ConfigureAwait(false);
        }
    }
}
