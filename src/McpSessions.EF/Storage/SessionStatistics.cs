namespace McpSessions.EF.Storage;

/// <summary>What <see cref="ISessionAdmin.GetStatisticsAsync"/> counted.</summary>
/// <param name="ByState">Sessions per state; every state is present, zero when none.</param>
/// <param name="Identities">How many distinct identities have at least one session.</param>
/// <param name="TopIdentities">The identities with the most sessions (any state), most first.</param>
/// <param name="DatabaseSizeBytes">The size of the whole database, as the database reports it.</param>
internal sealed record SessionStatistics(
    IReadOnlyDictionary<SessionState, long> ByState,
    long Identities,
    IReadOnlyList<IdentitySessionCount> TopIdentities,
    long DatabaseSizeBytes)
{
    public long Total => ByState.Values.Sum();
}

/// <summary>One identity and how many sessions it has.</summary>
internal readonly record struct IdentitySessionCount(string Identity, long Sessions);
