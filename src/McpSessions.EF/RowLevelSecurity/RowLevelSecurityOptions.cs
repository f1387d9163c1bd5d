namespace McpSessions.EF.RowLevelSecurity;

/// <summary>Row-level security: the database, not only the application, keeps each user to their own sessions.</summary>
public sealed class RowLevelSecurityOptions
{
    /// <summary>How the user is passed to the database. Default <see cref="RowLevelSecurityMode.Supabase"/>.</summary>
    public RowLevelSecurityMode Mode { get; set; } = RowLevelSecurityMode.Supabase;

    /// <summary>
    /// The role each command runs as (<c>SET LOCAL ROLE</c>). Supabase: default <c>authenticated</c>; the connection's
    /// login role (Supabase's <c>authenticator</c>) must be a member of it. <c>service_role</c> bypasses row-level
    /// security and runs so whether or not a user is signed in; any other role applies only while a user is signed in,
    /// and with nobody signed in commands run as <c>anon</c>. PostgreSQL identity mode: default none, the login role itself.
    /// </summary>
    public string? Role { get; set; }
}
