using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.Specification;
using Npgsql;

namespace McpSessions.EF.Tests.Pooler;

/// <summary>The session lock through a transaction-mode PgBouncer, where each transaction may get another server connection.</summary>
public sealed class PgBouncerSessionLockTests(PgBouncerFixture fixture) : SessionLockSpecification<PgBouncerFixture>(fixture)
{
    protected override string ProviderArgument => "pgbouncer";

    /// <summary>
    /// No advisory lock is left in the database (read over a direct connection), and no server connection of the pool
    /// carries a <c>lock_timeout</c> other than the server's default.
    /// </summary>
    protected override async Task AssertNothingLeftBehindAsync()
    {
        Assert.Equal(0, await Fixture.AdvisoryLocksAsync(Fixture.ConnectionString));

        string serverDefault;
        await using (var direct = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Fixture.DirectConnectionString(Fixture.ConnectionString)) { Pooling = false }.ConnectionString))
        {
            await direct.OpenAsync();
            await using var show = new NpgsqlCommand("SHOW lock_timeout", direct);
            serverDefault = (string)(await show.ExecuteScalarAsync())!;
        }

        var pooled = await Fixture.PooledSettingAsync(Fixture.ConnectionString, "lock_timeout");
        var leaked = pooled.Where(p => p.Value != serverDefault).ToList();
        Assert.True(leaked.Count == 0, $"{leaked.Count} of {pooled.Count} pooled server connections carry lock_timeout {string.Join(", ", leaked.Select(p => $"{p.Key}={p.Value}"))}");
    }
}
