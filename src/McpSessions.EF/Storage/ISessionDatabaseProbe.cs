namespace McpSessions.EF.Storage;

/// <summary>Reads whether the session database is reachable and its session table ready, for the health check.</summary>
internal interface ISessionDatabaseProbe
{
    Task<SessionDatabaseState> ProbeAsync(CancellationToken cancellationToken);
}

/// <summary>What <see cref="ISessionDatabaseProbe"/> found: <paramref name="Problem"/> says what is not ready, and what to run.</summary>
internal sealed record SessionDatabaseState(bool CanConnect, string Description, string? Problem = null);
