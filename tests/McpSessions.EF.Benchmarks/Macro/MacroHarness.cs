using System.Globalization;
using McpSessions.EF.Tests.Infrastructure;
using StackExchange.Redis;

namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>
/// The macro benchmark behind <c>scripts/bench.sh</c>. For each configuration and concurrency: a warm-up pass, then
/// <c>--runs</c> runs of the phases create (pending), get, update (tokens and active), list per identity, list ids per
/// identity, list all ids, delete. In every phase the library and its raw baseline run back to back on the same table
/// (which of them goes first alternates by run), so their ratio is measured under the same conditions. Some phases
/// measure more sides in the same way (a prepared SQLite get, the library without the cache, the floors of a cache hit,
/// of a cached write, of a list and of a prepared SQLite get), each a row of its own (<see cref="Comparison"/>).
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
                    var runs = new Dictionary<(string Phase, string Comparison), RowSamples>();
                    var notes = new Dictionary<string, string>();
                    Progress($"{name}, concurrency {concurrency}: warm-up");
                    await RunOnceAsync(configuration, payload, options, concurrency, $"w{concurrency}", rawFirst: true, Math.Min(options.Sessions, 200), record: null, notes: null);
                    for (var run = 1; run <= options.Runs; run++)
                    {
                        Progress($"{name}, concurrency {concurrency}: run {run} of {options.Runs}");
                        await RunOnceAsync(configuration, payload, options, concurrency, $"r{run}c{concurrency}", rawFirst: run % 2 == 1, options.Sessions, runs, notes);
                    }

                    foreach (var ((phase, comparison), samples) in runs)
                    {
                        report.Add(
                            name,
                            concurrency,
                            phase,
                            comparison,
                            samples.Baseline[0].Operations,
                            samples.Measured.Count == 0 ? null : PhaseStatistics.Median(samples.MeasuredName, samples.Measured),
                            PhaseStatistics.Median(samples.BaselineName, samples.Baseline),
                            comparison == Comparison.Raw ? notes.GetValueOrDefault(phase) : null);
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

        report.Finish(payload.KeptPlaintextKb);
        Console.WriteLine(report.Table());
        if (options.JsonPath is { } path)
        {
            await File.WriteAllTextAsync(path, report.Json());
            Console.WriteLine($"JSON: {path}");
        }

        return 0;
    }

    /// <summary>
    /// One run of every phase; <paramref name="record"/> null for a warm-up. Each phase runs its sides back to back
    /// (the library first, then its baselines, or the other way round), each side on sessions of its own, and records
    /// one row per comparison: the library ÷ raw; on SQLite also the get ÷ a prepared get; with the cache tier also the
    /// writes ÷ the library without the cache; and the floors (raw commands only): of a hit and of a cached write with
    /// the cache tier, of a list (the raw list and AES-GCM decryption of its secrets ÷ the raw list), of a get (on SQLite
    /// the prepared get, on PostgreSQL the get, and AES-GCM decryption ÷ the same get) and on PostgreSQL of a create and
    /// an update (the raw write with its secrets serialized and encrypted per call ÷ the raw write).
    /// </summary>
    private static async Task RunOnceAsync(
        BenchConfiguration configuration,
        BenchPayload payload,
        MacroOptions options,
        int concurrency,
        string tag,
        bool rawFirst,
        int sessions,
        Dictionary<(string Phase, string Comparison), RowSamples>? record,
        Dictionary<string, string>? notes)
    {
        var libraryWork = new Workload($"lib-{tag}", sessions, options.Identities);
        var rawWork = new Workload($"raw-{tag}", sessions, options.Identities);
        var uncachedWork = new Workload($"nocache-{tag}", sessions, options.Identities);
        var floorWork = new Workload($"floor-{tag}", sessions, options.Identities);
        var library = configuration.Library;
        var raw = configuration.Raw;
        var uncached = configuration.Uncached;
        var redis = configuration.Redis;

        // The floor of a cached write: the raw write, then the tag bump a write must make (HSET+EXPIRE, awaited).
        var bumps = redis is null ? null : new RedisOperations(redis, $"{configuration.CachePrefix}{tag}:bump:", RedisOperations.TagValue);
        var getOperations = sessions * options.GetPasses;
        var listOperations = options.Identities * options.ListPasses;
        var listAllOperations = Math.Max(20, 2 * concurrency);

        async Task<PhaseSample[]> Measure(int operations, params Func<int, Task>[] sides)
        {
            var samples = new PhaseSample[sides.Length];
            var order = Enumerable.Range(0, sides.Length);
            foreach (var side in rawFirst ? order.Reverse() : order)
            {
                samples[side] = await PhaseRunner.RunAsync(operations, concurrency, sides[side]);
            }

            return samples;
        }

        void Record(string phase, string comparison, string measuredName, PhaseSample? measured, string baselineName, PhaseSample baseline)
        {
            if (record is null)
            {
                return;
            }

            if (!record.TryGetValue((phase, comparison), out var samples))
            {
                record[(phase, comparison)] = samples = new RowSamples(measuredName, baselineName);
            }

            if (measured is not null)
            {
                samples.Measured.Add(measured);
            }

            samples.Baseline.Add(baseline);
        }

        // The library and raw; with a floor operation also the floor ÷ raw, the floor doing raw's read and decrypting it.
        async Task Pair(string phase, int operations, Func<int, Task> libraryOperation, Func<int, Task> baselineOperation, Func<int, Task>? floorOperation = null)
        {
            var samples = await Measure(operations, floorOperation is null ? [libraryOperation, baselineOperation] : [libraryOperation, baselineOperation, floorOperation]);
            Record(phase, Comparison.Raw, library.Name, samples[0], raw.Name, samples[1]);
            if (floorOperation is not null)
            {
                Record(phase, Comparison.Floor, raw.Name + StoredSecretCipher.OpenedSuffix, samples[2], raw.Name, samples[1]);
            }
        }

        // A write: the library and raw; with the cache tier also the library without it, and the raw write + a tag bump.
        async Task<int> Write(string phase, Func<ISessionOperations, Workload, int, Task> write)
        {
            var sides = new List<Func<int, Task>> { i => write(library, libraryWork, i), i => write(raw, rawWork, i) };
            if (uncached is not null)
            {
                sides.Add(i => write(uncached, uncachedWork, i));
            }

            if (bumps is not null)
            {
                sides.Add(async i =>
                {
                    await write(raw, floorWork, i);
                    await bumps.SetAsync(i);
                });
            }

            // Without the cache, the floors of a PostgreSQL create and update: the raw write with the secrets it writes
            // encrypted for the call (JSON + AES-GCM), which the raw write takes as stored text prepared once. Its own
            // sessions; the delete is the raw one.
            var sealing = bumps is null && raw is NpgsqlOperations npgsql ? npgsql : null;
            if (sealing is not null)
            {
                sides.Add(i => phase switch
                {
                    "create" => sealing.CreateSealedAsync(floorWork, i),
                    "update" => sealing.UpdateSealedAsync(floorWork, i),
                    _ => write(raw, floorWork, i),
                });
            }

            var samples = await Measure(sessions, [.. sides]);
            Record(phase, Comparison.Raw, library.Name, samples[0], raw.Name, samples[1]);
            if (uncached is not null)
            {
                Record(phase, Comparison.NoCache, library.Name, samples[0], $"{uncached.Name}, no cache", samples[2]);
            }

            if (bumps is not null)
            {
                Record(phase, Comparison.Floor, $"{raw.Name} + {RedisOperations.SetCommand}", samples[^1], raw.Name, samples[1]);
            }

            if (sealing is not null && phase is "create" or "update")
            {
                Record(phase, Comparison.Floor, raw.Name + StoredSecretCipher.SealedSuffix, samples[^1], raw.Name, samples[1]);
            }

            return sides.Count;
        }

        var writers = await Write("create", (target, work, i) => target.CreateAsync(work, i));

        if (redis is not null)
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

            var entries = new RedisOperations(redis, $"{configuration.CachePrefix}{tag}:", entry ?? throw new InvalidOperationException("the cache was not filled"));
            var tags = new RedisOperations(redis, $"{configuration.CachePrefix}{tag}:tag:", RedisOperations.TagValue);
            Record("redis_set", Comparison.Raw, "", null, $"{RedisOperations.Name} {RedisOperations.SetCommand}", await PhaseRunner.RunAsync(sessions, concurrency, entries.SetAsync));
            await PhaseRunner.RunAsync(sessions, concurrency, tags.SetAsync);

            using var hits = new CacheHitCounter();
            var get = await Measure(
                getOperations,
                i => library.GetAsync(libraryWork, i % sessions),
                i => entries.GetAsync(i % sessions),
                i => entries.GetWithOpenedAsync(tags, payload.Cipher, i % sessions),
                i => entries.GetWithOpenedAsync(configuration.DistributedCache!, tags, payload.Cipher, i % sessions));
            var (hitCount, missCount) = hits.Take();
            var single = $"{RedisOperations.Name} {RedisOperations.GetCommand}";
            Record("get", Comparison.Raw, library.Name, get[0], single, get[1]);
            Record("get", Comparison.Floor, RedisOperations.OpenedPairName, get[2], single, get[1]);
            Record("get", Comparison.CacheFloor, RedisOperations.OpenedCachePairName, get[3], single, get[1]);
            if (notes is not null && record is not null)
            {
                notes["get"] = string.Create(CultureInfo.InvariantCulture, $"cache hits: {hitCount} of {hitCount + missCount} measured library gets in the last run (entry {entry.Length} bytes)");
            }
        }
        else if (raw is SqliteOperations sqlite)
        {
            var get = await Measure(
                getOperations,
                i => library.GetAsync(libraryWork, i % sessions),
                i => raw.GetAsync(rawWork, i % sessions),
                i => sqlite.GetPreparedAsync(rawWork, i % sessions),
                i => sqlite.GetPreparedOpenedAsync(rawWork, i % sessions));
            Record("get", Comparison.Raw, library.Name, get[0], raw.Name, get[1]);
            Record("get", Comparison.PreparedRaw, library.Name, get[0], SqliteOperations.PreparedName, get[2]);
            Record("get", Comparison.Floor, SqliteOperations.PreparedName + StoredSecretCipher.OpenedSuffix, get[3], SqliteOperations.PreparedName, get[2]);
        }
        else
        {
            var npgsql = (NpgsqlOperations)raw;
            await Pair(
                "get",
                getOperations,
                i => library.GetAsync(libraryWork, i % sessions),
                i => raw.GetAsync(rawWork, i % sessions),
                i => npgsql.GetOpenedAsync(rawWork, i % sessions));
        }

        await Write("update", (target, work, i) => target.UpdateAsync(work, i));
        await Pair(
            "list",
            listOperations,
            k => library.ListAsync(libraryWork, k % options.Identities),
            k => raw.ListAsync(rawWork, k % options.Identities),
            k => raw.ListOpenedAsync(rawWork, k % options.Identities));
        await Pair("list_ids", listOperations, k => library.ListIdsAsync(libraryWork, k % options.Identities), k => raw.ListIdsAsync(rawWork, k % options.Identities));

        // Every writer's sessions are live now: each enumeration must see all of them.
        await Pair(
            "list_all_ids",
            listAllOperations,
            async _ => Check.Count("list all ids", await library.ListAllIdsAsync(), (long)writers * sessions),
            async _ => Check.Count("raw list all ids", await raw.ListAllIdsAsync(), (long)writers * sessions));
        await Write("delete", (target, work, i) => target.DeleteAsync(work, i));

        if (redis is not null)
        {
            await ClearAsync(redis, $"{configuration.CachePrefix}{tag}:*");
        }
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
