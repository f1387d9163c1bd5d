namespace McpSessions.EF.Model;

/// <summary>
/// Implemented by a host's own <see cref="DbContext"/> to hold MCP sessions beside its other entities.
/// Call <see cref="McpSessionsModelBuilderExtensions.ApplyMcpSessions(ModelBuilder, DbContext, Action{McpSessionsModelOptions}?)"/>
/// from <c>OnModelCreating</c> and register the store with <c>services.AddMcpSessions&lt;TContext&gt;()</c>.
/// </summary>
public interface IMcpSessionsContext
{
    /// <summary>The sessions.</summary>
    DbSet<McpSession> McpSessions { get; }
}
