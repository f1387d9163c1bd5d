using System.Diagnostics.Metrics;

namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>Counts the cache tier's hits and misses (its own counters), so the report can show that a get phase measured hits.</summary>
internal sealed class CacheHitCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _hits;
    private long _misses;

    public CacheHitCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "McpSessions.EF" && instrument.Name is "mcp_sessions.cache.hits" or "mcp_sessions.cache.misses")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "mcp_sessions.cache.hits")
            {
                Interlocked.Add(ref _hits, value);
            }
            else
            {
                Interlocked.Add(ref _misses, value);
            }
        });
        _listener.Start();
    }

    public (long Hits, long Misses) Take() => (Interlocked.Exchange(ref _hits, 0), Interlocked.Exchange(ref _misses, 0));

    public void Dispose() => _listener.Dispose();
}
