namespace McpSessions.EF.Storage;

/// <summary>The store's log messages. Session ids and counts only: never a token, header value or key.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Created session {SessionId} (active: {Active})")]
    public static partial void Created(ILogger logger, string sessionId, bool active);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Updated session {SessionId}: {Fields}")]
    public static partial void Updated(ILogger logger, string sessionId, SessionFields fields);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Removed {Count} sessions that were no longer live")]
    public static partial void CleanedUp(ILogger logger, int count);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Cleared every session ({Count} removed)")]
    public static partial void Cleared(ILogger logger, int count);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Session statements run as {Runner}")]
    public static partial void Runner(ILogger logger, object runner);
}
