using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster of a test's own, in a temporary directory, on a free loopback port, that the test may stop
/// (<c>pg_ctl stop</c>, fast or immediate) and start again on the same port. Never the shared server: stopping that
/// would break every other test. PostgreSQL refuses to run as root, so as root <c>initdb</c> and <c>pg_ctl</c> run as
/// user <c>postgres</c> on a directory it owns, as scripts/lib/servers.sh does. With <c>fsync=off</c> a start takes
/// about a second; <c>synchronous_commit</c> stays on, so a commit that returned is in the kernel's hands and survives
/// an immediate stop (only a power loss could lose it).
/// </summary>
public sealed class PostgresServerProcess : IAsyncDisposable
{
    private readonly string _directory;
    private bool _running;

    private PostgresServerProcess(string directory, int port)
    {
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    private string Data => Path.Combine(_directory, "data");

    /// <summary>A superuser connection string to the <c>postgres</c> database (the cluster trusts loopback: no password is asked).</summary>
    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres";

    /// <summary>Creates a cluster (initdb) and starts it.</summary>
    public static async Task<PostgresServerProcess> CreateAsync()
    {
        var directory = Directory.CreateTempSubdirectory("mcpsessions-pg-").FullName;
        var server = new PostgresServerProcess(directory, LoopbackPorts.Free());
        try
        {
            if (Environment.IsPrivilegedProcess)
            {
                await RunAsync("chown", ["-R", "postgres:postgres", directory]);
            }

            await server.PgAsync("initdb", $"-D '{server.Data}' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8");
            await server.StartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates a database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"mcps_outage_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(AdminConnectionString) { Pooling = false }.ConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Starts the server (again) on <see cref="Port"/> and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        var options = $"-p {Port} -k '{Data}' -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=100";
        await PgAsync("pg_ctl", $"-D '{Data}' -l '{Path.Combine(_directory, "postgres.log")}' -w -t 60 start -o \"{options}\"");
        _running = true;
    }

    /// <summary>Starts the server unless it runs: a test that failed while it was stopped leaves the next one a running server.</summary>
    public Task EnsureStartedAsync() => _running ? Task.CompletedTask : StartAsync();

    /// <summary>
    /// Stops the server with <c>pg_ctl stop -m <paramref name="mode"/></c> and waits until it is down: <c>fast</c> ends
    /// every session (each gets <c>57P01 terminating connection due to administrator command</c>) and checkpoints;
    /// <c>immediate</c> quits at once, as a crash would, and the next start recovers from the WAL.
    /// </summary>
    public async Task StopAsync(string mode = "fast")
    {
        if (mode is not ("fast" or "immediate" or "smart"))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "fast, immediate or smart");
        }

        await PgAsync("pg_ctl", $"-D '{Data}' -m {mode} -w -t 60 stop");
        _running = false;
    }

    /// <summary>The server's log so far, for a failure message.</summary>
    public string Log()
    {
        var path = Path.Combine(_directory, "postgres.log");
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    public async ValueTask DisposeAsync()
    {
        if (_running)
        {
            try
            {
                await StopAsync("immediate");
            }
            catch (InvalidOperationException)
            {
                // already down; the directory goes anyway
            }
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Runs a PostgreSQL binary (as user postgres when we are root).</summary>
    private async Task PgAsync(string binary, string arguments)
    {
        var command = $"'{Path.Combine(BinDirectory, binary)}' {arguments}";
        var result = Environment.IsPrivilegedProcess
            ? await ProcessRunner.RunAsync("su", ["postgres", "-s", "/bin/sh", "-c", command], workingDirectory: _directory, timeout: TimeSpan.FromSeconds(90))
            : await ProcessRunner.RunAsync("/bin/sh", ["-c", command], workingDirectory: _directory, timeout: TimeSpan.FromSeconds(90));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{binary} {arguments} failed: {result}\n--- postgres.log ---\n{Log()}");
        }
    }

    private static async Task RunAsync(string fileName, string[] arguments)
    {
        var result = await ProcessRunner.RunAsync(fileName, arguments, timeout: TimeSpan.FromSeconds(30));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed: {result}");
        }
    }

    /// <summary>The newest PostgreSQL under /usr/lib/postgresql (Debian's layout), or MCPSESSIONS_TEST_POSTGRES_BIN.</summary>
    private static string BinDirectory =>
        Environment.GetEnvironmentVariable("MCPSESSIONS_TEST_POSTGRES_BIN") is { Length: > 0 } bin ? bin
        : Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderBy(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var major) ? major : 0)
                .LastOrDefault() ?? throw NoBinaries()
            : throw NoBinaries();

    private static InvalidOperationException NoBinaries() => new(
        "No PostgreSQL binaries (initdb, pg_ctl) under /usr/lib/postgresql: install them (apt-get install -y postgresql) or set MCPSESSIONS_TEST_POSTGRES_BIN; "
        + "the outage tests stop and start a PostgreSQL of their own, which no shared server or container can stand in for.");
}
