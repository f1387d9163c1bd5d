using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using McpSessions.EF.DependencyInjection;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>
/// List all ids at scale: a process of its own (so its peak memory is this check's alone) fills the table with
/// <c>rows</c> live sessions in one <c>INSERT … SELECT</c> on the server (generate_series, or a recursive CTE on
/// SQLite), then streams <see cref="Storage.ISessionStore.ListAllIdsAsync"/> to the end through the library and reports the
/// process's peak resident set (<c>VmHWM</c>).
/// </summary>
internal static class ScaleCheck
{
    public const string Command = "list-all-at-scale";

    private static readonly JsonSerializerOptions LineOptions = new(MacroReport.JsonOptions) { WriteIndented = false };

    /// <summary>Runs the check in a child process and reads its result line.</summary>
    public static async Task<ScaleResult> RunInChildAsync(string configuration, int rows, string workDirectory)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ScaleCheck).Assembly.Location);
        }

        foreach (var argument in new[] { Command, configuration, rows.ToString(CultureInfo.InvariantCulture), workDirectory })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("the scale check did not start");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (process.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"the scale check on {configuration} failed (exit {process.ExitCode}): {output}");
        }

        return JsonSerializer.Deserialize<ScaleResult>(line, LineOptions)!;
    }

    /// <summary>The child: <c>list-all-at-scale CONFIGURATION ROWS WORKDIR</c>; prints one JSON line.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var (configuration, rows, workDirectory) = (args[0], int.Parse(args[1], CultureInfo.InvariantCulture), args[2]);
        var payload = new BenchPayload(McpSessions.EF.Encryption.EncryptionKey.Generate());
        PostgresDatabase? database = null;
        StoreOperations store;
        Func<Task> fill;
        string? sqlitePath = null;
        if (configuration == "postgres")
        {
            database = await PostgresDatabase.CreateAsync(BenchEnvironment.Postgres);
            store = await StoreOperations.CreateAsync(SessionStorageProvider.Postgres, database.ConnectionString, payload);
            var connectionString = database.ConnectionString;
            fill = () => ExecuteAsync(new NpgsqlConnection(connectionString), PostgresFill(rows));
        }
        else
        {
            sqlitePath = Path.Combine(workDirectory, $"scale-{Guid.NewGuid():N}.db");
            var connectionString = new SqliteConnectionStringBuilder { DataSource = sqlitePath, Pooling = true }.ConnectionString;
            store = await StoreOperations.CreateAsync(SessionStorageProvider.Sqlite, connectionString, payload);
            fill = () => ExecuteAsync(new SqliteConnection(connectionString), SqliteFill(rows));
        }

        try
        {
            var began = Stopwatch.GetTimestamp();
            await fill();
            var insertSeconds = Stopwatch.GetElapsedTime(began).TotalSeconds;
            var rssAfterSetup = Status("VmRSS");

            began = Stopwatch.GetTimestamp();
            long listed = 0;
            await foreach (var _ in store.Store.ListAllIdsAsync())
            {
                listed++;
            }

            var listSeconds = Stopwatch.GetElapsedTime(began).TotalSeconds;
            var result = new ScaleResult(configuration, rows, listed, insertSeconds, listSeconds, listed / listSeconds, Status("VmHWM"), rssAfterSetup);
            Console.WriteLine(JsonSerializer.Serialize(result, LineOptions));
            return listed == rows ? 0 : 1;
        }
        finally
        {
            await store.DisposeAsync();
            if (database is not null)
            {
                await database.DisposeAsync();
            }

            if (sqlitePath is not null)
            {
                SqliteConnection.ClearAllPools();
                foreach (var file in Directory.GetFiles(Path.GetDirectoryName(sqlitePath)!, Path.GetFileName(sqlitePath) + "*"))
                {
                    File.Delete(file);
                }
            }
        }
    }

    /// <summary>Live pending sessions, a day from expiry, 1000 identities; ids in the library's valid alphabet.</summary>
    private static string PostgresFill(int rows) =>
        $"""
        INSERT INTO mcp_sessions (session_id, identity, user_id, server_url, callback_url, transport_type, expires_at, active)
        SELECT 'scale-' || lpad(g::text, 8, '0'), 'scale-user-' || (g % 1000), 'scale-user-' || (g % 1000),
               'https://mcp.example.com/mcp', 'https://app.example.com/oauth/callback', 'streamable_http', now() + interval '1 day', false
        FROM generate_series(0, {rows - 1}) AS g
        """;

    private static string SqliteFill(int rows)
    {
        var micros = (DateTimeOffset.UtcNow.UtcTicks - DateTimeOffset.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;
        var day = (long)TimeSpan.FromDays(1).TotalMicroseconds;
        return $"""
            WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n < {rows - 1})
            INSERT INTO mcp_sessions (id, session_id, identity, user_id, server_url, callback_url, transport_type,
                                      created_at, updated_at, expires_at, active, version)
            SELECT printf('%08X-0000-7000-8000-%012X', n, n), printf('scale-%08d', n), 'scale-user-' || (n % 1000), 'scale-user-' || (n % 1000),
                   'https://mcp.example.com/mcp', 'https://app.example.com/oauth/callback', 'streamable_http',
                   {micros}, {micros}, {micros + day}, 0, 0
            FROM g
            """;
    }

    private static async Task ExecuteAsync(System.Data.Common.DbConnection connection, string sql)
    {
        await using (connection)
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
#pragma warning disable CA2100 // built here from numbers
            command.CommandText = sql;
#pragma warning restore CA2100
            command.CommandTimeout = 600;
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>A size line of /proc/self/status, in MB.</summary>
    private static double Status(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                var kb = long.Parse(line.AsSpan(field.Length + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                return kb / 1024.0;
            }
        }

        return double.NaN;
    }
}
