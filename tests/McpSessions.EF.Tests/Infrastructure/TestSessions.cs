using McpSessions.EF.Model;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>A valid session with every plain field set, for the specifications to start from.</summary>
public static class TestSessions
{
    public static McpSession New(string identity, string? sessionId, bool active) => new()
    {
        SessionId = sessionId ?? $"s-{Guid.NewGuid():N}",
        Identity = identity,
        ServerId = "server-1",
        ServerName = "Example MCP",
        ServerUrl = "https://mcp.example.com/mcp",
        CallbackUrl = "https://app.example.com/oauth/callback",
        TransportType = McpTransportType.StreamableHttp,
        Active = active,
    };
}
