namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// The npm package @mcp-ts/sdk exactly as tests/node/package-lock.json pins it, installed with <c>npm ci</c> once per
/// test run: scripts/test.sh installs it and names the directory in <see cref="ProjectVariable"/>; a plain
/// <c>dotnet test</c> without that variable runs the same <c>npm ci</c> here on first use. Its code and SQL are used
/// from there, never copied into this repository.
/// </summary>
public static class McpTsPackage
{
    /// <summary>The directory of an installed copy of tests/node (its package.json beside its node_modules).</summary>
    public const string ProjectVariable = "MCPSESSIONS_TEST_NODE_PROJECT";

    private static readonly Lazy<Task<string>> Installed = new(InstallAsync);

    /// <summary>The Node project whose node_modules holds the package; node runs there to <c>require</c> it.</summary>
    public static Task<string> ProjectDirectoryAsync() => Installed.Value;

    /// <summary>The text of the package's <c>supabase/migrations/20260330195700_install_mcp_sessions.sql</c>.</summary>
    public static async Task<string> InstallMigrationAsync() => await File.ReadAllTextAsync(Path.Combine(
        await ProjectDirectoryAsync(), "node_modules", "@mcp-ts", "sdk", "supabase", "migrations", "20260330195700_install_mcp_sessions.sql"));

    private static async Task<string> InstallAsync()
    {
        var project = Environment.GetEnvironmentVariable(ProjectVariable);
        if (string.IsNullOrEmpty(project))
        {
            project = RepositoryPaths.Combine("tests", "node");
            var ci = await ProcessRunner.RunAsync(
                "npm",
                ["ci", "--no-audit", "--no-fund", "--no-update-notifier", "--ignore-scripts", "--loglevel=error"],
                project,
                timeout: TimeSpan.FromMinutes(5));
            Assert.True(ci.ExitCode == 0, $"`npm ci` in {project} failed; it needs node and npm (Debian: nodejs npm) and the npm registry or a warm npm cache. {ci}");
        }

        Assert.True(
            File.Exists(Path.Combine(project, "node_modules", "@mcp-ts", "sdk", "package.json")),
            $"{project} has no node_modules/@mcp-ts/sdk: run `npm ci` there, or unset {ProjectVariable} to let the tests do it.");
        return project;
    }
}
