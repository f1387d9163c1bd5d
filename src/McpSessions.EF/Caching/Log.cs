namespace McpSessions.EF.Caching;

/// <summary>The cache tier's log messages. Never a value from the cache, a token, a header or a key.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1301, Level = LogLevel.Debug, Message = "A session cache operation failed; the call carries on from the database")]
    public static partial void OperationFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Debug, Message = "A session cache operation ran out of its {Timeout} budget; the call carries on from the database")]
    public static partial void OperationTimedOut(ILogger logger, TimeSpan timeout);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "The session cache failed {Failures} times in a row; it is bypassed for {BypassPeriod} and every call goes to the database")]
    public static partial void Bypassing(ILogger logger, int failures, TimeSpan bypassPeriod, Exception? exception);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Warning, Message = "The session cache is still failing; it is bypassed for another {BypassPeriod}")]
    public static partial void StillBypassing(ILogger logger, TimeSpan bypassPeriod, Exception? exception);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Information, Message = "The session cache answers again; it is used again")]
    public static partial void Recovered(ILogger logger);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Debug, Message = "The cache entry of session {SessionId} could not be decrypted ({Reason}); it is read from the database")]
    public static partial void EntryUnreadable(ILogger logger, string sessionId, string reason);

    [LoggerMessage(EventId = 1307, Level = LogLevel.Warning, Message = "{Count} cache invalidations are owed while the cache fails; the whole cache will be invalidated when it answers again")]
    public static partial void InvalidationsOverflowed(ILogger logger, int count);
}
