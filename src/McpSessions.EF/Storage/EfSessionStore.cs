using System.Runtime.CompilerServices;

namespace McpSessions.EF.Storage;

/// <summary>
/// The EF Core implementation of <see cref="ISessionStore"/>: each call is one statement of <see cref="SessionStatements"/>
/// (one round trip; a write reads nothing first), run by the store's <see cref="SessionCommandRunner{TContext}"/>.
/// </summary>
internal sealed class EfSessionStore<TContext>(
    SessionCommandRunner<TContext> runner,
    SessionClock clock,
    SessionsDatabase? database,
    IEnumerable<ISessionCleanupNotification> cleanupNotifications,
    ILogger<ISessionStore> logger) : ISessionStore
    where TContext : DbContext
{
    private const int ListAllPageSize = 1000;

    private readonly ISessionCleanupNotification[] _cleanupNotifications = cleanupNotifications.ToArray();
    private int _disposed;

    public string GenerateSessionId() => SessionIdGenerator.NewId();

    public async Task<McpSession> CreateAsync(McpSession session, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateNew(session);
        SessionStamp.ForInsert(session, clock, clock.Now(), keepTimes: false);
        var statements = await StatementsAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await runner.RunAsync((statements, session), static (c, s, ct) => InsertAsync(c, s.statements, s.session, ct), transaction: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (statements.Provider.IsUniqueViolation(e))
        {
            throw new SessionAlreadyExistsException(session.SessionId, e);
        }
        catch (Exception e) when (statements.Provider.IsAccessDenied(e))
        {
            throw new SessionAccessDeniedException(session.Identity, session.SessionId, e);
        }

        Log.Created(logger, session.SessionId, session.Active);
        return session;
    }

    /// <summary>Inserts <paramref name="session"/>; where the database moves the concurrency token itself, reads it back.</summary>
    internal static async Task<int> InsertAsync(SessionConnection connection, SessionStatements statements, McpSession session, CancellationToken cancellationToken)
    {
        var insert = statements.Insert;
        var values = statements.InsertValues(session);
        if (insert.Returned is not { } returned)
        {
            return await connection.ExecuteAsync(insert.Command, values, cancellationToken).ConfigureAwait(false);
        }

        var rows = await connection.ReadAsync(insert.Command, values, r => returned.ReadInto(r, session), cancellationToken).ConfigureAwait(false);
        return rows.Count;
    }

    public async Task UpdateAsync(string identity, string sessionId, SessionUpdate update, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateKey(identity, sessionId);
        SessionValidator.ValidateUpdate(update);
        await UpdateLiveAsync(identity, sessionId, update, cancellationToken).ConfigureAwait(false);
        Log.Updated(logger, sessionId, update.Fields);
    }

    public Task TouchAsync(string identity, string sessionId, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateKey(identity, sessionId);
        return UpdateLiveAsync(identity, sessionId, update: null, cancellationToken);
    }

    public async Task<McpSession?> GetAsync(string identity, string sessionId, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateKey(identity, sessionId);
        var statements = await StatementsAsync(cancellationToken).ConfigureAwait(false);
        var get = statements.Get;
        var rows = await runner.ReadAsync(get.Command, SessionStatements.Values(identity, sessionId, clock, clock.Now()), get.Columns.Read, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<IReadOnlyList<McpSession>> ListAsync(string identity, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateIdentity(identity, "identity");
        var list = (await StatementsAsync(cancellationToken).ConfigureAwait(false)).List;
        return await runner.ReadAsync(list.Command, SessionStatements.Values(identity, null, clock, clock.Now()), list.Columns.Read, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> ListIdsAsync(string identity, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateIdentity(identity, "identity");
        var statements = await StatementsAsync(cancellationToken).ConfigureAwait(false);
        return await runner.ReadAsync(statements.ListIds, SessionStatements.Values(identity, null, clock, clock.Now()), static r => r.GetString(0), cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteAsync(string identity, string sessionId, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateKey(identity, sessionId);
        var statements = await StatementsAsync(cancellationToken).ConfigureAwait(false);
        return await runner.ExecuteAsync(statements.Delete, SessionStatements.Values(identity, sessionId), cancellationToken).ConfigureAwait(false) > 0;
    }

    public async IAsyncEnumerable<string> ListAllIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var statements = await StatementsAsync(cancellationToken).ConfigureAwait(false);
        var ids = runner.PagesAsync(statements.AllIdsPage, After, static r => r.GetString(0), ListAllPageSize, cancellationToken);
        await foreach (var id in ids.ConfigureAwait(false))
        {
            yield return id;
        }

        StatementValues After(string? last)
        {
            var values = SessionStatements.Values(null, null, clock, clock.Now());
            values[SessionStatements.AfterParameter] = last ?? "";
            return values;
        }
    }

    public async Task<int> ClearAllAsync(CancellationToken cancellationToken = default)
    {
        var statements = await StatementsAsync(cancellationToken).ConfigureAwait(false);
        var rows = await runner.ExecuteAsync(statements.DeleteAll, [], cancellationToken).ConfigureAwait(false);
        Log.Cleared(logger, rows);
        return rows;
    }

    public async Task<int> CleanupExpiredAsync(CancellationToken cancellationToken = default)
    {
        var total = await SessionCleanup.RunAsync(runner, clock, _cleanupNotifications, progress: null, cancellationToken).ConfigureAwait(false);
        if (total > 0)
        {
            Log.CleanedUp(logger, total);
        }

        return total;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await runner.DisposeAsync().ConfigureAwait(false);
            if (database is not null)
            {
                await database.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private ValueTask<SessionStatements> StatementsAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return runner.StatementsAsync(cancellationToken);
    }

    /// <summary>One UPDATE of a live session: <c>updated_at</c>, the concurrency token, and what <paramref name="update"/> sets (nothing for a touch).</summary>
    private async Task UpdateLiveAsync(string identity, string sessionId, SessionUpdate? update, CancellationToken cancellationToken)
    {
        var statements = await StatementsAsync(cancellationToken).ConfigureAwait(false);
        var values = SessionStatements.UpdateValues(clock, identity, sessionId, update, clock.Now());
        if (await runner.ExecuteAsync(statements.Update(update?.Fields ?? SessionFields.None), values, cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new SessionNotFoundException(identity, sessionId);
        }
    }
}
