using McpSessions.EF.Tests.Infrastructure;

namespace McpSessions.EF.Tests.Cli;

/// <summary>The tool as users get it: <c>dotnet pack</c>, then <c>dotnet tool install</c> from that package, then <c>mcp-sessions</c>.</summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("mcpsessions-tool-");

    [Fact]
    public async Task Dotnet_pack_makes_a_tool_package_that_dotnet_tool_install_turns_into_a_working_mcp_sessions()
    {
        var feed = _root.CreateSubdirectory("feed").FullName;
        var tools = Path.Combine(_root.FullName, "tools");

        // A version of its own, so no package of the same id and version in a NuGet cache can stand in for this one.
        var version = $"0.0.0-test.{Guid.NewGuid():N}";

        // --no-build: the tests run on the build they were given; a rebuild here would race the other CLI tests.
        var pack = await ProcessRunner.RunAsync(
            "dotnet",
            ["pack", RepositoryPaths.Combine("src", "McpSessions.EF.Cli", "McpSessions.EF.Cli.csproj"), "-c", RepositoryPaths.Configuration, "--no-build", "-o", feed, $"-p:PackageVersion={version}", "-nologo"],
            timeout: TimeSpan.FromMinutes(5));
        Assert.True(pack.ExitCode == 0, pack.ToString());
        Assert.True(File.Exists(Path.Combine(feed, $"McpSessions.EF.Cli.{version}.nupkg")), pack.ToString());

        // Only the local feed: a tool package carries its dependencies, so the install needs nothing else and works offline.
        var config = Path.Combine(_root.FullName, "nuget.config");
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        var install = await ProcessRunner.RunAsync(
            "dotnet",
            ["tool", "install", "--tool-path", tools, "--configfile", config, "--version", version, "McpSessions.EF.Cli"],
            _root.FullName,
            new Dictionary<string, string?> { ["NUGET_PACKAGES"] = Path.Combine(_root.FullName, "packages"), ["DOTNET_NOLOGO"] = "1" },
            TimeSpan.FromMinutes(5));
        Assert.True(install.ExitCode == 0, install.ToString());

        var tool = Path.Combine(tools, OperatingSystem.IsWindows() ? "mcp-sessions.exe" : "mcp-sessions");
        var keygen = await ProcessRunner.RunAsync(tool, ["keygen"], _root.FullName);
        var help = await ProcessRunner.RunAsync(tool, ["--help"], _root.FullName);

        Assert.True(keygen.ExitCode == 0, keygen.ToString());
        Assert.Matches("^[0-9a-f]{64}\n$", keygen.StandardOutput);
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("mcp-sessions [command] [options]", help.StandardOutput, StringComparison.Ordinal);
    }

    public void Dispose() => _root.Delete(recursive: true);
}
