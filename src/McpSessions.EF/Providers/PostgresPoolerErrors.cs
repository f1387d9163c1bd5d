using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace McpSessions.EF.Providers;

/// <summary>
/// Turns the errors of a transaction-mode pooler that meets a prepared statement (prepared on one server connection,
/// used on another) into a <see cref="PostgresPoolerException"/> that names the setting. Added to the store's context
/// only while statements are prepared automatically; it is called only when a command fails.
/// </summary>
internal sealed class PostgresPoolerErrors : DbCommandInterceptor
{
    public static readonly PostgresPoolerErrors Instance = new();

    public const string Setting = "McpSessions:PostgresPooler";

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => ThrowIfRefused(eventData.Exception);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        ThrowIfRefused(eventData.Exception);
        return Task.CompletedTask;
    }

    /// <summary>Throws the <see cref="PostgresPoolerException"/> for <paramref name="exception"/> if it is a pooler's refusal of a prepared statement.</summary>
    public static void ThrowIfRefused(Exception exception)
    {
        if (exception is PostgresException { SqlState: var state } e
            && (state == PostgresErrorCodes.DuplicatePreparedStatement
                || (state is PostgresErrorCodes.InvalidSqlStatementName or PostgresErrorCodes.ProtocolViolation
                    && e.MessageText.Contains("prepared statement", StringComparison.Ordinal))))
        {
            throw new PostgresPoolerException(
                $"PostgreSQL refused a prepared statement ({state}: {e.MessageText}): the connection goes through a transaction-mode pooler "
                + $"(PgBouncer with pool_mode = transaction, Supavisor), which cannot keep prepared statements. Set {Setting} to Transaction "
                + "(environment variable McpSessions__PostgresPooler=Transaction).",
                e);
        }
    }
}
