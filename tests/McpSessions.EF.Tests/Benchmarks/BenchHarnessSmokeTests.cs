using System.Text.Json;
using McpSessions.EF.Tests.Infrastructure;

namespace McpSessions.EF.Tests.Benchmarks;

/// <summary>
/// The macro benchmark harness behind scripts/bench.sh, run small (N = 50, one run) against the test servers to prove
/// it works: every phase of every configuration is measured with its baseline and ratio, and the JSON says so. It
/// measures nothing worth reading; scripts/bench.sh does.
/// </summary>
public sealed class BenchHarnessSmokeTests
{
    private static readonly string[] Phases = ["create", "get", "update", "list", "list_ids", "list_all_ids", "delete"];

    private static string Harness => RepositoryPaths.Combine("tests", "McpSessions.EF.Benchmarks", "bin", RepositoryPaths.Configuration, "net10.0", "McpSessions.EF.Benchmarks.dll");

    [Fact]
    public async Task The_harness_measures_every_phase_of_every_configuration_with_its_ratio_to_the_raw_baseline()
    {
        var directory = Directory.CreateTempSubdirectory("mcpsessions-bench-smoke-");
        try
        {
            await RunSmallAndCheckAsync(Path.Combine(directory.FullName, "out.json"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task RunSmallAndCheckAsync(string json)
    {
        var environment = new Dictionary<string, string?>
        {
            [TestServers.PostgresVariable] = TestServers.PostgresAdmin,
            [TestServers.RedisVariable] = TestServers.Redis,
        };

        var run = await ProcessRunner.RunAsync(
            "dotnet",
            [Harness, "macro", "--n", "50", "--runs", "1", "--concurrency", "1,4", "--million-rows", "200", "--json", json],
            environment: environment,
            timeout: TimeSpan.FromMinutes(2));

        Assert.True(run.ExitCode == 0, run.ToString());
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var results = document.RootElement.GetProperty("results").EnumerateArray().ToList();
        foreach (var configuration in new[] { "sqlite", "postgres", "postgres+redis" })
        {
            foreach (var concurrency in new[] { 1, 4 })
            {
                foreach (var phase in Phases)
                {
                    AssertRow(results, configuration, concurrency, phase, "raw");
                }

                foreach (var (phase, comparison) in ExtraRows(configuration))
                {
                    AssertRow(results, configuration, concurrency, phase, comparison);
                }
            }
        }

        var cacheGet = Row(results, "postgres+redis", "get", "raw");
        Assert.StartsWith("raw Redis HMGET", cacheGet.GetProperty("baseline").GetProperty("name").GetString(), StringComparison.Ordinal);
        Assert.Contains("cache hits: 150 of 150", cacheGet.GetProperty("note").GetString(), StringComparison.Ordinal);
        Assert.Equal("raw Redis 2×HMGET at once + AES-GCM", MeasuredName(Row(results, "postgres+redis", "get", "floor")));
        Assert.Equal("RedisCache 2×Get at once + AES-GCM", MeasuredName(Row(results, "postgres+redis", "get", "floor, cache")));
        Assert.Equal("raw Npgsql + AES-GCM", MeasuredName(Row(results, "postgres", "get", "floor")));
        Assert.Equal("raw Npgsql + JSON + AES-GCM", MeasuredName(Row(results, "postgres", "update", "floor")));

        var scale = document.RootElement.GetProperty("listAllIdsAtScale").EnumerateArray().ToList();
        Assert.Equal(["postgres", "sqlite"], scale.Select(s => s.GetProperty("configuration").GetString()));
        Assert.All(scale, s => Assert.Equal(200, s.GetProperty("listed").GetInt64()));
        Assert.Contains(document.RootElement.GetProperty("targets").EnumerateArray(), t => t.GetProperty("target").GetString()!.StartsWith("PostgreSQL get", StringComparison.Ordinal));
        Assert.Contains("| configuration", run.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>The concurrency-1 row of <paramref name="configuration"/>'s <paramref name="phase"/> for <paramref name="comparison"/>.</summary>
    private static JsonElement Row(List<JsonElement> results, string configuration, string phase, string comparison) =>
        results.First(r => r.GetProperty("configuration").GetString() == configuration && r.GetProperty("concurrency").GetInt32() == 1
            && r.GetProperty("phase").GetString() == phase && r.GetProperty("comparison").GetString() == comparison);

    private static string? MeasuredName(JsonElement row) => row.GetProperty("measured").GetProperty("name").GetString();

    /// <summary>The comparisons a configuration measures beside the raw baseline of every phase.</summary>
    private static (string Phase, string Comparison)[] ExtraRows(string configuration) => configuration switch
    {
        "sqlite" => [("get", "prepared raw"), ("get", "floor"), ("list", "floor")],
        "postgres+redis" => [("create", "no cache"), ("update", "no cache"), ("delete", "no cache"), ("get", "floor"), ("get", "floor, cache"), ("create", "floor"), ("update", "floor"), ("delete", "floor"), ("list", "floor")],
        _ => [("create", "floor"), ("get", "floor"), ("update", "floor"), ("list", "floor")],
    };

    /// <summary>Exactly one row for this comparison, with both sides measured and a ratio.</summary>
    private static void AssertRow(List<JsonElement> results, string configuration, int concurrency, string phase, string comparison)
    {
        var what = $"{configuration} c{concurrency} {phase} ÷ {comparison}";
        var row = Assert.Single(results, r => r.GetProperty("configuration").GetString() == configuration
            && r.GetProperty("concurrency").GetInt32() == concurrency && r.GetProperty("phase").GetString() == phase
            && r.GetProperty("comparison").GetString() == comparison);
        Assert.True(row.GetProperty("measured").GetProperty("opsPerSecond").GetDouble() > 0, $"{what}: measured");
        Assert.True(row.GetProperty("baseline").GetProperty("opsPerSecond").GetDouble() > 0, $"{what}: baseline");
        Assert.True(row.GetProperty("ratio").GetDouble() > 0, $"{what}: ratio");
    }
}
