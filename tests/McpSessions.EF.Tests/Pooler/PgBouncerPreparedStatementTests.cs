using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Tests.Pooler;

/// <summary>
/// PgBouncer on a port of its own cannot be told from a direct connection by its connection string, so the store
/// prepares statements until told otherwise; the first statement the pooler refuses says which setting fixes it.
/// </summary>
public sealed class PgBouncerPreparedStatementTests(PgBouncerFixture fixture) : IClassFixture<PgBouncerFixture>
{
    [Fact]
    public async Task Without_the_pooler_setting_the_first_refused_prepared_statement_names_the_setting()
    {
        var session = await fixture.Store.CreateAsync(TestSessions.New("alice", null, active: true));
        var store = fixture.BuildServices(fixture.ConnectionString, o => o.PostgresPooler = PostgresPooler.Auto).GetRequiredService<ISessionStore>();

        // More tasks than the pool has server connections: each of the store's physical connections prepares the
        // statement on its second use, on whichever server connection it gets, and uses it on the next one it gets.
        var failures = new List<Exception>();
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                try
                {
                    Assert.Equal(session.SessionId, (await store.GetAsync("alice", session.SessionId))?.SessionId);
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    lock (failures)
                    {
                        failures.Add(e);
                    }

                    return;
                }
            }
        })));

        Assert.NotEmpty(failures);
        Assert.All(failures, e =>
        {
            var refused = Assert.IsType<PostgresPoolerException>(e);
            Assert.Contains("Set McpSessions:PostgresPooler to Transaction", refused.Message, StringComparison.Ordinal);
            Assert.Contains("prepared statement", refused.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task With_the_pooler_setting_many_concurrent_calls_all_succeed()
    {
        var session = await fixture.Store.CreateAsync(TestSessions.New("bob", null, active: true));
        var store = fixture.BuildServices(fixture.ConnectionString).GetRequiredService<ISessionStore>();

        await Task.WhenAll(Enumerable.Range(0, 16).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                Assert.Equal(session.SessionId, (await store.GetAsync("bob", session.SessionId))?.SessionId);
                await store.UpdateAsync("bob", session.SessionId, new SessionUpdate { ServerName = $"server-{t}-{i}" });
            }
        })));
    }

    /// <summary>Migrations take a transaction-scoped lock and keep no session state, so they run through the pooler too.</summary>
    [Fact]
    public async Task The_cli_migrates_through_the_pooler_with_the_setting()
    {
        var database = await fixture.CreateEmptyDatabaseAsync();
        var work = Directory.CreateTempSubdirectory("mcps-pooler-");
        try
        {
            var environment = fixture.CliEnvironment(database);
            environment["McpSessions__PostgresPooler"] = "Transaction";
            environment["STORAGE_ENCRYPTION_KEY"] = TestKeys.A;

            var first = await CliProcess.RunAsync(work.FullName, work.FullName, environment, "migrate");
            Assert.True(first.ExitCode == 0, first.ToString());
            Assert.Contains("Applied", first.StandardOutput, StringComparison.Ordinal);

            var again = await CliProcess.RunAsync(work.FullName, work.FullName, environment, "migrate");
            Assert.True(again.ExitCode == 0, again.ToString());
            Assert.Contains("up to date", again.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("mcp_sessions", await fixture.TableNamesAsync(fixture.DirectConnectionString(database)));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
