namespace McpSessions.EF.Providers;

/// <summary>
/// The database the library's own <see cref="Model.SessionsDbContext"/> talks to, and the connection resources it
/// owns (a PostgreSQL data source, or the connection that keeps an in-memory SQLite database alive).
/// Disposing it releases them.
/// </summary>
internal abstract class SessionsDatabase : IAsyncDisposable
{
    public abstract SessionsProvider Provider { get; }

    /// <summary>A description for messages, with no password.</summary>
    public abstract string Description { get; }

    /// <summary>The full path of a database that is a file (SQLite); <see langword="null"/> for a server or in memory.</summary>
    public virtual string? FilePath => null;

    /// <summary>Whether the database is known not to exist (a SQLite file that is not there). False when it cannot tell.</summary>
    public bool IsMissing => FilePath is { } path && !File.Exists(path);

    /// <summary>The compiled model of <see cref="Model.SessionsDbContext"/> on this database's provider.</summary>
    public abstract Model.Compiled.CompiledSessionsModel CompiledModel { get; }

    /// <summary>Points <paramref name="builder"/> at this database, with the migrations assembly and history table.</summary>
    public abstract void Configure(DbContextOptionsBuilder builder);

    public abstract ValueTask DisposeAsync();

    /// <summary>
    /// Why <see cref="Create"/> cannot read the configured connection string or SQLite path (the driver's parser would
    /// throw its ArgumentException from inside the store), or <see langword="null"/>. For the options validator: it
    /// parses exactly as <see cref="Create"/> does, and connects to nothing.
    /// </summary>
    public static string? SettingError(McpSessionsOptions options)
    {
        try
        {
            switch (options.Provider)
            {
                case SessionStorageProvider.Postgres or SessionStorageProvider.Supabase when !string.IsNullOrWhiteSpace(options.ConnectionString):
                    if (string.IsNullOrWhiteSpace(PostgresSessionsDatabase.Parse(options.ConnectionString).Host))
                    {
                        return $"{McpSessionsOptions.SectionName}:{nameof(options.ConnectionString)} names no Host (the PostgreSQL server).";
                    }

                    break;
                case SessionStorageProvider.Sqlite:
                    _ = SqliteSessionsDatabase.Parse(options.ConnectionString, options.SqlitePath);
                    break;
            }

            return null;
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            // The parsers' messages name the keyword or position, never a value.
            var setting = options.ConnectionString is null ? nameof(options.SqlitePath) : nameof(options.ConnectionString);
            return $"{McpSessionsOptions.SectionName}:{setting} cannot be read as a {options.Provider} connection string: {e.Message}";
        }
    }

    public static SessionsDatabase Create(McpSessionsOptions options) => options.Provider switch
    {
        SessionStorageProvider.Postgres or SessionStorageProvider.Supabase => new PostgresSessionsDatabase(options.ConnectionString!, options.PostgresPooler),
        SessionStorageProvider.Memory => SqliteSessionsDatabase.InMemory(),
        _ => SqliteSessionsDatabase.File(options.ConnectionString, options.SqlitePath, options.CreateMissingDatabase, options.SqliteSynchronous),
    };
}
