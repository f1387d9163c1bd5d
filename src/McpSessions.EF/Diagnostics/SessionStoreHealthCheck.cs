using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace McpSessions.EF.Diagnostics;

/// <summary>
/// Healthy when the session database is reachable and its session table is there (on the library's own database: no
/// pending migrations); says why otherwise. A host's other pending migrations are not the session store's to report.
/// </summary>
internal sealed class SessionStoreHealthCheck(ISessionDatabaseProbe probe) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        SessionDatabaseState state;
        try
        {
            state = await probe.ProbeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The session database could not be checked: {e.GetType().Name}.", e);
        }

        if (!state.CanConnect)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The session database ({state.Description}) is not reachable.");
        }

        if (state.Problem is { } problem)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, problem);
        }

        return HealthCheckResult.Healthy($"The session database ({state.Description}) is reachable and migrated.");
    }
}
