using System.Diagnostics;

namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>
/// One measurement of one phase: throughput, latency percentiles, the bytes the process allocated per operation, and
/// the garbage collections (and their pauses) during the phase.
/// </summary>
internal sealed record PhaseSample(int Operations, double Seconds, double OpsPerSecond, double P50Ms, double P99Ms, double AllocatedKbPerOp, double GcPauseMs, int Gen0Collections, int Gen2Collections);

/// <summary>
/// Runs <c>operations</c> calls of one phase with <c>concurrency</c> workers taking the next index from a shared
/// counter, timing each call with <see cref="Stopwatch"/> timestamps. Concurrency 1 is one strictly sequential loop.
/// </summary>
internal static class PhaseRunner
{
    public static async Task<PhaseSample> RunAsync(int operations, int concurrency, Func<int, Task> operation)
    {
        var latencies = new long[operations];
        var next = -1;

        async Task Worker()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < operations)
            {
                var start = Stopwatch.GetTimestamp();
                await operation(i);
                latencies[i] = Stopwatch.GetTimestamp() - start;
            }
        }

        var allocated = GC.GetTotalAllocatedBytes();
        var paused = GC.GetTotalPauseDuration();
        var (gen0, gen2) = (GC.CollectionCount(0), GC.CollectionCount(2));
        var began = Stopwatch.GetTimestamp();
        if (concurrency <= 1)
        {
            await Worker();
        }
        else
        {
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker)));
        }

        var seconds = Stopwatch.GetElapsedTime(began).TotalSeconds;
        var kilobytesPerOperation = (GC.GetTotalAllocatedBytes() - allocated) / 1024.0 / operations;
        Array.Sort(latencies);
        return new PhaseSample(
            operations, seconds, operations / seconds, Milliseconds(Percentile(latencies, 0.50)), Milliseconds(Percentile(latencies, 0.99)), kilobytesPerOperation,
            (GC.GetTotalPauseDuration() - paused).TotalMilliseconds, GC.CollectionCount(0) - gen0, GC.CollectionCount(2) - gen2);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static long Percentile(long[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
