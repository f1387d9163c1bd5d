using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using McpSessions.EF.Tests.Infrastructure;

namespace McpSessions.EF.Tests.Packaging;

/// <summary>
/// The <c>mcp-sessions</c> tool as a user gets it: <c>dotnet pack</c> of the CLI (a build, since the RID-specific
/// packages are published ReadyToRun for their RID, which the solution's build does not make), then
/// <c>dotnet tool install</c> from the packed folder into a tool path of the test's own, and the installed command run.
/// </summary>
public sealed partial class CliToolPackageTests : IDisposable
{
    private const string Id = "McpSessions.EF.Cli";

    // A pack that compiles every assembly ReadyToRun takes a minute or two on a busy 2-core machine.
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
    public async Task The_packed_tool_installs_with_dotnet_tool_install_and_runs_help_from_the_ReadyToRun_package_on_linux_x64()
    {
        var pack = await ProcessRunner.RunAsync(
            "dotnet",
            ["pack", RepositoryPaths.Combine("src", Id, Id + ".csproj"), "-c", RepositoryPaths.Configuration, "-o", Feed, $"-p:PackageVersion={Version}", "-nologo", "-nodeReuse:false"],
            RepositoryPaths.Root,
            Quiet,
            PackTimeout);
        Assert.True(pack.ExitCode == 0, pack.ToString());
        Assert.DoesNotMatch(WarningPattern(), pack.StandardOutput + pack.StandardError);

        // The pointer package, and one package per RID with its symbols: linux-x64 (ReadyToRun) and any (IL).
        Assert.Equal(
            [$"{Id}.{Version}.nupkg", $"{Id}.any.{Version}.nupkg", $"{Id}.any.{Version}.snupkg", $"{Id}.linux-x64.{Version}.nupkg", $"{Id}.linux-x64.{Version}.snupkg"],
            Directory.GetFiles(Feed).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        var install = await ProcessRunner.RunAsync(
            "dotnet",
            ["tool", "install", Id, "--tool-path", Tools, "--add-source", Feed, "--version", Version],
            _root.FullName,
            Quiet);
        Assert.True(install.ExitCode == 0, install.ToString());

        var help = await ProcessRunner.RunAsync(Path.Combine(Tools, "mcp-sessions"), ["--help"], _root.FullName);

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
