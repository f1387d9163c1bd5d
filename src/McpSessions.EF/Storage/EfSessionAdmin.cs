using System.Runtime.CompilerServices;

namespace McpSessions.EF.Storage;

/// <summary>
/// <see cref="ISessionAdmin"/> on the library's own <see cref="SessionsDbContext"/>. Whole-table reads are keyset-paged
/// (one short query per page), so they stream in constant memory and hold no connection between pages.
/// </summary>
internal sealed partial class EfSessionAdmin(
    SessionContextSource<SessionsDbContext> contexts,
    SessionCommandRunner<SessionsDbContext> runner,
    SessionClock clock,
    SessionSchemaGate schema,
    SessionsDatabase database,
    IEnumerable<ISessionCleanupNotification> cleanupNotifications) : ISessionAdmin
{
    private const int PageSize = 1000;

    public string DatabaseDescription => database.Description;

    public DateTimeOffset Now => clock.Now();

    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await MigrateCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (database.Provider.Translate(e, database.Description) is { } translated)
        {
            throw translated;
        }
    }

    private async Task<IReadOnlyList<string>> MigrateCoreAsync(CancellationToken cancellationToken)
    {
        await using var lease = contexts.Rent();
        var facade = lease.Context.Database;
        var pending = (await facade.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
        if (pending.Count > 0)
        {
            await facade.MigrateAsync(cancellationToken).ConfigureAwait(false);
        }

        // Checks the migrations are really there and does the provider's one-time preparation (SQLite's WAL mode).
        await schema.EnsureReadyAsync(lease.Context, cancellationToken).ConfigureAwait(false);
        return pending;
    }

    public async IAsyncEnumerable<SessionSummary> ListAsync(string? identity, bool includeNotLive, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (identity is not null)
        {
            SessionValidator.ValidateIdentity(identity, "identity");
        }

        // Only non-secret columns are selected, so nothing is decrypted.
        var page = (await runner.StatementsAsync(cancellationToken).ConfigureAwait(false)).Summaries(identity is not null, !includeNotLive);
        var now = clock.Now();
        var rows = runner.PagesAsync(page.Command, After, page.Columns.Read, PageSize, cancellationToken);
        await foreach (var row in rows.ConfigureAwait(false))
        {
            yield return Summarize(row, now); // the state at the time its page was read, as its filter saw it
        }

        StatementValues After(McpSession? last)
        {
            var values = SessionStatements.Values(identity, null, clock, now = clock.Now());
            values[SessionStatements.AfterCreatedParameter] = last?.CreatedAt ?? DateTimeOffset.UnixEpoch;
            values[SessionStatements.AfterParameter] = last?.SessionId ?? "";
            return values;
        }
    }

    public async Task<McpSession?> FindAsync(string identity, string sessionId, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateKey(identity, sessionId);
        var find = (await runner.StatementsAsync(cancellationToken).ConfigureAwait(false)).Find;
        var rows = await runner.ReadAsync(find.Command, SessionStatements.Values(identity, sessionId), find.Columns.Read, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public async IAsyncEnumerable<McpSession> ExportAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var export = (await runner.StatementsAsync(cancellationToken).ConfigureAwait(false)).ExportPage;
        var sessions = runner.PagesAsync(
            export.Command, static last => new StatementValues { [SessionStatements.AfterParameter] = last?.SessionId ?? "" }, export.Columns.Read, PageSize, cancellationToken);
        await foreach (var session in sessions.ConfigureAwait(false))
        {
            yield return session;
        }
    }

    public async Task<long> CountNotLiveAsync(CancellationToken cancellationToken = default)
    {
        var statements = await runner.StatementsAsync(cancellationToken).ConfigureAwait(false);
        var counts = await runner.ReadAsync(statements.CountNotLive, SessionStatements.Values(null, null, clock, clock.Now()), static r => SessionStatements.ReadCount(r), cancellationToken).ConfigureAwait(false);
        return counts[0];
    }

    public Task<int> CleanupExpiredAsync(IProgress<int>? progress = null, CancellationToken cancellationToken = default) =>
        SessionCleanup.RunAsync(runner, clock, cleanupNotifications.ToArray(), progress, cancellationToken);

    public async Task<SessionStatistics> GetStatisticsAsync(int topIdentities, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(topIdentities);
        var statements = await runner.StatementsAsync(cancellationToken).ConfigureAwait(false);

        // (active, live, count): the state of SessionClock.StateOf, computed by the database in one grouped scan.
        var byState = Enum.GetValues<SessionState>().ToDictionary(s => s, _ => 0L);
        var counts = await runner.ReadAsync(
            statements.CountByState, SessionStatements.Values(null, null, clock, clock.Now()), r => (Active: SessionStatements.ReadCount(r, 0) == 1, Live: SessionStatements.ReadCount(r, 1) == 1, Count: SessionStatements.ReadCount(r, 2)), cancellationToken).ConfigureAwait(false);
        foreach (var (active, live, count) in counts)
        {
            byState[live ? active ? SessionState.Active : SessionState.Pending : active ? SessionState.Dormant : SessionState.Expired] += count;
        }

        var identities = await runner.ReadAsync(statements.CountIdentities, [], static r => SessionStatements.ReadCount(r), cancellationToken).ConfigureAwait(false);
        var top = await runner.ReadAsync(
            statements.TopIdentities, new StatementValues { [SessionStatements.LimitParameter] = topIdentities }, r => new IdentitySessionCount(r.GetString(0), SessionStatements.ReadCount(r, 1)), cancellationToken).ConfigureAwait(false);
        var size = await runner.ReadAsync(statements.DatabaseSize, [], static r => SessionStatements.ReadCount(r), cancellationToken).ConfigureAwait(false);
        return new SessionStatistics(byState, identities[0], top, size[0]);
    }

    public SessionSummary Summarize(McpSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return Summarize(session, clock.Now());
    }

    private SessionSummary Summarize(McpSession s, DateTimeOffset now) =>
        new(s.SessionId, s.Identity, s.ServerId, s.ServerName, s.ServerUrl, s.TransportType, s.Active, s.CreatedAt, s.UpdatedAt, s.ExpiresAt)
        {
            State = clock.StateOf(s.Active, s.UpdatedAt, s.ExpiresAt, now),
            LiveUntil = clock.LiveUntil(s.Active, s.UpdatedAt, s.ExpiresAt),
        };
}
