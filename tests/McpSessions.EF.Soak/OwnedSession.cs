namespace McpSessions.EF.Soak;

/// <summary>
/// One session a task owns, and what the database may hold for it. Every write (a delete too) takes the next number,
/// and a written value carries its number in its tokens, headers and verifier. A write that returned leaves exactly one
/// possible state; a write that threw may or may not have committed, so until a database read settles it both the
/// state before and the one attempted are possible. Sessions are never re-created: a deleted id stays deleted.
/// </summary>
internal sealed class OwnedSession(string identity, string sessionId)
{
    /// <summary>The state "no row": before the create, after the delete.</summary>
    public const long Absent = -1;

    /// <summary>How many acknowledged writes the ledger keeps per session, for the other process's staleness checks.</summary>
    private const int HistoryLength = 16;

    private readonly object _gate = new();
    private readonly List<long> _possible = [Absent];
    private readonly List<Ack> _history = [];
    private long _attemptedDelete = Absent;

    public string Identity { get; } = identity;

    public string SessionId { get; } = sessionId;

    /// <summary>The last number handed out.</summary>
    public long LastNumber { get; private set; } = Absent;

    /// <summary>When its delete was acknowledged or settled; 0 while it lives.</summary>
    public long DeletedAtMs { get; private set; }

    /// <summary>Whether a failed write left more than one possible state.</summary>
    public bool Unsettled
    {
        get
        {
            lock (_gate)
            {
                return _possible.Count > 1;
            }
        }
    }

    /// <summary>The one state the database holds, when settled: the number of the row's value, or <see cref="Absent"/>.</summary>
    public long Current
    {
        get
        {
            lock (_gate)
            {
                return _possible[0];
            }
        }
    }

    public bool Exists => !Unsettled && Current != Absent;

    /// <summary>Whether its create never committed: settled absent with nothing acknowledged. It is dropped.</summary>
    public bool NeverCreated
    {
        get
        {
            lock (_gate)
            {
                return _possible.Count == 1 && _possible[0] == Absent && _history.Count == 0;
            }
        }
    }

    public long Next() => ++LastNumber;

    /// <summary>The write numbered <paramref name="number"/> returned.</summary>
    public void Wrote(long number, bool delete, long nowMs)
    {
        lock (_gate)
        {
            _possible.Clear();
            _possible.Add(delete ? Absent : number);
            _history.Add(new Ack(number, nowMs, delete));
            if (_history.Count > HistoryLength)
            {
                _history.RemoveAt(0);
            }

            DeletedAtMs = delete ? nowMs : 0;
        }
    }

    /// <summary>The write numbered <paramref name="number"/> threw: it may have committed.</summary>
    public void Failed(long number, bool delete)
    {
        lock (_gate)
        {
            var state = delete ? Absent : number;
            if (!_possible.Contains(state))
            {
                _possible.Add(state); // the first stays the last acknowledged state
            }

            if (delete)
            {
                _attemptedDelete = number;
            }
        }
    }

    /// <summary>Whether the database may hold <paramref name="seen"/> now.</summary>
    public bool Possible(long seen)
    {
        lock (_gate)
        {
            return _possible.Contains(seen);
        }
    }

    /// <summary>A database read saw <paramref name="seen"/>, one of the possible states: it is the state now.</summary>
    public void Settle(long seen, long nowMs)
    {
        lock (_gate)
        {
            if (seen == _possible[0])
            {
                _possible.RemoveRange(1, _possible.Count - 1); // the failed writes did not commit
                return;
            }
        }

        // A failed write committed after all: it counts as acknowledged now (later than it was, which only makes the
        // other process's staleness check more lenient, never wrongly strict).
        Wrote(seen == Absent ? _attemptedDelete : seen, seen == Absent, nowMs);
    }

    public Ack[] History()
    {
        lock (_gate)
        {
            return [.. _history];
        }
    }

    /// <summary>The write numbered <see cref="Number"/> acknowledged at <see cref="AtMs"/> (Unix ms); a delete when <see cref="Delete"/>.</summary>
    internal readonly record struct Ack(long Number, long AtMs, bool Delete);
}
