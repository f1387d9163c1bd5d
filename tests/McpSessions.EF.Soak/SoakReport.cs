using System.Globalization;
using System.Text.Json;

namespace McpSessions.EF.Soak;

/// <summary>
/// The summary over every worker's <c>result-*.json</c>, the per-second <c>samples.csv</c> (resident memory of each
/// worker, PostgreSQL and Redis connections) and <c>events.log</c>. Exits 1 on any invariant violation (an error with
/// both servers up is one), on resident memory that keeps growing after the warm-up, or on more connections than the
/// pools allow.
/// </summary>
internal static class SoakReport
{
    /// <summary>Growth after minute 1 that is a leak: both a steady slope and a real amount.</summary>
    private const double MaxSlopeMbPerMinute = 6, MaxGrowthMb = 40;

    /// <summary>Runs at least this long are judged on their slope after minute 1.</summary>
    private const int SlopeRunMinutes = 3;

    /// <summary>What a shorter run may grow by in its second half.</summary>
    private const double ShortRunGrowthFactor = 1.5;

    /// <summary>Each worker's PostgreSQL pool (Maximum Pool Size in soak.sh) and its Redis connections (interactive and subscription), with room for the sampler's own.</summary>
    private const int MaxPostgresPerWorker = 40, MaxRedisPerWorker = 4;

    public static int Run(SoakOptions options)
    {
        var directory = options.Directory;
        var results = Directory.GetFiles(directory, "result-*.json").Order(StringComparer.Ordinal)
            .Select(f => JsonSerializer.Deserialize<SoakResult>(File.ReadAllBytes(f), SoakResult.Json)!)
            .ToList();
        var samples = ReadSamples(Path.Combine(directory, "samples.csv"));
        var events = File.Exists(Path.Combine(directory, "events.log")) ? File.ReadAllLines(Path.Combine(directory, "events.log")) : [];
        var failures = new List<string>();
        var expectedWorkers = options.Int("workers", 2);
        if (results.Count != expectedWorkers)
        {
            failures.Add($"{results.Count} of {expectedWorkers} workers wrote a result");
        }

        var start = results.Count > 0 ? results.Min(r => r.StartMs) : 0;
        var end = results.Count > 0 ? results.Max(r => r.EndMs) : 0;
        Console.WriteLine($"soak: {(end - start) / 1000.0:F0} s, {results.Count} processes x {options.Tasks} tasks; " +
            $"Redis killed {events.Count(e => e.EndsWith(" redis-down", StringComparison.Ordinal))} times, PostgreSQL restarted {events.Count(e => e.EndsWith(" postgres-down", StringComparison.Ordinal))} time(s)");

        var operations = Sum(results.Select(r => r.Operations));
        Console.WriteLine($"operations: {operations.Values.Sum()} ({Describe(operations)}), {operations.Values.Sum() / Math.Max(1.0, (end - start) / 1000.0):F0}/s");
        var errors = Sum(results.Select(r => r.Errors));
        Console.WriteLine($"errors: {errors.Values.Sum()}{(errors.Count == 0 ? "" : ":")}");
        foreach (var (kind, count) in errors.OrderByDescending(e => e.Value))
        {
            Console.WriteLine($"  {count,7}  {kind}{(kind.EndsWith("during no outage", StringComparison.Ordinal) ? "   (unexpected: a violation)" : "   (expected: a server was down)")}");
        }

        var cache = Sum(results.Select(r => r.Cache));
        Console.WriteLine($"cache tier: {Describe(cache)}");
        if (cache.GetValueOrDefault("hits") == 0)
        {
            failures.Add("no read was answered by the cache");
        }

        Coherence(results);
        var stale = Sum(results.Select(r => r.StaleReads));
        Console.WriteLine($"reads through the cache of a replaced value: {stale.Values.Sum()} ({Describe(stale)}), the oldest {results.Select(r => r.MaxStalenessMs).DefaultIfEmpty().Max()} ms after its replacement returned (bound: CacheTtl + 1 s = {results.Select(r => r.StaleBoundMs).DefaultIfEmpty().Max()} ms)");
        var violations = Sum(results.Select(r => r.ViolationCounts));
        Console.WriteLine($"invariant violations: {violations.Values.Sum()}{(violations.Count == 0 ? "" : " (" + Describe(violations) + ")")}");
        foreach (var line in results.SelectMany(r => r.Violations.Select(v => $"  worker {r.Id}: {v}")).Take(20))
        {
            Console.WriteLine(line);
        }

        if (violations.Values.Sum() > 0)
        {
            failures.Add($"{violations.Values.Sum()} invariant violation(s)");
        }

        Memory(samples, start, end, results.Count, failures);
        foreach (var r in results.Where(r => r.Heap.Count > 2))
        {
            var minuteOne = r.Heap.MinBy(h => Math.Abs(h[0] - (start + 60_000)))!;
            Console.WriteLine($"long-lived managed heap of worker {r.Id} (gen2 + LOH + POH after the last GC): {minuteOne[1] / 1048576.0:F1} MB at minute 1, {r.Heap[^1][1] / 1048576.0:F1} MB at the end, max {r.Heap.Max(h => h[1]) / 1048576.0:F1} MB");
        }

        Connections(samples, results.Count, failures);

        Console.WriteLine(failures.Count == 0 ? "soak: PASS" : $"soak: FAIL: {string.Join("; ", failures)}");
        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>
    /// Resident memory at minute 1 and at the end, and its least-squares slope in between. A run of at least
    /// <see cref="SlopeRunMinutes"/> minutes fails when memory keeps growing after minute 1 (a steady slope and a real
    /// amount); a shorter run is still warming up then (pools filling, tiered JIT, the GC sizing its heap), so it fails
    /// only on gross growth: more than <see cref="ShortRunGrowthFactor"/> times its memory half way.
    /// </summary>
    /// <summary>
    /// SPEC §6: after a write returns, no instance the writer could reach through the cache reads the old value. A
    /// stale read is a violation unless the writer's cache tier failed or bypassed the cache around that write (from
    /// 3 s before it returned to 0.5 s after, to cover the write's own duration on a loaded machine).
    /// </summary>
    private static void Coherence(List<SoakResult> results)
    {
        var cutOff = results.ToDictionary(r => r.Id, r => r.CutOff);
        foreach (var result in results)
        {
            foreach (var read in result.Stale)
            {
                var writerCutOff = cutOff.TryGetValue(read.Writer, out var windows)
                    && windows.Any(w => w[1] >= read.ReplacedAtMs - 3_000 && w[0] <= read.ReplacedAtMs + 500);
                var key = $"{read.Whose}, {(writerCutOff ? "the writer cut off from the cache" : "the writer reached the cache")}";
                result.StaleReads[key] = result.StaleReads.GetValueOrDefault(key) + 1;
                if (!writerCutOff)
                {
                    result.ViolationCounts["stale read after a write that reached the cache"] = result.ViolationCounts.GetValueOrDefault("stale read after a write that reached the cache") + 1;
                    result.Violations.Add($"{read.ReplacedAtMs} stale read after a write that reached the cache: a read {read.StalenessMs} ms after worker {read.Writer}'s write returned");
                }
            }
        }
    }

    private static void Memory(List<double[]> samples, long start, long end, int workers, List<string> failures)
    {
        var longRun = end - start >= SlopeRunMinutes * 60_000;
        var from = longRun ? start + 60_000 : start + (end - start) / 2;
        for (var w = 0; w < workers; w++)
        {
            var column = 1 + w;
            var points = samples.Where(s => s[0] >= from && s[0] <= end && s[column] > 0).Select(s => (Minutes: (s[0] - start) / 60_000, Mb: s[column] / 1024)).ToList();
            if (points.Count < 5)
            {
                failures.Add($"worker {w}: {points.Count} memory samples after {(from - start) / 1000} s");
                continue;
            }

            var minuteOne = samples.Where(s => s[column] > 0).MinBy(s => Math.Abs(s[0] - (start + 60_000)))![column] / 1024;
            var slope = Slope(points);
            var growth = points[^1].Mb - points[0].Mb;
            Console.WriteLine($"memory of worker {w} (RSS): {minuteOne:F0} MB at minute 1, {points[^1].Mb:F0} MB at the end, " +
                $"{growth:+0;-0} MB and slope {slope:+0.00;-0.00} MB/min from {(from - start) / 1000} s to the end, peak {samples.Max(s => s[column]) / 1024:F0} MB");
            if (longRun && slope > MaxSlopeMbPerMinute && growth > MaxGrowthMb)
            {
                failures.Add($"worker {w}: memory grows {slope:F1} MB/min after minute 1 ({growth:F0} MB)");
            }
            else if (!longRun && points[^1].Mb > ShortRunGrowthFactor * points[0].Mb)
            {
                failures.Add($"worker {w}: memory went from {points[0].Mb:F0} MB half way to {points[^1].Mb:F0} MB");
            }
        }
    }

    private static void Connections(List<double[]> samples, int workers, List<string> failures)
    {
        if (samples.Count == 0)
        {
            failures.Add("no samples");
            return;
        }

        var pg = samples.Where(s => s[^2] >= 0).Select(s => s[^2]).DefaultIfEmpty(0).ToList();
        var redis = samples.Where(s => s[^1] >= 0).Select(s => s[^1]).DefaultIfEmpty(0).ToList();
        Console.WriteLine($"PostgreSQL connections (pg_stat_activity, the workers'): max {pg.Max():F0}, at the end {pg[^1]:F0}; Redis clients (INFO clients): max {redis.Max():F0}, at the end {redis[^1]:F0}");
        if (pg.Max() > workers * MaxPostgresPerWorker)
        {
            failures.Add($"{pg.Max():F0} PostgreSQL connections, over the pools' {workers * MaxPostgresPerWorker}");
        }

        if (redis.Max() > workers * MaxRedisPerWorker + 2)
        {
            failures.Add($"{redis.Max():F0} Redis clients, over {workers * MaxRedisPerWorker + 2}");
        }
    }

    /// <summary>Least-squares slope, MB per minute.</summary>
    private static double Slope(List<(double Minutes, double Mb)> points)
    {
        var mx = points.Average(p => p.Minutes);
        var my = points.Average(p => p.Mb);
        var sxx = points.Sum(p => (p.Minutes - mx) * (p.Minutes - mx));
        return sxx == 0 ? 0 : points.Sum(p => (p.Minutes - mx) * (p.Mb - my)) / sxx;
    }

    /// <summary>Rows of numbers; an empty field (a server that did not answer that second) is -1.</summary>
    private static List<double[]> ReadSamples(string path) => !File.Exists(path)
        ? []
        : File.ReadLines(path).Skip(1)
            .Select(l => l.Split(',').Select(f => double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : -1).ToArray())
            .Where(r => r.Length >= 4)
            .ToList();

    private static Dictionary<string, long> Sum(IEnumerable<Dictionary<string, long>> all)
    {
        var sum = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var one in all)
        {
            foreach (var (key, value) in one)
            {
                sum[key] = sum.GetValueOrDefault(key) + value;
            }
        }

        return sum;
    }

    private static string Describe(Dictionary<string, long> counts) =>
        string.Join(", ", counts.OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value}"));
}
