namespace McpSessions.EF.Cli.Demo;

/// <summary>
/// The demo's clock: starts at the real UTC now and moves only when the demo says so, so a pending session can be
/// shown expiring without waiting for it.
/// </summary>
internal sealed class DemoClock(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public void Advance(TimeSpan by)
    {
        lock (_gate)
        {
            _now += by;
        }
    }
}
