
namespace McpSessions.EF.Encryption;

/// <summary>
/// Walks the table in session-id order, one page at a time, in one transaction per page. Each row is read whole (the
/// value converters decrypt it with any key of the ring) beside its secret columns' stored text (which key wrote it);
/// the rows not yet current are written back, which encrypts them under the primary key. Each write is guarded by the
/// row's concurrency token and leaves <c>updated_at</c> alone, so a row the application changed meanwhile is re-read
/// and retried rather than overwritten with an older value, and no dormant session is revived.
/// </summary>
internal sealed partial class EfSessionReencryptor<TContext>(
    SessionCommandRunner<TContext> runner,
    SessionKeyRing keyRing,
    int batchSize,
    ILogger<ISessionReencryptor> logger) : ISessionReencryptor
    where TContext : DbContext
{
    private const int MaxConflictRetries = 10;

    public async Task<ReencryptionProgress> ReencryptAsync(IProgress<ReencryptionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (keyRing.Primary is null && keyRing.Keys.Count == 0)
        {
            throw new EncryptionConfigurationException("Re-encryption needs a primary key: set McpSessions:Encryption:Key (STORAGE_ENCRYPTION_KEY).");
        }

        var statements = await runner.StatementsAsync(cancellationToken).ConfigureAwait(false);
        var total = (await runner.ReadAsync(statements.Count, [], static r => SessionStatements.ReadCount(r), cancellationToken).ConfigureAwait(false))[0];
        long scanned = 0, rewritten = 0;
        var after = "";
        while (true)
        {
            var (pageSize, changed, last) = await ReencryptPageAsync(statements, after, cancellationToken).ConfigureAwait(false);
            scanned += pageSize;
            rewritten += changed;
            var current = new ReencryptionProgress(scanned, rewritten, Math.Max(total, scanned));
            progress?.Report(current);
            if (pageSize < batchSize)
            {
                Log.Finished(logger, scanned, rewritten);
                return current;
            }

            after = last!;
        }
    }

    private async Task<(int PageSize, int Rewritten, string? Last)> ReencryptPageAsync(SessionStatements statements, string after, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await runner.RunAsync(
                    (Reencryptor: this, Statements: statements, After: after),
                    static (c, s, ct) => s.Reencryptor.RewritePageAsync(c, s.Statements, s.After, ct),
                    transaction: true,
                    cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrentWriteException) when (attempt < MaxConflictRetries)
            {
                // The application wrote one of these rows meanwhile; the page was rolled back: read it again and retry.
                Log.Conflict(logger, attempt + 1);
            }
        }
    }

    private async Task<(int PageSize, int Rewritten, string? Last)> RewritePageAsync(SessionConnection connection, SessionStatements statements, string after, CancellationToken cancellationToken)
    {
        var secrets = statements.SecretColumns;
        var page = await connection.ReadAsync(
            statements.ReencryptPage,
            new Dictionary<string, object?> { [SessionStatements.AfterParameter] = after, [SessionStatements.LimitParameter] = batchSize },
            r =>
            {
                var current = true;
                for (var i = 0; i < secrets.Count; i++)
                {
                    var ordinal = r.FieldCount - secrets.Count + i;
                    current &= r.IsDBNull(ordinal) || keyRing.IsCurrent(secrets[i].Column, r.GetString(ordinal));
                }

                return (Session: statements.Session.Read(r), Current: current);
            },
            cancellationToken).ConfigureAwait(false);

        var rewritten = 0;
        foreach (var (session, _) in page.Where(row => !row.Current))
        {
            var values = new Dictionary<string, object?> { [nameof(McpSession.Id)] = session.Id, [nameof(McpSession.Version)] = session.Version };
            foreach (var (property, _) in secrets)
            {
                values[property.Name] = property.GetGetter().GetClrValueUsingContainingEntity(session);
            }

            if (await connection.ExecuteAsync(statements.Reencrypt, values, cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new ConcurrentWriteException();
            }

            rewritten++;
        }

        return (page.Count, rewritten, page.Count == 0 ? null : page[^1].Session.SessionId);
    }

    /// <summary>A row's concurrency token moved between the page's read and its write: the page rolls back.</summary>
    private sealed class ConcurrentWriteException : Exception;

    private static partial class Log
    {
        [LoggerMessage(EventId = 1211, Level = LogLevel.Information, Message = "Re-encryption finished: {Scanned} rows scanned, {Rewritten} rewritten")]
        public static partial void Finished(ILogger logger, long scanned, long rewritten);

        [LoggerMessage(EventId = 1212, Level = LogLevel.Debug, Message = "Re-encryption met a concurrent write; retrying the page (attempt {Attempt})")]
        public static partial void Conflict(ILogger logger, int attempt);
    }
}
