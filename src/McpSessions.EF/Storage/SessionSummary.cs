namespace McpSessions.EF.Storage;

/// <summary>A session without its secrets, as <see cref="ISessionAdmin.ListAsync"/> reads it.</summary>
internal sealed record SessionSummary(
    string SessionId,
    string Identity,
    string? ServerId,
    string? ServerName,
    string ServerUrl,
    McpTransportType TransportType,
    bool Active,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset ExpiresAt)
{
    /// <summary>The state when it was read.</summary>
    public SessionState State { get; init; }

    /// <summary>When it stops (or stopped) being live: the end of the OAuth window while pending, the start of dormancy once active.</summary>
    public DateTimeOffset LiveUntil { get; init; }
}
