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

    /// <summary>
    /// SPEC §4's live rule, its one definition: an active session is live until it goes dormant, a pending one until it
    /// expires. <see cref="IsLive(bool, DateTimeOffset, DateTimeOffset, DateTimeOffset)"/> is this compiled, <see cref="LiveSql"/> this written as SQL, so the store's
    /// queries, the cache's hits and the admin's states cannot disagree. A NULL <c>active</c> (the column allows it)
    /// reads as pending, the peer's default, on both sides.
    /// </summary>
    private static readonly Expression<Func<bool, DateTimeOffset, DateTimeOffset, DateTimeOffset, DateTimeOffset, bool>> LiveRule =
        (active, updatedAt, expiresAt, now, dormantCutoff) => active ? updatedAt >= dormantCutoff : expiresAt > now;

    private static readonly Func<bool, DateTimeOffset, DateTimeOffset, DateTimeOffset, DateTimeOffset, bool> Live = LiveRule.Compile();

    /// <summary>Whether a session with these stored values is live at <paramref name="now"/>.</summary>
    public bool IsLive(bool active, DateTimeOffset updatedAt, DateTimeOffset expiresAt, DateTimeOffset now) =>
        Live(active, updatedAt, expiresAt, now, DormantCutoff(now));

    /// <inheritdoc cref="IsLive(bool, DateTimeOffset, DateTimeOffset, DateTimeOffset)"/>
    public bool IsLive(McpSession session, DateTimeOffset now) => IsLive(session.Active, session.UpdatedAt, session.ExpiresAt, now);

    /// <summary>The state at <paramref name="now"/> of a session with these stored values.</summary>
    public SessionState StateOf(bool active, DateTimeOffset updatedAt, DateTimeOffset expiresAt, DateTimeOffset now) =>
        IsLive(active, updatedAt, expiresAt, now)
            ? active ? SessionState.Active : SessionState.Pending
            : active ? SessionState.Dormant : SessionState.Expired;

    /// <summary>
    /// When a session with these stored values stops (or stopped) being live: <c>expires_at</c> while pending, the
    /// start of dormancy (<c>updated_at + DormantAfter</c>) once active. The boundary of <see cref="LiveRule"/>.
    /// </summary>
    public DateTimeOffset LiveUntil(bool active, DateTimeOffset updatedAt, DateTimeOffset expiresAt) =>
        active ? updatedAt + Options.DormantAfter : expiresAt;

    /// <summary>
    /// <see cref="LiveRule"/> as a SQL condition over the given (delimited) columns and parameter placeholders. A
    /// NULL <c>active</c> takes the ELSE branch: pending, as in C#.
    /// </summary>
    public static string LiveSql(string active, string updatedAt, string expiresAt, string now, string dormantCutoff)
    {
        string[] names = [active, updatedAt, expiresAt, now, dormantCutoff];
        return Sql(LiveRule.Body);

        string Sql(Expression node) => node switch
        {
            ConditionalExpression c => $"CASE WHEN {Sql(c.Test)} THEN {Sql(c.IfTrue)} ELSE {Sql(c.IfFalse)} END",
            BinaryExpression { NodeType: ExpressionType.GreaterThan } b => $"{Sql(b.Left)} > {Sql(b.Right)}",
            BinaryExpression { NodeType: ExpressionType.GreaterThanOrEqual } b => $"{Sql(b.Left)} >= {Sql(b.Right)}",
            ParameterExpression p => names[LiveRule.Parameters.IndexOf(p)],
            _ => throw new NotSupportedException($"LiveSql cannot write {node.NodeType}: extend it with the rule."),
        };
    }
}
