using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace McpSessions.EF.Tests.Cli;

/// <summary>The README's first command: <c>mcp-sessions demo</c> on a fresh machine, in an empty directory, with nothing configured.</summary>
public sealed class DemoCommandTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("mcpsessions-demo-");

    [Fact]
    public async Task Demo_in_an_empty_directory_with_nothing_configured_exits_0_and_leaves_a_migrated_sqlite_file()
    {
        var work = _root.CreateSubdirectory("work").FullName;
        var home = _root.CreateSubdirectory("home").FullName;

        var result = await CliProcess.RunAsync(work, home, arguments: "demo");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.StandardError);
        foreach (var step in new[] { "pending", "active", "CleanupExpiredAsync removed 1 row(s)", "alice", "bob" })
        {
            Assert.Contains(step, result.StandardOutput, StringComparison.Ordinal);
        }

        var database = Path.Combine(work, "mcp-sessions.db");
        Assert.True(File.Exists(database));
        await using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        await connection.OpenAsync();
        await using var command = new SqliteCommand("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", connection);
        var tables = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Contains("mcp_sessions", tables);
        Assert.Contains("__mcp_sessions_migrations", tables);
        await using var tokens = new SqliteCommand("SELECT tokens FROM mcp_sessions WHERE tokens IS NOT NULL", connection);
        var stored = (string?)await tokens.ExecuteScalarAsync();
        Assert.StartsWith("\"enc:2:", stored, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Demo_makes_its_key_once_in_an_owner_only_file_says_where_and_reuses_it()
    {
        var work = _root.CreateSubdirectory("work2").FullName;
        var home = _root.CreateSubdirectory("home2").FullName;
        var keyFile = Path.Combine(home, ".config", "mcp-sessions", "demo.key");

        var first = await CliProcess.RunAsync(work, home, arguments: "demo");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains(keyFile, first.StandardOutput.Replace("\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        var key = await File.ReadAllTextAsync(keyFile);
        Assert.Matches("^[0-9a-f]{64}\n$", key);
        Assert.DoesNotContain(key.Trim(), first.StandardOutput, StringComparison.Ordinal);

        var second = await CliProcess.RunAsync(work, home, arguments: "demo");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("Deleted 3 session(s)", second.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(key, await File.ReadAllTextAsync(keyFile));
    }

    [Fact]
    public async Task Keygen_prints_a_new_64_hex_character_key_each_time()
    {
        var home = _root.CreateSubdirectory("home3").FullName;

        var first = await CliProcess.RunAsync(home, home, arguments: "keygen");
        var second = await CliProcess.RunAsync(home, home, arguments: "keygen");

        Assert.Equal(0, first.ExitCode);
        Assert.Matches("^[0-9a-f]{64}\n$", first.StandardOutput);
        Assert.NotEqual(first.StandardOutput, second.StandardOutput);
    }

    public void Dispose() => _root.Delete(recursive: true);
}
