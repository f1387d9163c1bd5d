using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// Listens to the cache tier's counters of one service provider only (its <see cref="IMeterFactory"/> is the meters'
/// scope), so tests running side by side do not count each other.
/// </summary>
public sealed class CacheMetrics : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _totals = new();

    public CacheMetrics(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "McpSessions.EF" && ReferenceEquals(instrument.Meter.Scope, scope))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => _totals.AddOrUpdate(instrument.Name, value, (_, total) => total + value));
        _listener.Start();
    }

    public long Hits => Get("mcp_sessions.cache.hits");

    public long Misses => Get("mcp_sessions.cache.misses");

    public long Errors => Get("mcp_sessions.cache.errors");

    public long Bypassed => Get("mcp_sessions.cache.bypassed");

    public long Get(string name) => _totals.GetValueOrDefault(name);

    public void Dispose() => _listener.Dispose();
}
