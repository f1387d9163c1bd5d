using System.Data.Common;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Locking;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

// A process of its own for the lock tests (locks must hold across processes).
//   contend PROVIDER CONNECTION TASKS ITERATIONS   every task, ITERATIONS times: take the lock, enter the critical
//                                                  section (counters in the lock_probe table: holders inside now,
//                                                  most at once, entries, entries that found another holder inside),
//                                                  leave, release
//   hold PROVIDER CONNECTION                        take the lock, print "held", wait to be killed
// PROVIDER is postgres, pgbouncer (PostgreSQL through a transaction-mode pooler) or sqlite.
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: contend|hold postgres|pgbouncer|sqlite CONNECTION [TASKS ITERATIONS]");
    return 1;
}

var (mode, provider, connection) = (args[0], args[1] is "postgres" or "pgbouncer" ? SessionStorageProvider.Postgres : SessionStorageProvider.Sqlite, args[2]);
var services = new ServiceCollection().AddMcpSessions(o =>
{
    o.Provider = provider;
    o.PostgresPooler = args[1] == "pgbouncer" ? PostgresPooler.Transaction : PostgresPooler.Auto;
    o.ConnectionString = connection;
    o.Encryption.AllowPlaintext = true;
    o.CleanupEnabled = false;
}).Services.BuildServiceProvider();
var locks = services.GetRequiredService<ISessionLock>();

if (mode == "hold")
{
    await using var hold = await locks.AcquireAsync("probe", "probe-session", TimeSpan.FromSeconds(30));
    Console.WriteLine("held");
    await Task.Delay(Timeout.Infinite);
    return 0;
}

var tasks = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
var iterations = int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture);
await Task.WhenAll(Enumerable.Range(0, tasks).Select(_ => Task.Run(async () =>
{
    for (var i = 0; i < iterations; i++)
    {
        await using (await locks.AcquireAsync("probe", "probe-session", TimeSpan.FromSeconds(60)))
        {
            await ExecuteAsync("UPDATE lock_probe SET inside = inside + 1, entries = entries + 1");
            await ExecuteAsync("UPDATE lock_probe SET max_inside = CASE WHEN inside > max_inside THEN inside ELSE max_inside END, overlapped = overlapped + CASE WHEN inside > 1 THEN 1 ELSE 0 END");
            await Task.Delay(1);
            await ExecuteAsync("UPDATE lock_probe SET inside = inside - 1");
        }
    }
})));
Console.WriteLine("done");
return 0;

async Task ExecuteAsync(string sql)
{
    await using DbConnection db = provider == SessionStorageProvider.Postgres ? new NpgsqlConnection(connection) : new SqliteConnection(connection);
    await db.OpenAsync();
    await using var command = db.CreateCommand();
    command.CommandText = sql;
    await command.ExecuteNonQueryAsync();
}
