using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using McpSessions.EF.Encryption;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace McpSessions.EF.Tests.Faults;

/// <summary>
/// SPEC §10, with real processes killed by SIGKILL at random points: the CLI's <c>import</c>, <c>reencrypt</c> and
/// <c>cleanup</c>, and a burst of updates in a host of its own (McpSessions.EF.CrashHost). Each scenario measures the
/// operation once, then kills it <see cref="KillPoints"/> times at seeded random times spread from before its
/// interesting part to after it, and checks the database after every kill. A provider subclasses this with its
/// fixture and says how to see that writes reached the table and how to let a killed process's work settle.
/// Replay a failure with MCPSESSIONS_CRASH_SEED set to the seed its message names.
/// </summary>
public abstract class CrashSafetySpecification<TFixture>(TFixture fixture, ITestOutputHelper output) : IClassFixture<TFixture>, IDisposable
    where TFixture : SessionStoreFixture
{
    protected const int KillPoints = 20;

    // Sizes: each operation's work lasts about as long as the CLI's start-up (~1 s of CPU), so that most kills of a
    // window around it land in it, and the 160 kills stay within the suite's budget.
    private const int ImportRows = 1500;
    private const int ReencryptRows = 600;
    private const int LiveRows = 60;
    private const int NotLiveRows = 600;
    private const int BurstTasks = 4;
    private const int BurstSessionsPerTask = 4;
    private const int BurstRounds = 25;

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("mcpsessions-crash-");

    protected TFixture Fixture { get; } = fixture;

    /// <summary>The provider argument of the crash host: postgres or sqlite.</summary>
    protected abstract string HostProvider { get; }

    /// <summary>Empties the session table, so that <see cref="ImportUnderWayAsync"/> is false until something writes to it.</summary>
    protected abstract Task EmptyTableAsync(string connectionString);

    /// <summary>
    /// Whether <paramref name="process"/>'s import has begun writing, committed or not: polled while it runs, and once
    /// after it ended (an import rolled back by the kill leaves no row, so this is how a kill is known to have cut one).
    /// </summary>
    protected abstract Task<bool> ImportUnderWayAsync(string connectionString, ChildProcess process);

    /// <summary>After a kill: waits until the killed process's work has ended in the database, and checks the database is sound.</summary>
    protected abstract Task SettleAsync(string connectionString, string where);

    [Fact]
    public async Task Kill_mid_import_leaves_all_of_the_file_or_none_of_it()
    {
        var db = await MigratedDatabaseAsync();
        var file = Path.Combine(_root.FullName, "sessions.json");
        await File.WriteAllBytesAsync(file, ImportFile(ImportRows));
        var env = CliEnvironment(db, TestKeys.A);

        await EmptyTableAsync(db);
        ChildProcess? calibration = null;
        var plan = await CalibrateAsync("import", db, () => calibration = Cli(env, "import", file), async () => await ImportUnderWayAsync(db, calibration!));
        await AssertImportedAsync(db, plan.Where(-1, TimeSpan.Zero));

        for (var k = 0; k < KillPoints; k++)
        {
            await EmptyTableAsync(db);
            var at = plan.Next();
            var where = plan.Where(k, at);
            using var cli = Cli(env, "import", file);
            var watch = WatchAsync(cli, () => ImportUnderWayAsync(db, cli));
            var (killed, _) = await cli.KillAtAsync(at);
            Assert.True(killed || cli.ExitCode == 0, $"{where}: the import failed by itself.\n{cli.Describe()}");
            var written = await watch;
            await SettleAsync(db, where);

            var count = await CountAsync(db, "1 = 1");
            Assert.True(count is 0 or ImportRows, $"{where}: a half-done import: {count} of {ImportRows} rows.");
            if (count == ImportRows)
            {
                await AssertImportedAsync(db, where);
            }

            plan.Record(killed, count == ImportRows ? Outcome.After : written ? Outcome.Mid : Outcome.Before, cli.EndedAt);
        }

        plan.Report(output);
    }

    [Fact]
    public async Task Kill_mid_reencryption_leaves_every_row_readable_and_a_rerun_finishes_it()
    {
        var db = await MigratedDatabaseAsync();
        var expected = Enumerable.Range(0, ReencryptRows).Select(i => SecretSession($"re-{i:D5}", i, active: true)).ToList();
        await ImportAsync(db, TestKeys.A, expected);
        var batch = ("McpSessions__ReencryptBatchSize", (string?)"10");

        var plan = await CalibrateAsync(
            "reencrypt",
            db,
            () => Cli(CliEnvironment(db, TestKeys.B, TestKeys.A, batch), "reencrypt"),
            async () => await CountUnderAsync(db, TestKeys.B) > 0);
        await AssertSecretsReadAsync(db, expected, plan.Where(-1, TimeSpan.Zero), TestKeys.B);

        // Kill k re-encrypts from the key every row is under (old) to the other one (primary): B to A, then A to B, ...
        var old = TestKeys.B;
        for (var k = 0; k < KillPoints; k++)
        {
            var primary = old == TestKeys.A ? TestKeys.B : TestKeys.A;
            var at = plan.Next();
            var where = plan.Where(k, at);
            var env = CliEnvironment(db, primary, old, batch);
            using var cli = Cli(env, "reencrypt");
            var (killed, _) = await cli.KillAtAsync(at);
            Assert.True(killed || cli.ExitCode == 0, $"{where}: reencrypt failed by itself.\n{cli.Describe()}");
            await SettleAsync(db, where);

            // Every row reads with the ring {primary, old}, whatever the kill cut off.
            await AssertSecretsReadAsync(db, expected, where, primary, old);
            var rewritten = await CountUnderAsync(db, primary);
            var outcome = rewritten == 0 ? Outcome.Before : rewritten == ReencryptRows ? Outcome.After : Outcome.Mid;
            plan.Record(killed, outcome, cli.EndedAt);
            if (outcome == Outcome.Before)
            {
                continue;
            }

            if (outcome == Outcome.Mid)
            {
                // A rerun finishes the job: it rewrites exactly the rows the killed run had not reached.
                var rerun = await CliProcess.RunAsync(_root.FullName, _root.FullName, env, "reencrypt");
                Assert.True(rerun.ExitCode == 0, $"{where}: the rerun failed.\n{rerun}");
                Assert.Contains($"rewrote {ReencryptRows - rewritten} under", rerun.StandardOutput, StringComparison.Ordinal);
            }

            // Then the old key can go: every row reads with the primary alone.
            Assert.Equal(ReencryptRows, await CountUnderAsync(db, primary));
            await AssertSecretsReadAsync(db, expected, where, primary);
            old = primary;
        }

        plan.Report(output);
    }

    [Fact]
    public async Task Kill_mid_cleanup_removes_no_live_session_and_a_rerun_removes_the_rest()
    {
        var db = await MigratedDatabaseAsync();
        var live = Enumerable.Range(0, LiveRows).Select(i => SecretSession($"keep-{i:D4}", i, active: i % 2 == 0)).ToList();
        var notLive = Enumerable.Range(0, NotLiveRows).Select(i => SecretSession($"gone-{"eda"[i % 3]}-{i:D4}", i, active: i % 3 != 0)).ToList();
        await ImportAsync(db, TestKeys.A, [.. live, .. notLive]);
        await MakeNotLiveAsync(db);
        var env = CliEnvironment(db, key: null, old: null, ("McpSessions__CleanupBatchSize", "10"));
        const string NotLive = "session_id LIKE 'gone-%'";

        var plan = await CalibrateAsync("cleanup", db, () => Cli(env, "cleanup"), async () => await CountAsync(db, NotLive) < NotLiveRows);
        await AssertLiveRowsAsync(db, live, plan.Where(-1, TimeSpan.Zero));
        Assert.Equal(0, await CountAsync(db, NotLive));

        for (var k = 0; k < KillPoints; k++)
        {
            // Put back the non-live rows the last run removed.
            var left = (await ReadAllAsync(db, TestKeys.A)).Keys.ToHashSet();
            await ImportAsync(db, TestKeys.A, [.. notLive.Where(s => !left.Contains(s.SessionId)).Select(s => SecretSession(s.SessionId, int.Parse(s.SessionId[^4..], CultureInfo.InvariantCulture), s.Active))]);
            await MakeNotLiveAsync(db);
            Assert.Equal(NotLiveRows, await CountAsync(db, NotLive));

            var at = plan.Next();
            var where = plan.Where(k, at);
            using var cli = Cli(env, "cleanup");
            var (killed, _) = await cli.KillAtAsync(at);
            Assert.True(killed || cli.ExitCode == 0, $"{where}: cleanup failed by itself.\n{cli.Describe()}");
            await SettleAsync(db, where);

            await AssertLiveRowsAsync(db, live, where);
            var remaining = await CountAsync(db, NotLive);
            var outcome = remaining == NotLiveRows ? Outcome.Before : remaining == 0 ? Outcome.After : Outcome.Mid;
            plan.Record(killed, outcome, cli.EndedAt);
            if (outcome == Outcome.Mid)
            {
                var rerun = await CliProcess.RunAsync(_root.FullName, _root.FullName, env, "cleanup");
                Assert.True(rerun.ExitCode == 0, $"{where}: the rerun failed.\n{rerun}");
                Assert.Contains($"Removed {remaining} session(s)", rerun.StandardOutput, StringComparison.Ordinal);
                Assert.Equal(0, await CountAsync(db, NotLive));
                await AssertLiveRowsAsync(db, live, where);
            }
        }

        plan.Report(output);
    }

    [Fact]
    public async Task Kill_mid_burst_of_updates_loses_no_update_that_returned_and_applies_none_by_half()
    {
        var db = await MigratedDatabaseAsync();
        var acknowledged = new Dictionary<string, long>();
        await using (var services = Fixture.BuildServices(db, clock: TimeProvider.System))
        {
            var store = services.GetRequiredService<ISessionStore>();
            for (var t = 0; t < BurstTasks; t++)
            {
                for (var s = 0; s < BurstSessionsPerTask; s++)
                {
                    var session = TestSessions.New("crash", $"burst-{t}-{s}", active: true);
                    session.ServerName = "name-0";
                    session.ClientId = "client-0";
                    session.Tokens = new OAuthTokens { AccessToken = "access-0", RefreshToken = "refresh-0", TokenType = "Bearer" };
                    await store.CreateAsync(session);
                    acknowledged[session.SessionId] = 0;
                }
            }
        }

        var plan = await CalibrateAsync("burst", db, () => Burst(db, generation: 1), () => Task.FromResult(false), begunLine: line => line.StartsWith("u ", StringComparison.Ordinal));
        await AssertBurstAsync(db, acknowledged, [], plan.Where(-1, TimeSpan.Zero));

        for (var k = 0; k < KillPoints; k++)
        {
            var at = plan.Next();
            var where = plan.Where(k, at);
            using var host = Burst(db, generation: k + 2);
            var (killed, lines) = await host.KillAtAsync(at);
            Assert.True(killed || host.ExitCode == 0, $"{where}: the burst failed by itself.\n{host.Describe()}");
            await SettleAsync(db, where);

            var returned = lines.Where(l => l.StartsWith("u ", StringComparison.Ordinal)).ToList();
            await AssertBurstAsync(db, acknowledged, returned, where);
            plan.Record(killed, returned.Count == 0 ? Outcome.Before : lines.Contains("done") || !killed ? Outcome.After : Outcome.Mid, host.EndedAt);
        }

        plan.Report(output);
    }

    public void Dispose() => _root.Delete(recursive: true);

    private ChildProcess Cli(IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        ChildProcess.Start(CliProcess.Assembly, arguments, CliProcess.Environment(_root.FullName, environment), _root.FullName);

    private ChildProcess Burst(string db, int generation) => ChildProcess.Start(
        CrashHost.Assembly,
        ["burst", HostProvider, db, TestKeys.A, $"{BurstTasks}", $"{BurstSessionsPerTask}", $"{generation}", $"{BurstRounds}"]);

    private Dictionary<string, string?> CliEnvironment(string db, string? key, string? old = null, params (string Name, string? Value)[] more)
    {
        var env = Fixture.CliEnvironment(db);
        env["STORAGE_ENCRYPTION_KEY"] = key;
        env["STORAGE_ENCRYPTION_OLD_KEYS"] = old;
        foreach (var (name, value) in more)
        {
            env[name] = value;
        }

        return env;
    }

    private async Task<string> MigratedDatabaseAsync()
    {
        var db = await Fixture.CreateEmptyDatabaseAsync();
        await using var services = Fixture.BuildServices(db, o => o.AutoMigrate = true, TimeProvider.System);
        await services.GetRequiredService<ISessionStore>().ListIdsAsync("nobody");
        return db;
    }

    /// <summary>
    /// Runs the operation once to its end, polling for when its interesting part begins (a line, or the database),
    /// and plans the kills from the timings.
    /// </summary>
    private async Task<KillPlan> CalibrateAsync(string scenario, string db, Func<ChildProcess> start, Func<Task<bool>> begun, Func<string, bool>? begunLine = null)
    {
        using var process = start();
        TimeSpan? began = null;
        while (!process.HasExited)
        {
            if (began is null && ((begunLine is not null && process.Lines().Any(begunLine)) || await begun()))
            {
                began = process.Elapsed;
            }

            Assert.True(process.Elapsed < TimeSpan.FromMinutes(2), $"{scenario}: the measured run did not end.\n{process.Describe()}");
            await Task.Delay(10);
        }

        await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        var ended = process.EndedAt;
        Assert.True(process.ExitCode == 0, $"{scenario}: the measured run failed.\n{process.Describe()}");
        began ??= begunLine is not null && process.Lines().Any(begunLine) ? ended : null;
        Assert.True(began is not null, $"{scenario}: the measured run ended before its work was seen to begin.\n{process.Describe()}");
        await SettleAsync(db, scenario);
        return new KillPlan(scenario, HostProvider, began.Value, ended);
    }

    /// <summary>Polls <paramref name="probe"/> until <paramref name="process"/> ends, and once more after; whether it was ever true.</summary>
    private static async Task<bool> WatchAsync(ChildProcess process, Func<Task<bool>> probe)
    {
        while (!process.HasExited)
        {
            if (await probe())
            {
                return true;
            }

            await Task.Delay(5);
        }

        return await probe();
    }

    private async Task AssertImportedAsync(string db, string where)
    {
        var rows = await ReadAllAsync(db, TestKeys.A);
        Assert.True(rows.Count == ImportRows, $"{where}: {rows.Count} rows, not {ImportRows}.");
        for (var i = 0; i < ImportRows; i++)
        {
            var row = rows[$"imp-{i:D5}"];
            Assert.True(row.Tokens?.AccessToken == $"access-{i}" && row.ServerName == $"import-{i}", $"{where}: imp-{i:D5} is not the file's.");
        }
    }

    private async Task AssertSecretsReadAsync(string db, List<McpSession> expected, string where, string key, string? old = null)
    {
        var rows = await ReadAllAsync(db, key, old);
        Assert.True(rows.Count == expected.Count, $"{where}: {rows.Count} rows, not {expected.Count}.");
        foreach (var session in expected)
        {
            AssertSecrets(session, rows[session.SessionId], where);
        }
    }

    private async Task AssertLiveRowsAsync(string db, List<McpSession> live, string where)
    {
        var rows = await ReadAllAsync(db, TestKeys.A);
        foreach (var session in live)
        {
            Assert.True(rows.TryGetValue(session.SessionId, out var row), $"{where}: live session {session.SessionId} is gone.");
            AssertSecrets(session, row, where);
        }
    }

    private static void AssertSecrets(McpSession expected, McpSession read, string where) => Assert.True(
        read.Tokens?.AccessToken == expected.Tokens!.AccessToken
            && read.ClientInformation?.ClientSecret == expected.ClientInformation!.ClientSecret
            && read.CodeVerifier == expected.CodeVerifier
            && read.Headers?["X-Row"] == expected.Headers!["X-Row"],
        $"{where}: {expected.SessionId} does not read back as written.");

    private async Task AssertBurstAsync(string db, Dictionary<string, long> acknowledged, IReadOnlyList<string> returned, string where)
    {
        foreach (var line in returned)
        {
            var words = line.Split(' ');
            acknowledged[words[1]] = Math.Max(acknowledged[words[1]], long.Parse(words[2], CultureInfo.InvariantCulture));
        }

        // A fresh store, as after a restart.
        var rows = await ReadAllAsync(db, TestKeys.A);
        foreach (var (sessionId, counter) in acknowledged)
        {
            Assert.True(rows.TryGetValue(sessionId, out var row), $"{where}: {sessionId} is gone.");
            var members = new[] { row.ServerName, row.ClientId, row.Tokens?.AccessToken, row.Tokens?.RefreshToken };
            var counters = members.Select(m => m is null ? -1 : long.Parse(m[(m.IndexOf('-', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture)).Distinct().ToList();
            Assert.True(counters.Count == 1, $"{where}: {sessionId} is half-applied: {string.Join(", ", members)}.");
            Assert.True(counters[0] >= counter, $"{where}: {sessionId} holds update {counters[0]}, but update {counter} had returned.");
            acknowledged[sessionId] = counters[0];
        }
    }

    private async Task<Dictionary<string, McpSession>> ReadAllAsync(string db, string key, string? old = null)
    {
        await using var services = Fixture.BuildServices(
            db,
            o =>
            {
                o.Encryption.Key = key;
                if (old is not null)
                {
                    o.Encryption.OldKeys.Add(old);
                }
            },
            TimeProvider.System);
        var rows = new Dictionary<string, McpSession>();
        await foreach (var session in services.GetRequiredService<ISessionAdmin>().ExportAsync())
        {
            rows.Add(session.SessionId, session);
        }

        return rows;
    }

    private async Task ImportAsync(string db, string key, IReadOnlyList<McpSession> sessions)
    {
        await using var services = Fixture.BuildServices(db, o => o.Encryption.Key = key, TimeProvider.System);
        await services.GetRequiredService<ISessionAdmin>().ImportAsync(sessions);
    }

    /// <summary>Makes the gone-* rows no longer live by writing their times and flags in SQL, as another writer would.</summary>
    private async Task MakeNotLiveAsync(string db)
    {
        await ExecuteAsync(db, "UPDATE mcp_sessions SET expires_at = created_at WHERE session_id LIKE 'gone-e-%'");
        await ExecuteAsync(db, "UPDATE mcp_sessions SET updated_at = created_at WHERE session_id LIKE 'gone-d-%'");
        await ExecuteAsync(db, "UPDATE mcp_sessions SET active = false, expires_at = created_at WHERE session_id LIKE 'gone-a-%'");
    }

    private async Task<long> CountUnderAsync(string db, string key) =>
        await CountAsync(db, $"code_verifier LIKE '{SecretCipher.V2Prefix}{EncryptionKey.Parse(key, "test key").Id}:%'");

    protected async Task<long> CountAsync(string db, string where)
    {
        await using var connection = await Fixture.OpenRawAsync(db);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM mcp_sessions WHERE {where}";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    protected async Task ExecuteAsync(string db, string sql)
    {
        await using DbConnection connection = await Fixture.OpenRawAsync(db);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A session with every secret column set to values derived from <paramref name="i"/>, created 60 days ago and live.</summary>
    private static McpSession SecretSession(string sessionId, int i, bool active)
    {
        var now = TimeProvider.System.GetUtcNow();
        var session = TestSessions.New($"user-{i % 7}", sessionId, active);
        session.CreatedAt = now - TimeSpan.FromDays(60);
        session.UpdatedAt = now;
        session.ExpiresAt = now + TimeSpan.FromHours(1);
        session.Tokens = new OAuthTokens { AccessToken = $"access-{i}", RefreshToken = $"refresh-{i}", TokenType = "Bearer" };
        session.ClientInformation = new OAuthClientInformation { ClientId = $"cid-{i}", ClientSecret = $"secret-{i}" };
        session.CodeVerifier = $"verifier-{i}";
        session.Headers = new() { ["X-Row"] = $"{i}" };
        return session;
    }

    /// <summary>An @mcp-ts/sdk SessionData array of <paramref name="count"/> sessions, each with secrets.</summary>
    private static byte[] ImportFile(int count)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            var createdAt = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
            writer.WriteStartArray();
            for (var i = 0; i < count; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("sessionId", $"imp-{i:D5}");
                writer.WriteString("identity", $"user-{i % 13}");
                writer.WriteString("serverName", $"import-{i}");
                writer.WriteString("serverUrl", $"https://mcp{i}.example.com/mcp");
                writer.WriteString("callbackUrl", "https://app.example.com/oauth/callback");
                writer.WriteString("transportType", "streamable_http");
                writer.WriteNumber("createdAt", createdAt);
                writer.WriteBoolean("active", true);
                writer.WriteStartObject("headers");
                writer.WriteString("X-Row", $"{i}");
                writer.WriteEndObject();
                writer.WriteStartObject("tokens");
                writer.WriteString("access_token", $"access-{i}");
                writer.WriteString("refresh_token", $"refresh-{i}-{new string('r', 200)}");
                writer.WriteString("token_type", "Bearer");
                writer.WriteEndObject();
                writer.WriteStartObject("clientInformation");
                writer.WriteString("client_id", $"cid-{i}");
                writer.WriteString("client_secret", $"secret-{i}");
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return buffer.ToArray();
    }

    private enum Outcome
    {
        /// <summary>Killed before the operation had changed anything.</summary>
        Before,

        /// <summary>Killed with the operation under way.</summary>
        Mid,

        /// <summary>Killed after the operation had done all its work, or it ended before the kill.</summary>
        After,
    }

    /// <summary>
    /// Seeded random kill times, uniform from shortly before the operation's measured start to 15% past the operation's measured end,
    /// and the tally of where they landed.
    /// </summary>
    private sealed class KillPlan
    {
        private readonly Random _random;
        private readonly TimeSpan _from;
        private TimeSpan _to;
        private readonly Dictionary<Outcome, int> _outcomes = new() { [Outcome.Before] = 0, [Outcome.Mid] = 0, [Outcome.After] = 0 };
        private readonly string _scenario;
        private readonly string _provider;
        private readonly TimeSpan _began;
        private readonly TimeSpan _ended;
        private int _ranOut;

        public KillPlan(string scenario, string provider, TimeSpan began, TimeSpan ended)
        {
            Seed = Environment.GetEnvironmentVariable("MCPSESSIONS_CRASH_SEED") is { Length: > 0 } seed
                ? int.Parse(seed, CultureInfo.InvariantCulture)
                : System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue);
            _random = new Random(Seed);
            (_scenario, _provider, _began, _ended) = (scenario, provider, began, ended);
            // Kills land before the work (from half-way through the start-up, or half the work's length before it when
            // that is later), during it, and up to 15% of its length after its end.
            _from = TimeSpan.FromTicks(Math.Max(began.Ticks / 2, (began - ((ended - began) / 2)).Ticks));
            _to = ended + ((ended - began) * 0.15);
        }

        public int Seed { get; }

        public TimeSpan Next() => _from + (TimeSpan.FromTicks(Math.Max(0, (_to - _from).Ticks)) * _random.NextDouble());

        public string Where(int kill, TimeSpan at) =>
            $"{_scenario} on {_provider}, seed {Seed} (replay with MCPSESSIONS_CRASH_SEED={Seed}), kill {kill} at {at.TotalMilliseconds:F0} ms of a run measured at {_began.TotalMilliseconds:F0}-{_ended.TotalMilliseconds:F0} ms";

        /// <param name="killed">Whether the process was killed; false: it had ended by itself.</param>
        /// <param name="outcome">Where the kill landed.</param>
        /// <param name="ended">When the process ended (after the kill, or by itself).</param>
        public void Record(bool killed, Outcome outcome, TimeSpan ended)
        {
            _outcomes[outcome]++;
            if (!killed)
            {
                // It ran faster than the measured run (the machine is less loaded now): later kills aim at this pace.
                _ranOut++;
                _to = TimeSpan.FromTicks(Math.Min(_to.Ticks, (ended + ((_ended - _began) * 0.15)).Ticks));
            }
        }

        /// <summary>Prints the tally, and fails if too few kills landed mid-operation for the run to prove anything.</summary>
        public void Report(ITestOutputHelper output)
        {
            var summary = $"{_scenario} on {_provider}: seed {Seed}, {KillPoints} kill points from {_from.TotalMilliseconds:F0} to {_to.TotalMilliseconds:F0} ms "
                + $"(measured run: work from {_began.TotalMilliseconds:F0} ms, end {_ended.TotalMilliseconds:F0} ms): "
                + $"{_outcomes[Outcome.Before]} before, {_outcomes[Outcome.Mid]} mid-operation, {_outcomes[Outcome.After]} after ({_ranOut} of them ended before the kill)";
            output.WriteLine(summary);
            Console.WriteLine($"[crash] {summary}");
            Assert.True(_outcomes[Outcome.Mid] >= KillPoints / 5, $"too few kills landed mid-operation to prove anything: {summary}");
        }
    }
}
