using McpSessions.EF.Migrations.Postgres;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace McpSessions.EF.Tests.Supabase;

/// <summary>The files supabase-init writes apply with psql, twice, to a Supabase-like database and to plain PostgreSQL.</summary>
public sealed class SupabaseInitTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("mcpsessions-supabase-init-");

    [Fact]
    public async Task The_files_the_cli_writes_apply_with_psql_twice_to_a_supabase_like_database_and_the_store_works_on_the_result()
    {
        var home = _directory.CreateSubdirectory("home").FullName;
        var output = Path.Combine(_directory.FullName, "supabase", "migrations");
        var cli = await CliProcess.RunAsync(_directory.FullName, home, arguments: ["supabase-init", "--with-cron"]);
        Assert.True(cli.ExitCode == 0, cli.ToString());
        foreach (var expected in new[] { "supabase link", "supabase db push", "service_role", "bypasses RLS", "authenticated" })
        {
            Assert.Contains(expected, cli.StandardOutput, StringComparison.Ordinal);
        }

        var files = Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(3, files.Count);
        Assert.Matches("^[0-9]{14}_mcp_sessions.sql$", files[0]);
        Assert.Matches("^[0-9]{14}_mcp_sessions_rls.sql$", files[1]);
        Assert.Matches("^[0-9]{14}_mcp_sessions_cleanup_cron.sql$", files[2]);

        var again = await CliProcess.RunAsync(_directory.FullName, home, arguments: ["supabase-init", "--with-cron"]);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("not overwritten", again.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(files, Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList());

        var database = await fixture.CreateEmptyDatabaseAsync();
        await SupabaseBootstrap.ApplyAsync(database);
        for (var run = 0; run < 2; run++)
        {
            foreach (var file in files)
            {
                var psql = await PsqlAsync(database, Path.Combine(output, file!));
                Assert.True(psql.ExitCode == 0, $"run {run + 1}, {file}: {psql}");
            }
        }

        Assert.Equal(4, (await McpTsMigrationInteropTests.QueryAsync(database, "SELECT policyname::text FROM pg_policies WHERE tablename = 'mcp_sessions'")).Count);
        Assert.Single(await McpTsMigrationInteropTests.QueryAsync(database, "SELECT \"MigrationId\" FROM \"__mcp_sessions_migrations\""));

        // AutoMigrate off: the history the script wrote tells the store the schema is current.
        var store = fixture.BuildServices(database, o => o.AutoMigrate = false).GetRequiredService<ISessionStore>();
        await store.CreateAsync(new McpSession { SessionId = "init-1", Identity = "alice", ServerUrl = "https://mcp.example.com/", CallbackUrl = "https://app.example.com/cb" });
        Assert.NotNull(await store.GetAsync("alice", "init-1"));
    }

    [Fact]
    public async Task On_plain_postgresql_the_files_apply_and_skip_what_needs_supabase_or_pg_cron()
    {
        var result = SupabaseInit.Write(_directory.FullName, DateTimeOffset.UtcNow, withCron: true);
        var database = await fixture.CreateEmptyDatabaseAsync();

        foreach (var file in result.Written)
        {
            var psql = await PsqlAsync(database, Path.Combine(_directory.FullName, file));
            Assert.True(psql.ExitCode == 0, $"{file}: {psql}");
        }

        Assert.Empty(await McpTsMigrationInteropTests.QueryAsync(database, "SELECT policyname::text FROM pg_policies WHERE tablename = 'mcp_sessions'"));
        Assert.Equal(18, (await McpTsMigrationInteropTests.ColumnsAsync(database)).Count);
    }

    [Fact]
    public void The_files_are_named_in_supabase_order_from_one_timestamp()
    {
        var result = SupabaseInit.Write(_directory.FullName, new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero), withCron: true);

        Assert.Equal(
            ["20261121080000_mcp_sessions.sql", "20261121080001_mcp_sessions_rls.sql", "20261121080002_mcp_sessions_cleanup_cron.sql"],
            result.Written);
    }

    [Fact]
    public void Writing_again_never_overwrites_and_skips_the_files_an_earlier_run_wrote()
    {
        var first = SupabaseInit.Write(_directory.FullName, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), withCron: false);
        var firstFile = Path.Combine(_directory.FullName, first.Written[0]);
        File.AppendAllText(firstFile, "-- edited by hand\n");

        var second = SupabaseInit.Write(_directory.FullName, new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero), withCron: true);

        Assert.Equal(2, first.Written.Count);
        Assert.Equal(first.Written, second.Skipped);
        Assert.Equal(["20260201000002_mcp_sessions_cleanup_cron.sql"], second.Written);
        Assert.EndsWith("-- edited by hand\n", File.ReadAllText(firstFile), StringComparison.Ordinal);
    }

    private static Task<ProcessRunner.Result> PsqlAsync(string connectionString, string file)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return ProcessRunner.RunAsync(
            "psql",
            ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", builder.Host!, "-p", builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", builder.Username!, "-d", builder.Database!, "-f", file],
            environment: new Dictionary<string, string?> { ["PGPASSWORD"] = builder.Password });
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
