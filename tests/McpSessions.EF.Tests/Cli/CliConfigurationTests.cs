using System.Text.Json.Nodes;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using static McpSessions.EF.Tests.Infrastructure.CliAssert;

namespace McpSessions.EF.Tests.Cli;

/// <summary>
/// How the tool is configured (SPEC §7) and how it talks to people: where settings come from and which wins, what it
/// says about REDIS_URL, usage errors, and an example in every command's --help. Provider-neutral, so on SQLite only.
/// </summary>
public sealed class CliConfigurationTests(SqliteFixture sqlite) : IClassFixture<SqliteFixture>, IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("mcpsessions-cli-config-");

    private string Work => _root.CreateSubdirectory("work").FullName;

    [Fact]
    public async Task Flags_win_over_McpSessions_variables_which_win_over_appsettings_json_which_wins_over_the_mcp_ts_names()
    {
        var work = Work;
        var seed = await DatabaseWithOneSessionOfAsync("from-mcp-ts-names");
        var appSettings = await DatabaseWithOneSessionOfAsync("from-appsettings");
        var variable = await DatabaseWithOneSessionOfAsync("from-mcpsessions-variable");
        var flag = await DatabaseWithOneSessionOfAsync("from-flag");
        var env = new Dictionary<string, string?>
        {
            ["MCP_TS_STORAGE_TYPE"] = "sqlite",
            ["MCP_TS_STORAGE_SQLITE_PATH"] = seed,
            ["STORAGE_ENCRYPTION_KEY"] = TestKeys.A,
        };

        var fromSeed = await IdentityListedAsync(work, env);
        await File.WriteAllTextAsync(Path.Combine(work, "appsettings.json"), new JsonObject { ["McpSessions"] = new JsonObject { ["SqlitePath"] = appSettings } }.ToJsonString());
        var fromAppSettings = await IdentityListedAsync(work, env);
        env["McpSessions__SqlitePath"] = variable;
        var fromVariable = await IdentityListedAsync(work, env);
        env["STORAGE_ENCRYPTION_KEY"] = TestKeys.C;
        var fromFlags = await IdentityListedAsync(work, env, "--connection", flag, "--key", TestKeys.A);

        Assert.Equal(
            ["from-mcp-ts-names", "from-appsettings", "from-mcpsessions-variable", "from-flag"],
            new[] { fromSeed, fromAppSettings, fromVariable, fromFlags });
    }

    [Fact]
    public async Task An_unknown_provider_exits_2_from_the_environment_and_1_from_a_flag_each_with_one_line()
    {
        var fromEnvironment = await CliProcess.RunAsync(Work, Work, new Dictionary<string, string?> { ["MCP_TS_STORAGE_TYPE"] = "redis", ["STORAGE_ENCRYPTION_KEY"] = TestKeys.A }, "list");
        var fromFlag = await CliProcess.RunAsync(Work, Work, new Dictionary<string, string?> { ["STORAGE_ENCRYPTION_KEY"] = TestKeys.A }, "list", "--provider", "redis");

        Failed(fromEnvironment, 2);
        Assert.Contains("MCP_TS_STORAGE_TYPE must be one of sqlite, postgres, supabase, memory; got 'redis'", fromEnvironment.StandardError, StringComparison.Ordinal);
        Failed(fromFlag, 1);
        Assert.Contains("redis", fromFlag.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task REDIS_URL_gets_one_line_saying_Redis_is_a_cache_tier_and_the_command_goes_on()
    {
        var path = await DatabaseWithOneSessionOfAsync("alice");

        var result = await CliProcess.RunAsync(Work, Work, new Dictionary<string, string?>
        {
            ["MCP_TS_STORAGE_SQLITE_PATH"] = path,
            ["REDIS_URL"] = "redis://127.0.0.1:6379",
            ["STORAGE_ENCRYPTION_KEY"] = TestKeys.A,
        }, "list", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        OneLine(result.StandardError);
        Assert.Contains("REDIS_URL", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("cache tier", result.StandardError, StringComparison.Ordinal);
        Assert.Single(JsonNode.Parse(result.StandardOutput)!.AsArray());
    }

    [Theory]
    [InlineData("show", "alice", "some-session")]
    [InlineData("export")]
    [InlineData("import", "sessions.json")]
    [InlineData("reencrypt")]
    public async Task Without_a_key_a_command_that_reads_or_writes_secrets_exits_2_saying_how_to_set_one(params string[] command)
    {
        var path = await DatabaseWithOneSessionOfAsync("alice");

        var result = await CliProcess.RunAsync(Work, Work, new Dictionary<string, string?> { ["MCP_TS_STORAGE_SQLITE_PATH"] = path }, command);

        Failed(result, 2);
        Assert.Contains("STORAGE_ENCRYPTION_KEY", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("--key", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("mcp-sessions keygen", result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("list")]
    [InlineData("stats")]
    [InlineData("cleanup")]
    [InlineData("show", "alice", "some-session")]
    [InlineData("export")]
    [InlineData("import", "sessions.json")]
    [InlineData("reencrypt")]
    public async Task A_missing_SQLite_file_is_no_database_at_its_full_path_with_the_settings_that_choose_it_and_is_not_created(params string[] command)
    {
        var work = Work;
        var fullPath = Path.Combine(work, "sesions.db");

        var result = await CliProcess.RunAsync(work, work, new Dictionary<string, string?> { ["MCP_TS_STORAGE_SQLITE_PATH"] = "sesions.db", ["STORAGE_ENCRYPTION_KEY"] = TestKeys.A }, command);

        Failed(result, 2);
        Assert.Contains($"no database at {fullPath}.", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("--connection", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("MCP_TS_STORAGE_SQLITE_PATH", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("pending migration", result.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(fullPath));
    }

    [Fact]
    public async Task With_nothing_configured_the_tool_uses_mcp_sessions_db_in_the_current_directory_as_the_library_does()
    {
        var work = Work;

        var missing = await CliProcess.RunAsync(work, work, arguments: ["list"]);
        var migrate = await CliProcess.RunAsync(work, work, arguments: ["migrate"]);
        var list = await CliProcess.RunAsync(work, work, arguments: ["list", "--json"]);

        Failed(missing, 2);
        Assert.Contains($"no database at {Path.Combine(work, new McpSessionsOptions().SqlitePath)}.", missing.StandardError, StringComparison.Ordinal);
        Succeeded(migrate);
        Assert.Equal(["mcp-sessions.db"], Directory.GetFiles(work, "*.db").Select(Path.GetFileName));
        Succeeded(list);
        Assert.Empty(JsonNode.Parse(list.StandardOutput)!.AsArray());
    }

    [Fact]
    public async Task A_malformed_appsettings_json_exits_2_naming_the_file()
    {
        var work = Work;
        await File.WriteAllTextAsync(Path.Combine(work, "appsettings.json"), "{ \"McpSessions\": ");

        var result = await CliProcess.RunAsync(work, work, new Dictionary<string, string?> { ["STORAGE_ENCRYPTION_KEY"] = TestKeys.A }, "list");

        Failed(result, 2);
        Assert.Contains("appsettings.json", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_usage_error_exits_1_with_one_line_pointing_at_the_command_help()
    {
        var result = await CliProcess.RunAsync(Work, Work, arguments: ["show", "alice"]);

        Failed(result, 1);
        Assert.Contains("mcp-sessions show --help", result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("demo")]
    [InlineData("migrate")]
    [InlineData("list")]
    [InlineData("show")]
    [InlineData("cleanup")]
    [InlineData("export")]
    [InlineData("import")]
    [InlineData("reencrypt")]
    [InlineData("keygen")]
    [InlineData("stats")]
    public async Task Help_of_every_command_shows_an_example(string command)
    {
        var result = await CliProcess.RunAsync(Work, Work, arguments: command.Length == 0 ? ["--help"] : [command, "--help"]);

        Succeeded(result);
        var examples = result.StandardOutput[result.StandardOutput.IndexOf("\nExample", StringComparison.Ordinal)..];
        Assert.Contains($"mcp-sessions {command}", examples, StringComparison.Ordinal);
    }

    public void Dispose() => _root.Delete(recursive: true);

    private static async Task<string> IdentityListedAsync(string work, Dictionary<string, string?> env, params string[] flags)
    {
        var result = await CliProcess.RunAsync(work, work, env, ["export", .. flags]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return (string)Assert.Single(JsonNode.Parse(result.StandardOutput)!.AsArray())!["identity"]!;
    }

    /// <summary>A migrated SQLite file (key A) holding one session of <paramref name="identity"/>; returns its path.</summary>
    private async Task<string> DatabaseWithOneSessionOfAsync(string identity)
    {
        var connectionString = await sqlite.CreateEmptyDatabaseAsync();
        await using var services = sqlite.BuildServices(connectionString, o => o.AutoMigrate = true, TimeProvider.System);
        var store = services.GetRequiredService<ISessionStore>();
        await store.CreateAsync(new McpSession
        {
            SessionId = store.GenerateSessionId(),
            Identity = identity,
            ServerUrl = "https://mcp.example.com/mcp",
            CallbackUrl = "http://localhost/cb",
            Tokens = new OAuthTokens { AccessToken = "at" },
        });
        return new SqliteConnectionStringBuilder(connectionString).DataSource;
    }
}
