namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// The tests that run the real tool against real databases. One collection, so they run one after another (each step
/// is a process start).
/// </summary>
[CollectionDefinition(Name)]
public sealed class CliCollection
{
    public const string Name = "mcp-sessions CLI";
}
