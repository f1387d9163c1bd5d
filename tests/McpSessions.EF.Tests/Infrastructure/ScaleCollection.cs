namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// Tests that load the whole machine, or that bound a latency, run alone after the parallel ones, so neither slows
/// the other on a 2-core machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ScaleCollection
{
    public const string Name = "Scale";
}
