using System.IO.Compression;
using System.Text.Json;
using System.Xml.Linq;
using McpSessions.EF.Tests.Infrastructure;

namespace McpSessions.EF.Tests.Packaging;

/// <summary>
/// McpSessions.EF and its SQLite migrations packed once (<c>dotnet pack --no-build</c>, on the build the tests were
/// given) with a version of their own, so no package of the same id and version in the global package cache can
/// stand in; and scratch apps outside the repository that restore them from the packed folder plus the machine's own
/// NuGet sources. Everything, the packages' folders in the global cache included, goes with the fixture.
/// </summary>
public sealed class PackedPackages : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    public static readonly string[] Ids = ["McpSessions.EF", "McpSessions.EF.Migrations.Sqlite"];

    // Quiet, and no MSBuild node left running after a build.
    private static readonly Dictionary<string, string?> DotnetEnvironment = new()
    {
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["MSBUILDDISABLENODEREUSE"] = "1",
    };

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("mcpsessions-consumer-");
    private readonly HashSet<string> _globalPackages = [];

    public string Version { get; } = $"0.0.0-test.{Guid.NewGuid():N}";

    public string Feed => Path.Combine(_root.FullName, "feed");

    /// <summary>The EF Core (and Microsoft.Extensions) version the repository builds with: the apps use the same.</summary>
    public static string EfCoreVersion { get; } =
        XDocument.Load(RepositoryPaths.Combine("Directory.Packages.props")).Descendants("EfCoreVersion").Single().Value;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
        var packs = await Task.WhenAll(
            Pack("src", "McpSessions.EF", "McpSessions.EF.csproj"),
            Pack("Migrations", "McpSessions.EF.Migrations.Sqlite", "McpSessions.EF.Migrations.Sqlite.csproj"));
        foreach (var pack in packs)
        {
            Assert.True(pack.ExitCode == 0, pack.ToString());
        }
    }

    /// <summary>The path of the packed <c>.nupkg</c> of <paramref name="id"/>.</summary>
    public string Package(string id) => Path.Combine(Feed, $"{id}.{Version}.nupkg");

    /// <summary>The file names inside a packed package.</summary>
    public IReadOnlyList<string> Entries(string id)
    {
        using var zip = ZipFile.OpenRead(Package(id));
        return [.. zip.Entries.Select(e => e.FullName)];
    }

    /// <summary>
    /// A new app folder with a nuget.config that adds the packed folder to the machine's sources (no <c>&lt;clear /&gt;</c>:
    /// its user and machine NuGet config stay), the project file and the given files.
    /// </summary>
    public async Task<string> CreateAppAsync(string name, string project, params (string Path, string Text)[] files)
    {
        var app = _root.CreateSubdirectory(name).FullName;
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="mcpsessions-packed" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, name + ".csproj"), project);
        foreach (var (path, text) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(app, path))!);
            await File.WriteAllTextAsync(Path.Combine(app, path), text);
        }

        return app;
    }

    /// <summary>Builds an app in Release, remembering where restore put the packages so they can be removed.</summary>
    public async Task<ProcessRunner.Result> BuildAsync(string app)
    {
        var build = await Dotnet(app, null, "build", "-c", "Release", "-nologo", "--tl:off", "-v:minimal", "-clp:Summary", "-nodeReuse:false");
        if (GlobalPackagesFolder(app) is { } folder)
        {
            _globalPackages.Add(folder);
        }

        return build;
    }

    public static Task<ProcessRunner.Result> Dotnet(string workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] arguments) =>
        ProcessRunner.RunAsync(
            "dotnet",
            arguments,
            workingDirectory,
            new Dictionary<string, string?>(DotnetEnvironment.Concat(environment ?? new Dictionary<string, string?>())),
            Timeout);

    public Task DisposeAsync()
    {
        _root.Delete(recursive: true);

        // The test's own package versions leave the global package cache with the test.
        foreach (var folder in _globalPackages)
        {
            foreach (var id in Ids)
            {
                var package = Path.Combine(folder, id.ToLowerInvariant(), Version);
                if (Directory.Exists(package))
                {
                    Directory.Delete(package, recursive: true);
                }
            }
        }

        return Task.CompletedTask;
    }

    private Task<ProcessRunner.Result> Pack(params string[] project) => Dotnet(
        RepositoryPaths.Root,
        null,
        "pack", RepositoryPaths.Combine(project), "-c", RepositoryPaths.Configuration, "--no-build", "-o", Feed, $"-p:PackageVersion={Version}", "-nologo");

    /// <summary>Where restore put the packages: the first package folder of the app's assets file.</summary>
    private static string? GlobalPackagesFolder(string app)
    {
        var assets = Path.Combine(app, "obj", "project.assets.json");
        if (!File.Exists(assets))
        {
            return null;
        }

        using var json = JsonDocument.Parse(File.ReadAllText(assets));
        return json.RootElement.GetProperty("packageFolders").EnumerateObject().First().Name;
    }
}
