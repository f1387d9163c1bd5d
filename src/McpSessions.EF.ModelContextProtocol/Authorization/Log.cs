using Microsoft.Extensions.Logging;

namespace McpSessions.EF.ModelContextProtocol.Authorization;

/// <summary>The redirect flow's log messages: session ids and issuers, never a state, code, verifier or token.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 8201, Level = LogLevel.Information, Message = "Session {SessionId}: authorization begun with {Issuer} (client registered now: {Registered})")]
    public static partial void Begun(ILogger logger, string sessionId, string issuer, bool registered);

    [LoggerMessage(EventId = 8202, Level = LogLevel.Information, Message = "Session {SessionId}: authorization completed; the session is active")]
    public static partial void Completed(ILogger logger, string sessionId);

    [LoggerMessage(EventId = 8203, Level = LogLevel.Warning, Message = "An authorization callback was refused: its state is unknown, expired or already used")]
    public static partial void UnknownState(ILogger logger);

    [LoggerMessage(EventId = 8204, Level = LogLevel.Warning, Message = "Session {SessionId}: the authorization response names another issuer than {Issuer}")]
    public static partial void IssuerMismatch(ILogger logger, string sessionId, string issuer);
}
