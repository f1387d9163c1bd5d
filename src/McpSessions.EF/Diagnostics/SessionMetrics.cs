using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace McpSessions.EF.Diagnostics;

/// <summary>
/// The store's instruments on the meter <c>McpSessions.EF</c>, named for OpenTelemetry. Tags are low-cardinality
/// only: the operation, the outcome, an exception type. Never an identity or a session id. The meter belongs to the
/// <see cref="IMeterFactory"/> (which hands the same one to the cache tier), so it is not disposed here.
/// </summary>
internal sealed class SessionMetrics
{
    public const string MeterName = "McpSessions.EF";

    private readonly Meter _meter;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _created;
    private readonly Counter<long> _activated;
    private readonly Counter<long> _cleanedUp;
    private readonly Histogram<double> _lockWait;

    public SessionMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _duration = _meter.CreateHistogram<double>("mcp_sessions.operation.duration", "s", "Duration of session store operations.");
        _created = _meter.CreateCounter<long>("mcp_sessions.sessions.created", "{session}", "Sessions created.");
        _activated = _meter.CreateCounter<long>("mcp_sessions.sessions.activated", "{session}", "Sessions that became active.");
        _cleanedUp = _meter.CreateCounter<long>("mcp_sessions.sessions.cleaned_up", "{session}", "Sessions removed by cleanup because they were no longer live.");
        _lockWait = _meter.CreateHistogram<double>("mcp_sessions.lock.wait.duration", "s", "Time spent waiting for a session lock.");
    }

    public void Operation(string operation, long startTimestamp, Exception? error)
    {
        if (!_duration.Enabled)
        {
            return; // nobody listens: skip the clock and the tags
        }

        var tags = new TagList { { "mcp_sessions.operation", operation } };
        if (error is not null)
        {
            tags.Add("error.type", error.GetType().Name);
        }

        _duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
    }

    public void Created(bool active)
    {
        _created.Add(1);
        if (active)
        {
            _activated.Add(1);
        }
    }

    public void Activated() => _activated.Add(1);

    public void CleanedUp(int count)
    {
        if (count > 0)
        {
            _cleanedUp.Add(count);
        }
    }

    public void LockWait(TimeSpan waited, bool acquired) =>
        _lockWait.Record(waited.TotalSeconds, new KeyValuePair<string, object?>("mcp_sessions.lock.outcome", acquired ? "acquired" : "timeout"));
}
