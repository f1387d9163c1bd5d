namespace McpSessions.EF.Storage;

/// <summary>What the store assigns to a session it inserts, on create and on import.</summary>
internal static class SessionStamp
{
    /// <summary>
    /// Assigns the surrogate key and the version, defaults <see cref="McpSession.CreatedAt"/> to now and
    /// <see cref="McpSession.UserId"/> to the identity, and sets <see cref="McpSession.UpdatedAt"/> and
    /// <see cref="McpSession.ExpiresAt"/> as for a write at <paramref name="now"/>, unless <paramref name="keepTimes"/>
    /// and they are set. Times are truncated to microseconds.
    /// </summary>
    public static void ForInsert(McpSession session, SessionClock clock, DateTimeOffset now, bool keepTimes)
    {
        session.Id = Guid.CreateVersion7(now);
        session.CreatedAt = Or(session.CreatedAt, now);
        session.UpdatedAt = keepTimes ? Or(session.UpdatedAt, now) : now;
        session.ExpiresAt = keepTimes ? Or(session.ExpiresAt, clock.ExpiresAt(session.Active, now)) : clock.ExpiresAt(session.Active, now);
        session.Version = 0;
        if (session.UserId.Length == 0)
        {
            session.UserId = session.Identity;
        }

        static DateTimeOffset Or(DateTimeOffset value, DateTimeOffset otherwise) => value == default ? otherwise : SessionClock.Truncate(value);
    }
}
