using BenchmarkDotNet.Attributes;
using McpSessions.EF.Benchmarks.Macro;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Encryption;
using Microsoft.Data.Sqlite;

namespace McpSessions.EF.Benchmarks;

/// <summary>
/// Get and List through the store, beside the raw baseline doing the same on the same table (see the macro harness,
/// <c>scripts/bench.sh</c>): 100 active sessions with realistic secrets (a ~2 KB token response, client registration,
/// PKCE verifier, a header; all encrypted) over 5 identities, so a list returns 20. On a SQLite file, and on
/// PostgreSQL from MCPSESSIONS_TEST_POSTGRES (scripts/test.sh or scripts/bench.sh start one). Beside the get, as in the
/// macro harness's get rows: the fastest raw get (SQLite: on an open connection with the command prepared once;
/// PostgreSQL: the raw get, which is prepared already) and its floor, that get followed by AES-GCM decryption of the
/// row's stored secrets. Long runs average out the noise of a shared machine, which one short macro phase cannot.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project tests/McpSessions.EF.Benchmarks -- --filter '*Store*'</c>. The library's hot paths
/// alone, in a short run: <see cref="HotPathBenchmarks"/>.
/// </remarks>
[MemoryDiagnoser]
public class StoreBenchmarks
{
    private const int Sessions = 100;

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpsessions-bench-").FullName;
    private readonly Workload _library = new("lib", Sessions, 5);
    private readonly Workload _raw = new("raw", Sessions, 5);
    private PostgresDatabase? _database;
    private StoreOperations _store = null!;
    private ISessionOperations _baseline = null!;
    private Func<Workload, int, Task> _preparedGet = null!;
    private Func<Workload, int, Task> _floorGet = null!;
    private int _next;

    [Params("sqlite", "postgres")]
    public string Provider { get; set; } = "sqlite";

    // Synchronous on purpose: the in-process toolchain (--inProcess) does not wait for an asynchronous one.
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        var payload = new BenchPayload(EncryptionKey.Generate());
        if (Provider == "sqlite")
        {
            var path = Path.Combine(_directory, "store.db");
            _store = await StoreOperations.CreateAsync(SessionStorageProvider.Sqlite, new SqliteConnectionStringBuilder { DataSource = path }.ConnectionString, payload);
            var sqlite = new SqliteOperations(path, SqliteSynchronous.Normal, payload);
            (_baseline, _preparedGet, _floorGet) = (sqlite, sqlite.GetPreparedAsync, sqlite.GetPreparedOpenedAsync);
        }
        else
        {
            _database = await PostgresDatabase.CreateAsync(BenchEnvironment.Postgres);
            _store = await StoreOperations.CreateAsync(SessionStorageProvider.Postgres, _database.ConnectionString, payload);
            var npgsql = new NpgsqlOperations(_database.ConnectionString, payload);
            (_baseline, _preparedGet, _floorGet) = (npgsql, npgsql.GetAsync, npgsql.GetOpenedAsync);
        }

        await _library.FillAsync(_store);
        await _raw.FillAsync(_baseline);
    }

    [Benchmark(Baseline = true, Description = "raw get")]
    public Task Raw_get() => _baseline.GetAsync(_raw, Next());

    [Benchmark(Description = "store get")]
    public Task Store_get() => _store.GetAsync(_library, Next());

    [Benchmark(Description = "prepared raw get")]
    public Task Prepared_get() => _preparedGet(_raw, Next());

    [Benchmark(Description = "prepared raw get + AES-GCM (floor)")]
    public Task Floor_get() => _floorGet(_raw, Next());

    [Benchmark(Description = "raw list (20)")]
    public Task Raw_list() => _baseline.ListAsync(_raw, Next() % 5);

    [Benchmark(Description = "store list (20)")]
    public Task Store_list() => _store.ListAsync(_library, Next() % 5);

    // Synchronous on purpose: the in-process toolchain (--inProcess) does not wait for an asynchronous one.
    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    private async Task CleanupAsync()
    {
        await _store.DisposeAsync();
        await _baseline.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private int Next() => _next = (_next + 1) % Sessions;
}
