using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace McpSessions.EF.Tests.Packaging;

/// <summary>
/// The library as a consumer gets it: <c>dotnet pack</c> McpSessions.EF and its SQLite migrations, then a new console
/// app outside the repository that references those packages and Microsoft.EntityFrameworkCore.Sqlite, restored from
/// the packed folder plus the machine's own NuGet sources, built without a warning, and run against a SQLite file.
/// </summary>
public sealed partial class PackageConsumerTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    // Quiet, and no MSBuild node left running after a build.
    private static readonly Dictionary<string, string?> DotnetEnvironment = new()
    {
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["MSBUILDDISABLENODEREUSE"] = "1",
    };

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("mcpsessions-consumer-");

    // A version of its own, so no package of the same id and version in the global package cache can stand in.
    private readonly string _version = $"0.0.0-test.{Guid.NewGuid():N}";

    private string? _globalPackages;

    [Fact]
    public async Task A_console_app_built_from_the_packed_packages_stores_a_session_in_sqlite_and_reads_it_back()
    {
        var feed = _root.CreateSubdirectory("feed").FullName;
        var app = _root.CreateSubdirectory("app").FullName;

        // --no-build: the tests run on the build they were given.
        var packs = await Task.WhenAll(
            Pack(feed, "src", "McpSessions.EF", "McpSessions.EF.csproj"),
            Pack(feed, "Migrations", "McpSessions.EF.Migrations.Sqlite", "McpSessions.EF.Migrations.Sqlite.csproj"));
        foreach (var pack in packs)
        {
            Assert.True(pack.ExitCode == 0, pack.ToString());
        }

        // No <clear />: the machine's own sources (its user and machine NuGet config) stay, the packed folder joins them.
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="mcpsessions-packed" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="McpSessions.EF" Version="{_version}" />
                <PackageReference Include="McpSessions.EF.Migrations.Sqlite" Version="{_version}" />
                <PackageReference Include="Microsoft.EntityFrameworkCore.Sqlite" Version="{EfCoreVersion()}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
            using System.Security.Cryptography;
            using McpSessions.EF.DependencyInjection;
            using McpSessions.EF.Model;
            using McpSessions.EF.Storage;
            using Microsoft.Extensions.DependencyInjection;

            var services = new ServiceCollection();
            services.AddMcpSessions(o =>
            {
                o.Provider = SessionStorageProvider.Sqlite;
                o.SqlitePath = args[0];
                o.Encryption.Key = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
            });
            await using var provider = services.BuildServiceProvider();
            var store = provider.GetRequiredService<ISessionStore>();
            var created = await store.CreateAsync(new McpSession
            {
                SessionId = store.GenerateSessionId(),
                Identity = "consumer",
                ServerUrl = "https://mcp.example.com/mcp",
                CallbackUrl = "https://app.example.com/oauth/callback",
            });
            var read = await store.GetAsync("consumer", created.SessionId);
            Console.WriteLine($"read back {read?.SessionId} for {read?.Identity} at {read?.ServerUrl}");
            """);

        var build = await Dotnet(app, "build", "-c", "Release", "-nologo", "--tl:off", "-v:minimal", "-clp:Summary", "-nodeReuse:false");
        _globalPackages = GlobalPackagesFolder(app);
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.DoesNotMatch(WarningPattern(), build.StandardOutput + build.StandardError);
        Assert.Contains(" 0 Warning(s)", build.StandardOutput, StringComparison.Ordinal);

        var database = Path.Combine(_root.FullName, "sessions.db");
        var run = await ProcessRunner.RunAsync(
            "dotnet", [Path.Combine(app, "bin", "Release", "net10.0", "Consumer.dll"), database], app, DotnetEnvironment, Timeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        var match = Regex.Match(run.StandardOutput, "^read back (?<id>[A-Za-z0-9_-]+) for consumer at https://mcp.example.com/mcp\n$");
        Assert.True(match.Success, run.ToString());
        await using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        await connection.OpenAsync();
        await using var command = new SqliteCommand("SELECT session_id FROM mcp_sessions", connection);
        Assert.Equal(match.Groups["id"].Value, await command.ExecuteScalarAsync());
    }

    public void Dispose()
    {
        _root.Delete(recursive: true);

        // The test's own package versions leave the global package cache with the test.
        if (_globalPackages is not null)
        {
            foreach (var id in new[] { "mcpsessions.ef", "mcpsessions.ef.migrations.sqlite" })
            {
                var folder = Path.Combine(_globalPackages, id, _version);
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
        }
    }

    private Task<ProcessRunner.Result> Pack(string feed, params string[] project) => Dotnet(
        RepositoryPaths.Root,
        "pack", RepositoryPaths.Combine(project), "-c", RepositoryPaths.Configuration, "--no-build", "-o", feed, $"-p:PackageVersion={_version}", "-nologo");

    private static Task<ProcessRunner.Result> Dotnet(string workingDirectory, params string[] arguments) =>
        ProcessRunner.RunAsync("dotnet", arguments, workingDirectory, DotnetEnvironment, Timeout);

    /// <summary>The EF Core version the repository builds with: the consumer uses the same.</summary>
    private static string EfCoreVersion() =>
        XDocument.Load(RepositoryPaths.Combine("Directory.Packages.props")).Descendants("EfCoreVersion").Single().Value;

    /// <summary>Where restore put the packages: the first package folder of the consumer's assets file.</summary>
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

    [GeneratedRegex(@"warning [A-Z]+[0-9]+", RegexOptions.IgnoreCase)]
    private static partial Regex WarningPattern();
}
