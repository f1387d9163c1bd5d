using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;
using Npgsql;

namespace McpSessions.EF.Tests.Pooler;

/// <summary>The session lock through a transaction-mode PgBouncer, where each transaction may get another server connection.</summary>
public sealed class PgBouncerSessionLockTests(PgBouncerFixture fixture) : SessionLockSpecification<PgBouncerFixture>(fixture)
{
    protected override string ProviderArgument => "pgbouncer";

    /// <summary>
    /// Advisory locks held in the database (read over a direct connection), and server connections of the pool that
    /// carry a <c>lock_timeout</c> other than a fresh session's.
    /// </summary>
    protected override async Task<IReadOnlyList<string>> LeftoversAsync()
    {
        var leftovers = new List<string>();
        if (await Fixture.AdvisoryLocksAsync(Fixture.ConnectionString) is var locks and > 0)
        {
            leftovers.Add($"{locks} advisory locks");
        }

        string fresh;
        await using (var direct = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Fixture.DirectConnectionString(Fixture.ConnectionString)) { Pooling = false }.ConnectionString))
        {
            await direct.OpenAsync();
            await using var show = new NpgsqlCommand("SHOW lock_timeout", direct);
            fresh = (string)(await show.ExecuteScalarAsync())!;
        }

        var pooled = await Fixture.PooledSettingAsync(Fixture.ConnectionString, "lock_timeout");
        var leaked = pooled.Where(p => p.Value != fresh).ToList();
        if (leaked.Count > 0)
        {
            leftovers.Add($"{leaked.Count} of {pooled.Count} pooled server connections with lock_timeout {string.Join(", ", leaked.Select(p => p.Value))} (a fresh session has {fresh})");
        }

        return leftovers;
    }
}
