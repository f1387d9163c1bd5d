namespace McpSessions.EF.RowLevelSecurity;

/// <summary>
/// The authenticated user on whose behalf the store talks to the database, for row-level security. The host
/// implements it from its own authentication (for example the <c>sub</c> claim of <c>IHttpContextAccessor.HttpContext.User</c>);
/// it is read on every database command, so it must be cheap and flow with the async context.
/// </summary>
public interface IMcpSessionsUserAccessor
{
    /// <summary>The current user's id (Supabase: the JWT <c>sub</c>, a UUID), or <see langword="null"/> when nobody is signed in.</summary>
    string? CurrentUserId { get; }
}
