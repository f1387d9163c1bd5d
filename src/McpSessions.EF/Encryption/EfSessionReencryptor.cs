using McpSessions.EF.Model;
using McpSessions.EF.Providers;
using McpSessions.EF.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace McpSessions.EF.Encryption;

/// <summary>
/// Walks the table in session-id order, one page at a time. Each page's stored secret text is read raw (the value
/// converters would hide which key wrote it); the rows not yet current are loaded and saved with their secret columns
/// marked modified, which re-encrypts them under the primary key. The save is guarded by the row's concurrency token,
/// so a row the application changed meanwhile is re-read and retried rather than overwritten with an older value.
/// </summary>
internal sealed partial class EfSessionReencryptor<TContext>(
    SessionContextSource<TContext> contexts,
    SessionSchemaGate schema,
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

        long total, scanned = 0, rewritten = 0;
        await using (var lease = contexts.Rent())
        {
            await schema.EnsureReadyAsync(lease.Context, cancellationToken).ConfigureAwait(false);
            total = await lease.Context.Set<McpSession>().LongCountAsync(cancellationToken).ConfigureAwait(false);
        }

        var after = "";
        while (true)
        {
            var (pageSize, changed, last) = await ReencryptPageAsync(after, cancellationToken).ConfigureAwait(false);
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

    private async Task<(int PageSize, int Rewritten, string? Last)> ReencryptPageAsync(string after, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            await using var lease = contexts.Rent();
            var context = lease.Context;
            var page = await ReadRawPageAsync(context, after, cancellationToken).ConfigureAwait(false);
            var stale = page.Where(row => !IsCurrent(row)).Select(row => row.SessionId).ToList();
            if (stale.Count == 0)
            {
                return (page.Count, 0, page.LastOrDefault()?.SessionId);
            }

            var provider = SessionsProvider.For(context.Database.ProviderName);
            var sessions = await context.Set<McpSession>().Where(s => stale.Contains(s.SessionId)).ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var session in sessions)
            {
                var entry = context.Entry(session);
                foreach (var property in SecretProperties)
                {
                    entry.Property(property).IsModified = true;
                }

                if (!provider.MovesVersionItself)
                {
                    session.Version++;
                }
            }

            try
            {
                await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                return (page.Count, sessions.Count, page[^1].SessionId);
            }
            catch (DbUpdateConcurrencyException) when (attempt < MaxConflictRetries)
            {
                // The application wrote one of these rows meanwhile; read the page again and retry.
                Log.Conflict(logger, attempt + 1);
            }
        }
    }

    private async Task<List<RawSecrets>> ReadRawPageAsync(TContext context, string after, CancellationToken cancellationToken)
    {
        var entity = context.Model.FindEntityType(typeof(McpSession))!;
        var sql = context.GetService<ISqlGenerationHelper>();
        var provider = SessionsProvider.For(context.Database.ProviderName);
        var table = sql.DelimitIdentifier(entity.GetTableName()!, entity.GetSchema());
        var query =
            $"SELECT session_id AS \"SessionId\", {provider.JsonAsText("headers")} AS \"Headers\", " +
            $"{provider.JsonAsText("client_information")} AS \"ClientInformation\", {provider.JsonAsText("tokens")} AS \"Tokens\", " +
            $"code_verifier AS \"CodeVerifier\" FROM {table} WHERE session_id > {{0}} ORDER BY session_id LIMIT {{1}}";
        return await context.Database.SqlQueryRaw<RawSecrets>(query, after, batchSize).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    private bool IsCurrent(RawSecrets row) =>
        Current(SecretColumn.Headers, row.Headers)
        && Current(SecretColumn.ClientInformation, row.ClientInformation)
        && Current(SecretColumn.Tokens, row.Tokens)
        && Current(SecretColumn.CodeVerifier, row.CodeVerifier);

    private bool Current(SecretColumn column, string? stored) => stored is null || keyRing.IsCurrent(column, stored);

    private static readonly string[] SecretProperties =
        [nameof(McpSession.Headers), nameof(McpSession.ClientInformation), nameof(McpSession.Tokens), nameof(McpSession.CodeVerifier)];

    internal sealed class RawSecrets
    {
        public string SessionId { get; set; } = "";

        public string? Headers { get; set; }

        public string? ClientInformation { get; set; }

        public string? Tokens { get; set; }

        public string? CodeVerifier { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1211, Level = LogLevel.Information, Message = "Re-encryption finished: {Scanned} rows scanned, {Rewritten} rewritten")]
        public static partial void Finished(ILogger logger, long scanned, long rewritten);

        [LoggerMessage(EventId = 1212, Level = LogLevel.Debug, Message = "Re-encryption met a concurrent write; retrying the page (attempt {Attempt})")]
        public static partial void Conflict(ILogger logger, int attempt);
    }
}
