using McpSessions.EF.Model;
using Microsoft.EntityFrameworkCore;

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

        await using var lease = await contexts.RentReadyAsync(schema, cancellationToken).ConfigureAwait(false);
        var context = lease.Context;
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var replaced = 0;
        var written = 0;
        try
        {
            foreach (var batch in sessions.Chunk(ImportBatchSize))
            {
                // Replace = delete the stored row with that session id (whatever its identity), then insert.
                var ids = batch.Select(s => s.SessionId).ToList();
                replaced += await context.McpSessions.Where(s => ids.Contains(s.SessionId)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                context.McpSessions.AddRange(batch);
                await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                context.ChangeTracker.Clear();
                written += batch.Length;
                progress?.Report(written);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            context.ChangeTracker.Clear();
        }

        return new SessionImportResult(sessions.Count - replaced, replaced);
    }

    /// <summary>Every session against the rules of CreateAsync, and ids unique within the input, before anything is written.</summary>
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
