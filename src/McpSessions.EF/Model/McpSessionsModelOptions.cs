namespace McpSessions.EF.Model;

/// <summary>Where the session entity is mapped.</summary>
public sealed class McpSessionsModelOptions
{
    /// <summary>The table name. Default <c>mcp_sessions</c>, the name @mcp-ts/sdk uses.</summary>
    public string TableName { get; set; } = "mcp_sessions";

    /// <summary>The schema, or <see langword="null"/> for the provider's default (<c>public</c> on PostgreSQL).</summary>
    public string? Schema { get; set; }
}
