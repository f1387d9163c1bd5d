using System.Globalization;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Faults;

/// <summary>
/// The crash specification on a real SQLite file in WAL mode, as the library configures it. After every kill,
/// <c>PRAGMA integrity_check</c> must say <c>ok</c>.
/// </summary>
public sealed class SqliteCrashSafetyTests(SqliteFixture fixture, ITestOutputHelper output) : CrashSafetySpecification<SqliteFixture>(fixture, output)
{
    protected override string HostProvider => "sqlite";

    /// <summary>The byte of the -shm file a writer locks (sqlite3.c: WAL_WRITE_LOCK, offset 120).</summary>
    private const long WalWriteLock = 120;

    /// <summary>Deletes every row and checkpoints the write-ahead log into the file.</summary>
    protected override async Task EmptyTableAsync(string connectionString)
    {
        await using var connection = Open(connectionString);
        await connection.OpenAsync();
        await using var command = new SqliteCommand("DELETE FROM mcp_sessions; PRAGMA wal_checkpoint(TRUNCATE);", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync() && reader.GetInt64(0) == 0, "the checkpoint was blocked");
    }

    /// <summary>
    /// Whether <paramref name="process"/> holds the WAL write lock, which a transaction takes at its first write and
    /// keeps to its end: SQLite takes it as a POSIX lock on byte 120 of the -shm file (WAL_WRITE_LOCK), and /proc/locks
    /// lists it with the holder's pid ("1: POSIX  ADVISORY  WRITE 4711 08:01:1234 120 120"). Watching it takes no lock.
    /// </summary>
    protected override Task<bool> ImportUnderWayAsync(string connectionString, ChildProcess process)
    {
        var pid = process.Id.ToString(CultureInfo.InvariantCulture);
        foreach (var line in File.ReadLines("/proc/locks"))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 8 && f[1] == "POSIX" && f[3] == "WRITE" && f[4] == pid
                && long.Parse(f[6], CultureInfo.InvariantCulture) <= WalWriteLock
                && (f[7] == "EOF" || long.Parse(f[7], CultureInfo.InvariantCulture) >= WalWriteLock))
            {
                return Task.FromResult(true);
            }
        }

        return Task.FromResult(false);
    }

    protected override async Task SettleAsync(string connectionString, string where)
    {
        await using var connection = Open(connectionString);
        await connection.OpenAsync();
        await using var command = new SqliteCommand("PRAGMA integrity_check", connection);
        var result = $"{await command.ExecuteScalarAsync()}";
        Assert.True(result == "ok", $"{where}: PRAGMA integrity_check says {result}");
    }

    private static SqliteConnection Open(string connectionString) =>
        new(new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
}
