using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using McpSessions.EF.Tests.Infrastructure;

namespace McpSessions.EF.Tests.Packaging;

/// <summary>
/// The <c>mcp-sessions</c> tool as a user gets it: <c>dotnet pack</c> of the CLI, then <c>dotnet tool install</c> from
/// the packed folder alone into a tool path of the test's own, and the installed command run. The pack does not build:
/// the tests run on the build they were given (a rebuild here would race the other CLI tests, which run the CLI's
/// build output), and scripts/test.sh builds the CLI for each of its runtime identifiers beside the solution.
/// </summary>
public sealed partial class CliToolPackageTests : IDisposable
{
    private const string Id = "McpSessions.EF.Cli";

    // A pack that compiles every assembly ReadyToRun (at publish, even without a build) takes a minute or two on a busy 2-core machine.
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(10);

    private static readonly Dictionary<string, string?> Quiet = new()
    {
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["MSBUILDDISABLENODEREUSE"] = "1",
    };

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("mcpsessions-cli-tool-");

    private string Version { get; } = $"0.0.0-test.{Guid.NewGuid():N}";

    private string Feed => Path.Combine(_root.FullName, "feed");

    private string Tools => Path.Combine(_root.FullName, "tools");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public async Task The_packed_tool_installs_from_its_package_alone_and_runs_from_the_ReadyToRun_package_on_linux_x64()
    {
        var pack = await ProcessRunner.RunAsync(
            "dotnet",
            ["pack", RepositoryPaths.Combine("src", Id, Id + ".csproj"), "-c", RepositoryPaths.Configuration, "--no-build", "-o", Feed, $"-p:PackageVersion={Version}", "-nologo", "-nodeReuse:false"],
            RepositoryPaths.Root,
            Quiet,
            PackTimeout);
        Assert.True(pack.ExitCode == 0, pack.ToString());
        Assert.DoesNotMatch(WarningPattern(), pack.StandardOutput + pack.StandardError);

        // The pointer package, and one package per RID with its symbols: linux-x64 (ReadyToRun) and any (IL).
        Assert.Equal(
            [$"{Id}.{Version}.nupkg", $"{Id}.any.{Version}.nupkg", $"{Id}.any.{Version}.snupkg", $"{Id}.linux-x64.{Version}.nupkg", $"{Id}.linux-x64.{Version}.snupkg"],
            Directory.GetFiles(Feed).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // Only the local feed and a package cache of the test's own: a tool package carries its dependencies, so the
        // install needs nothing else, works offline, and leaves no test version in the machine's cache.
        var config = Path.Combine(_root.FullName, "nuget.config");
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        var install = await ProcessRunner.RunAsync(
            "dotnet",
            ["tool", "install", Id, "--tool-path", Tools, "--configfile", config, "--version", Version],
            _root.FullName,
            new Dictionary<string, string?>(Quiet) { ["NUGET_PACKAGES"] = Path.Combine(_root.FullName, "packages") });
        Assert.True(install.ExitCode == 0, install.ToString());

        var help = await ProcessRunner.RunAsync(Path.Combine(Tools, "mcp-sessions"), ["--help"], _root.FullName);
        var keygen = await ProcessRunner.RunAsync(Path.Combine(Tools, "mcp-sessions"), ["keygen"], _root.FullName);

        Assert.True(keygen.ExitCode == 0, keygen.ToString());
        Assert.Matches("^[0-9a-f]{64}\n$", keygen.StandardOutput);
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("mcp-sessions [command] [options]", help.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("list", help.StandardOutput, StringComparison.Ordinal);

        // The package dotnet tool install chose for this machine, and whether EF Core in it is precompiled.
        var rid = RuntimeInformation.RuntimeIdentifier == "linux-x64" ? "linux-x64" : "any";
        var installed = Path.Combine(Tools, ".store", Id.ToLowerInvariant(), Version, $"{Id}.{rid}".ToLowerInvariant(), Version, "tools", "net10.0", rid);
        Assert.True(Directory.Exists(installed), $"{installed} was not installed");
        Assert.Equal(rid != "any", IsReadyToRun(Path.Combine(installed, "Microsoft.EntityFrameworkCore.dll")));
    }

    /// <summary>Whether the assembly carries ReadyToRun native code (a managed native header beside its IL).</summary>
    private static bool IsReadyToRun(string assembly)
    {
        using var pe = new PEReader(File.OpenRead(assembly));
        return pe.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
    }

    [GeneratedRegex(@"warning [A-Z]+[0-9]+", RegexOptions.IgnoreCase)]
    private static partial Regex WarningPattern();
}
