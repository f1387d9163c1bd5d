using McpSessions.EF.Diagnostics;
using System.Runtime.CompilerServices;
using McpSessions.EF.Encryption;
using McpSessions.EF.Lifecycle;
using McpSessions.EF.Model;
using McpSessions.EF.Providers;
using Microsoft.EntityFrameworkCore;

namespace McpSessions.EF.Storage;

/// <summary>
/// <see cref="ISessionAdmin"/> on the library's own <see cref="SessionsDbContext"/>. Whole-table reads are keyset-paged
/// (one short query per page), so they stream in constant memory and hold no connection between pages.
/// </summary>
internal sealed partial class EfSessionAdmin(
    SessionContextSource<SessionsDbContext> contexts,
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

        SessionSummary? last = null;
        while (true)
        {
            var page = await ListPageAsync(identity, includeNotLive, last, cancellationToken).ConfigureAwait(false);
            foreach (var summary in page)
            {
                yield return summary;
            }

            if (page.Count < PageSize)
            {
                yield break;
            }

            last = page[^1];
        }
    }

    public async Task<McpSession?> FindAsync(string identity, string sessionId, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateKey(identity, sessionId);
        await using var lease = await contexts.RentReadyAsync(schema, cancellationToken).ConfigureAwait(false);
        try
        {
            return await lease.Context.McpSessions.AsNoTracking()
                .FirstOrDefaultAsync(s => s.SessionId == sessionId && s.Identity == identity, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (SecretDecryptionException.Find(e) is { } failure)
        {
            throw failure.ForSession(sessionId);
        }
    }

    public async IAsyncEnumerable<McpSession> ExportAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var after = "";
        while (true)
        {
            var page = await ExportPageAsync(after, cancellationToken).ConfigureAwait(false);
            foreach (var session in page)
            {
                yield return session;
            }

            if (page.Count < PageSize)
            {
                yield break;
            }

            after = page[^1].SessionId;
        }
    }

    public async Task<long> CountNotLiveAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.Now();
        await using var lease = await contexts.RentReadyAsync(schema, cancellationToken).ConfigureAwait(false);
        return await lease.Context.McpSessions.Where(SessionClock.IsNotLive(now, clock.DormantCutoff(now))).LongCountAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<int> CleanupExpiredAsync(IProgress<int>? progress = null, CancellationToken cancellationToken = default) =>
        SessionCleanup.RunAsync(ct => contexts.RentReadyAsync(schema, ct), clock, cleanupNotifications.ToArray(), progress, cancellationToken);

    public async Task<SessionStatistics> GetStatisticsAsync(int topIdentities, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(topIdentities);
        var now = clock.Now();
        var cutoff = clock.DormantCutoff(now);
        await using var lease = await contexts.RentReadyAsync(schema, cancellationToken).ConfigureAwait(false);
        var sessions = lease.Context.McpSessions;

        // The state of each row, as SessionClock.StateOf decides it, computed by the database in one grouped scan.
        var counts = await sessions
            .GroupBy(s => s.Active
                ? (s.UpdatedAt >= cutoff ? SessionState.Active : SessionState.Dormant)
                : (s.ExpiresAt > now ? SessionState.Pending : SessionState.Expired))
            .Select(g => new { State = g.Key, Count = g.LongCount() })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var byState = Enum.GetValues<SessionState>().ToDictionary(s => s, s => counts.FirstOrDefault(c => c.State == s)?.Count ?? 0);

        var identities = await sessions.Select(s => s.Identity).Distinct().LongCountAsync(cancellationToken).ConfigureAwait(false);
        var top = await sessions
            .GroupBy(s => s.Identity)
            .Select(g => new { Identity = g.Key, Count = g.LongCount() })
            .OrderByDescending(g => g.Count).ThenBy(g => g.Identity)
            .Take(topIdentities)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var size = await lease.Context.Database.SqlQueryRaw<long>(database.Provider.DatabaseSizeSql).ToListAsync(cancellationToken).ConfigureAwait(false);

        return new SessionStatistics(byState, identities, [.. top.Select(t => new IdentitySessionCount(t.Identity, t.Count))], size.Single());
    }

    public SessionSummary Summarize(McpSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return WithLife(
            new SessionSummary(session.SessionId, session.Identity, session.ServerId, session.ServerName, session.ServerUrl, session.TransportType, session.Active, session.CreatedAt, session.UpdatedAt, session.ExpiresAt),
            clock.Now());
    }

    private SessionSummary WithLife(SessionSummary summary, DateTimeOffset now) => summary with
    {
        State = clock.StateOf(summary.Active, summary.UpdatedAt, summary.ExpiresAt, now),
        LiveUntil = clock.LiveUntil(summary.Active, summary.UpdatedAt, summary.ExpiresAt),
    };

    private async Task<List<SessionSummary>> ListPageAsync(string? identity, bool includeNotLive, SessionSummary? after, CancellationToken cancellationToken)
    {
        var now = clock.Now();
        var cutoff = clock.DormantCutoff(now);
        await using var lease = await contexts.RentReadyAsync(schema, cancellationToken).ConfigureAwait(false);
        IQueryable<McpSession> query = lease.Context.McpSessions.AsNoTracking();
        if (identity is not null)
        {
            query = query.Where(s => s.Identity == identity);
        }

        if (!includeNotLive)
        {
            query = query.Where(SessionClock.IsLive(now, cutoff));
        }

        if (after is not null)
        {
            var afterCreated = after.CreatedAt;
            var afterId = after.SessionId;
#pragma warning disable CA1309 // translated to SQL: the comparison and ORDER BY both use the column's collation
            query = query.Where(s => s.CreatedAt > afterCreated || (s.CreatedAt == afterCreated && string.Compare(s.SessionId, afterId) > 0));
#pragma warning restore CA1309
        }

        // Only non-secret columns are selected, so no value converter decrypts anything.
        var page = await query
            .OrderBy(s => s.CreatedAt).ThenBy(s => s.SessionId)
            .Take(PageSize)
            .Select(s => new SessionSummary(s.SessionId, s.Identity, s.ServerId, s.ServerName, s.ServerUrl, s.TransportType, s.Active, s.CreatedAt, s.UpdatedAt, s.ExpiresAt))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return page.ConvertAll(s => WithLife(s, now));
    }

    private async Task<List<McpSession>> ExportPageAsync(string after, CancellationToken cancellationToken)
    {
        await using var lease = await contexts.RentReadyAsync(schema, cancellationToken).ConfigureAwait(false);
#pragma warning disable CA1309 // translated to SQL: the comparison and ORDER BY both use the column's collation
        var page = lease.Context.McpSessions.AsNoTracking()
            .Where(s => string.Compare(s.SessionId, after) > 0)
            .OrderBy(s => s.SessionId)
            .Take(PageSize);
#pragma warning restore CA1309
        try
        {
            return await page.ToListAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (SecretDecryptionException.Find(e) is { } failure)
        {
            // The converter that failed does not know its row: read the page's rows one by one, so the exception
            // names the session. A failure path only.
            foreach (var id in await page.Select(s => s.SessionId).ToListAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await lease.Context.McpSessions.AsNoTracking().Where(s => s.SessionId == id).ToListAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception rowFailure) when (SecretDecryptionException.Find(rowFailure) is { } named)
                {
                    throw named.ForSession(id);
                }
            }

            throw failure;
        }
    }
}
