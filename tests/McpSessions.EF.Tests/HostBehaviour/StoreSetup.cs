using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace McpSessions.EF.Tests.HostBehaviour;

/// <summary>Whose context the store runs on.</summary>
public enum StoreContext
{
    /// <summary><c>AddMcpSessions(o => ...)</c>: the library's own <see cref="SessionsDbContext"/>, migrated by AutoMigrate.</summary>
    Library,

    /// <summary><c>AddMcpSessions&lt;HostDbContext&gt;()</c>: the host's context, its tables created as the host's migration would.</summary>
    Host,
}

/// <summary>A store on a fresh database of a fixture, on the library's context or a host's, with the host's EF settings.</summary>
public static class StoreSetup
{
    public const string Identity = "alice";

    /// <summary>
    /// Builds the services. <paramref name="contextOptions"/> is what the host adds to the store's context: through
    /// <c>ConfigureDbContext&lt;SessionsDbContext&gt;</c> for the library's, in <c>AddDbContext</c> for a host's.
    /// </summary>
    public static async Task<ServiceProvider> BuildAsync(
        SessionStoreFixture fixture,
        StoreContext context,
        string connectionString,
        Action<DbContextOptionsBuilder>? contextOptions = null,
        Action<IServiceCollection>? services = null,
        TimeProvider? clock = null)
    {
        var collection = new ServiceCollection();
        if (clock is not null)
        {
            collection.AddSingleton(clock);
        }

        services?.Invoke(collection);
        if (context is StoreContext.Library)
        {
            collection.AddMcpSessions(o =>
            {
                o.Provider = fixture.Provider;
                o.ConnectionString = connectionString;
                o.Encryption.Key = TestKeys.A;
                o.CleanupEnabled = false;
                o.AutoMigrate = true;
            });
            if (contextOptions is not null)
            {
                collection.ConfigureDbContext<SessionsDbContext>(contextOptions);
            }
        }
        else
        {
            collection.AddDbContext<HostDbContext>(o =>
            {
                fixture.UseProvider(o, connectionString);
                contextOptions?.Invoke(o);
            });
            collection.AddMcpSessions<HostDbContext>(o =>
            {
                o.Encryption.Key = TestKeys.A;
                o.CleanupEnabled = false;
            });
        }

        var provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        if (context is StoreContext.Host)
        {
            await HostSchema.CreateAsHostMigrationWouldAsync<HostDbContext>(provider);
        }

        return provider;
    }

    /// <summary>What names <paramref name="connectionString"/>'s database on a connection: the PostgreSQL database name or the SQLite file name.</summary>
    public static string Marker(SessionStoreFixture fixture, string connectionString) => fixture.Provider is SessionStorageProvider.Sqlite
        ? Path.GetFileName(new SqliteConnectionStringBuilder(connectionString).DataSource)
        : new NpgsqlConnectionStringBuilder(connectionString).Database!;

    /// <summary>A valid session of <see cref="Identity"/> with a secret to encrypt.</summary>
    public static McpSession Session(string sessionId, bool active = true)
    {
        var session = TestSessions.New(Identity, sessionId, active);
        session.Tokens = new OAuthTokens { AccessToken = $"at-{sessionId}" };
        return session;
    }

    /// <summary>
    /// Every store operation once, in an order where each has something to work on, named. Each checks its own result,
    /// so an operation that "succeeds" by doing nothing fails here.
    /// </summary>
    public static IEnumerable<(string Name, Func<Task> Run)> EveryOperation(ISessionStore store)
    {
        const string id = "every-op";
        yield return ("create", () => store.CreateAsync(Session(id, active: false)));
        yield return ("get", async () => Assert.Equal(id, (await store.GetAsync(Identity, id))?.SessionId));
        yield return ("update", () => store.UpdateAsync(Identity, id, new SessionUpdate { Active = true }));
        yield return ("touch", () => store.TouchAsync(Identity, id));
        yield return ("list", async () => Assert.Equal([id], (await store.ListAsync(Identity)).Select(s => s.SessionId)));
        yield return ("list ids", async () => Assert.Equal([id], await store.ListIdsAsync(Identity)));
        yield return ("list all ids", async () => Assert.Equal([id], await AllIdsAsync(store)));
        yield return ("delete", async () => Assert.True(await store.DeleteAsync(Identity, id)));
        yield return ("cleanup", () => store.CleanupExpiredAsync());
    }

    /// <summary>
    /// Runs <see cref="EveryOperation"/> and returns the operations during which <paramref name="seen"/> gained no command
    /// on <paramref name="table"/>, each with what it did gain.
    /// </summary>
    public static async Task<List<string>> OperationsNotSeenAsync(ISessionStore store, Func<IReadOnlyList<string>> seen, string table = "mcp_sessions")
    {
        // The first call checks (or migrates) the schema; that is not an operation's own command.
        await store.ListIdsAsync("warm-up");
        var missing = new List<string>();
        foreach (var (name, run) in EveryOperation(store))
        {
            var before = seen().Count;
            await run();
            var during = seen().Skip(before).ToList();
            if (!during.Any(text => text.Contains(table, StringComparison.Ordinal)))
            {
                missing.Add($"{name} (saw {during.Count} other: {string.Join(" | ", during.Select(Shorten))})");
            }
        }

        return missing;
    }

    public static async Task<List<string>> AllIdsAsync(ISessionStore store)
    {
        var ids = new List<string>();
        await foreach (var id in store.ListAllIdsAsync())
        {
            ids.Add(id);
        }

        return ids;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
