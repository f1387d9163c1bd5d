using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>The results of one harness run: the table, the JSON, and the targets of issue 9 evaluated on them.</summary>
internal sealed class MacroReport(MacroOptions options)
{
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly List<PhaseResult> _results = [];
    private readonly List<ScaleResult> _scale = [];
    private readonly List<TargetResult> _targets = [];
    private readonly string _loadBefore = LoadAverage();
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private string _loadAfter = "";

    public void Add(string configuration, int concurrency, string phase, int operations, PhaseStatistics? library, PhaseStatistics baseline, string? note)
    {
        double? ratio = library is null ? null : library.OpsPerSecond / baseline.OpsPerSecond;
        _results.Add(new PhaseResult(configuration, concurrency, phase, operations, library, baseline, ratio, note));
    }

    public void AddScale(ScaleResult result) => _scale.Add(result);

    public void Finish()
    {
        _loadAfter = LoadAverage();
        Target("PostgreSQL get", Ratio("postgres", 1, "get"), 0.80);
        Target("PostgreSQL list per identity", Ratio("postgres", 1, "list"), 0.80);
        Target("PostgreSQL create", Ratio("postgres", 1, "create"), 0.75);
        Target("PostgreSQL update", Ratio("postgres", 1, "update"), 0.75);
        Target("PostgreSQL delete", Ratio("postgres", 1, "delete"), 0.75);
        Target("postgres+redis cache-hit get (vs raw Redis HMGET of the entry)", Ratio("postgres+redis", 1, "get"), 0.75);
        Target("SQLite create", Ratio("sqlite", 1, "create"), 0.75);
        Target("SQLite update", Ratio("sqlite", 1, "update"), 0.75);
        Target("SQLite delete", Ratio("sqlite", 1, "delete"), 0.75);
        Target("SQLite get", Ratio("sqlite", 1, "get"), 0.70);

        var c32 = Find("postgres", 32, "get")?.Library?.OpsPerSecond;
        var c1 = Find("postgres", 1, "get")?.Library?.OpsPerSecond;
        if (c32 is not null && c1 is not null)
        {
            var scaling = c32.Value / c1.Value;
            _targets.Add(new TargetResult("PostgreSQL get, concurrency 32 vs 1 (library)", scaling, "≥ 4×", scaling >= 4, null));
        }

        foreach (var scale in _scale)
        {
            var met = scale.Listed == scale.Rows && scale.PeakRssMb < 200;
            _targets.Add(new TargetResult($"list all ids over {scale.Rows:N0} rows ({scale.Configuration}): peak RSS MB", scale.PeakRssMb, "< 200 MB, all listed", met, null));
        }

        void Target(string name, double? value, double required)
        {
            if (value is { } v)
            {
                _targets.Add(new TargetResult($"{name}, concurrency 1", v, $"≥ {required:0.00}× raw", v >= required, null));
            }
        }
    }

    public string Table()
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant, $"McpSessions.EF macro benchmark — {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, " +
            $"N = {options.Sessions} sessions over {options.Identities} identities, median of {options.Runs} runs, SQLite synchronous={options.SqliteSynchronous.ToString().ToUpperInvariant()}");
        text.AppendLine(Invariant, $"load average before: {_loadBefore}; after: {_loadAfter}");
        text.AppendLine();
        text.AppendLine("| configuration  | conc | phase        | library ops/s | p50 ms | p99 ms | KB/op | baseline                  |  raw ops/s | p50 ms | p99 ms | KB/op | ratio |");
        text.AppendLine("|----------------|-----:|--------------|--------------:|-------:|-------:|------:|---------------------------|-----------:|-------:|-------:|------:|------:|");
        foreach (var r in _results)
        {
            var library = r.Library;
            text.AppendLine(Invariant,
                $"| {r.Configuration,-14} | {r.Concurrency,4} | {r.Phase,-12} | {Ops(library?.OpsPerSecond),13} | {Ms(library?.P50Ms),6} | {Ms(library?.P99Ms),6} | {Kb(library?.AllocatedKbPerOp),5} " +
                $"| {r.Baseline.Name,-25} | {Ops(r.Baseline.OpsPerSecond),10} | {Ms(r.Baseline.P50Ms),6} | {Ms(r.Baseline.P99Ms),6} | {Kb(r.Baseline.AllocatedKbPerOp),5} | {(r.Ratio is { } x ? x.ToString("0.00", Invariant) : "–"),5} |");
        }

        foreach (var note in _results.Where(r => r.Note is not null))
        {
            text.AppendLine(Invariant, $"{note.Configuration} c{note.Concurrency} {note.Phase}: {note.Note}");
        }

        if (_scale.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("| list all ids at scale | rows | listed | insert s | list s | ids/s | peak RSS MB |");
            text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var s in _scale)
            {
                text.AppendLine(Invariant, $"| {s.Configuration} | {s.Rows:N0} | {s.Listed:N0} | {s.InsertSeconds:0.0} | {s.ListSeconds:0.0} | {s.IdsPerSecond:N0} | {s.PeakRssMb:0} |");
            }
        }

        text.AppendLine();
        text.AppendLine("| target | value | required | met |");
        text.AppendLine("|---|---:|---|---|");
        foreach (var t in _targets)
        {
            text.AppendLine(Invariant, $"| {t.Target} | {(t.Value is { } v ? v.ToString("0.00", Invariant) : "–")} | {t.Requirement} | {(t.Met ? "yes" : "NO")} |");
        }

        return text.ToString();
    }

    public string Json() => JsonSerializer.Serialize(
        new
        {
            Started = _started,
            Machine = new
            {
                Processors = Environment.ProcessorCount,
                Os = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
                Runtime = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
                LoadAverageBefore = _loadBefore,
                LoadAverageAfter = _loadAfter,
            },
            Settings = new
            {
                options.Sessions,
                options.Identities,
                options.Runs,
                options.GetPasses,
                options.ListPasses,
                options.Concurrency,
                options.Configurations,
                SqliteSynchronous = options.SqliteSynchronous.ToString(),
                Phases = MacroHarness.Phases,
            },
            Results = _results,
            ListAllIdsAtScale = _scale,
            Targets = _targets,
        },
        JsonOptions);

    private PhaseResult? Find(string configuration, int concurrency, string phase) =>
        _results.FirstOrDefault(r => r.Configuration == configuration && r.Concurrency == concurrency && r.Phase == phase);

    private double? Ratio(string configuration, int concurrency, string phase) => Find(configuration, concurrency, phase)?.Ratio;

    private static string Ops(double? value) => value is { } v ? v.ToString("N0", Invariant) : "–";

    private static string Kb(double? value) => value is { } v ? v.ToString(v < 100 ? "0.0" : "0", Invariant) : "–";

    private static string Ms(double? value) => value is { } v ? v.ToString(v < 10 ? "0.000" : "0.0", Invariant) : "–";

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
