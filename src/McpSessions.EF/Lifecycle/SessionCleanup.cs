namespace McpSessions.EF.Lifecycle;

/// <summary>The cleanup loop, shared by <see cref="ISessionStore.CleanupExpiredAsync"/> and the admin's cleanup with progress.</summary>
internal static class SessionCleanup
{
    /// <summary>Deletes every row that is no longer live, in batches of <c>CleanupBatchSize</c>. Returns the count removed.</summary>
    /// <param name="runner">Runs the batches.</param>
    /// <param name="clock">The lifecycle rules and the batch size.</param>
    /// <param name="notifications">Told each batch's count.</param>
    /// <param name="progress">Told the running total after each batch.</param>
    /// <param name="cancellationToken">Stops between (or during) batches; what was deleted stays deleted.</param>
    public static async Task<int> RunAsync<TContext>(
        SessionCommandRunner<TContext> runner,
        SessionClock clock,
        IReadOnlyList<ISessionCleanupNotification> notifications,
        IProgress<int>? progress,
        CancellationToken cancellationToken)
        where TContext : DbContext
    {
        var statements = await runner.StatementsAsync(cancellationToken).ConfigureAwait(false);
        var batchSize = clock.Options.CleanupBatchSize;
        var total = 0;
        int removed;
        do
        {
            // One bounded statement per batch, oldest expiry first: each is its own short transaction, so live
            // rows are never blocked for longer than one batch (PostgreSQL: FOR UPDATE SKIP LOCKED, see the provider).
            var values = SessionStatements.Values(null, null, clock, clock.Now());
            values[SessionStatements.LimitParameter] = batchSize;
            removed = await runner.ExecuteAsync(statements.CleanupBatch, values, cancellationToken).ConfigureAwait(false);
            if (removed > 0)
            {
                foreach (var notification in notifications)
                {
                    await notification.BatchRemovedAsync(removed, cancellationToken).ConfigureAwait(false);
                }
            }

            total += removed;
            progress?.Report(total);
        }
        while (removed == batchSize);

        return total;
    }
}
