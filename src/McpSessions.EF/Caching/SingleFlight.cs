using System.Collections.Concurrent;

namespace McpSessions.EF.Caching;

/// <summary>
/// At most one piece of work per key at a time in this instance: a caller that finds one running joins it instead of
/// starting its own. The caller that started it (the leader) says when the others may stop sharing it.
/// </summary>
internal sealed class SingleFlight<T>
{
    private readonly ConcurrentDictionary<string, Lazy<Task<T>>> _running = new(StringComparer.Ordinal);

    /// <summary>The work running under <paramref name="key"/>, or <paramref name="work"/> started as it; a leader must <see cref="Leave"/>.</summary>
    public (Task<T> Work, bool Leader) Join(string key, Func<Task<T>> work)
    {
        var mine = new Lazy<Task<T>>(work);
        var running = _running.GetOrAdd(key, mine);
        return (running.Value, ReferenceEquals(running, mine));
    }

    /// <summary>Ends the sharing of the leader's work: the next caller starts anew. Only the leader removes its key.</summary>
    public void Leave(string key) => _running.TryRemove(key, out _);

    /// <summary>
    /// <see cref="Join"/> shared until the work completes: the leader awaits it, a joiner waits as <paramref name="join"/> says.
    /// The work leaves the flight as it completes, before anyone awaiting it resumes, so a caller that looks again
    /// afterwards starts (or joins) a new run: it is never handed the finished one again. (Left by the leader after
    /// its await, the finished run stayed joinable until the leader got a thread back; a caller that looked again at
    /// once was handed it synchronously, over and over, and on a busy thread pool the leader never resumed.)
    /// </summary>
    public async Task<T> RunAsync(string key, Func<Task<T>> work, Func<Task<T>, Task<T>> join)
    {
        Lazy<Task<T>>? mine = null;
        mine = new Lazy<Task<T>>(async () =>
        {
            try
            {
                return await work().ConfigureAwait(false);
            }
            finally
            {
                _running.TryRemove(KeyValuePair.Create(key, mine!)); // only its own entry
            }
        });
        var running = _running.GetOrAdd(key, mine);
        return ReferenceEquals(running, mine)
            ? await running.Value.ConfigureAwait(false)
            : await join(running.Value).ConfigureAwait(false);
    }
}
