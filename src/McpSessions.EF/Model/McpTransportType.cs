namespace McpSessions.EF.Model;

/// <summary>How the host reaches the remote MCP server. Stored as <c>sse</c> or <c>streamable_http</c>.</summary>
public enum McpTransportType
{
    /// <summary>The legacy HTTP + Server-Sent Events transport (<c>sse</c>).</summary>
    Sse,

    /// <summary>The Streamable HTTP transport (<c>streamable_http</c>).</summary>
    StreamableHttp,
}
