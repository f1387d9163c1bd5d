using McpSessions.EF.Infrastructure;

namespace McpSessions.EF.Model;

/// <summary>Maps <see cref="McpSession"/> into any <see cref="DbContext"/>.</summary>
public static class McpSessionsModelBuilderExtensions
{
    /// <summary>
    /// Maps <see cref="McpSession"/> to <c>mcp_sessions</c> with the column names, types, indexes and concurrency token
    /// of SPEC §2, for the provider <paramref name="context"/> is configured with (PostgreSQL or SQLite).
    /// Call it from <c>OnModelCreating</c>: <c>modelBuilder.ApplyMcpSessions(this);</c>
    /// </summary>
    /// <param name="modelBuilder">The model builder.</param>
    /// <param name="context">The context being built; its provider decides the column types.</param>
    /// <param name="configure">Optional table and schema names; the store finds them in the model.</param>
    public static ModelBuilder ApplyMcpSessions(this ModelBuilder modelBuilder, DbContext context, Action<McpSessionsModelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        ArgumentNullException.ThrowIfNull(context);

        var extension = McpSessionsDbContextOptionsExtension.Find(context);
        var options = new McpSessionsModelOptions();
        configure?.Invoke(options);

        var provider = SessionsProvider.For(context.Database);
        modelBuilder.ApplyConfiguration(new McpSessionConfiguration(options, provider, extension?.KeyRing));
        return modelBuilder;
    }
}
