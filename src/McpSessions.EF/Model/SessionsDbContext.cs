namespace McpSessions.EF.Model;

/// <summary>The library's own context, holding only the sessions. Pool-friendly: its only state is its options.</summary>
public class SessionsDbContext(DbContextOptions<SessionsDbContext> options) : DbContext(options), IMcpSessionsContext
{
    /// <inheritdoc />
    public DbSet<McpSession> McpSessions => Set<McpSession>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.ApplyMcpSessions(this);
}
