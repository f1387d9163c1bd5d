using Npgsql;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// Makes a plain PostgreSQL database look the way Supabase sets itself up, as far as mcp_sessions cares: the roles
/// anon, authenticated and service_role (BYPASSRLS), the login role authenticator that may become each of them,
/// the schema auth with auth.uid(), and Supabase's default grants on new tables in public.
/// </summary>
public static class SupabaseBootstrap
{
    private const string Roles = """
        DO $roles$
        BEGIN
          BEGIN CREATE ROLE anon NOLOGIN NOINHERIT; EXCEPTION WHEN duplicate_object THEN NULL; END;
          BEGIN CREATE ROLE authenticated NOLOGIN NOINHERIT; EXCEPTION WHEN duplicate_object THEN NULL; END;
          BEGIN CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS; EXCEPTION WHEN duplicate_object THEN NULL; END;
          BEGIN CREATE ROLE authenticator LOGIN NOINHERIT; EXCEPTION WHEN duplicate_object THEN NULL; END;
        END
        $roles$;
        GRANT anon, authenticated, service_role TO authenticator;
        """;

    private const string Database = """
        CREATE SCHEMA IF NOT EXISTS auth;
        GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
        CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$
          SELECT coalesce(
            nullif(current_setting('request.jwt.claim.sub', true), ''),
            (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
          )::uuid
        $$;
        GRANT EXECUTE ON FUNCTION auth.uid() TO anon, authenticated, service_role;
        GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
        """;

    /// <summary>Applies the bootstrap to the database of <paramref name="connectionString"/> (as a superuser).</summary>
    public static async Task ApplyAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var roles = new NpgsqlCommand(Roles, connection))
        {
            try
            {
                await roles.ExecuteNonQueryAsync();
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateObject)
            {
                // Another test class created the cluster-wide roles at the same moment.
                await using var grant = new NpgsqlCommand("GRANT anon, authenticated, service_role TO authenticator", connection);
                await grant.ExecuteNonQueryAsync();
            }
        }

        await using var database = new NpgsqlCommand(Database, connection);
        await database.ExecuteNonQueryAsync();
    }

    /// <summary>The same database, logged in as Supabase's <c>authenticator</c>.</summary>
    public static string AsAuthenticator(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Username = "authenticator", Password = null }.ConnectionString;
}
