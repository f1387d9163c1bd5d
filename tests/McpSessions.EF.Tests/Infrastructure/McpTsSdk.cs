using System.Text.Json.Nodes;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// The real npm package @mcp-ts/sdk, installed with npm into a temporary directory once per test run (on first use),
/// so the tests read files its own code wrote instead of copies that could drift from it. Nothing of it is committed.
/// </summary>
public sealed class McpTsSdk : IDisposable
{
    /// <summary>Pinned, so a new release cannot change what the tests read without a change here.</summary>
    public const string Package = "@mcp-ts/sdk@1.6.1";

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("mcpsessions-mcp-ts-sdk-");
    private readonly Lazy<Task> _install;

    public McpTsSdk() => _install = new Lazy<Task>(InstallAsync);

    /// <summary>
    /// Runs <paramref name="script"/> (CommonJS, with <c>storage</c> from @mcp-ts/sdk/server in scope) against the
    /// sdk's file backend writing <paramref name="sessionsJson"/>, and returns that file's JSON array.
    /// </summary>
    public async Task<JsonArray> WriteSessionsJsonAsync(string sessionsJson, string script)
    {
        await _install.Value;
        var program = $$"""
            const { storage } = require('@mcp-ts/sdk/server');
            (async () => {
            {{script}}
            })().catch(e => { console.error(e); process.exit(1); });
            """;
        var result = await ProcessRunner.RunAsync(
            "node",
            ["-e", program],
            _directory.FullName,
            new Dictionary<string, string?> { ["MCP_TS_STORAGE_TYPE"] = "file", ["MCP_TS_STORAGE_FILE"] = sessionsJson, ["REDIS_URL"] = null },
            TimeSpan.FromMinutes(1));
        Assert.True(result.ExitCode == 0, $"node with {Package}'s file backend failed: {result}");
        return JsonNode.Parse(await File.ReadAllTextAsync(sessionsJson))!.AsArray();
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private async Task InstallAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory.FullName, "package.json"), """{ "private": true }""");
        var result = await ProcessRunner.RunAsync(
            "npm",
            ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error", Package],
            _directory.FullName,
            timeout: TimeSpan.FromMinutes(5));
        Assert.True(result.ExitCode == 0, $"`npm install {Package}` failed; the tests need the npm registry (or a warm npm cache). {result}");
    }
}
