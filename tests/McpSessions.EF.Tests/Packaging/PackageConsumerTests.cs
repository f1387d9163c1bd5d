using System.Security.Cryptography;
using System.Text.RegularExpressions;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace McpSessions.EF.Tests.Packaging;

/// <summary>
/// The library as a consumer gets it: apps outside the repository that reference only the packed packages
/// (<see cref="PackedPackages"/>) and what the machine's NuGet sources serve, built without a warning and run.
/// </summary>
public sealed partial class PackageConsumerTests(PackedPackages packages) : IClassFixture<PackedPackages>
{
    private const string StoreCalls = """
        var store = services.GetRequiredService<ISessionStore>();
        var created = await store.CreateAsync(new McpSession
        {
            SessionId = store.GenerateSessionId(),
            Identity = "consumer",
            ServerUrl = "https://mcp.example.com/mcp",
            CallbackUrl = "https://app.example.com/oauth/callback",
        });
        var read = await store.GetAsync("consumer", created.SessionId);
        Console.WriteLine($"read back {read?.SessionId} for {read?.Identity} at {read?.ServerUrl}");
        """;

    private static readonly Dictionary<string, string?> KeyEnvironment = new()
    {
        ["STORAGE_ENCRYPTION_KEY"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)),
    };

    [Fact]
    public void Each_package_carries_its_readme_and_xml_docs_with_symbols_beside_it_and_no_runtimeconfig()
    {
        foreach (var id in PackedPackages.Ids)
        {
            var entries = packages.Entries(id);
            Assert.Contains("README.md", entries);
            Assert.Contains($"lib/net10.0/{id}.dll", entries);
            Assert.Contains($"lib/net10.0/{id}.xml", entries);
            Assert.DoesNotContain(entries, e => e.EndsWith(".runtimeconfig.json", StringComparison.Ordinal) || e.EndsWith(".deps.json", StringComparison.Ordinal));
            Assert.True(File.Exists(Path.ChangeExtension(packages.Package(id), ".snupkg")), id);
        }
    }

    [Fact]
    public async Task A_console_app_built_from_the_packed_packages_stores_a_session_in_sqlite_and_reads_it_back()
    {
        var app = await packages.CreateAppAsync("Consumer", Project(migrations: true), ("Program.cs", $$"""
            using System.Security.Cryptography;
            using McpSessions.EF.DependencyInjection;
            using McpSessions.EF.Model;
            using McpSessions.EF.Storage;
            using Microsoft.Extensions.DependencyInjection;

            var collection = new ServiceCollection();
            collection.AddMcpSessions(o =>
            {
                o.Provider = SessionStorageProvider.Sqlite;
                o.SqlitePath = args[0];
                o.Encryption.Key = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
            });
            await using var services = collection.BuildServiceProvider();
            {{StoreCalls}}
            """));
        await BuildWithoutWarning(app);

        var database = Path.Combine(app, "..", "console.db");
        var run = await PackedPackages.Dotnet(app, null, Path.Combine(app, "bin", "Release", "net10.0", "Consumer.dll"), database);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(ReadBackId(run), await StoredId(database));
    }

    [Fact]
    public async Task Dotnet_ef_database_update_in_a_host_app_folder_applies_the_packaged_migrations_to_a_sqlite_file_there()
    {
        // AutoMigrate off: the schema can only come from dotnet ef. The relative path is the app's folder.
        var app = await packages.CreateAppAsync(
            "Host",
            Project(migrations: true, """
                <PackageReference Include="Microsoft.Extensions.Hosting" Version="{0}" />
                <PackageReference Include="Microsoft.EntityFrameworkCore.Design" Version="{0}" PrivateAssets="all" />
                """),
            ("Program.cs", HostProgram),
            ("appsettings.json", """{ "McpSessions": { "Provider": "sqlite", "SqlitePath": "sessions.db", "AutoMigrate": false }, "Logging": { "LogLevel": { "Default": "Warning" } } }"""),
            (".config/dotnet-tools.json", await File.ReadAllTextAsync(RepositoryPaths.Combine(".config", "dotnet-tools.json"))));
        await BuildWithoutWarning(app);
        var database = Path.Combine(app, "sessions.db");

        var restore = await PackedPackages.Dotnet(app, null, "tool", "restore");
        Assert.True(restore.ExitCode == 0, restore.ToString());
        var update = await PackedPackages.Dotnet(
            app, KeyEnvironment, "tool", "run", "dotnet-ef", "database", "update", "--context", "SessionsDbContext", "--configuration", "Release", "--no-build");

        Assert.True(update.ExitCode == 0, update.ToString());
        Assert.True(File.Exists(database), update.ToString());
        await using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = new SqliteCommand("SELECT count(*) FROM \"__mcp_sessions_migrations\"", connection);
            Assert.True((long)(await command.ExecuteScalarAsync())! >= 1);
        }

        var run = await PackedPackages.Dotnet(app, KeyEnvironment, Path.Combine(app, "bin", "Release", "net10.0", "Host.dll"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(ReadBackId(run), await StoredId(database));
    }

    [Fact]
    public async Task A_host_without_the_sqlite_migrations_package_fails_on_start_with_one_sentence_naming_it()
    {
        var app = await packages.CreateAppAsync(
            "NoMigrations",
            Project(migrations: false, """<PackageReference Include="Microsoft.Extensions.Hosting" Version="{0}" />"""),
            ("Program.cs", HostProgram));
        await BuildWithoutWarning(app);

        var run = await PackedPackages.Dotnet(app, KeyEnvironment, Path.Combine(app, "bin", "Release", "net10.0", "NoMigrations.dll"));

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("OptionsValidationException", run.StandardError, StringComparison.Ordinal);
        Assert.Contains(
            "McpSessions.EF.Migrations.Sqlite is not referenced: add the package McpSessions.EF.Migrations.Sqlite to the application",
            run.StandardError,
            StringComparison.Ordinal);
        Assert.DoesNotContain("read back", run.StandardOutput, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(app, "mcp-sessions.db")), "the store was never reached");
    }

    /// <summary>A generic host, as an ASP.NET Core or worker app has: <c>dotnet ef</c> finds the context through it.</summary>
    private static string HostProgram => $$"""
        using McpSessions.EF.DependencyInjection;
        using McpSessions.EF.Model;
        using McpSessions.EF.Storage;
        using Microsoft.Extensions.DependencyInjection;
        using Microsoft.Extensions.Hosting;

        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddMcpSessions(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync();
        var services = host.Services;
        {{StoreCalls}}
        await host.StopAsync();
        """;

    private string Project(bool migrations, string extra = "") => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="McpSessions.EF" Version="{packages.Version}" />
            {(migrations ? $"""<PackageReference Include="McpSessions.EF.Migrations.Sqlite" Version="{packages.Version}" />""" : "")}
            {string.Format(System.Globalization.CultureInfo.InvariantCulture, extra, PackedPackages.EfCoreVersion)}
          </ItemGroup>
        </Project>
        """;

    private async Task BuildWithoutWarning(string app)
    {
        var build = await packages.BuildAsync(app);
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.DoesNotMatch(WarningPattern(), build.StandardOutput + build.StandardError);
        Assert.Contains(" 0 Warning(s)", build.StandardOutput, StringComparison.Ordinal);
    }

    private static string ReadBackId(ProcessRunner.Result run)
    {
        var match = Regex.Match(run.StandardOutput, "^read back (?<id>[A-Za-z0-9_-]+) for consumer at https://mcp.example.com/mcp\n$");
        Assert.True(match.Success, run.ToString());
        return match.Groups["id"].Value;
    }

    private static async Task<string?> StoredId(string database)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        await connection.OpenAsync();
        await using var command = new SqliteCommand("SELECT session_id FROM mcp_sessions", connection);
        return (string?)await command.ExecuteScalarAsync();
    }

    [GeneratedRegex(@"warning [A-Z]+[0-9]+", RegexOptions.IgnoreCase)]
    private static partial Regex WarningPattern();
}
