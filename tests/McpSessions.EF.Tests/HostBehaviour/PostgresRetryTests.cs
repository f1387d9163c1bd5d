using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Encryption;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace McpSessions.EF.Tests.HostBehaviour;

/// <summary>
/// A host's execution strategy covers every store call: with <c>EnableRetryOnFailure</c> on the host's context, a call
/// made right after every PostgreSQL backend of the store was killed (<c>pg_terminate_backend</c>) still succeeds with
/// the right result. Without it, the same kill fails the call (so the kill really hits the store's connection).
/// </summary>
public sealed class PostgresRetryTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    public static TheoryData<string> Calls => ["create", "get", "update", "touch", "list", "list ids", "list all ids", "delete", "cleanup", "reencrypt"];

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task With_EnableRetryOnFailure_a_store_call_made_after_its_backends_were_killed_succeeds(string call)
    {
        var connectionString = await fixture.CreateEmptyDatabaseAsync();
        var clock = new ManualTimeProvider();
        await SeedAsync(connectionString, clock);

        // The store under test reads what the seed wrote under key A, and re-encrypts it under key C.
        await using var services = Build(connectionString, retry: true, clock, o =>
        {
            o.Encryption.Key = TestKeys.C;
            o.Encryption.OldKeys.Add(TestKeys.A);
        });
        var store = services.GetRequiredService<ISessionStore>();
        clock.Advance(services.GetRequiredService<IOptions<McpSessionsOptions>>().Value.PendingTtl + TimeSpan.FromMinutes(1));
        Assert.Equal(["live"], await store.ListIdsAsync(StoreSetup.Identity));

        Assert.True(await PostgresBackends.KillAllAsync(connectionString) > 0, "the store held no connection to kill");

        switch (call)
        {
            case "create":
                await store.CreateAsync(StoreSetup.Session("new"));
                Assert.NotNull(await store.GetAsync(StoreSetup.Identity, "new"));
                break;
            case "get":
                Assert.Equal("at-live", (await store.GetAsync(StoreSetup.Identity, "live"))?.Tokens?.AccessToken);
                break;
            case "update":
                await store.UpdateAsync(StoreSetup.Identity, "live", new SessionUpdate { ServerName = "renamed" });
                Assert.Equal("renamed", (await store.GetAsync(StoreSetup.Identity, "live"))?.ServerName);
                break;
            case "touch":
                await store.TouchAsync(StoreSetup.Identity, "live");
                Assert.Equal(clock.GetUtcNow(), (await store.GetAsync(StoreSetup.Identity, "live"))?.UpdatedAt);
                break;
            case "list":
                Assert.Equal(["live"], (await store.ListAsync(StoreSetup.Identity)).Select(s => s.SessionId));
                break;
            case "list ids":
                Assert.Equal(["live"], await store.ListIdsAsync(StoreSetup.Identity));
                break;
            case "list all ids":
                Assert.Equal(["live"], await StoreSetup.AllIdsAsync(store));
                break;
            case "delete":
                Assert.True(await store.DeleteAsync(StoreSetup.Identity, "live"));
                Assert.Null(await store.GetAsync(StoreSetup.Identity, "live"));
                break;
            case "cleanup":
                Assert.Equal(1, await store.CleanupExpiredAsync());
                break;
            case "reencrypt":
                var progress = await services.GetRequiredService<ISessionReencryptor>().ReencryptAsync();
                Assert.Equal((2, 2), (progress.Scanned, progress.Rewritten));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(call), call, null);
        }
    }

    [Fact]
    public async Task Without_EnableRetryOnFailure_a_store_call_made_after_its_backends_were_killed_fails()
    {
        var connectionString = await fixture.CreateEmptyDatabaseAsync();
        var clock = new ManualTimeProvider();
        await SeedAsync(connectionString, clock);
        await using var services = Build(connectionString, retry: false, clock);
        var store = services.GetRequiredService<ISessionStore>();
        Assert.NotNull(await store.GetAsync(StoreSetup.Identity, "live"));

        Assert.True(await PostgresBackends.KillAllAsync(connectionString) > 0, "the store held no connection to kill");

        await Assert.ThrowsAnyAsync<Exception>(() => store.GetAsync(StoreSetup.Identity, "live"));
    }

    /// <summary>The host's tables, a live session and a pending one that expires once the clock moves past the pending TTL, both with tokens under key A.</summary>
    private static async Task SeedAsync(string connectionString, ManualTimeProvider clock)
    {
        await using var services = Build(connectionString, retry: false, clock);
        await HostSchema.CreateAsHostMigrationWouldAsync<HostDbContext>(services);
        var store = services.GetRequiredService<ISessionStore>();
        await store.CreateAsync(StoreSetup.Session("live", active: true));
        await store.CreateAsync(StoreSetup.Session("pending", active: false));
    }

    private static ServiceProvider Build(string connectionString, bool retry, TimeProvider clock, Action<McpSessionsOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(clock);
        services.AddDbContext<HostDbContext>(o => o.UseNpgsql(connectionString, npgsql =>
        {
            if (retry)
            {
                npgsql.EnableRetryOnFailure(maxRetryCount: 6, maxRetryDelay: TimeSpan.FromMilliseconds(200), errorCodesToAdd: null);
            }
        }));
        services.AddMcpSessions<HostDbContext>(o =>
        {
            o.Encryption.Key = TestKeys.A;
            o.CleanupEnabled = false;
            configure?.Invoke(o);
        });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
