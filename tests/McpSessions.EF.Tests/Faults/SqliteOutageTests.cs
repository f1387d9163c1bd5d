using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Encryption;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.HostBehaviour;
using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Faults;

/// <summary>
/// SPEC §10 on SQLite, under a workload, on the library's own database (kept-open prepared statements) and on a host's
/// context (EF's pipeline over Microsoft.Data.Sqlite's pool): the database's directory removed, moved away and back, or
/// the file made immutable. A clear error names the problem, no write that returned is lost, and the file checks
/// <c>ok</c> afterwards. Both kinds of store keep connections open, and an open SQLite connection goes on working on a
/// file that was unlinked: a write there would return and be gone.
/// </summary>
public sealed class SqliteOutageTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mcpsessions-sqlite-outage-").FullName;

    public static TheoryData<StoreContext> Contexts => [StoreContext.Library, StoreContext.Host];

    private static readonly string[] Writes = ["create", "update", "touch", "delete", "cleanup"];

    [Theory]
    [MemberData(nameof(Contexts))]
    public async Task When_the_directory_of_the_database_is_removed_no_write_returns_and_calls_say_the_file_is_missing(StoreContext context)
    {
        var (directory, path) = NewDatabasePath();
        await using var services = await BuildAsync(context, path);
        var store = services.GetRequiredService<ISessionStore>();
        await store.CreateAsync(OutageWorkload.Session("seed"));
        await using var workload = OutageWorkload.Start(store);
        await workload.WaitForSuccessesAsync(TimeSpan.Zero, 40, TimeSpan.FromSeconds(30));

        Directory.Delete(directory, recursive: true);
        var removed = workload.Now;

        foreach (var (name, call) in WriteCalls(store))
        {
            AssertMissing(name, await Record.ExceptionAsync(call), path);
        }

        // Once a write found the file gone, the store dropped its open connections: reads fail the same way.
        AssertMissing("get", await Record.ExceptionAsync(() => store.GetAsync(OutageWorkload.Identity, "seed")), path);
        await workload.WaitForFailuresAsync(removed, 20, TimeSpan.FromSeconds(30));
        await workload.StopAsync();

        var returned = workload.Calls.Where(c => c.Started >= removed && c.Error is null && Writes.Contains(c.Name)).ToList();
        Assert.True(returned.Count == 0, $"{returned.Count} writes returned after the directory was removed (into a deleted file), the first a {returned.FirstOrDefault().Name}");
        Assert.All(workload.Calls.Where(c => c.Started >= removed && c.Error is not null), c => AssertMissing($"workload {c.Name}", c.Error, path));
        output.WriteLine($"{context}: {workload.Calls.Count(c => c.Started >= removed && c.Error is not null)} workload calls failed after the removal, none returned a write");
    }

    [Theory]
    [MemberData(nameof(Contexts))]
    public async Task When_the_directory_is_moved_away_and_back_writes_fail_meanwhile_and_the_same_store_recovers_with_every_write_kept(StoreContext context)
    {
        var (directory, path) = NewDatabasePath();
        await using var services = await BuildAsync(context, path);
        var store = services.GetRequiredService<ISessionStore>();
        await store.CreateAsync(OutageWorkload.Session("seed"));
        await using var workload = OutageWorkload.Start(store);
        await workload.WaitForSuccessesAsync(TimeSpan.Zero, 40, TimeSpan.FromSeconds(30));

        Directory.Move(directory, directory + ".away");
        var moved = workload.Now;
        foreach (var (name, call) in WriteCalls(store))
        {
            AssertMissing(name, await Record.ExceptionAsync(call), path);
        }

        await workload.WaitForFailuresAsync(moved, 20, TimeSpan.FromSeconds(30));
        Directory.Move(directory + ".away", directory);
        var back = workload.Now;
        await workload.WaitForSuccessesAsync(back, 40, TimeSpan.FromSeconds(30));
        await workload.StopAsync();

        Assert.DoesNotContain(workload.Calls, c => c.Started >= moved && c.Finished < back && c.Error is null && Writes.Contains(c.Name));
        Assert.DoesNotContain(workload.Calls, c => c.Started >= back && c.Error is not null);
        var stored = (await store.ListIdsAsync(OutageWorkload.Identity)).ToHashSet();
        Assert.DoesNotContain(workload.Created, id => !stored.Contains(id));
        Assert.Equal("ok", await IntegrityCheckAsync(path));
        output.WriteLine($"{context}: {workload.Created.Count} creates returned, all stored; integrity ok");
    }

    [Theory]
    [MemberData(nameof(Contexts))]
    public async Task When_the_database_file_is_made_immutable_writes_fail_saying_it_cannot_be_written_reads_go_on_and_nothing_is_lost(StoreContext context)
    {
        var (_, path) = NewDatabasePath();
        await using var services = await BuildAsync(context, path);
        var store = services.GetRequiredService<ISessionStore>();
        await store.CreateAsync(OutageWorkload.Session("seed"));
        await using var workload = OutageWorkload.Start(store);
        await workload.WaitForSuccessesAsync(TimeSpan.Zero, 40, TimeSpan.FromSeconds(30));

        // We run as root, whom chmod does not stop: the immutable attribute does. Not on the -shm file, which SQLite
        // writes through a memory map (an immutable one makes those writes SIGBUS the process).
        string[] files = [path, path + "-wal"];
        var seen = new HashSet<string>();
        await ChattrAsync("+i", files);
        TimeSpan immutable, writable;
        try
        {
            immutable = workload.Now;

            // Not the cleanup: with nothing expired its DELETE changes no page, so it writes nothing and rightly succeeds.
            foreach (var (name, call) in WriteCalls(store).Where(w => w.Name != "cleanup"))
            {
                AssertReadOnly(name, await Record.ExceptionAsync(call), seen, path);
            }

            Assert.Equal(OutageWorkload.PlantedToken, (await store.GetAsync(OutageWorkload.Identity, "seed"))?.Tokens?.AccessToken);
            await workload.WaitForFailuresAsync(immutable, 20, TimeSpan.FromSeconds(30));
        }
        finally
        {
            await ChattrAsync("-i", files);
        }

        writable = workload.Now;
        await workload.WaitForSuccessesAsync(writable, 40, TimeSpan.FromSeconds(30));
        await workload.StopAsync();

        Assert.All(workload.Calls.Where(c => c.Started >= immutable && c.Finished < writable && c.Error is not null), c => AssertReadOnly($"workload {c.Name}", c.Error, seen, path));
        Assert.Contains(workload.Calls, c => c.Started >= immutable && c.Finished < writable && c.Error is null && c.Name is "get" or "list ids");
        var stored = (await store.ListIdsAsync(OutageWorkload.Identity)).ToHashSet();
        Assert.DoesNotContain(workload.Created, id => !stored.Contains(id));
        Assert.Equal("ok", await IntegrityCheckAsync(path));
        output.WriteLine($"{context}: writes failed with {string.Join(" | ", seen)}; reads went on; {workload.Created.Count} creates returned, all stored; integrity ok");
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private static IEnumerable<(string Name, Func<Task> Call)> WriteCalls(ISessionStore store)
    {
        yield return ("create", () => store.CreateAsync(OutageWorkload.Session("during-outage")));
        yield return ("update", () => store.UpdateAsync(OutageWorkload.Identity, "seed", new SessionUpdate { ServerName = "renamed" }));
        yield return ("touch", () => store.TouchAsync(OutageWorkload.Identity, "seed"));
        yield return ("delete", () => store.DeleteAsync(OutageWorkload.Identity, "seed"));
        yield return ("cleanup", () => store.CleanupExpiredAsync());
    }

    private static void AssertMissing(string call, Exception? error, string path)
    {
        Assert.True(error is not null, $"{call} succeeded without the database file");
        var unreachable = Assert.IsType<SessionDatabaseUnreachableException>(error);
        Assert.StartsWith($"The session database (SQLite file '{path}') is unreachable: ", unreachable.Message);
        Assert.DoesNotContain(OutageWorkload.PlantedToken, unreachable.ToString());
    }

    /// <summary>
    /// The store's <see cref="SessionDatabaseReadOnlyException"/> naming the file, over SQLite's own error:
    /// SQLITE_READONLY (8, "attempt to write a readonly database") on a connection opened after the change,
    /// SQLITE_IOERR_WRITE (778, "disk I/O error") on one that was open before, whose write to the -wal file the kernel
    /// refuses.
    /// </summary>
    private static void AssertReadOnly(string call, Exception? error, HashSet<string> seen, string path)
    {
        Assert.True(error is not null, $"{call} succeeded on an immutable file");
        var readOnly = Assert.IsType<SessionDatabaseReadOnlyException>(error);
        Assert.StartsWith($"The session database (SQLite file '{path}') cannot be written: ", readOnly.Message);
        Assert.DoesNotContain(OutageWorkload.PlantedToken, readOnly.ToString());
        var sqlite = Assert.IsType<SqliteException>(readOnly.InnerException);
        Assert.True(
            sqlite is { SqliteErrorCode: 8 } or { SqliteErrorCode: 10, SqliteExtendedErrorCode: 778 },
            $"{call} failed with SQLite error {sqlite.SqliteErrorCode}/{sqlite.SqliteExtendedErrorCode}: {sqlite.Message}");
        lock (seen)
        {
            seen.Add($"{sqlite.SqliteExtendedErrorCode}: {sqlite.Message}");
        }
    }

    private (string Directory, string Path) NewDatabasePath()
    {
        var directory = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return (directory, Path.Combine(directory, "sessions.db"));
    }

    private static async Task<ServiceProvider> BuildAsync(StoreContext context, string path)
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ConnectionString;
        var services = new ServiceCollection();
        if (context is StoreContext.Library)
        {
            services.AddMcpSessions(o =>
            {
                o.Provider = SessionStorageProvider.Sqlite;
                o.ConnectionString = connectionString;
                o.Encryption.Key = TestKeys.A;
                o.CleanupEnabled = false;
                o.AutoMigrate = true;
            });
        }
        else
        {
            services.AddDbContextFactory<HostDbContext>(o => o.UseSqlite(connectionString));
            services.AddMcpSessions<HostDbContext>(o =>
            {
                o.Encryption.Key = TestKeys.A;
                o.CleanupEnabled = false;
            });
        }

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        if (context is StoreContext.Host)
        {
            await using var created = await provider.GetRequiredService<IDbContextFactory<HostDbContext>>().CreateDbContextAsync();
            await created.Database.EnsureCreatedAsync();
            await using var wal = created.Database.GetDbConnection();
            await wal.OpenAsync();
            await using var pragma = wal.CreateCommand();
            pragma.CommandText = "PRAGMA journal_mode=WAL";
            await pragma.ExecuteNonQueryAsync();
        }

        return provider;
    }

    private static async Task<string> IntegrityCheckAsync(string path)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadWrite }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new SqliteCommand("PRAGMA integrity_check", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ChattrAsync(string change, string[] files)
    {
        var result = await ProcessRunner.RunAsync("chattr", [change, .. files], timeout: TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, $"chattr {change} failed (it needs root and a file system with the immutable attribute, such as ext4): {result}");
    }
}
