using McpSessions.EF.Caching;

namespace McpSessions.EF.Tests.Caching;

/// <summary>
/// The single flight the cache tier pays its owed invalidations through. Found by scripts/soak.sh: a caller whose key
/// the finished payment did not cover looks again at once; while the leader had not yet resumed to leave, it was
/// handed the same finished payment, synchronously, again and again, and on a busy thread pool the leader never got
/// a thread back: every store call spun in PayOwedAsync for good.
/// </summary>
public sealed class SingleFlightTests
{
    [Fact]
    public async Task A_caller_that_looks_again_after_a_finished_run_is_never_handed_the_same_finished_run()
    {
        var flight = new SingleFlight<bool>();
        var handedTwice = 0;
        for (var i = 0; i < 500; i++)
        {
            // The work completes the way a Redis reply does: its awaiters resume later, on the thread pool.
            var reply = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var leader = flight.RunAsync("payment", () => reply.Task, joined => joined);
            reply.SetResult(true);

            Task<bool>? first = null, second = null;
            await flight.RunAsync("payment", () => Task.FromResult(true), joined => first = joined);
            await flight.RunAsync("payment", () => Task.FromResult(true), joined => second = joined);
            if (first is { IsCompleted: true } && ReferenceEquals(first, second))
            {
                handedTwice++;
            }

            await leader;
        }

        Assert.Equal(0, handedTwice);
    }
}
