using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Model;
using System.Linq.Expressions;

namespace McpSessions.EF.Lifecycle;

/// <summary>
/// The lifecycle rules of SPEC §4 against an injected <see cref="TimeProvider"/>. Times are truncated to whole
/// microseconds, the resolution of PostgreSQL's <c>timestamptz</c>, so every provider stores exactly what it was given.
/// </summary>
internal sealed class SessionClock(TimeProvider time, McpSessionsOptions options)
{
    public McpSessionsOptions Options { get; } = options;

    /// <summary>Now, truncated to microseconds.</summary>
    public DateTimeOffset Now() => Truncate(time.GetUtcNow());

    /// <summary>An active session last written before this is dormant.</summary>
    public DateTimeOffset DormantCutoff(DateTimeOffset now) => now - Options.DormantAfter;

    /// <summary>The <c>expires_at</c> of a session that is (or becomes) active or pending at <paramref name="now"/>.</summary>
    public DateTimeOffset ExpiresAt(bool active, DateTimeOffset now) => now + (active ? Options.ActiveTtl : Options.PendingTtl);

    public static DateTimeOffset Truncate(DateTimeOffset value)
    {
        var ticks = value.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);
    }

    /// <summary>The state at <paramref name="now"/> of a session with these stored values; the C# twin of <see cref="IsLive"/>.</summary>
    public SessionState StateOf(bool active, DateTimeOffset updatedAt, DateTimeOffset expiresAt, DateTimeOffset now) =>
        active
            ? updatedAt >= DormantCutoff(now) ? SessionState.Active : SessionState.Dormant
            : expiresAt > now ? SessionState.Pending : SessionState.Expired;

    /// <summary>
    /// When a session with these stored values stops (or stopped) being live: <c>expires_at</c> while pending, the
    /// start of dormancy (<c>updated_at + DormantAfter</c>) once active.
    /// </summary>
    public DateTimeOffset LiveUntil(bool active, DateTimeOffset updatedAt, DateTimeOffset expiresAt) =>
        active ? updatedAt + Options.DormantAfter : expiresAt;

    /// <summary>Live = pending and not expired, or active and not dormant (SPEC §4).</summary>
    public static Expression<Func<McpSession, bool>> IsLive(DateTimeOffset now, DateTimeOffset dormantCutoff) =>
        s => (s.Active && s.UpdatedAt >= dormantCutoff) || (!s.Active && s.ExpiresAt > now);

    /// <summary>The negation of <see cref="IsLive"/>: what cleanup removes.</summary>
    public static Expression<Func<McpSession, bool>> IsNotLive(DateTimeOffset now, DateTimeOffset dormantCutoff) =>
        s => (s.Active && s.UpdatedAt < dormantCutoff) || (!s.Active && s.ExpiresAt <= now);
}
