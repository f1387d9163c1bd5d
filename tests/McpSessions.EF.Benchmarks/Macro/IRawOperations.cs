namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>A raw baseline (Microsoft.Data.Sqlite, Npgsql): the phases' operations, and the reads of the floors.</summary>
internal interface IRawOperations : ISessionOperations
{
    /// <summary>
    /// The raw list of <see cref="ISessionOperations.ListAsync"/>, then every stored secret of every row authenticated
    /// and decrypted (<see cref="StoredSecretCipher"/>): the floor of a list that authenticates what it reads.
    /// </summary>
    Task ListOpenedAsync(Workload work, int identity);
}
