namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>The median of the runs of one side of a phase; each statistic's median is taken on its own.</summary>
internal sealed record PhaseStatistics(string Name, double OpsPerSecond, double P50Ms, double P99Ms, double AllocatedKbPerOp, IReadOnlyList<PhaseSample> Runs)
{
    public static PhaseStatistics Median(string name, IReadOnlyList<PhaseSample> runs) => new(
        name,
        MedianOf(runs.Select(r => r.OpsPerSecond)),
        MedianOf(runs.Select(r => r.P50Ms)),
        MedianOf(runs.Select(r => r.P99Ms)),
        MedianOf(runs.Select(r => r.AllocatedKbPerOp)),
        runs);

    private static double MedianOf(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

/// <summary>
/// One row of the report: a phase of a configuration at a concurrency, what was measured (the library, or for a
/// <see cref="Macro.Comparison.Floor"/> row the raw commands of the floor) and its baseline measured in the same runs,
/// and the ratio of their median throughputs (above 1: the measured side is faster).
/// </summary>
internal sealed record PhaseResult(
    string Configuration,
    int Concurrency,
    string Phase,
    string Comparison,
    int Operations,
    PhaseStatistics? Measured,
    PhaseStatistics Baseline,
    double? Ratio,
    string? Note);

/// <summary>The list-all-ids check at scale, from a process of its own.</summary>
internal sealed record ScaleResult(string Configuration, long Rows, long Listed, double InsertSeconds, double ListSeconds, double IdsPerSecond, double PeakRssMb, double RssAfterSetupMb);

/// <summary>
/// One target of issues 9 and 17, evaluated on this run; <see cref="Floor"/> is the best value the round trips or the
/// read's AES-GCM decryption allow (for an allocation target, what the floor row allocated), measured in the same run,
/// where there is one, and <see cref="Reason"/> says when that floor is on the wrong side of the target.
/// </summary>
internal sealed record TargetResult(string Target, double? Value, string Requirement, bool Met, string? Reason = null, double? Floor = null);
