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
/// operation once (its start-up, and its work, seen from its progress in the database or its output), then kills it
/// <see cref="KillPoints"/> times at seeded random points spread over the start-up's end, the work and a little after
/// it, and checks the database after every kill; it fails if too few kills landed mid-operation to prove anything.
/// A provider subclasses this with its fixture and says how to see an import under way and how to let a killed
/// process's work settle (and, on SQLite, checks integrity). Replay with MCPSESSIONS_CRASH_SEED set to the seed a
/// message names (the times also depend on the machine's load, so a replay aims at the same offsets, not the same ms).
/// </summary>
public abstract class CrashSafetySpecification<TFixture>(TFixture fixture, ITestOutputHelper output) : IClassFixture<TFixture>, IDisposable
    where TFixture : SessionStoreFixture
{
    protected const int KillPoints = 20;

    // Sizes: each operation's work is long enough to be hit mid-way (tens of batches) and short beside the CLI's
    // start-up (~1 s of CPU), which the 160 kills pay each time: the budget is the start-ups.
    private const int ImportRows = 1500;
    private const int ReencryptRows = 400;
    private const int LiveRows = 60;
    private const int NotLiveRows = 600;
    private const int BurstTasks = 4;
    private const int BurstSessionsPerTask = 4;
    private const int BurstMilliseconds = 800;

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
        var db = await Fixture.MigratedDatabaseAsync();
        var file = Path.Combine(_root.FullName, "sessions.json");
        await File.WriteAllBytesAsync(file, ImportFile(ImportRows));
        var env = CliEnvironment(db, TestKeys.A);

        await EmptyTableAsync(db);
        async Task<double> ImportProgressAsync(ChildProcess cli) =>
            await CountAsync(db, "1 = 1") == ImportRows ? 1 : await ImportUnderWayAsync(db, cli) ? 0.5 : 0;
        var plan = await CalibrateAsync("import", db, () => Cli(env, "import", file), ImportProgressAsync);
        await AssertImportedAsync(db, plan.Scenario);

        for (var k = 0; k < KillPoints; k++)
        {
            await EmptyTableAsync(db);
            using var cli = Cli(env, "import", file);
            var kill = await KillAsync(plan, k, cli, () => ImportProgressAsync(cli));
            var begun = kill.Began is not null || await ImportUnderWayAsync(db, cli);
            await SettleAsync(db, kill.Where);

            var count = await CountAsync(db, "1 = 1");
            Assert.True(count is 0 or ImportRows, $"{kill.Where}: a half-done import: {count} of {ImportRows} rows.");
            if (count == ImportRows)
            {
                await AssertImportedAsync(db, kill.Where);
            }

            plan.Record(kill, count == ImportRows ? Outcome.After : begun ? Outcome.Mid : Outcome.Before);
        }

        plan.Report(output);
    }

    [Fact]
    public async Task Kill_mid_reencryption_leaves_every_row_readable_and_a_rerun_finishes_it()
    {
        var db = await Fixture.MigratedDatabaseAsync();
        var expected = Enumerable.Range(0, ReencryptRows).Select(i => SecretSession($"re-{i:D5}", i, active: true)).ToList();
        await ImportAsync(db, TestKeys.A, expected);
        var batch = ("McpSessions__ReencryptBatchSize", (string?)"10");

        var plan = await CalibrateAsync(
            "reencrypt",
            db,
            () => Cli(CliEnvironment(db, TestKeys.B, TestKeys.A, batch), "reencrypt"),
            async _ => await CountUnderAsync(db, TestKeys.B) / (double)ReencryptRows);
        await AssertSecretsReadAsync(db, expected, plan.Scenario, TestKeys.B);

        // Kill k re-encrypts from the key every row is under (old) to the other one (primary): B to A, then A to B, ...
        var old = TestKeys.B;
        for (var k = 0; k < KillPoints; k++)
        {
            var primary = old == TestKeys.A ? TestKeys.B : TestKeys.A;
            var env = CliEnvironment(db, primary, old, batch);
            using var cli = Cli(env, "reencrypt");
            var kill = await KillAsync(plan, k, cli, async () => await CountUnderAsync(db, primary) / (double)ReencryptRows);
            await SettleAsync(db, kill.Where);

            // Every row reads with the ring {primary, old}, whatever the kill cut off.
            await AssertSecretsReadAsync(db, expected, kill.Where, primary, old);
            var rewritten = await CountUnderAsync(db, primary);
            var outcome = rewritten == 0 ? Outcome.Before : rewritten == ReencryptRows ? Outcome.After : Outcome.Mid;
            plan.Record(kill, outcome);
            if (outcome == Outcome.Before)
            {
                continue;
            }

            if (outcome == Outcome.Mid)
            {
                // A rerun finishes the job: it rewrites exactly the rows the killed run had not reached.
                var rerun = await CliProcess.RunAsync(_root.FullName, _root.FullName, env, "reencrypt");
                Assert.True(rerun.ExitCode == 0, $"{kill.Where}: the rerun failed.\n{rerun}");
                Assert.True(rerun.StandardOutput.Contains($"rewrote {ReencryptRows - rewritten} under", StringComparison.Ordinal), $"{kill.Where}: {rewritten} rows were rewritten before the kill; the rerun said {rerun.StandardOutput}");
            }

            // Then the old key can go: every row reads with the primary alone.
            Assert.Equal(ReencryptRows, await CountUnderAsync(db, primary));
            await AssertSecretsReadAsync(db, expected, kill.Where, primary);
            old = primary;
        }

        plan.Report(output);
    }

    [Fact]
    public async Task Kill_mid_cleanup_removes_no_live_session_and_a_rerun_removes_the_rest()
    {
        var db = await Fixture.MigratedDatabaseAsync();
        var live = Enumerable.Range(0, LiveRows).Select(i => SecretSession($"keep-{i:D4}", i, active: i % 2 == 0)).ToList();
        var notLive = Enumerable.Range(0, NotLiveRows).Select(i => SecretSession($"gone-{"eda"[i % 3]}-{i:D4}", i, active: i % 3 != 0)).ToList();
        await ImportAsync(db, TestKeys.A, [.. live, .. notLive]);
        await MakeNotLiveAsync(db);
        var env = CliEnvironment(db, key: null, old: null, ("McpSessions__CleanupBatchSize", "10"));
        const string NotLive = "session_id LIKE 'gone-%'";

        async Task<double> CleanupProgressAsync() => (NotLiveRows - await CountAsync(db, NotLive)) / (double)NotLiveRows;
        var plan = await CalibrateAsync("cleanup", db, () => Cli(env, "cleanup"), _ => CleanupProgressAsync());
        await AssertLiveRowsAsync(db, live, plan.Scenario);
        Assert.Equal(0, await CountAsync(db, NotLive));

        for (var k = 0; k < KillPoints; k++)
        {
            // Put back the non-live rows the last run removed.
            var left = (await ReadAllAsync(db, TestKeys.A)).Keys.ToHashSet();
            await ImportAsync(db, TestKeys.A, [.. notLive.Where(s => !left.Contains(s.SessionId)).Select(s => SecretSession(s.SessionId, int.Parse(s.SessionId[^4..], CultureInfo.InvariantCulture), s.Active))]);
            await MakeNotLiveAsync(db);
            Assert.Equal(NotLiveRows, await CountAsync(db, NotLive));

            using var cli = Cli(env, "cleanup");
            var kill = await KillAsync(plan, k, cli, CleanupProgressAsync);
            await SettleAsync(db, kill.Where);

            await AssertLiveRowsAsync(db, live, kill.Where);
            var remaining = await CountAsync(db, NotLive);
            var outcome = remaining == NotLiveRows ? Outcome.Before : remaining == 0 ? Outcome.After : Outcome.Mid;
            plan.Record(kill, outcome);
            if (outcome == Outcome.Mid)
            {
                var rerun = await CliProcess.RunAsync(_root.FullName, _root.FullName, env, "cleanup");
                Assert.True(rerun.ExitCode == 0, $"{kill.Where}: the rerun failed.\n{rerun}");
                Assert.True(
                    rerun.StandardOutput.Contains($"Removed {remaining} session(s)", StringComparison.Ordinal),
                    $"{kill.Where}: {remaining} non-live rows were left ({await CountAsync(db, NotLive)} now, {await NotLiveNowAsync(db)} of them not live); the rerun said {rerun.StandardOutput}");
                Assert.Equal(0, await CountAsync(db, NotLive));
                await AssertLiveRowsAsync(db, live, kill.Where);
            }
        }

        plan.Report(output);
    }

    [Fact]
    public async Task Kill_mid_burst_of_updates_loses_no_update_that_returned_and_applies_none_by_half()
    {
        var db = await Fixture.MigratedDatabaseAsync();
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

        static bool Update(string line) => line.StartsWith("u ", StringComparison.Ordinal);
        static Task<double> BurstProgress(ChildProcess host) =>
            Task.FromResult(host.Lines() is var lines && lines.Contains("done") ? 1 : lines.Any(Update) ? 0.5 : 0);
        var plan = await CalibrateAsync("burst", db, () => Burst(db, generation: 1), BurstProgress);
        await AssertBurstAsync(db, acknowledged, [], plan.Scenario);

        for (var k = 0; k < KillPoints; k++)
        {
            using var host = Burst(db, generation: k + 2);
            var kill = await KillAsync(plan, k, host, () => BurstProgress(host));
            await SettleAsync(db, kill.Where);

            var returned = kill.LinesBeforeKill.Where(Update).ToList();
            await AssertBurstAsync(db, acknowledged, returned, kill.Where);
            plan.Record(kill, returned.Count == 0 ? Outcome.Before : kill.LinesBeforeKill.Contains("done") || !kill.Killed ? Outcome.After : Outcome.Mid);
        }

        plan.Report(output);
    }

    public void Dispose() => _root.Delete(recursive: true);

    private ChildProcess Cli(IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        ChildProcess.Start(CliProcess.Assembly, arguments, CliProcess.Environment(_root.FullName, environment), _root.FullName);

    private ChildProcess Burst(string db, int generation) => ChildProcess.Start(
        CrashHost.Assembly,
        ["burst", HostProvider, db, TestKeys.A, $"{BurstTasks}", $"{BurstSessionsPerTask}", $"{generation}", $"{BurstMilliseconds}"]);

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

    /// <summary>
    /// Runs the operation once to its end, polling its progress (0: not begun, 1: its work is done; from a line, or the
    /// database) for when its work begins and ends, and plans the kills from the timings.
    /// </summary>
    private async Task<KillPlan> CalibrateAsync(string scenario, string db, Func<ChildProcess> start, Func<ChildProcess, Task<double>> progress)
    {
        using var process = start();
        var (began, done) = await WatchAsync(process, () => progress(process), _ => false);
        Assert.True(process.ExitCode == 0, $"{scenario}: the measured run failed.\n{process.Describe()}");
        Assert.True(began is not null, $"{scenario}: the measured run ended before its work was seen to begin.\n{process.Describe()}");
        await SettleAsync(db, scenario);
        return new KillPlan($"{scenario} on {HostProvider}", began.Value, (done ?? process.EndedAt) - began.Value);
    }

    /// <summary>
    /// Kills <paramref name="process"/> at the plan's next point: a seeded offset u in [-0.5, 1.15). Below 0 the kill
    /// lands in the start-up, at (1 + u) of the start-up's estimated length; from 0 it lands u of the work's estimated
    /// length after the work was seen to begin (<paramref name="progress"/> above 0, polled), so past 1 it lands after the work.
    /// </summary>
    private static async Task<Kill> KillAsync(KillPlan plan, int k, ChildProcess process, Func<Task<double>> progress)
    {
        var u = plan.NextOffset();
        TimeSpan? target = u < 0 ? plan.StartUp * (1 + u) : null;
        var (began, done) = await WatchAsync(process, progress, began =>
        {
            target ??= began + (plan.Work * u);
            return target is { } t && process.Elapsed >= t;
        });

        var at = process.Elapsed;
        var (killed, lines) = await process.KillAsync();
        if (!killed)
        {
            at = process.EndedAt;
        }

        plan.Learn(began, done);
        var where = $"{plan.Scenario}, seed {plan.Seed} (replay with MCPSESSIONS_CRASH_SEED={plan.Seed}), kill {k}: offset {u:F3}, "
            + (killed ? $"killed at {at.TotalMilliseconds:F0} ms" : $"ended by itself at {at.TotalMilliseconds:F0} ms")
            + (began is { } b ? $", work seen from {b.TotalMilliseconds:F0} ms" : ", work not seen to begin")
            + (done is { } d ? $" to {d.TotalMilliseconds:F0} ms" : "");
        return new Kill(killed, lines, at, began, where);
    }

    /// <summary>
    /// Polls <paramref name="progress"/> until the process ends or <paramref name="stop"/> (given when the work began,
    /// or null) says so; returns when the work was first seen begun (progress above 0) and done (progress 1).
    /// </summary>
    private static async Task<(TimeSpan? Began, TimeSpan? Done)> WatchAsync(ChildProcess process, Func<Task<double>> progress, Func<TimeSpan?, bool> stop)
    {
        TimeSpan? began = null, done = null;
        while (!process.HasExited && !stop(began))
        {
            Assert.True(process.Elapsed < TimeSpan.FromMinutes(3), $"the process did not end.\n{process.Describe()}");
            var now = process.Elapsed;
            var p = await progress();
            began ??= p > 0 ? now : null;
            done ??= p >= 1 ? now : null;
            await Task.Delay(4);
        }

        return (began, done);
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

    private Task<Dictionary<string, McpSession>> ReadAllAsync(string db, string key, string? old = null) => Fixture.ReadAllAsync(db, key, old);

    private async Task ImportAsync(string db, string key, IReadOnlyList<McpSession> sessions)
    {
        await using var services = Fixture.BuildServices(db, o => o.Encryption.Key = key, TimeProvider.System);
        await services.GetRequiredService<ISessionAdmin>().ImportAsync(sessions);
    }

    /// <summary>
    /// Makes the gone-* rows no longer live by writing their times and flags in SQL, as another writer would. Only rows
    /// not yet dormant get their updated_at moved: on PostgreSQL an UPDATE that leaves updated_at as it was has it set
    /// to now() by @mcp-ts/sdk's trigger (set_current_timestamp_updated_at), which would make a dormant row live again.
    /// </summary>
    private async Task MakeNotLiveAsync(string db)
    {
        await ExecuteAsync(db, "UPDATE mcp_sessions SET expires_at = created_at WHERE session_id LIKE 'gone-e-%'");
        await ExecuteAsync(db, "UPDATE mcp_sessions SET updated_at = created_at WHERE session_id LIKE 'gone-d-%' AND updated_at <> created_at");
        await ExecuteAsync(db, "UPDATE mcp_sessions SET active = false, expires_at = created_at WHERE session_id LIKE 'gone-a-%'");
    }

    private async Task<long> NotLiveNowAsync(string db)
    {
        await using var services = Fixture.BuildServices(db, clock: TimeProvider.System);
        return await services.GetRequiredService<ISessionAdmin>().CountNotLiveAsync();
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

    /// <summary>Where a kill landed, and when; <see cref="Where"/> names the seed and the point, for the assertion messages.</summary>
    private sealed record Kill(bool Killed, IReadOnlyList<string> LinesBeforeKill, TimeSpan At, TimeSpan? Began, string Where);

    /// <summary>
    /// The seeded kill offsets of one scenario, the estimated start-up and work lengths they scale (from the measured
    /// run, then from each run that showed them: the machine's load moves them), and the tally of where kills landed.
    /// </summary>
    private sealed class KillPlan
    {
        private readonly Random _random;
        private readonly Dictionary<Outcome, int> _outcomes = new() { [Outcome.Before] = 0, [Outcome.Mid] = 0, [Outcome.After] = 0 };
        private readonly TimeSpan _measuredStartUp;
        private readonly TimeSpan _measuredWork;
        private readonly List<double> _killedAt = [];
        private int _ranOut;

        public KillPlan(string scenario, TimeSpan began, TimeSpan work)
        {
            Seed = Environment.GetEnvironmentVariable("MCPSESSIONS_CRASH_SEED") is { Length: > 0 } seed
                ? int.Parse(seed, CultureInfo.InvariantCulture)
                : System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue);
            _random = new Random(Seed);
            Scenario = scenario;
            (StartUp, Work) = (_measuredStartUp, _measuredWork) = (began, work);
        }

        public string Scenario { get; }

        public int Seed { get; }

        /// <summary>From the process's start to its work's beginning.</summary>
        public TimeSpan StartUp { get; private set; }

        /// <summary>From the work's beginning to the process's end.</summary>
        public TimeSpan Work { get; private set; }

        public double NextOffset() => -0.5 + (1.65 * _random.NextDouble());

        /// <param name="began">When the last run's work was seen to begin, if it was.</param>
        /// <param name="done">When it was seen done, if it was.</param>
        public void Learn(TimeSpan? began, TimeSpan? done)
        {
            if (began is { } b)
            {
                StartUp = b;
                if (done is { } d)
                {
                    Work = d - b;
                }
            }
        }

        public void Record(Kill kill, Outcome outcome)
        {
            _outcomes[outcome]++;
            _ranOut += kill.Killed ? 0 : 1;
            if (kill.Killed)
            {
                _killedAt.Add(kill.At.TotalMilliseconds);
            }
        }

        /// <summary>Prints the tally, and fails if too few kills landed mid-operation for the run to prove anything.</summary>
        public void Report(ITestOutputHelper output)
        {
            var summary = $"{Scenario}: seed {Seed}, {KillPoints} kill points "
                + $"(measured run: start-up {_measuredStartUp.TotalMilliseconds:F0} ms, work {_measuredWork.TotalMilliseconds:F0} ms; kills at {(_killedAt.Count == 0 ? "-" : $"{_killedAt.Min():F0}-{_killedAt.Max():F0}")} ms): "
                + $"{_outcomes[Outcome.Before]} before, {_outcomes[Outcome.Mid]} mid-operation, {_outcomes[Outcome.After]} after ({_ranOut} of them ended before the kill)";
            output.WriteLine(summary);
            Console.WriteLine($"[crash] {summary}");
            Assert.True(_outcomes[Outcome.Mid] >= KillPoints / 4, $"too few kills landed mid-operation to prove anything: {summary}");
        }
    }
}
