using McpSessions.EF.Model;
using Microsoft.EntityFrameworkCore;

namespace McpSessions.EF.Storage;

internal sealed partial class EfSessionStore<TContext>
{
    /// <summary>
    /// The id reads as compiled queries, and the delete as a compiled <c>ExecuteDelete</c> (whole sessions are read by
    /// <see cref="SessionCommands"/>, with a materializer of its own). A compiled query binds to the model it first runs against,
    /// and one process can hold stores on different models (SQLite and PostgreSQL, other table names), so each store
    /// owns its set. The live predicate of <see cref="Lifecycle.SessionClock.IsLive"/> is written out in each,
    /// because a compiled query cannot call it.
    /// </summary>
    private sealed class CompiledQueries
    {
        public readonly Func<TContext, string, DateTimeOffset, DateTimeOffset, IAsyncEnumerable<string>> ListIds =
            Microsoft.EntityFrameworkCore.EF.CompileAsyncQuery((TContext context, string identity, DateTimeOffset now, DateTimeOffset dormantCutoff) =>
                context.Set<McpSession>()
                    .Where(s => s.Identity == identity)
                    .Where(s => (s.Active && s.UpdatedAt >= dormantCutoff) || (!s.Active && s.ExpiresAt > now))
                    .OrderBy(s => s.CreatedAt).ThenBy(s => s.SessionId)
                    .Select(s => s.SessionId));

        public readonly Func<TContext, string, string, CancellationToken, Task<int>> Delete =
            Microsoft.EntityFrameworkCore.EF.CompileAsyncQuery((TContext context, string identity, string sessionId, CancellationToken _) =>
                context.Set<McpSession>()
                    .Where(s => s.SessionId == sessionId && s.Identity == identity)
                    .ExecuteDelete());

        public readonly Func<TContext, string, DateTimeOffset, DateTimeOffset, int, IAsyncEnumerable<string>> AllIdsPage =
            Microsoft.EntityFrameworkCore.EF.CompileAsyncQuery((TContext context, string after, DateTimeOffset now, DateTimeOffset dormantCutoff, int pageSize) =>
                context.Set<McpSession>()
#pragma warning disable CA1309 // translated to SQL: the comparison and ORDER BY both use the column's collation
                    .Where(s => string.Compare(s.SessionId, after) > 0)
#pragma warning restore CA1309
                    .Where(s => (s.Active && s.UpdatedAt >= dormantCutoff) || (!s.Active && s.ExpiresAt > now))
                    .OrderBy(s => s.SessionId)
                    .Select(s => s.SessionId)
                    .Take(pageSize));
    }
}
