namespace McpSessions.EF.RowLevelSecurity;

/// <summary>How the database learns who the current user is.</summary>
public enum RowLevelSecurityMode
{
    /// <summary>
    /// Supabase: each command runs as <see cref="RowLevelSecurityOptions.Role"/> with the user's JWT claims in
    /// <c>request.jwt.claims</c>, so @mcp-ts/sdk's policies (<c>auth.uid()</c>) apply. With no current user the role is <c>anon</c>.
    /// </summary>
    Supabase,

    /// <summary>
    /// Plain PostgreSQL: each command sets <c>mcp.identity</c> to the user's id, for the policy of
    /// <c>PostgresSessionsSql.PostgresRowLevelSecurity(role)</c>; and, if <see cref="RowLevelSecurityOptions.Role"/> is set, runs as that role.
    /// </summary>
    PostgresIdentity,
}
