using System.Diagnostics;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Encryption;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Faults;

/// <summary>
/// SPEC §10 on PostgreSQL: a server of the test's own is stopped (<c>pg_ctl stop</c>, fast or immediate) under a
/// workload and started again. While it is down every store, re-encryption and admin call fails within seconds with
/// <see cref="SessionDatabaseUnreachableException"/>, whose message names the database and carries no password or
/// token; once it is back, the same service provider works again by itself, and no create that returned is lost.
/// </summary>
public sealed class PostgresOutageTests(PostgresServerFixture fixture, ITestOutputHelper output) : IClassFixture<PostgresServerFixture>
{
    /// <summary>In the connection string: the cluster trusts loopback, so it is never sent, and no message may show it.</summary>
    private const string PlantedPassword = "pw-planted-outage-secret-91c2";

    /// <summary>
    /// The most a call may take to fail while the server is down. Refused connections fail at once; the connect and
    /// command timeouts are 2 s; a hang would be Npgsql's 15 s connect timeout, or 30 s of command timeout, or forever.
    /// </summary>
    private static readonly TimeSpan FailFast = TimeSpan.FromSeconds(8);

    private PostgresServerProcess Server => fixture.Server;

    public static TheoryData<string> Modes => ["fast", "immediate"];

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task While_the_server_is_stopped_every_call_fails_fast_saying_the_database_is_unreachable_and_the_same_store_then_recovers(string mode)
    {
        await Server.EnsureStartedAsync();
        var connectionString = await ConnectionStringAsync();
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using var services = Build(connectionString);
        var store = services.GetRequiredService<ISessionStore>();
        await store.CreateAsync(OutageWorkload.Session("seed"));

        await using var workload = OutageWorkload.Start(store);
        await workload.WaitForSuccessesAsync(TimeSpan.Zero, 40, TimeSpan.FromSeconds(30));

        var stopping = workload.Now;
        await Server.StopAsync(mode);
        var stopped = workload.Now;

        var timings = new List<(string Call, TimeSpan Took)>();
        foreach (var (name, call) in EveryCall(services))
        {
            var watch = Stopwatch.StartNew();
            var error = await Record.ExceptionAsync(call);
            var took = watch.Elapsed;
            timings.Add((name, took));
            AssertUnreachable(name, error, database);
            Assert.True(took < FailFast, $"{name} took {took.TotalSeconds:0.0} s to fail (bound {FailFast.TotalSeconds} s)");
        }

        // Every workload call the outage failed failed the same way, and as fast.
        await workload.WaitForFailuresAsync(stopped, 4, TimeSpan.FromSeconds(30));
        var failedDuringOutage = workload.Calls.Where(c => c.Error is not null).ToList();
        Assert.All(failedDuringOutage, c => AssertUnreachable($"workload {c.Name}", c.Error, database));
        Assert.All(failedDuringOutage.Where(c => c.Started >= stopped), c => Assert.True(c.Took < FailFast, $"workload {c.Name} took {c.Took.TotalSeconds:0.0} s to fail"));

        await Server.StartAsync();
        var restarted = workload.Now;
        await workload.WaitForSuccessesAsync(restarted, 40, TimeSpan.FromSeconds(30));
        await workload.StopAsync();

        // The calls during the outage found the pooled connections broken, and Npgsql dropped them: after the
        // restart, no call fails.
        var failedAfter = workload.Calls.Where(c => c.Started >= restarted && c.Error is not null).ToList();
        Assert.True(failedAfter.Count == 0, $"{failedAfter.Count} calls failed after the restart, the first: {failedAfter.FirstOrDefault().Error}");
        Assert.DoesNotContain(workload.Calls, c => c.Finished < stopping && c.Error is not null);

        // No create that returned is lost, whether the server checkpointed (fast) or recovered from its WAL (immediate).
        var stored = (await store.ListIdsAsync(OutageWorkload.Identity)).ToHashSet();
        Assert.DoesNotContain(workload.Created, id => !stored.Contains(id));

        var slowest = timings.MaxBy(t => t.Took);
        var workloadSlowest = failedDuringOutage.Where(c => c.Started >= stopped).Select(c => c.Took).DefaultIfEmpty().Max();
        output.WriteLine(
            $"{mode} stop: {timings.Count} calls failed as unreachable, slowest {slowest.Call} {slowest.Took.TotalMilliseconds:0} ms; "
            + $"{failedDuringOutage.Count} workload calls failed, slowest after the stop {workloadSlowest.TotalMilliseconds:0} ms; "
            + $"down {(restarted - stopping).TotalSeconds:0.0} s; {workload.Created.Count} creates returned, all stored");
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task After_a_restart_no_call_saw_the_first_call_fails_on_a_broken_pooled_connection_and_the_next_succeed(string mode)
    {
        await Server.EnsureStartedAsync();
        var connectionString = await ConnectionStringAsync();
        await using var services = Build(connectionString);
        var store = services.GetRequiredService<ISessionStore>();
        await store.CreateAsync(OutageWorkload.Session("kept"));

        // Several connections in the pool, all idle.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => store.ListAsync(OutageWorkload.Identity))));
        Assert.True(await BackendsAsync(connectionString) >= 2, "the pool kept fewer than two connections");

        await Server.StopAsync(mode);
        await Server.StartAsync();

        // The first call takes a pooled connection the server closed when it stopped: it fails, as unreachable, and
        // Npgsql drops the whole pool (it holds connections to a server that went away). Every later call connects anew.
        var first = await Record.ExceptionAsync(() => store.GetAsync(OutageWorkload.Identity, "kept"));
        AssertUnreachable("the first get after the restart", first, new NpgsqlConnectionStringBuilder(connectionString).Database!);
        output.WriteLine($"{mode}: first call after the restart: {first!.Message}");
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(OutageWorkload.PlantedToken, (await store.GetAsync(OutageWorkload.Identity, "kept"))?.Tokens?.AccessToken);
        }
    }

    [Fact]
    public async Task With_EnableRetryOnFailure_a_workload_across_a_restart_sees_no_exception()
    {
        await Server.EnsureStartedAsync();
        var connectionString = await ConnectionStringAsync();
        // About 30 s of retries (EF backs off up to 500 ms a try): a restart here takes 1-12 s on a loaded machine.
        await using var services = await BuildHostAsync(connectionString, maxRetryCount: 60, maxRetryDelay: TimeSpan.FromMilliseconds(500));
        var store = services.GetRequiredService<ISessionStore>();

        await using var workload = OutageWorkload.Start(store);
        await workload.WaitForSuccessesAsync(TimeSpan.Zero, 40, TimeSpan.FromSeconds(30));
        var stopping = workload.Now;
        await Server.StopAsync("fast");
        await Server.StartAsync();
        var restarted = workload.Now;
        await workload.WaitForSuccessesAsync(restarted, 40, TimeSpan.FromSeconds(60));
        await workload.StopAsync();

        var failed = workload.Calls.Where(c => c.Error is not null).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} calls failed across the restart, the first: {failed.FirstOrDefault().Error}");

        // The restart really happened under the workload: calls were held by the retries across it.
        var heldAcross = workload.Calls.Count(c => c.Started < restarted && c.Finished > restarted && c.Took > TimeSpan.FromMilliseconds(200));
        Assert.True(heldAcross > 0, "no call was in flight across the restart");
        var stored = (await store.ListIdsAsync(OutageWorkload.Identity)).ToHashSet();
        Assert.DoesNotContain(workload.Created, id => !stored.Contains(id));
        output.WriteLine($"retry: down {(restarted - stopping).TotalSeconds:0.0} s, {workload.Calls.Count} calls, none failed, {heldAcross} held across the restart, longest {workload.Calls.Max(c => c.Took).TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task With_EnableRetryOnFailure_an_outage_longer_than_the_retries_still_fails_saying_the_database_is_unreachable()
    {
        await Server.EnsureStartedAsync();
        var connectionString = await ConnectionStringAsync();
        await using var services = await BuildHostAsync(connectionString, maxRetryCount: 2, maxRetryDelay: TimeSpan.FromMilliseconds(100));
        var store = services.GetRequiredService<ISessionStore>();
        await store.CreateAsync(OutageWorkload.Session("kept"));

        await Server.StopAsync("fast");
        try
        {
            var watch = Stopwatch.StartNew();
            var error = await Record.ExceptionAsync(() => store.GetAsync(OutageWorkload.Identity, "kept"));
            AssertUnreachable("get", error, new NpgsqlConnectionStringBuilder(connectionString).Database!);

            // The strategy saw the provider's transient exception and retried it before giving up.
            Assert.IsType<Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException>(error!.InnerException);
            Assert.True(watch.Elapsed < FailFast, $"the get took {watch.Elapsed.TotalSeconds:0.0} s to fail");
        }
        finally
        {
            await Server.StartAsync();
        }

        Assert.NotNull(await store.GetAsync(OutageWorkload.Identity, "kept"));
    }

    /// <summary>Every call of the store, the re-encryptor and the admin, each on something that exists.</summary>
    private static IEnumerable<(string Name, Func<Task> Call)> EveryCall(IServiceProvider services)
    {
        var store = services.GetRequiredService<ISessionStore>();
        var admin = services.GetRequiredService<ISessionAdmin>();
        const string identity = OutageWorkload.Identity;
        yield return ("create", () => store.CreateAsync(OutageWorkload.Session("during-outage")));
        yield return ("get", () => store.GetAsync(identity, "seed"));
        yield return ("update", () => store.UpdateAsync(identity, "seed", new SessionUpdate { ServerName = "renamed" }));
        yield return ("touch", () => store.TouchAsync(identity, "seed"));
        yield return ("list", () => store.ListAsync(identity));
        yield return ("list ids", () => store.ListIdsAsync(identity));
        yield return ("delete", () => store.DeleteAsync(identity, "seed"));
        yield return ("list all ids", () => DrainAsync(store.ListAllIdsAsync()));
        yield return ("cleanup", () => store.CleanupExpiredAsync());
        yield return ("clear all", () => store.ClearAllAsync());
        yield return ("reencrypt", () => services.GetRequiredService<ISessionReencryptor>().ReencryptAsync());
        yield return ("admin migrate", () => admin.MigrateAsync());
        yield return ("admin list", () => DrainAsync(admin.ListAsync(identity, includeNotLive: true)));
        yield return ("admin find", () => admin.FindAsync(identity, "seed"));
        yield return ("admin export", () => DrainAsync(admin.ExportAsync()));
        yield return ("admin import", () => admin.ImportAsync([OutageWorkload.Session("imported")]));
        yield return ("admin count not live", () => admin.CountNotLiveAsync());
        yield return ("admin cleanup", () => admin.CleanupExpiredAsync());
        yield return ("admin statistics", () => admin.GetStatisticsAsync(5));
    }

    private static void AssertUnreachable(string call, Exception? error, string database)
    {
        Assert.True(error is not null, $"{call} succeeded while the server was down");
        var unreachable = Assert.IsType<SessionDatabaseUnreachableException>(error);
        Assert.StartsWith($"The session database (PostgreSQL database '{database}' on 127.0.0.1:", unreachable.Message);
        Assert.Contains(") is unreachable: ", unreachable.Message);

        // Nothing secret in the message, nor anywhere in what a log of the whole exception would show.
        var everything = unreachable.ToString();
        Assert.DoesNotContain(PlantedPassword, everything);
        Assert.DoesNotContain(OutageWorkload.PlantedToken, everything);
    }

    private async Task<string> ConnectionStringAsync() =>
        new NpgsqlConnectionStringBuilder(await Server.CreateDatabaseAsync()) { Password = PlantedPassword, Timeout = 2, CommandTimeout = 2 }.ConnectionString;

    private static ServiceProvider Build(string connectionString)
    {
        var services = new ServiceCollection();
        services.AddMcpSessions(o =>
        {
            o.Provider = SessionStorageProvider.Postgres;
            o.ConnectionString = connectionString;
            o.Encryption.Key = TestKeys.A;
            o.CleanupEnabled = false;
            o.AutoMigrate = true;
        });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>A host's context with its execution strategy, as <c>PostgresRetryTests</c> has it, its tables created.</summary>
    private static async Task<ServiceProvider> BuildHostAsync(string connectionString, int maxRetryCount, TimeSpan maxRetryDelay)
    {
        var services = new ServiceCollection();
        services.AddDbContext<HostDbContext>(o => Microsoft.EntityFrameworkCore.NpgsqlDbContextOptionsBuilderExtensions.UseNpgsql(
            o, connectionString, npgsql => npgsql.EnableRetryOnFailure(maxRetryCount, maxRetryDelay, errorCodesToAdd: null)));
        services.AddMcpSessions<HostDbContext>(o =>
        {
            o.Encryption.Key = TestKeys.A;
            o.CleanupEnabled = false;
        });
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        await HostSchema.CreateAsHostMigrationWouldAsync<HostDbContext>(provider);
        return provider;
    }

    private static async Task<long> BackendsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task DrainAsync<T>(IAsyncEnumerable<T> items)
    {
        await foreach (var _ in items)
        {
        }
    }
}
