namespace McpSessions.EF.Diagnostics;

/// <summary>Told after each cleanup batch how many sessions it removed. Register any number as singletons.</summary>
public interface ISessionCleanupNotification
{
    /// <summary>Called after a batch committed, with the count it removed (never zero).</summary>
    ValueTask BatchRemovedAsync(int removed, CancellationToken cancellationToken);
}
