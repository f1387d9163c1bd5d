using System.Diagnostics.Metrics;

namespace McpSessions.EF.Caching;

/// <summary>
/// The cache tier's counters, on the meter <c>McpSessions.EF</c> (from the app's <see cref="IMeterFactory"/> when it
/// registered one). No tags: a key or identity would be unbounded cardinality.
/// </summary>
internal sealed class SessionCacheMetrics : IDisposable
{
    public const string MeterName = "McpSessions.EF";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _bypassed;

    public SessionCacheMetrics(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _hits = _meter.CreateCounter<long>("mcp_sessions.cache.hits", "{call}", "GetAsync calls answered from the cache.");
        _misses = _meter.CreateCounter<long>("mcp_sessions.cache.misses", "{call}", "GetAsync calls that found no current entry and read the database.");
        _errors = _meter.CreateCounter<long>("mcp_sessions.cache.errors", "{operation}", "Cache operations that failed or ran out of time.");
        _bypassed = _meter.CreateCounter<long>("mcp_sessions.cache.bypassed", "{call}", "Store calls that skipped the cache while it was bypassed after repeated failures.");
    }

    public void Hit() => _hits.Add(1);

    public void Miss() => _misses.Add(1);

    public void Error() => _errors.Add(1);

    public void Bypassed() => _bypassed.Add(1);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
