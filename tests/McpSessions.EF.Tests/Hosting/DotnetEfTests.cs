using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace McpSessions.EF.Tests.Hosting;

/// <summary>
/// `dotnet ef database update` with each migrations assembly builds the schema on an empty database, with the
/// connection taken from the environment, exactly as the README shows it.
/// </summary>
public sealed class DotnetEfTests(PostgresFixture postgres, SqliteFixture sqlite) : IClassFixture<PostgresFixture>, IClassFixture<SqliteFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Database_update_with_the_postgres_migrations_builds_the_schema_on_an_empty_database()
    {
        var connectionString = await postgres.CreateEmptyDatabaseAsync();

        var result = await DotnetEf("Migrations/McpSessions.EF.Migrations.Postgres", new() { ["DATABASE_URL"] = connectionString });

        Assert.True(result.ExitCode == 0, result.ToString());
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT (SELECT count(*) FROM information_schema.columns WHERE table_name = 'mcp_sessions'), (SELECT count(*) FROM \"__mcp_sessions_migrations\")",
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(18, reader.GetInt64(0));
        Assert.True(reader.GetInt64(1) >= 1);
    }

    [Fact]
    public async Task Database_update_with_the_sqlite_migrations_builds_the_schema_in_an_empty_file()
    {
        var path = new SqliteConnectionStringBuilder(await sqlite.CreateEmptyDatabaseAsync()).DataSource;

        var result = await DotnetEf("Migrations/McpSessions.EF.Migrations.Sqlite", new() { ["MCP_TS_STORAGE_SQLITE_PATH"] = path });

        Assert.True(result.ExitCode == 0, result.ToString());
        await using var connection = new SqliteConnection($"Data Source={path}");
        await connection.OpenAsync();
        await using var command = new SqliteCommand(
            "SELECT (SELECT count(*) FROM pragma_table_info('mcp_sessions')), (SELECT count(*) FROM \"__mcp_sessions_migrations\")",
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(19, reader.GetInt64(0));
        Assert.True(reader.GetInt64(1) >= 1);
    }

    [Fact]
    public async Task A_relative_sqlite_path_is_relative_to_the_directory_dotnet_ef_was_run_in_not_the_migrations_project()
    {
        // Under the repository (for the tool manifest), in the ignored .tmp folder.
        var directory = Directory.CreateDirectory(RepositoryPaths.Combine(".tmp", $"dotnet-ef-{Guid.NewGuid():N}"));
        try
        {
            var result = await DotnetEf(
                RepositoryPaths.Combine("Migrations", "McpSessions.EF.Migrations.Sqlite"),
                new() { ["MCP_TS_STORAGE_SQLITE_PATH"] = "relative.db" },
                directory.FullName);

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.True(File.Exists(Path.Combine(directory.FullName, "relative.db")), result.ToString());
            Assert.False(File.Exists(RepositoryPaths.Combine("Migrations", "McpSessions.EF.Migrations.Sqlite", "relative.db")));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private static Task<ProcessRunner.Result> DotnetEf(string project, Dictionary<string, string?> environment, string? workingDirectory = null) =>
        ProcessRunner.RunAsync(
            "dotnet",
            ["tool", "run", "dotnet-ef", "database", "update", "--project", project, "--configuration", RepositoryPaths.Configuration, "--no-build"],
            workingDirectory ?? RepositoryPaths.Root,
            environment,
            Timeout);
}
