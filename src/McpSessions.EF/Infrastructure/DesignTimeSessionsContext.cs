namespace McpSessions.EF.Infrastructure;

/// <summary>
/// What the migrations assemblies' design-time factories share: a <see cref="SessionsDbContext"/> for one provider,
/// on the connection given to <c>dotnet ef</c> (its <c>--connection</c> option, or the environment).
/// </summary>
internal static class DesignTimeSessionsContext
{
    /// <summary>
    /// PostgreSQL reads <c>DATABASE_URL</c>; SQLite reads <c>MCP_TS_STORAGE_SQLITE_PATH</c>, a relative path being
    /// relative to the directory <c>dotnet ef</c> was run in. Without them a placeholder is used, which is enough for
    /// <c>dotnet ef migrations add</c> (it does not connect).
    /// </summary>
    public static SessionsDbContext Create(SessionStorageProvider provider)
    {
        var builder = new DbContextOptionsBuilder<SessionsDbContext>();
        if (provider is SessionStorageProvider.Postgres)
        {
            var connection = Environment.GetEnvironmentVariable("DATABASE_URL") is { Length: > 0 } url
                ? PostgresConnectionString.Normalize(url)
                : "Host=localhost;Database=mcp_sessions";
            builder.UseNpgsql(connection, o => o.MigrationsAssembly(SessionsProvider.Postgres.MigrationsAssembly).MigrationsHistoryTable(SessionsProvider.MigrationsHistoryTable));
        }
        else
        {
            var path = Path.Combine(InvocationDirectory(), Environment.GetEnvironmentVariable("MCP_TS_STORAGE_SQLITE_PATH") is { Length: > 0 } p ? p : "mcp-sessions.db");
            builder.UseSqlite($"Data Source={path}", o => o.MigrationsAssembly(SessionsProvider.Sqlite.MigrationsAssembly).MigrationsHistoryTable(SessionsProvider.MigrationsHistoryTable));
        }

        // Design time (migrations, the compiled models) never reads or writes a secret: no key ring, so the model names
        // the secret columns' converter types, which is what a compiled model can hold.
        builder.UseMcpSessions(keyRing: null);
        return new SessionsDbContext(builder.Options);
    }

    /// <summary>
    /// Where the user ran <c>dotnet ef</c>. The tool starts the design-time process in the startup project's folder
    /// and passes the directory it was run in as <c>--working-dir</c>; outside <c>dotnet ef</c>, the current directory.
    /// </summary>
    private static string InvocationDirectory()
    {
        var args = Environment.GetCommandLineArgs();
        var i = Array.IndexOf(args, "--working-dir");
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : Directory.GetCurrentDirectory();
    }
}
