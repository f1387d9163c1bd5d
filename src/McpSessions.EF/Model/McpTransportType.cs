namespace McpSessions.EF.Model;

/// <summary>
/// How the host reaches the remote MCP server. Stored as <c>sse</c> or <c>streamable_http</c>. A new
/// <see cref="McpSession"/> uses <see cref="StreamableHttp"/>; the members' order (and so the enum's CLR default,
/// <see cref="Sse"/>) is kept because the cache tier stores the numeric value.
/// </summary>
public enum McpTransportType
{
    /// <summary>The legacy HTTP + Server-Sent Events transport (<c>sse</c>).</summary>
    Sse,

    /// <summary>The Streamable HTTP transport (<c>streamable_http</c>).</summary>
    StreamableHttp,
}
