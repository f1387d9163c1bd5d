namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>
/// The sessions one target works on in one run: <see cref="Sessions"/> sessions spread round-robin over
/// <see cref="Identities"/> identities. Each target has identities and session ids of its own (the <c>owner</c>), so
/// the library and its baseline share one table but never each other's rows.
/// </summary>
internal sealed class Workload(string owner, int sessions, int identities)
{
    private readonly string[] _identities = Enumerable.Range(0, identities).Select(k => $"{owner}-user-{k:D3}").ToArray();
    private readonly string[] _sessionIds = Enumerable.Range(0, sessions).Select(i => $"{owner}-{i:D7}").ToArray();

    public string Owner { get; } = owner;

    public int Sessions => _sessionIds.Length;

    public int Identities => _identities.Length;

    /// <summary>How many sessions each identity holds.</summary>
    public int PerIdentity(int identity) => (Sessions / Identities) + (identity < Sessions % Identities ? 1 : 0);

    public string IdentityOf(int session) => _identities[session % _identities.Length];

    public string Identity(int identity) => _identities[identity];

    public string SessionId(int session) => _sessionIds[session];

    /// <summary>Creates every session of this workload through <paramref name="target"/> and activates it (an update with tokens).</summary>
    public async Task FillAsync(ISessionOperations target)
    {
        for (var i = 0; i < Sessions; i++)
        {
            await target.CreateAsync(this, i);
            await target.UpdateAsync(this, i);
        }
    }
}
