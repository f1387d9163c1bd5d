using System.Globalization;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Faults;

/// <summary>
/// The store's races between two processes (McpSessions.EF.CrashHost), each with its own store on one database: the
/// one-store races of SessionStoreSpecification.Races.cs, across processes. Both processes are warmed up and wait on
/// stdin; each round starts when the test writes "go" to both, so their calls overlap.
/// </summary>
public abstract class TwoProcessRaceSpecification<TFixture>(TFixture fixture, ITestOutputHelper output) : IClassFixture<TFixture>
    where TFixture : SessionStoreFixture
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    protected TFixture Fixture { get; } = fixture;

    /// <summary>The provider argument of the crash host: postgres or sqlite.</summary>
    protected abstract string HostProvider { get; }

    [Fact]
    public async Task Concurrent_creates_of_one_id_from_two_processes_let_exactly_one_win()
    {
        const int rounds = 10, ids = 40;
        var db = await Fixture.MigratedDatabaseAsync();
        string[] names = ["process-a", "process-b"];
        var hosts = names.Select(name => Host(db, "create", name, "4")).ToArray();
        try
        {
            await RunRoundsAsync(hosts, rounds, round => $"go {round} {ids}");

            var outcomes = hosts.SelectMany((h, i) => h.Lines()
                    .Where(l => l.StartsWith("won ", StringComparison.Ordinal) || l.StartsWith("lost ", StringComparison.Ordinal) || l.StartsWith("error ", StringComparison.Ordinal))
                    .Select(l => (Process: names[i], Kind: l[..l.IndexOf(' ', StringComparison.Ordinal)], SessionId: l.Split(' ')[1], Line: l)))
                .ToList();
            Assert.DoesNotContain(outcomes, o => o.Kind == "error");
            var rows = await Fixture.ReadAllAsync(db, TestKeys.A);
            Assert.Equal(rounds * ids, rows.Count);
            foreach (var id in outcomes.GroupBy(o => o.SessionId))
            {
                // Each process tried each id once: one won, the other got SessionAlreadyExistsException ("lost").
                Assert.True(id.Count() == 2 && id.Count(o => o.Kind == "won") == 1 && id.Count(o => o.Kind == "lost") == 1, $"{id.Key}: {string.Join("; ", id.Select(o => $"{o.Process} {o.Kind}"))}");
                var winner = id.Single(o => o.Kind == "won").Process;
                Assert.True(rows[id.Key].ServerName == winner && rows[id.Key].Tokens?.AccessToken == $"access-{winner}", $"{id.Key}: won by {winner}, stored {rows[id.Key].ServerName}");
            }

            Assert.Equal(rounds * ids, outcomes.Count / 2);
            output.WriteLine($"two-process creates on {HostProvider}: {rounds} rounds of {ids} ids; wins: "
                + string.Join(", ", names.Select(n => $"{n} {outcomes.Count(o => o.Process == n && o.Kind == "won")}")));
        }
        finally
        {
            foreach (var host in hosts)
            {
                host.Dispose();
            }
        }
    }

    [Fact]
    public async Task Concurrent_partial_updates_of_different_members_from_two_processes_all_survive()
    {
        const int rounds = 15, sessions = 16;
        var db = await Fixture.MigratedDatabaseAsync();
        await using (var services = Fixture.BuildServices(db, clock: TimeProvider.System))
        {
            var store = services.GetRequiredService<ISessionStore>();
            for (var s = 0; s < sessions; s++)
            {
                await store.CreateAsync(TestSessions.New("race", $"upd-{s}", active: true));
            }
        }

        var hosts = new[] { Host(db, "update", "tokens", $"{sessions}"), Host(db, "update", "names", $"{sessions}") };
        try
        {
            await RunRoundsAsync(hosts, rounds, round => $"go {round}", async round =>
            {
                // A fresh store's view after both processes' updates of this round returned: none was lost.
                var r = round.ToString(CultureInfo.InvariantCulture);
                var rows = await Fixture.ReadAllAsync(db, TestKeys.A);
                for (var s = 0; s < sessions; s++)
                {
                    var row = rows[$"upd-{s}"];
                    var members = new[] { row.Tokens?.AccessToken, row.Tokens?.RefreshToken, row.Headers?["X-Round"], row.ServerName, row.ClientId, row.CodeVerifier };
                    Assert.True(
                        members.SequenceEqual([$"access-{r}", $"refresh-{r}", r, $"name-{r}", $"client-{r}", $"verifier-{r}"]),
                        $"round {r}: upd-{s} lost an update: {string.Join(", ", members)}");
                }
            });
        }
        finally
        {
            foreach (var host in hosts)
            {
                host.Dispose();
            }
        }
    }

    private ChildProcess Host(string db, string mode, params string[] arguments) =>
        ChildProcess.Start(CrashHost.Assembly, [mode, HostProvider, db, TestKeys.A, .. arguments]);

    /// <summary>Waits until every host is ready, then runs the rounds: "go" to all, wait for all to finish, check.</summary>
    private static async Task RunRoundsAsync(ChildProcess[] hosts, int rounds, Func<int, string> go, Func<int, Task>? check = null)
    {
        foreach (var host in hosts)
        {
            await host.WaitForLineAsync(l => l == "ready", Patience, "ready");
        }

        for (var round = 0; round < rounds; round++)
        {
            foreach (var host in hosts)
            {
                host.WriteLine(go(round));
            }

            var done = $"round {round}";
            foreach (var host in hosts)
            {
                await host.WaitForLineAsync(l => l == done, Patience, done);
            }

            if (check is not null)
            {
                await check(round);
            }
        }

        foreach (var host in hosts)
        {
            host.WriteLine("quit");
            await host.WaitForExitAsync(Patience);
            Assert.True(host.ExitCode == 0, host.Describe());
        }
    }
}
