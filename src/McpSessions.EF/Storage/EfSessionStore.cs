using System.Runtime.CompilerServices;
using McpSessions.EF.Diagnostics;
using McpSessions.EF.Encryption;
using McpSessions.EF.Lifecycle;
using McpSessions.EF.Model;
using McpSessions.EF.Providers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;

namespace McpSessions.EF.Storage;

/// <summary>
/// The EF Core implementation of <see cref="ISessionStore"/>. One short-lived (pooled) context per call, one round trip
/// per call: reads are no-tracking compiled queries, a delete is a compiled <c>ExecuteDelete</c>, and the insert and the
/// partial updates are relational commands built once per shape from the model (<see cref="SessionCommands"/>) that
/// read nothing first.
/// </summary>
internal sealed partial class EfSessionStore<TContext> : ISessionStore where TContext : DbContext
{
    private const int ListAllPageSize = 1000;

    private readonly SessionContextSource<TContext> _contexts;
    private readonly SessionClock _clock;
    private readonly SessionSchemaGate _schema;
    private readonly SessionsDatabase? _database;
    private readonly ILogger _logger;
    private readonly CompiledQueries _queries = new();
    private readonly SessionCommands _commands = new();
    private SqlitePreparedStatements? _prepared;
    private int _disposed;

    private readonly ISessionCleanupNotification[] _cleanupNotifications;

    public EfSessionStore(
        SessionContextSource<TContext> contexts,
        SessionClock clock,
        SessionSchemaGate schema,
        SessionsDatabase? database,
        IEnumerable<ISessionCleanupNotification> cleanupNotifications,
        ILogger<ISessionStore> logger)
    {
        _cleanupNotifications = cleanupNotifications.ToArray();
        _contexts = contexts;
        _clock = clock;
        _schema = schema;
        _database = database;
        _prepared = (database as SqliteSessionsDatabase)?.Statements;
        _logger = logger;
    }

    public string GenerateSessionId() => SessionIdGenerator.NewId();

    public async Task<McpSession> CreateAsync(McpSession session, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateNew(session);
        var now = _clock.Now();
        SessionStamp.ForInsert(session, _clock, now, keepTimes: false);

        if (await PreparedAsync(cancellationToken).ConfigureAwait(false) is { } prepared)
        {
            var insert = _commands.InsertShape();
            try
            {
                prepared.ExecuteNonQuery(insert.Command, SessionCommands.InsertValues(insert, session));
            }
            catch (Exception e) when (SessionsProvider.Sqlite.IsUniqueViolation(e))
            {
                throw new SessionAlreadyExistsException(session.SessionId, e);
            }

            Log.Created(_logger, session.SessionId, session.Active);
            return session;
        }

        await using var lease = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _commands.InsertAsync(lease.Context, session, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Provider(lease.Context).IsUniqueViolation(e))
        {
            throw new SessionAlreadyExistsException(session.SessionId, e);
        }
        catch (Exception e) when (Provider(lease.Context).IsAccessDenied(e))
        {
            throw new SessionAccessDeniedException(session.Identity, session.SessionId, e);
        }

        Log.Created(_logger, session.SessionId, session.Active);
        return session;
    }

    public async Task UpdateAsync(string identity, string sessionId, SessionUpdate update, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateKey(identity, sessionId);
        SessionValidator.ValidateUpdate(update);
        var now = _clock.Now();

        await UpdateLiveAsync(identity, sessionId, update, now, cancellationToken).ConfigureAwait(false);
        Log.Updated(_logger, sessionId, update.Fields);
    }

    public async Task TouchAsync(string identity, string sessionId, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateKey(identity, sessionId);
        var now = _clock.Now();

        await UpdateLiveAsync(identity, sessionId, update: null, now, cancellationToken).ConfigureAwait(false);
    }

    public async Task<McpSession?> GetAsync(string identity, string sessionId, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateKey(identity, sessionId);
        var now = _clock.Now();
        try
        {
            if (await PreparedAsync(cancellationToken).ConfigureAwait(false) is { } prepared)
            {
                var get = _commands.GetShape();
                return prepared.ReadFirst(get.Command, SessionCommands.KeyValues(identity, sessionId, _clock, now), get.Materialize);
            }

            await using var lease = await RentAsync(cancellationToken).ConfigureAwait(false);
            return await _commands.GetAsync(lease.Context, _clock, identity, sessionId, now, cancellationToken).ConfigureAwait(false);
        }
        catch (SecretDecryptionException e)
        {
            // Both paths read with SessionCommands.Read.Materialize, which lets the converter's exception through as is.
            throw e.ForSession(sessionId);
        }
    }

    public async Task<IReadOnlyList<McpSession>> ListAsync(string identity, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateIdentity(identity, "identity");
        var now = _clock.Now();
        await using var lease = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _commands.ListAsync(lease.Context, _clock, identity, now, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (SecretDecryptionException.Find(e) is not null)
        {
            // The converter that failed does not know its row: find the session by reading them one by one, so the
            // exception names it. A failure path only; the happy path stays one round trip.
            foreach (var id in await ListIdsAsync(identity, cancellationToken).ConfigureAwait(false))
            {
                await GetAsync(identity, id, cancellationToken).ConfigureAwait(false);
            }

            throw;
        }
    }

    public async Task<IReadOnlyList<string>> ListIdsAsync(string identity, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateIdentity(identity, "identity");
        var now = _clock.Now();
        await using var lease = await RentAsync(cancellationToken).ConfigureAwait(false);
        return await ToListAsync(_queries.ListIds(lease.Context, identity, now, _clock.DormantCutoff(now)), cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteAsync(string identity, string sessionId, CancellationToken cancellationToken = default)
    {
        SessionValidator.ValidateKey(identity, sessionId);
        if (await PreparedAsync(cancellationToken).ConfigureAwait(false) is { } prepared)
        {
            return prepared.ExecuteNonQuery(_commands.DeleteShape(), SessionCommands.KeyValues(identity, sessionId)) > 0;
        }

        await using var lease = await RentAsync(cancellationToken).ConfigureAwait(false);
        return await _queries.Delete(lease.Context, identity, sessionId, cancellationToken).ConfigureAwait(false) > 0;
    }

    public async IAsyncEnumerable<string> ListAllIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Keyset paging on the unique session_id index: each page is one short query, so millions of rows stream
        // in constant memory and no long-lived reader holds a connection.
        var after = "";
        while (true)
        {
            var now = _clock.Now();
            List<string> page;
            await using (var lease = await RentAsync(cancellationToken).ConfigureAwait(false))
            {
                page = await ToListAsync(_queries.AllIdsPage(lease.Context, after, now, _clock.DormantCutoff(now), ListAllPageSize), cancellationToken).ConfigureAwait(false);
            }

            foreach (var id in page)
            {
                yield return id;
            }

            if (page.Count < ListAllPageSize)
            {
                yield break;
            }

            after = page[^1];
        }
    }

    public async Task<int> ClearAllAsync(CancellationToken cancellationToken = default)
    {
        await using var lease = await RentAsync(cancellationToken).ConfigureAwait(false);
        var rows = await lease.Context.Set<McpSession>().ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        Log.Cleared(_logger, rows);
        return rows;
    }

    public async Task<int> CleanupExpiredAsync(CancellationToken cancellationToken = default)
    {
        var total = await SessionCleanup.RunAsync(RentAsync, _clock, _cleanupNotifications, progress: null, cancellationToken).ConfigureAwait(false);
        if (total > 0)
        {
            Log.CleanedUp(_logger, total);
        }
        return total;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _database is not null)
        {
            await _database.DisposeAsync().ConfigureAwait(false);
        }
    }

    private ValueTask<SessionContextSource<TContext>.Lease> RentAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return _contexts.RentReadyAsync(_schema, cancellationToken);
    }

    /// <summary>One UPDATE of a live session: <c>updated_at</c>, the concurrency token, and what <paramref name="update"/> sets (nothing for a touch).</summary>
    private async Task UpdateLiveAsync(string identity, string sessionId, SessionUpdate? update, DateTimeOffset now, CancellationToken cancellationToken)
    {
        int rows;
        if (await PreparedAsync(cancellationToken).ConfigureAwait(false) is { } prepared)
        {
            rows = prepared.ExecuteNonQuery(
                _commands.UpdateShape(SessionsProvider.Sqlite, update?.Fields ?? SessionFields.None),
                SessionCommands.UpdateValues(_clock, identity, sessionId, update, now));
        }
        else
        {
            await using var lease = await RentAsync(cancellationToken).ConfigureAwait(false);
            rows = await _commands.UpdateAsync(lease.Context, Provider(lease.Context), _clock, identity, sessionId, update, now, cancellationToken).ConfigureAwait(false);
        }

        if (rows == 0)
        {
            throw new SessionNotFoundException(identity, sessionId);
        }
    }

    /// <summary>
    /// On the library's own SQLite database, its prepared statements (<see cref="SqlitePreparedStatements"/>) once the
    /// schema is ready and the statements are built from the model (one context, the first time); otherwise null, and the
    /// call goes through EF Core's pipeline on a rented context.
    /// </summary>
    private async ValueTask<SqlitePreparedStatements?> PreparedAsync(CancellationToken cancellationToken)
    {
        if (_prepared is null)
        {
            return null;
        }

        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (!_schema.IsReady || !_commands.IsBound)
        {
            await using var lease = await RentAsync(cancellationToken).ConfigureAwait(false);
            if (InterceptsCommands(lease.Context))
            {
                _prepared = null;
                return null;
            }

            _commands.Bind(lease.Context);
        }

        return _prepared;
    }

    /// <summary>
    /// Whether the app intercepts the context's commands or connections (<c>ConfigureDbContext</c> with
    /// <c>AddInterceptors</c>): then every call keeps EF Core's pipeline, so its interceptors see every statement.
    /// </summary>
    private static bool InterceptsCommands(DbContext context)
    {
        var interceptors = context.GetService<IInterceptors>();
        return interceptors.Aggregate<IDbCommandInterceptor>() is not null
            || interceptors.Aggregate<IDbConnectionInterceptor>() is not (null or SqliteConnectionPragmas);
    }

    private SessionsProvider Provider(TContext context) => _database?.Provider ?? SessionsProvider.For(context.Database.ProviderName);

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source, CancellationToken cancellationToken)
    {
        var list = new List<T>();
        await foreach (var item in source.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            list.Add(item);
        }

        return list;
    }
}
