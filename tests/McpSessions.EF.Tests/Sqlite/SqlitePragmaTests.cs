using System.Data.Common;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Model;
using McpSessions.EF.Providers;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Tests.Sqlite;

/// <summary>
/// The SQLite file runs in WAL mode with <c>synchronous</c> as configured (NORMAL by default), set once per physical
/// connection when it is first opened: no command the store runs carries a pragma. The store's single-row statements
/// run prepared on connections of their own (<see cref="SqlitePreparedRunner{TContext}"/>), unless the app intercepts the
/// context's commands.
/// </summary>
public sealed class SqlitePragmaTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    [Fact]
    public async Task The_store_connections_run_in_WAL_with_synchronous_NORMAL_by_default()
    {
        var services = fixture.BuildServices(await fixture.CreateEmptyDatabaseAsync(), o => o.AutoMigrate = true);
        Assert.Null(await services.GetRequiredService<ISessionStore>().GetAsync("alice", "s-1"));

        Assert.Equal(("wal", 1L), await PragmasThroughTheStoreAsync(services));
    }

    [Fact]
    public async Task SqliteSynchronous_Full_makes_every_store_connection_sync_each_commit()
    {
        var services = fixture.BuildServices(await fixture.CreateEmptyDatabaseAsync(), o =>
        {
            o.AutoMigrate = true;
            o.SqliteSynchronous = SqliteSynchronous.Full;
        });
        Assert.Null(await services.GetRequiredService<ISessionStore>().GetAsync("alice", "s-1"));

        Assert.Equal(("wal", 2L), await PragmasThroughTheStoreAsync(services));
    }

    [Fact]
    public async Task The_store_keeps_one_connection_for_sequential_calls_and_sets_the_pragmas_once_per_connection()
    {
        var services = fixture.BuildServices(await fixture.CreateEmptyDatabaseAsync(), o => o.AutoMigrate = true);
        var store = services.GetRequiredService<ISessionStore>();
        var pragmas = ((SqliteSessionsDatabase)services.GetRequiredService<SessionsDatabase>()).Pragmas!;
        Assert.Null(await store.GetAsync("alice", "s-0")); // migrates the new file
        var before = pragmas.Applied;

        for (var i = 0; i < 20; i++)
        {
            var session = await store.CreateAsync(NewSession($"s-{i}"));
            await store.UpdateAsync("alice", session.SessionId, new SessionUpdate { Active = true, ClientId = "c" });
            await store.TouchAsync("alice", session.SessionId);
            Assert.Equal("c", (await store.GetAsync("alice", session.SessionId))!.ClientId);
            Assert.True(await store.DeleteAsync("alice", session.SessionId));
        }

        // Sequential calls: one connection kept open (the pragmas go once per physical connection), reused by all 100 calls.
        Assert.InRange(pragmas.Applied - before, 0, 1);
        Assert.Equal(("wal", 1L), await PragmasThroughTheStoreAsync(services));

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var session = await store.CreateAsync(NewSession($"p-{i}"));
            Assert.NotNull(await store.GetAsync("alice", session.SessionId));
        })));
        Assert.InRange(pragmas.Applied, 1, 11);
    }

    [Fact]
    public async Task An_app_that_intercepts_the_library_context_sees_every_statement_of_the_store()
    {
        var commands = new CommandLog();
        var services = fixture.BuildServices(await fixture.CreateEmptyDatabaseAsync(), o => o.AutoMigrate = true, build: b =>
            b.Services.ConfigureDbContext<SessionsDbContext>((_, options) => options.AddInterceptors(commands)));
        var store = services.GetRequiredService<ISessionStore>();
        Assert.Null(await store.GetAsync("alice", "s-1"));
        commands.Clear();

        var session = await store.CreateAsync(NewSession("s-1"));
        await store.UpdateAsync("alice", session.SessionId, new SessionUpdate { Active = true });
        Assert.NotNull(await store.GetAsync("alice", session.SessionId));
        Assert.True(await store.DeleteAsync("alice", session.SessionId));

        Assert.Collection(
            commands.Texts,
            insert => Assert.StartsWith("INSERT INTO", insert, StringComparison.Ordinal),
            update => Assert.StartsWith("UPDATE", update, StringComparison.Ordinal),
            get => Assert.StartsWith("SELECT", get, StringComparison.Ordinal),
            delete => Assert.StartsWith("DELETE", delete, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_pragmas_go_once_per_physical_connection_and_never_with_a_command()
    {
        // The interceptor that counts the commands also puts every call on EF Core's own connections (see above).
        var commands = new CommandLog();
        var services = fixture.BuildServices(await fixture.CreateEmptyDatabaseAsync(), o => o.AutoMigrate = true, build: b =>
            b.Services.ConfigureDbContext<SessionsDbContext>((_, options) => options.AddInterceptors(commands)));
        var store = services.GetRequiredService<ISessionStore>();
        Assert.Null(await store.GetAsync("alice", "s-1"));
        commands.Clear(); // what migrating the new database ran (EF's creator sets WAL itself)

        for (var i = 0; i < 50; i++)
        {
            var session = await store.CreateAsync(NewSession($"s-{i}"));
            await store.UpdateAsync("alice", session.SessionId, new SessionUpdate { Active = true });
            Assert.NotNull(await store.GetAsync("alice", session.SessionId));
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => store.ListAsync("alice"))));

        // Sequential calls reuse one pooled connection; the eight parallel lists open a few more. Each was configured once.
        var pragmas = ((SqliteSessionsDatabase)services.GetRequiredService<SessionsDatabase>()).Pragmas!;
        Assert.InRange(pragmas.Applied, 1, 9);
        Assert.True(commands.Count > 150, $"{commands.Count} commands were seen");
        Assert.DoesNotContain(commands.Texts, text => text.Contains("PRAGMA", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(("wal", 1L), await PragmasThroughTheStoreAsync(services));
    }

    private static McpSession NewSession(string id) => new()
    {
        SessionId = id,
        Identity = "alice",
        ServerUrl = "https://mcp.example.com/mcp",
        CallbackUrl = "https://app.example.com/cb",
    };

    /// <summary>Reads the journal mode and synchronous level on a connection of the store's own (pooled) context.</summary>
    private static async Task<(string JournalMode, long Synchronous)> PragmasThroughTheStoreAsync(IServiceProvider services)
    {
        await using var context = await services.GetRequiredService<IDbContextFactory<SessionsDbContext>>().CreateDbContextAsync();
        await context.Database.OpenConnectionAsync();
        var connection = context.Database.GetDbConnection();
        return ((string)(await ScalarAsync(connection, "PRAGMA journal_mode"))!, (long)(await ScalarAsync(connection, "PRAGMA synchronous"))!);
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    private sealed class CommandLog : DbCommandInterceptor
    {
        private readonly List<string> _texts = [];

        public int Count
        {
            get
            {
                lock (_texts)
                {
                    return _texts.Count;
                }
            }
        }

        public IReadOnlyList<string> Texts
        {
            get
            {
                lock (_texts)
                {
                    return [.. _texts];
                }
            }
        }

        public void Clear()
        {
            lock (_texts)
            {
                _texts.Clear();
            }
        }

        public override DbCommand CommandInitialized(CommandEndEventData eventData, DbCommand result)
        {
            lock (_texts)
            {
                _texts.Add(result.CommandText);
            }

            return result;
        }
    }
}
