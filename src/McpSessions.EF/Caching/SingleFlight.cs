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
    /// </summary>
    public async Task<T> RunAsync(string key, Func<Task<T>> work, Func<Task<T>, Task<T>> join)
    {
        var (running, leader) = Join(key, work);
        if (!leader)
        {
            return await join(running).ConfigureAwait(false);
        }

        try
        {
            return await running.ConfigureAwait(false);
        }
        finally
        {
            Leave(key);
        }
    }
}
