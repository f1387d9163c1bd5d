using McpSessions.EF.Model;
using McpSessions.EF.Storage;

namespace McpSessions.EF.Tests.Specification;

public abstract partial class SessionStoreSpecification<TFixture>
{
    [Fact]
    public Task Concurrent_creates_of_one_id_let_exactly_one_win() => CreatesOfOneIdLetExactlyOneWinAsync(_ => Store);

    /// <summary>The contenders split across two stores with their own service providers and pools, as two instances of an app.</summary>
    [Fact]
    public Task Concurrent_creates_of_one_id_through_two_stores_let_exactly_one_win()
    {
        var stores = new[] { Store, Fixture.SecondStore };
        return CreatesOfOneIdLetExactlyOneWinAsync(i => stores[i % 2]);
    }

    [Fact]
    public Task Concurrent_partial_updates_of_different_members_all_survive() => PartialUpdatesAllSurviveAsync(_ => Store);

    /// <summary>The updates split across two stores with their own service providers and pools, as two instances of an app.</summary>
    [Fact]
    public Task Concurrent_partial_updates_through_two_stores_all_survive()
    {
        var stores = new[] { Store, Fixture.SecondStore };
        return PartialUpdatesAllSurviveAsync(i => stores[i % 2]);
    }

    /// <summary>16 contenders at once create one id, each through <paramref name="storeOf"/> its index; five rounds.</summary>
    private async Task CreatesOfOneIdLetExactlyOneWinAsync(Func<int, ISessionStore> storeOf)
    {
        const int contenders = 16;
        for (var round = 0; round < 5; round++)
        {
            var sessionId = $"race-{round}";
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var attempts = Enumerable.Range(0, contenders).Select(i => Task.Run(async () =>
            {
                await start.Task;
                var session = NewSession($"user-{i}", sessionId);
                session.ServerName = $"contender-{i}";
                await storeOf(i).CreateAsync(session);
                return i;
            })).ToList();
            start.SetResult();

            var outcomes = await Task.WhenAll(attempts.Select(async t =>
            {
                try
                {
                    return (Winner: (int?)await t, Error: (Exception?)null);
                }
                catch (Exception e)
                {
                    return (Winner: null, Error: e);
                }
            }));

            var winners = outcomes.Where(o => o.Winner is not null).Select(o => o.Winner!.Value).ToList();
            Assert.Single(winners);
            Assert.All(outcomes.Where(o => o.Winner is null), o =>
            {
                var error = Assert.IsType<SessionAlreadyExistsException>(o.Error);
                Assert.Equal($"Session {sessionId} already exists", error.Message);
            });

            // Each store reads the winner's row.
            foreach (var store in Enumerable.Range(0, contenders).Select(storeOf).Distinct())
            {
                var stored = await store.GetAsync($"user-{winners[0]}", sessionId);
                Assert.Equal($"contender-{winners[0]}", stored!.ServerName);
            }
        }

        Assert.Equal(5, await Fixture.CountRowsAsync());
    }

    /// <summary>Six updates of different members of one session at once, the i-th through <paramref name="storeOf"/>; 20 rounds.</summary>
    private async Task PartialUpdatesAllSurviveAsync(Func<int, ISessionStore> storeOf)
    {
        var session = await Store.CreateAsync(NewSession());
        const int rounds = 20;

        for (var round = 0; round < rounds; round++)
        {
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var updates = new SessionUpdate[]
            {
                new() { Tokens = Tokens($"access-{round}", $"refresh-{round}") },
                new() { Headers = new() { ["X-Round"] = round.ToString(System.Globalization.CultureInfo.InvariantCulture) } },
                new() { CodeVerifier = $"verifier-{round}" },
                new() { ClientInformation = new OAuthClientInformation { ClientId = $"client-{round}" } },
                new() { ServerName = $"name-{round}" },
                new() { ClientId = $"cid-{round}" },
            };
            var tasks = updates.Select((u, i) => Task.Run(async () =>
            {
                await start.Task;
                await storeOf(i).UpdateAsync("alice", session.SessionId, u);
            })).ToList();
            start.SetResult();
            await Task.WhenAll(tasks);

            foreach (var store in Enumerable.Range(0, updates.Length).Select(storeOf).Distinct())
            {
                var read = await store.GetAsync("alice", session.SessionId);
                Assert.Equal($"access-{round}", read!.Tokens!.AccessToken);
                Assert.Equal($"refresh-{round}", read.Tokens.RefreshToken);
                Assert.Equal(round.ToString(System.Globalization.CultureInfo.InvariantCulture), read.Headers!["X-Round"]);
                Assert.Equal($"verifier-{round}", read.CodeVerifier);
                Assert.Equal($"client-{round}", read.ClientInformation!.ClientId);
                Assert.Equal($"name-{round}", read.ServerName);
                Assert.Equal($"cid-{round}", read.ClientId);
            }
        }
    }
}
