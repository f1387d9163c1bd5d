namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// The npm package @mcp-ts/sdk, fetched with <c>npm pack</c> at test time (once per test run) and unpacked in a
/// temporary directory: its SQL is read from there, never copied into this repository.
/// </summary>
public static class McpTsPackage
{
    private static readonly Lazy<Task<string>> Unpacked = new(UnpackAsync);

    /// <summary>The unpacked package directory (the tarball's <c>package/</c>).</summary>
    public static Task<string> DirectoryAsync() => Unpacked.Value;

    /// <summary>The text of <c>supabase/migrations/20260330195700_install_mcp_sessions.sql</c>.</summary>
    public static async Task<string> InstallMigrationAsync() =>
        await File.ReadAllTextAsync(Path.Combine(await DirectoryAsync(), "supabase", "migrations", "20260330195700_install_mcp_sessions.sql"));

    private static async Task<string> UnpackAsync()
    {
        var directory = Directory.CreateTempSubdirectory("mcpts-package-").FullName;
        var pack = await ProcessRunner.RunAsync("npm", ["pack", "@mcp-ts/sdk", "--pack-destination", directory, "--silent"], directory, timeout: TimeSpan.FromMinutes(3));
        Assert.True(pack.ExitCode == 0, "npm pack @mcp-ts/sdk failed: " + pack);
        var tarball = Directory.GetFiles(directory, "*.tgz").Single();
        var untar = await ProcessRunner.RunAsync("tar", ["xzf", tarball, "-C", directory], directory);
        Assert.True(untar.ExitCode == 0, untar.ToString());
        return Path.Combine(directory, "package");
    }
}
