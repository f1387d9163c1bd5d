using System.CommandLine;

namespace McpSessions.EF.Cli.Configuration;

/// <summary>The flags that say which database and key a command uses. They win over every other source of configuration.</summary>
internal sealed class ConnectionOptions
{
    public Option<string?> Provider { get; } = new("--provider")
    {
        Description = "Where sessions are stored (overrides MCP_TS_STORAGE_TYPE, McpSessions__Provider).",
        HelpName = "sqlite|postgres|supabase|memory",
    };

    public Option<string?> Connection { get; } = new("--connection")
    {
        Description = "PostgreSQL: a postgres:// URI or an Npgsql connection string (overrides DATABASE_URL). SQLite: a file path or connection string (overrides MCP_TS_STORAGE_SQLITE_PATH).",
        HelpName = "uri|path",
    };

    public Option<string?> Key { get; } = new("--key")
    {
        Description = "The encryption key: 64 hex characters or base64 of 32 bytes (overrides STORAGE_ENCRYPTION_KEY). Prefer the variable: a flag shows in the process list.",
        HelpName = "key",
    };

    public ConnectionOptions() => Provider.AcceptOnlyFromAmong("sqlite", "postgres", "supabase", "memory");

    public void AddTo(Command command)
    {
        command.Add(Provider);
        command.Add(Connection);
        command.Add(Key);
    }
}
