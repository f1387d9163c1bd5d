using System.Globalization;
using McpSessions.EF.Tests.Infrastructure;
using StackExchange.Redis;

namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>
/// The macro benchmark behind <c>scripts/bench.sh</c>. For each configuration and concurrency: a warm-up pass, then
/// <c>--runs</c> runs of the phases create (pending), get, update (tokens and active), list per identity, list ids per
/// identity, list all ids, delete. In every phase the library and its raw baseline run back to back on the same table
/// (which of them goes first alternates by run), so their ratio is measured under the same conditions.
/// </summary>
internal static class MacroHarness
{
    public static readonly string[] Phases = ["create", "get", "update", "list", "list_ids", "list_all_ids", "delete"];

    public static async Task<int> RunAsync(string[] args)
    {
        MacroOptions options;
        try
        {
            options = MacroOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"{e.Message}\n{MacroOptions.Usage}");
            return 2;
        }

        if (options.Help || options.CheckOnly)
        {
            if (options.Help)
            {
                Console.WriteLine(MacroOptions.Usage);
            }

            return 0;
        }

        var report = new MacroReport(options);
        var payload = new BenchPayload(McpSessions.EF.Encryption.EncryptionKey.Generate());
        var work = Directory.CreateTempSubdirectory("mcpsessions-bench-");
        try
        {
            foreach (var name in options.Configurations)
            {
                await using var configuration = await BenchConfiguration.CreateAsync(name, options, payload, work.FullName);
                foreach (var concurrency in options.Concurrency)
                {
                    var runs = new Dictionary<string, (string Baseline, List<PhaseSample> Library, List<PhaseSample> Raw)>();
                    var notes = new Dictionary<string, string>();
                    Progress($"{name}, concurrency {concurrency}: warm-up");
                    await RunOnceAsync(configuration, options, concurrency, $"w{concurrency}", rawFirst: true, Math.Min(options.Sessions, 200), record: null, notes: null);
                    for (var run = 1; run <= options.Runs; run++)
                    {
                        Progress($"{name}, concurrency {concurrency}: run {run} of {options.Runs}");
                        await RunOnceAsync(configuration, options, concurrency, $"r{run}c{concurrency}", rawFirst: run % 2 == 1, options.Sessions, runs, notes);
                    }

                    foreach (var (phase, (baseline, library, raw)) in runs)
                    {
                        report.Add(name, concurrency, phase, raw[0].Operations, library.Count == 0 ? null : PhaseStatistics.Median("library", library), PhaseStatistics.Median(baseline, raw), notes.GetValueOrDefault(phase));
                    }
                }
            }

            if (options.MillionRows > 0)
            {
                foreach (var name in options.MillionConfigurations)
                {
                    Progress($"list all ids over {options.MillionRows:N0} rows on {name}, in a process of its own");
                    report.AddScale(await ScaleCheck.RunInChildAsync(name, options.MillionRows, work.FullName));
                }
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }

        report.Finish();
        Console.WriteLine(report.Table());
        if (options.JsonPath is { } path)
        {
            await File.WriteAllTextAsync(path, report.Json());
            Console.WriteLine($"JSON: {path}");
        }

        return 0;
    }

    /// <summary>One run of every phase; <paramref name="record"/> null for a warm-up.</summary>
    private static async Task RunOnceAsync(
        BenchConfiguration configuration,
        MacroOptions options,
        int concurrency,
        string tag,
        bool rawFirst,
        int sessions,
        Dictionary<string, (string Baseline, List<PhaseSample> Library, List<PhaseSample> Raw)>? record,
        Dictionary<string, string>? notes)
    {
        var libraryWork = new Workload($"lib-{tag}", sessions, options.Identities);
        var rawWork = new Workload($"raw-{tag}", sessions, options.Identities);
        var library = configuration.Library;
        var raw = configuration.Raw;
        var getOperations = sessions * options.GetPasses;
        var listOperations = options.Identities * options.ListPasses;
        var listAllOperations = Math.Max(20, 2 * concurrency);

        async Task Pair(string phase, int operations, Func<int, Task> libraryOperation, string baselineName, Func<int, Task> baselineOperation)
        {
            PhaseSample librarySample, baselineSample;
            if (rawFirst)
            {
                baselineSample = await PhaseRunner.RunAsync(operations, concurrency, baselineOperation);
                librarySample = await PhaseRunner.RunAsync(operations, concurrency, libraryOperation);
            }
            else
            {
                librarySample = await PhaseRunner.RunAsync(operations, concurrency, libraryOperation);
                baselineSample = await PhaseRunner.RunAsync(operations, concurrency, baselineOperation);
            }

            Record(phase, baselineName, librarySample, baselineSample);
        }

        void Record(string phase, string baselineName, PhaseSample? librarySample, PhaseSample baselineSample)
        {
            if (record is null)
            {
                return;
            }

            if (!record.TryGetValue(phase, out var samples))
            {
                record[phase] = samples = (baselineName, [], []);
            }

            if (librarySample is not null)
            {
                samples.Library.Add(librarySample);
            }

            samples.Raw.Add(baselineSample);
        }

        await Pair("create", sessions, i => library.CreateAsync(libraryWork, i), raw.Name, i => raw.CreateAsync(rawWork, i));

        if (configuration.Redis is { } redis)
        {
            // The cache-hit get: one unmeasured pass fills the cache, then every measured get is a hit (counted). The
            // raw reads read entries of a real entry's size, stored as RedisCache stores them by the measured raw writes.
            // The fill runs one get at a time: 32 at once on a loaded machine can overrun the cache's time budget, and
            // three failures open its circuit for BypassPeriod (30 s), during which nothing is filled (the cache fails
            // open). If the create phase opened it, wait it out once and fill again.
            byte[]? entry = null;
            for (var fill = 0; fill < 2 && entry is null; fill++)
            {
                if (fill > 0)
                {
                    await Task.Delay(new McpSessions.EF.Caching.SessionCacheOptions().BypassPeriod);
                }

                await PhaseRunner.RunAsync(sessions, 1, i => library.GetAsync(libraryWork, i));
                entry = await TestRedis.ReadValueAsync(redis, $"{configuration.CachePrefix}{libraryWork.IdentityOf(0)}:{libraryWork.SessionId(0)}");
            }

            var redisOperations = new RedisOperations(redis, $"{configuration.CachePrefix}{tag}:", entry ?? throw new InvalidOperationException("the cache was not filled"));
            Record("redis_set", $"{RedisOperations.Name} {RedisOperations.SetCommand}", null, await PhaseRunner.RunAsync(sessions, concurrency, redisOperations.SetAsync));

            using var hits = new CacheHitCounter();
            await Pair("get", getOperations, i => library.GetAsync(libraryWork, i % sessions), $"{RedisOperations.Name} {RedisOperations.GetCommand}", i => redisOperations.GetAsync(i % sessions));
            var (hitCount, missCount) = hits.Take();
            if (notes is not null && record is not null)
            {
                notes["get"] = string.Create(CultureInfo.InvariantCulture, $"cache hits: {hitCount} of {hitCount + missCount} measured library gets in the last run (entry {entry.Length} bytes)");
            }

            await ClearAsync(redis, $"{configuration.CachePrefix}{tag}:raw:*");
        }
        else
        {
            await Pair("get", getOperations, i => library.GetAsync(libraryWork, i % sessions), raw.Name, i => raw.GetAsync(rawWork, i % sessions));
        }

        await Pair("update", sessions, i => library.UpdateAsync(libraryWork, i), raw.Name, i => raw.UpdateAsync(rawWork, i));
        await Pair("list", listOperations, k => library.ListAsync(libraryWork, k % options.Identities), raw.Name, k => raw.ListAsync(rawWork, k % options.Identities));
        await Pair("list_ids", listOperations, k => library.ListIdsAsync(libraryWork, k % options.Identities), raw.Name, k => raw.ListIdsAsync(rawWork, k % options.Identities));

        // Both targets' sessions are live now: each enumeration must see all of them.
        await Pair(
            "list_all_ids",
            listAllOperations,
            async _ => Check.Count("list all ids", await library.ListAllIdsAsync(), 2L * sessions),
            raw.Name,
            async _ => Check.Count("raw list all ids", await raw.ListAllIdsAsync(), 2L * sessions));
        await Pair("delete", sessions, i => library.DeleteAsync(libraryWork, i), raw.Name, i => raw.DeleteAsync(rawWork, i));
    }

    /// <summary>
    /// Deletes the keys matching <paramref name="pattern"/> in one server-side script: a client-side SCAN loop made of
    /// synchronous pages and one DEL round trip per key ran into StackExchange.Redis 1.x's sync timeout after a
    /// concurrency-32 phase.
    /// </summary>
    internal static Task ClearAsync(IDatabase redis, string pattern) =>
        redis.ScriptEvaluateAsync(
            """
            local cursor, deleted = "0", 0
            repeat
              local page = redis.call("SCAN", cursor, "MATCH", ARGV[1], "COUNT", 1000)
              cursor = page[1]
              for _, key in ipairs(page[2]) do deleted = deleted + redis.call("DEL", key) end
            until cursor == "0"
            return deleted
            """,
            values: [pattern]);

    private static void Progress(string message) =>
        Console.Error.WriteLine($"[bench] {DateTime.UtcNow:HH:mm:ss} {message}");
}
