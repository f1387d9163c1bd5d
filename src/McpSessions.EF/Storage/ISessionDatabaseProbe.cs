namespace McpSessions.EF.Storage;

/// <summary>Whether the session database is reachable, and which migrations it lacks.</summary>
internal interface ISessionDatabaseProbe
{
    Task<SessionDatabaseState> ProbeAsync(CancellationToken cancellationToken);
}

/// <summary>What <see cref="ISessionDatabaseProbe"/> found.</summary>
internal sealed record SessionDatabaseState(bool CanConnect, IReadOnlyList<string> PendingMigrations, string Description, string? MissingTable = null);
