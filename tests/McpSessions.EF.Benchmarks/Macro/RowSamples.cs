namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>The samples of one row of the report over the runs: what was measured, and the baseline it is divided by.</summary>
internal sealed class RowSamples(string measuredName, string baselineName)
{
    public string MeasuredName { get; } = measuredName;

    public string BaselineName { get; } = baselineName;

    /// <summary>Empty for a row with a baseline only (<c>redis_set</c>).</summary>
    public List<PhaseSample> Measured { get; } = [];

    public List<PhaseSample> Baseline { get; } = [];
}
