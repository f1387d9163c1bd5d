using System.Text.Json;
using McpSessions.EF.Encryption;

namespace McpSessions.EF.Soak;

/// <summary>
/// One process's figures: operations done, errors (each with its time, classified at the end against the outages
/// the script logged in <c>events.log</c>), invariant violations, and the staleness of reads through the cache.
/// </summary>
internal sealed class SoakRecorder(int id, TimeProvider clock, long staleBoundMs)
{
    /// <summary>Errors this long before an outage was logged, or after it ended, still belong to it: a pool's dead connections fail on their next use.</summary>
    private const long BeforeMs = 1_000, AfterDatabaseMs = 15_000, AfterCacheMs = 5_000;



    private const int Kept = 2_000;

    private readonly object _gate = new();
    private readonly List<Error> _errors = [];
    private long _cutOffEvents, _cutOffSeen, _sampledAtMs;
    private readonly SoakResult _result = new() { Id = id, StaleBoundMs = staleBoundMs, StartMs = clock.GetUtcNow().ToUnixTimeMilliseconds() };

    private long Now => clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Runs one store call; true when it returned. A failure is recorded with its time; a decryption failure is a violation.</summary>
    public async Task<bool> RunAsync(string operation, Func<Task> call)
    {
        try
        {
            await call();
            Count(operation);
            return true;
        }
        catch (Exception e)
        {
            var kind = Kind(e);
            lock (_gate)
            {
                _result.Failed[operation] = _result.Failed.GetValueOrDefault(operation) + 1;
                if (_errors.Count < 100_000)
                {
                    _errors.Add(new Error(Now, operation, kind, e.Message.Split('\n')[0]));
                }
            }

            if (Find<SecretDecryptionException>(e) is not null)
            {
                Violation("decryption failure", $"{operation}: {e.Message}");
            }

            return false;
        }
    }

    public void Count(string name)
    {
        lock (_gate)
        {
            _result.Operations[name] = _result.Operations.GetValueOrDefault(name) + 1;
        }
    }

    public void Violation(string kind, string detail)
    {
        lock (_gate)
        {
            _result.ViolationCounts[kind] = _result.ViolationCounts.GetValueOrDefault(kind) + 1;
            if (_result.Violations.Count < Kept)
            {
                _result.Violations.Add($"{Now} {kind}: {detail}");
            }
        }
    }

    /// <summary>
    /// A read through the cache, started at <paramref name="readStartMs"/>, of a value of process
    /// <paramref name="writer"/> whose replacement returned at <paramref name="replacedAtMs"/> (0: not replaced, a
    /// fresh read). Older than CacheTtl is a violation at once; any staleness at all is one unless the writer's cache
    /// tier was failing or bypassing the cache around that write (judged by the report, against the writer's own
    /// <see cref="SoakResult.CutOff"/>).
    /// </summary>
    public void Stale(string whose, int writer, long readStartMs, long replacedAtMs)
    {
        var stalenessMs = replacedAtMs == 0 ? 0 : readStartMs - replacedAtMs;
        if (stalenessMs <= 0)
        {
            return;
        }

        lock (_gate)
        {
            _result.MaxStalenessMs = Math.Max(_result.MaxStalenessMs, stalenessMs);
            if (_result.Stale.Count < 100_000)
            {
                _result.Stale.Add(new StaleRead(whose, writer, replacedAtMs, stalenessMs));
            }
        }

        if (stalenessMs > staleBoundMs)
        {
            Violation("stale beyond CacheTtl", $"a {whose} read returned a value replaced {stalenessMs} ms before it started (bound {staleBoundMs} ms)");
        }
    }

    /// <summary>
    /// Until <paramref name="stop"/>: every 250 ms, whether the cache tier failed or bypassed the cache since the last
    /// look (this process's <see cref="SoakResult.CutOff"/> windows: a write then may not have reached the cache);
    /// every 5 s, the long-lived managed heap: generation 2 and the large and pinned object heaps as the last
    /// collection left them, which a leak grows and gen0 churn does not.
    /// </summary>
    public async Task SampleAsync(CancellationToken stop)
    {
        for (var tick = 0; !stop.IsCancellationRequested; tick++)
        {
            var now = Now;
            lock (_gate)
            {
                if (_cutOffEvents != _cutOffSeen)
                {
                    _cutOffSeen = _cutOffEvents;
                    var from = _sampledAtMs == 0 ? now : _sampledAtMs;
                    if (_result.CutOff.Count > 0 && _result.CutOff[^1][1] >= from)
                    {
                        _result.CutOff[^1][1] = now;
                    }
                    else
                    {
                        _result.CutOff.Add([from, now]);
                    }
                }

                _sampledAtMs = now;
            }

            if (tick % 20 == 0)
            {
                var info = GC.GetGCMemoryInfo(GCKind.Any);
                var generations = info.GenerationInfo;
                var longLived = generations.Length > 4 ? generations[2].SizeAfterBytes + generations[3].SizeAfterBytes + generations[4].SizeAfterBytes : info.HeapSizeBytes;
                lock (_gate)
                {
                    _result.Heap.Add([now, longLived]);
                }
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), clock, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Counts the cache tier's measurements (its counters on the meter McpSessions.EF) until disposed.</summary>
    public IDisposable ListenToTheCacheTier()
    {
        var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "McpSessions.EF" && instrument.Name.StartsWith("mcp_sessions.cache.", StringComparison.Ordinal))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (_gate)
            {
                var name = instrument.Name["mcp_sessions.cache.".Length..];
                _result.Cache[name] = _result.Cache.GetValueOrDefault(name) + value;
                if (name is "errors" or "bypassed")
                {
                    _cutOffEvents += value;
                }
            }
        });
        listener.Start();
        return listener;
    }

    /// <summary>Classifies the errors: during an outage (or its tail) they are expected; with both servers up they are violations.</summary>
    public void Finish(string eventsPath)
    {
        var windows = Outages(eventsPath, Now);
        lock (_gate)
        {
            _result.EndMs = Now;

            foreach (var error in _errors)
            {
                var outage = windows.FirstOrDefault(w => error.AtMs >= w.From && error.AtMs <= w.To).Server;
                var key = $"{error.Kind} during {outage ?? "no outage"}";
                _result.Errors[key] = _result.Errors.GetValueOrDefault(key) + 1;
                if (outage is null)
                {
                    _result.ViolationCounts["error with both servers up"] = _result.ViolationCounts.GetValueOrDefault("error with both servers up") + 1;
                    if (_result.Violations.Count < Kept)
                    {
                        _result.Violations.Add($"{error.AtMs} error with both servers up: {error.Operation}: {error.Kind}: {error.Message}");
                    }
                }
            }
        }
    }

    /// <summary>[from, to] per outage in <c>events.log</c> (lines <c>unix-ms server-down</c> / <c>unix-ms server-up</c>), widened by its tail.</summary>
    private static List<(string Server, long From, long To)> Outages(string path, long end)
    {
        var windows = new List<(string, long, long)>();
        var open = new Dictionary<string, long>();
        foreach (var line in File.Exists(path) ? File.ReadAllLines(path) : [])
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || !long.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var at))
            {
                continue;
            }

            var (server, state) = parts[1].LastIndexOf('-') is var dash and > 0 ? (parts[1][..dash], parts[1][(dash + 1)..]) : (parts[1], "");
            if (state == "down")
            {
                open[server] = at;
            }
            else if (state == "up" && open.Remove(server, out var from))
            {
                windows.Add((server, from - BeforeMs, at + (server == "postgres" ? AfterDatabaseMs : AfterCacheMs)));
            }
        }

        windows.AddRange(open.Select(o => (o.Key, o.Value - BeforeMs, end)));
        return windows;
    }

    public void Write(string path)
    {
        lock (_gate)
        {
            File.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(_result, SoakResult.Json));
        }
    }

    public string OneLine()
    {
        lock (_gate)
        {
            return $"worker {id}: {_result.Operations.Values.Sum()} operations, {_errors.Count} errors, {_result.ViolationCounts.Values.Sum()} violations";
        }
    }

    /// <summary>The exception's type, with the first inner one that says more (EF wraps the provider's).</summary>
    private static string Kind(Exception e)
    {
        var inner = e.InnerException;
        while (inner?.InnerException is not null && inner is not (Npgsql.NpgsqlException or System.Net.Sockets.SocketException))
        {
            inner = inner.InnerException;
        }

        var name = e.GetType().Name;
        if (e is Npgsql.PostgresException pg)
        {
            name += $" {pg.SqlState}";
        }

        return inner is null ? name : $"{name} <- {inner.GetType().Name}{(inner is Npgsql.PostgresException p ? " " + p.SqlState : "")}";
    }

    private static T? Find<T>(Exception e)
        where T : Exception
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is T found)
            {
                return found;
            }
        }

        return null;
    }

    private sealed record Error(long AtMs, string Operation, string Kind, string Message);
}

/// <summary>A read through the cache (by the "own" process or an "other" one) of process <see cref="Writer"/>'s value replaced <see cref="StalenessMs"/> before the read began.</summary>
internal sealed record StaleRead(string Whose, int Writer, long ReplacedAtMs, long StalenessMs);

/// <summary>One process's figures, as written to <c>result-{id}.json</c>.</summary>
internal sealed class SoakResult
{
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public int Id { get; set; }

    public long StartMs { get; set; }

    public long EndMs { get; set; }

    public long StaleBoundMs { get; set; }

    public Dictionary<string, long> Operations { get; set; } = [];

    public Dictionary<string, long> Failed { get; set; } = [];

    /// <summary>Errors by "kind during outage" (<c>postgres</c>, <c>redis</c> or <c>no outage</c>).</summary>
    public Dictionary<string, long> Errors { get; set; } = [];

    public Dictionary<string, long> ViolationCounts { get; set; } = [];

    public List<string> Violations { get; set; } = [];

    public Dictionary<string, long> StaleReads { get; set; } = [];

    /// <summary>The cache tier's own counters (mcp_sessions.cache.*): hits, misses, errors, bypassed.</summary>
    public Dictionary<string, long> Cache { get; set; } = [];

    public long MaxStalenessMs { get; set; }

    /// <summary>Reads through the cache of a replaced value.</summary>
    public List<StaleRead> Stale { get; set; } = [];

    /// <summary>[from, to] (Unix ms) while this process's cache tier failed or bypassed the cache, to the nearest 250 ms.</summary>
    public List<long[]> CutOff { get; set; } = [];

    /// <summary>[Unix ms, bytes] of the long-lived managed heap (gen2, LOH, POH after the last GC), every 5 s.</summary>
    public List<long[]> Heap { get; set; } = [];
}
