using System.Diagnostics;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Diagnostics;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Postgres;

/// <summary>
/// A million sessions, half no longer live, cleaned by two instances at once while a third reads live sessions.
/// It asserts correctness; the wall time is printed for the record, never asserted.
/// </summary>
[Collection(ScaleCollection.Name)]
public sealed class PostgresCleanupAtScaleTests(PostgresFixture fixture, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private const int Rows = 1_000_000;

    /// <summary>
    /// The documented bound: a read never waits on cleanup (MVCC), and a batch of 1000 deletes is one short statement
    /// (tens of milliseconds). On two cores shared by PostgreSQL, two cleaners and the reader, a read is slowed by CPU,
    /// not by locks; one taking longer than this would mean it waited on cleanup.
    /// </summary>
    private static readonly TimeSpan ReadBound = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Two_cleaners_remove_every_expired_row_of_a_million_exactly_once_and_touch_no_live_row_while_reads_go_on()
    {
        var database = await fixture.CreateEmptyDatabaseAsync();
        var clock = TimeProvider.System;
        await fixture.BuildServices(database, o => o.AutoMigrate = true, clock).GetRequiredService<ISessionStore>().ListIdsAsync("nobody");

        // One INSERT … SELECT generate_series: g % 4 = 0 pending and expired, 1 active and dormant (both to remove),
        // 2 pending and live, 3 active and recently used (both to keep).
        await ExecuteAsync(database, $"""
            INSERT INTO mcp_sessions (session_id, user_id, identity, server_url, transport_type, callback_url, created_at, updated_at, expires_at, active)
            SELECT 'bulk-' || g, 'user-' || (g % 5000), 'user-' || (g % 5000), 'https://mcp.example.com/mcp', 'streamable_http', 'https://app.example.com/cb',
                   now() - interval '40 days',
                   CASE g % 4 WHEN 1 THEN now() - interval '40 days' ELSE now() - interval '1 minute' END,
                   CASE g % 4 WHEN 0 THEN now() - interval '1 hour' WHEN 1 THEN now() - interval '39 days' WHEN 2 THEN now() + interval '1 hour' ELSE now() - interval '2 days' END,
                   g % 2 = 1
            FROM generate_series(1, {Rows}) AS g;
            ANALYZE mcp_sessions;
            """);

        var batches = new CountingNotification();
        var cleaners = Enumerable.Range(0, 2).Select(_ =>
        {
            var services = new ServiceCollection();
            services.AddSingleton<ISessionCleanupNotification>(batches);
            services.AddSingleton(clock);
            services.AddMcpSessions(o =>
            {
                o.Provider = SessionStorageProvider.Postgres;
                o.ConnectionString = database;
                o.Encryption.Key = TestKeys.A;
                o.CleanupEnabled = false;
                o.CleanupBatchSize = 1000;
            });
            return services.BuildServiceProvider().GetRequiredService<ISessionStore>();
        }).ToList();
        var reader = fixture.BuildServices(database, null, clock).GetRequiredService<ISessionStore>();

        using var stop = new CancellationTokenSource();
        var slowest = TimeSpan.Zero;
        var reads = 0;
        var readerLoop = Task.Run(async () =>
        {
            var random = new Random(7);
            while (!stop.IsCancellationRequested)
            {
                var g = (random.Next(Rows / 4) * 4) + 2 + random.Next(2); // g % 4 is 2 or 3: live
                var watch = Stopwatch.StartNew();
                var session = await reader.GetAsync($"user-{g % 5000}", $"bulk-{g}");
                slowest = watch.Elapsed > slowest ? watch.Elapsed : slowest;
                Assert.NotNull(session);
                reads++;
            }
        });

        var wall = Stopwatch.StartNew();
        var counts = await Task.WhenAll(cleaners.Select(c => c.CleanupExpiredAsync()));
        wall.Stop();
        await stop.CancelAsync();
        await readerLoop;

        output.WriteLine($"cleanup of {Rows / 2:N0} of {Rows:N0} rows by two cleaners: {wall.Elapsed.TotalSeconds:F1} s ({counts[0]:N0} + {counts[1]:N0}); {reads:N0} reads meanwhile, slowest {slowest.TotalMilliseconds:F0} ms");
        Assert.Equal(Rows / 2, counts.Sum());
        Assert.Equal(Rows / 2, batches.Total);
        Assert.All(counts, c => Assert.True(c > 0, "both cleaners did work"));
        Assert.Equal(
            [(2L, Rows / 4L), (3L, Rows / 4L)],
            await QueryAsync(database, "SELECT (substr(session_id, 6)::int % 4)::bigint, count(*) FROM mcp_sessions GROUP BY 1 ORDER BY 1"));
        Assert.True(reads > 0);
        Assert.True(slowest < ReadBound, $"a read waited {slowest.TotalMilliseconds:F0} ms");
    }

    private static async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<(long, long)>> QueryAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(long, long)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt64(0), reader.GetInt64(1)));
        }

        return rows;
    }

    private sealed class CountingNotification : ISessionCleanupNotification
    {
        private long _total;

        public long Total => Interlocked.Read(ref _total);

        public ValueTask BatchRemovedAsync(int removed, CancellationToken cancellationToken)
        {
            Assert.InRange(removed, 1, 1000);
            Interlocked.Add(ref _total, removed);
            return ValueTask.CompletedTask;
        }
    }
}
