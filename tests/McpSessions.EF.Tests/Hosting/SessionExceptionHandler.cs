using McpSessions.EF.Encryption;
using McpSessions.EF.Storage;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace McpSessions.EF.Tests.Hosting;

/// <summary>
/// Turns the session store's exceptions into RFC 9457 problem details. Register it with
/// <c>builder.Services.AddProblemDetails(); builder.Services.AddExceptionHandler&lt;SessionExceptionHandler&gt;();</c>
/// and <c>app.UseExceptionHandler();</c>. The caller's mistakes (4xx) say what was wrong; the server's faults (5xx) say
/// nothing about the database or the keys and are logged instead. No message of the library holds a secret.
/// </summary>
public sealed partial class SessionExceptionHandler(IProblemDetailsService problemDetails, ILogger<SessionExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            SessionValidationException e => (StatusCodes.Status400BadRequest, "Invalid session", $"{e.Field} {e.Rule}"),
            SessionAccessDeniedException e => (StatusCodes.Status403Forbidden, "Forbidden", $"You may not write session {e.SessionId}."),
            SessionNotFoundException e => (StatusCodes.Status404NotFound, "Session not found", $"No live session {e.SessionId}."),
            SessionAlreadyExistsException e => (StatusCodes.Status409Conflict, "Session already exists", $"Session {e.SessionId} already exists."),

            // Migrations not applied and AutoMigrate off: the message names the database, so it goes to the log only.
            SessionSchemaNotReadyException => (StatusCodes.Status503ServiceUnavailable, "Session storage is not ready", null),

            // The database is down, cut off or not answering: worth a retry later, and the message is for the log.
            SessionDatabaseUnreachableException => (StatusCodes.Status503ServiceUnavailable, "Session storage is unreachable", null),

            // A wrong or missing key, or a tampered value: the server's fault, never the caller's.
            SecretDecryptionException => (StatusCodes.Status500InternalServerError, "Session secrets cannot be read", null),
            _ => (0, null, null),
        };
        if (status == 0)
        {
            return false; // not the store's: the next handler, or the default 500
        }

        if (status >= StatusCodes.Status500InternalServerError)
        {
            LogServerFault(logger, exception, status);
        }

        httpContext.Response.StatusCode = status;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The session store failed; answered {Status}")]
    private static partial void LogServerFault(ILogger logger, Exception exception, int status);
}
