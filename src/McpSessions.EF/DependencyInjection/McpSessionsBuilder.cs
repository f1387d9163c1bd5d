using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.DependencyInjection;

/// <summary>Returned by <c>AddMcpSessions</c>; later features (cache tier, health checks) hang off it.</summary>
public sealed class McpSessionsBuilder(IServiceCollection services)
{
    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; } = services;
}
