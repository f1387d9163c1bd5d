namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// The tests that run the real tool against real databases. One collection, so they run one after another (each step
/// is a process start) and share one install of @mcp-ts/sdk.
/// </summary>
[CollectionDefinition(Name)]
public sealed class CliCollection : ICollectionFixture<McpTsSdk>
{
    public const string Name = "mcp-sessions CLI";
}
