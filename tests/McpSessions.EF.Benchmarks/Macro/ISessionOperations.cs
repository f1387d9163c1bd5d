namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>
/// The phases' operations, done by the library or by a raw baseline. Each call is one logical operation on session
/// <c>i</c> (or identity <c>k</c>) of the current <see cref="Workload"/>, and checks its own result, so a benchmark
/// can never time a fast failure.
/// </summary>
internal interface ISessionOperations : IAsyncDisposable
{
    /// <summary>What the report calls it: <c>library</c>, <c>raw Npgsql</c>, …</summary>
    string Name { get; }

    Task CreateAsync(Workload work, int i);

    Task GetAsync(Workload work, int i);

    Task UpdateAsync(Workload work, int i);

    Task ListAsync(Workload work, int identity);

    Task ListIdsAsync(Workload work, int identity);

    /// <summary>Streams every live session id of the table; returns how many.</summary>
    Task<long> ListAllIdsAsync();

    Task DeleteAsync(Workload work, int i);
}
