using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace McpSessions.EF.Lifecycle;

/// <summary>
/// Runs <see cref="ISessionStore.CleanupExpiredAsync"/> every <see cref="McpSessionsOptions.CleanupInterval"/>.
/// The first run waits a random part of one interval, so instances started together do not fire together.
/// </summary>
internal sealed partial class SessionCleanupService(
    ISessionStore store,
    IOptions<McpSessionsOptions> options,
    TimeProvider time,
    ILogger<SessionCleanupService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.CleanupEnabled)
        {
            return;
        }

        var interval = settings.CleanupInterval;
        var firstDelay = TimeSpan.FromTicks(RandomNumberGenerator.GetInt32(0, (int)Math.Min(int.MaxValue, Math.Max(1, interval.Ticks / TimeSpan.TicksPerMillisecond))) * TimeSpan.TicksPerMillisecond);
        try
        {
            await Task.Delay(firstDelay, time, stoppingToken).ConfigureAwait(false);
            using var timer = new PeriodicTimer(interval, time);
            do
            {
                try
                {
                    await store.CleanupExpiredAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One failed run (database restarting, schema not yet migrated) must not end the service.
                    LogFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Session cleanup failed; it runs again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
