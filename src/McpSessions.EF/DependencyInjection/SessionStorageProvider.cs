namespace McpSessions.EF.DependencyInjection;

/// <summary>Where sessions are stored (SPEC §7, <c>MCP_TS_STORAGE_TYPE</c>).</summary>
public enum SessionStorageProvider
{
    /// <summary>A SQLite file (<c>sqlite</c>); the default.</summary>
    Sqlite,

    /// <summary>PostgreSQL (<c>postgres</c>).</summary>
    Postgres,

    /// <summary>Supabase's PostgreSQL (<c>supabase</c>); the same provider as <see cref="Postgres"/>.</summary>
    Supabase,

    /// <summary>A SQLite database in memory that lives as long as the store (<c>memory</c>).</summary>
    Memory,
}
