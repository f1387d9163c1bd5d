using Microsoft.Extensions.Logging;

namespace McpSessions.EF.Caching;

/// <summary>
/// Decides whether a store call uses the cache. Closed: every call does. After <c>FailureThreshold</c> consecutive
/// failures it opens: calls bypass the cache for <c>BypassPeriod</c> (one warning). When the period is over, one call
/// probes: the period is re-armed as the probe starts, so the other calls keep bypassing meanwhile and a probe that
/// never reports cannot wedge it. A success closes it; a failed probe logs the one warning of the new period.
/// The closed path reads one field, with no lock.
/// </summary>
internal sealed class SessionCacheCircuitBreaker(TimeProvider time, int failureThreshold, TimeSpan bypassPeriod, ILogger logger)
{
    private readonly Lock _gate = new();
    private long _openUntilTicks; // 0: closed
    private int _failures;
    private bool _probing;

    public enum Admission
    {
        /// <summary>Use the cache.</summary>
        Use,

        /// <summary>Skip the cache for this call.</summary>
        Bypass,
    }

    public bool IsOpen => Volatile.Read(ref _openUntilTicks) != 0;

    public Admission Admit()
    {
        var openUntil = Volatile.Read(ref _openUntilTicks);
        if (openUntil == 0)
        {
            return Admission.Use;
        }

        var now = time.GetUtcNow().UtcTicks;
        if (now < openUntil)
        {
            return Admission.Bypass;
        }

        lock (_gate)
        {
            if (_openUntilTicks == 0)
            {
                return Admission.Use;
            }

            if (now < _openUntilTicks)
            {
                return Admission.Bypass;
            }

            _openUntilTicks = now + bypassPeriod.Ticks;
            _probing = true;
            return Admission.Use;
        }
    }

    public void Success()
    {
        if (Volatile.Read(ref _failures) == 0 && Volatile.Read(ref _openUntilTicks) == 0)
        {
            return;
        }

        bool recovered;
        lock (_gate)
        {
            recovered = _openUntilTicks != 0;
            _failures = 0;
            _openUntilTicks = 0;
            _probing = false;
        }

        if (recovered)
        {
            Log.Recovered(logger);
        }
    }

    public void Failure(Exception? exception)
    {
        int failures;
        bool opened, probeFailed;
        lock (_gate)
        {
            failures = ++_failures;
            probeFailed = _probing;
            _probing = false;
            opened = _openUntilTicks == 0 && failures >= failureThreshold;
            if (opened)
            {
                _openUntilTicks = time.GetUtcNow().UtcTicks + bypassPeriod.Ticks;
            }
        }

        if (opened)
        {
            Log.Bypassing(logger, failures, bypassPeriod, exception);
        }
        else if (probeFailed)
        {
            Log.StillBypassing(logger, bypassPeriod, exception);
        }
    }
}
