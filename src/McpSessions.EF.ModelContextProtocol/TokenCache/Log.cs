using Microsoft.Extensions.Logging;

namespace McpSessions.EF.ModelContextProtocol.TokenCache;

/// <summary>The token cache's log messages: session ids and issuers only, never a token, secret or header value.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 8101, Level = LogLevel.Debug, Message = "Session {SessionId}: tokens stored (refresh token present: {HasRefreshToken})")]
    public static partial void Stored(ILogger logger, string sessionId, bool hasRefreshToken);

    [LoggerMessage(EventId = 8102, Level = LogLevel.Debug, Message = "Session {SessionId}: access token expired; this instance holds the refresh lock while the SDK refreshes")]
    public static partial void RefreshTaken(ILogger logger, string sessionId);

    [LoggerMessage(EventId = 8103, Level = LogLevel.Debug, Message = "Session {SessionId}: another instance refreshed the tokens while this one waited")]
    public static partial void RefreshedElsewhere(ILogger logger, string sessionId);

    [LoggerMessage(EventId = 8104, Level = LogLevel.Warning, Message = "Session {SessionId}: the refresh lock was released after {Timeout} without new tokens being stored")]
    public static partial void HoldTimedOut(ILogger logger, string sessionId, TimeSpan timeout);

    [LoggerMessage(EventId = 8105, Level = LogLevel.Warning, Message = "Session {SessionId}: stored tokens belong to authorization server {BoundIssuer}, not {SelectedIssuer}; they are not handed out")]
    public static partial void IssuerMismatch(ILogger logger, string sessionId, string boundIssuer, string selectedIssuer);

    [LoggerMessage(EventId = 8106, Level = LogLevel.Debug, Message = "Session {SessionId}: dynamic client registration stored for {Issuer}")]
    public static partial void RegistrationStored(ILogger logger, string sessionId, string? issuer);

    [LoggerMessage(EventId = 8107, Level = LogLevel.Error, Message = "Session {SessionId}: releasing the refresh lock failed")]
    public static partial void ReleaseFailed(ILogger logger, string sessionId, Exception exception);
}
