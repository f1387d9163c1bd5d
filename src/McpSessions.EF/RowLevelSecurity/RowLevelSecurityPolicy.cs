using System.Globalization;

namespace McpSessions.EF.RowLevelSecurity;

/// <summary>
/// The row-level-security rules in one place: who the database takes the current user to be (the role and settings
/// each command runs with, see <see cref="RowLevelSecurityInterceptor"/>) and which rows the SQL policies
/// (<c>mcp_sessions_rls_supabase.sql</c>, <c>mcp_sessions_rls_postgres.sql</c>) let that user see. Anything that
/// answers for the database without asking it (the cache tier) asks <see cref="Allows"/> first.
/// </summary>
internal sealed class RowLevelSecurityPolicy(RowLevelSecurityOptions options, IMcpSessionsUserAccessor users)
{
    /// <summary>Supabase's role that bypasses row-level security (BYPASSRLS).</summary>
    public const string ServiceRole = "service_role";

    /// <summary>Supabase's role of a signed-in user: the only role its policies are written for.</summary>
    public const string Authenticated = "authenticated";

    /// <summary>Supabase's role of nobody signed in: no policy grants it a row.</summary>
    public const string Anon = "anon";

    public RowLevelSecurityMode Mode => options.Mode;

    /// <summary>The current user, as <see cref="IMcpSessionsUserAccessor"/> says; read once per store call.</summary>
    public string? CurrentUserId => users.CurrentUserId;

    /// <summary>
    /// The role a command of <paramref name="userId"/> runs as (<c>SET LOCAL ROLE</c>), or null for the login role.
    /// Supabase: <c>service_role</c> whoever is signed in; any other role (default <c>authenticated</c>) only while a
    /// user is signed in, else <c>anon</c>. PostgreSQL identity mode: <see cref="RowLevelSecurityOptions.Role"/>.
    /// </summary>
    public string? Role(string? userId) => options.Mode == RowLevelSecurityMode.Supabase
        ? userId is not null || options.Role == ServiceRole ? options.Role ?? Authenticated : Anon
        : options.Role;

    /// <summary>
    /// Whether the policies let <paramref name="userId"/> see the row of <paramref name="identity"/> and
    /// <paramref name="rowUserId"/>. It errs towards no: a no only means "ask the database", which then answers as it
    /// would anyway, while a wrong yes would hand out someone else's session.
    /// </summary>
    /// <remarks>
    /// Supabase: <c>service_role</c> sees every row; <c>authenticated</c> sees a row when <c>auth.uid()::text</c> (the
    /// JWT <c>sub</c> as a UUID in its canonical lower-case text) is its <c>user_id</c> or its <c>identity</c>; any other
    /// role, <c>anon</c> among them, has no policy here. PostgreSQL identity mode: a row is visible when
    /// <c>mcp.identity</c>, the user's id, is its <c>identity</c> or its <c>user_id</c>; nobody signed in sets it empty,
    /// which matches no row. A login role that owns the table or has BYPASSRLS sees more than this says: the cache
    /// then sends those reads to the database, which answers them.
    /// </remarks>
    public bool Allows(string? userId, string identity, string rowUserId)
    {
        if (options.Mode == RowLevelSecurityMode.Supabase)
        {
            var role = Role(userId);
            if (role == ServiceRole)
            {
                return true;
            }

            if (role != Authenticated || !Guid.TryParseExact(userId, "D", out var uid))
            {
                return false;
            }

            var text = uid.ToString("D", CultureInfo.InvariantCulture);
            return string.Equals(text, identity, StringComparison.Ordinal) || string.Equals(text, rowUserId, StringComparison.Ordinal);
        }

        return userId is { Length: > 0 }
            && (string.Equals(userId, identity, StringComparison.Ordinal) || string.Equals(userId, rowUserId, StringComparison.Ordinal));
    }
}
