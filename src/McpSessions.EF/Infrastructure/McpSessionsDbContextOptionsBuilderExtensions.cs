namespace McpSessions.EF.Infrastructure;

internal static class McpSessionsDbContextOptionsBuilderExtensions
{
    /// <summary>Adds the session settings to a context's options (done for the host by <c>AddMcpSessions</c>).</summary>
    public static DbContextOptionsBuilder UseMcpSessions(this DbContextOptionsBuilder builder, SessionKeyRing? keyRing)
    {
        ((IDbContextOptionsBuilderInfrastructure)builder).AddOrUpdateExtension(new McpSessionsDbContextOptionsExtension(keyRing));
        return builder;
    }
}
