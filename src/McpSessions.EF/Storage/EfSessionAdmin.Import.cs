namespace McpSessions.EF.Storage;

internal sealed partial class EfSessionAdmin
{
    /// <summary>Rows per delete-and-insert round inside the import's one transaction; bounds statement size and memory of the change tracker.</summary>
    private const int ImportBatchSize = 500;

    public async Task<SessionImportResult> ImportAsync(IReadOnlyList<McpSession> sessions, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        Validate(sessions);
        var now = clock.Now();
        foreach (var session in sessions)
        {
            SessionStamp.ForInsert(session, clock, now, keepTimes: true);
        }

        // One transaction: the table holds all of the file or none of it. Replace = delete the stored row with that
        // session id (whatever its identity), then insert.
        var statements = await runner.StatementsAsync(cancellationToken).ConfigureAwait(false);
        var replaced = await runner.RunAsync(
            (statements, sessions, progress),
            static async (connection, s, ct) =>
            {
                var replaced = 0;
                for (var i = 0; i < s.sessions.Count; i++)
                {
                    var session = s.sessions[i];
                    replaced += await connection.ExecuteAsync(s.statements.DeleteById, SessionStatements.Values(null, session.SessionId), ct).ConfigureAwait(false);
                    await EfSessionStore<SessionsDbContext>.InsertAsync(connection, s.statements, session, ct).ConfigureAwait(false);
                    if ((i + 1) % ImportBatchSize == 0 || i + 1 == s.sessions.Count)
                    {
                        s.progress?.Report(i + 1);
                    }
                }

                return replaced;
            },
            transaction: true,
            cancellationToken).ConfigureAwait(false);

        return new SessionImportResult(sessions.Count - replaced, replaced);
    }

    private static void Validate(IReadOnlyList<McpSession> sessions)
    {
        var seen = new Dictionary<string, int>(sessions.Count, StringComparer.Ordinal);
        for (var i = 0; i < sessions.Count; i++)
        {
            var session = sessions[i] ?? throw new SessionImportException(i, "session", "must not be null.");
            try
            {
                SessionValidator.ValidateNew(session);
                SessionValidator.ValidateUtc(session.UpdatedAt, nameof(McpSession.UpdatedAt));
                SessionValidator.ValidateUtc(session.ExpiresAt, nameof(McpSession.ExpiresAt));
            }
            catch (SessionValidationException e)
            {
                throw new SessionImportException(i, e.Field, e.Rule, e);
            }

            if (!seen.TryAdd(session.SessionId, i))
            {
                throw new SessionImportException(i, nameof(McpSession.SessionId), $"repeats the id of session [{seen[session.SessionId]}]; each id may appear once.");
            }
        }
    }
}
