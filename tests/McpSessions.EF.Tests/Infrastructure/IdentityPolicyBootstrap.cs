using McpSessions.EF.Migrations.Postgres;
using Npgsql;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// Row-level security without Supabase on a migrated test database: a login role for the application and the
/// library's policy keyed by <c>mcp.identity</c> (<see cref="PostgresSessionsSql.PostgresRowLevelSecurity"/>).
/// </summary>
public static class IdentityPolicyBootstrap
{
    public const string AppRole = "mcp_sessions_app";

    public static async Task ApplyAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        var sql = $"""
            DO $r$ BEGIN CREATE ROLE {AppRole} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $r$;
            GRANT SELECT, INSERT, UPDATE, DELETE ON public.mcp_sessions TO {AppRole};
            GRANT SELECT ON public."__mcp_sessions_migrations" TO {AppRole};
            {PostgresSessionsSql.PostgresRowLevelSecurity(AppRole)}
            """;
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
