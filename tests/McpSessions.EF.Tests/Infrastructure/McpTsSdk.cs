using System.Text.Json.Nodes;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// The real @mcp-ts/sdk (<see cref="McpTsPackage"/>) run by node, so the tests read files its own code wrote instead
/// of copies that could drift from it.
/// </summary>
public static class McpTsSdk
{
    /// <summary>
    /// Runs <paramref name="script"/> (CommonJS, with <c>storage</c> from @mcp-ts/sdk/server in scope) against the
    /// sdk's file backend writing <paramref name="sessionsJson"/>, and returns that file's JSON array.
    /// </summary>
    public static async Task<JsonArray> WriteSessionsJsonAsync(string sessionsJson, string script)
    {
        var program = $$"""
            const { storage } = require('@mcp-ts/sdk/server');
            (async () => {
            {{script}}
            })().catch(e => { console.error(e); process.exit(1); });
            """;
        var result = await ProcessRunner.RunAsync(
            "node",
            ["-e", program],
            await McpTsPackage.ProjectDirectoryAsync(),
            new Dictionary<string, string?> { ["MCP_TS_STORAGE_TYPE"] = "file", ["MCP_TS_STORAGE_FILE"] = sessionsJson, ["REDIS_URL"] = null },
            TimeSpan.FromMinutes(1));
        Assert.True(result.ExitCode == 0, $"node with @mcp-ts/sdk's file backend failed: {result}");
        return JsonNode.Parse(await File.ReadAllTextAsync(sessionsJson))!.AsArray();
    }
}
