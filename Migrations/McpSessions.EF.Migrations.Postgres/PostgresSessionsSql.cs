using System.Reflection;

namespace McpSessions.EF.Migrations.Postgres;

/// <summary>
/// The hand-written SQL of the PostgreSQL/Supabase schema: what the migrations run, and what
/// <c>mcp-sessions supabase-init</c> writes. Every script is idempotent.
/// </summary>
public static class PostgresSessionsSql
{
    /// <summary>The <c>mcp_sessions</c> table, its indexes and its <c>updated_at</c> trigger, compatible with @mcp-ts/sdk's.</summary>
    public static string Table { get; } = Read("mcp_sessions_table.sql");

    /// <summary>@mcp-ts/sdk's four row-level-security policies, created only where Supabase's roles and <c>auth.uid()</c> exist.</summary>
    public static string SupabaseRowLevelSecurity { get; } = Read("mcp_sessions_rls_supabase.sql");

    /// <summary>Opt-in pg_cron cleanup jobs, skipped where pg_cron is absent.</summary>
    public static string CronCleanup { get; } = Read("mcp_sessions_cron.sql");

    /// <summary>
    /// Opt-in row-level security for plain PostgreSQL, keyed by the setting <c>mcp.identity</c>, for the role
    /// <paramref name="role"/> the application connects as (it must not own the table).
    /// </summary>
    public static string PostgresRowLevelSecurity(string role)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        return Read("mcp_sessions_rls_postgres.sql").Replace("{{ROLE}}", "\"" + role.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"", StringComparison.Ordinal);
    }

    private static string Read(string name)
    {
        using var stream = typeof(PostgresSessionsSql).Assembly.GetManifestResourceStream("McpSessions.EF.Migrations.Postgres.Sql." + name)
            ?? throw new InvalidOperationException($"The SQL resource {name} is missing from {typeof(PostgresSessionsSql).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
