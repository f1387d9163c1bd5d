using System.Security.Cryptography;
using System.Text.Json.Nodes;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static McpSessions.EF.Tests.Infrastructure.CliAssert;

namespace McpSessions.EF.Tests.Cli;

/// <summary>
/// Every <c>mcp-sessions</c> command, as a user runs it: the real built tool as a process, configured through the
/// @mcp-ts/sdk environment names, against a fresh real database of one provider. Each provider subclasses this with
/// its fixture, and names the other provider's fixture for the cross-provider round trip.
/// </summary>
public abstract class CliSpecification : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("mcpsessions-cli-");

    protected CliSpecification(SessionStoreFixture fixture, SessionStoreFixture other)
    {
        This = fixture;
        Other = other;
        Work = _root.CreateSubdirectory("work").FullName;
        Home = _root.CreateSubdirectory("home").FullName;
    }

    protected SessionStoreFixture This { get; }

    protected SessionStoreFixture Other { get; }

    /// <summary>The current directory of every run.</summary>
    protected string Work { get; }

    protected string Home { get; }

    [Fact]
    public async Task Migrate_applies_the_schema_to_an_empty_database_then_reports_it_up_to_date()
    {
        var env = Env(This, await This.CreateEmptyDatabaseAsync());

        var first = await Cli(env, "migrate");
        var second = await Cli(env, "migrate");
        var list = await Cli(env, "list", "--json");

        Succeeded(first);
        Assert.Contains("Applied 1 migration(s)", first.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("_InitialCreate", first.StandardOutput, StringComparison.Ordinal);
        Succeeded(second);
        Assert.Contains("up to date: no pending migrations", second.StandardOutput, StringComparison.Ordinal);
        Succeeded(list);
        Assert.Empty(JsonNode.Parse(list.StandardOutput)!.AsArray());
    }

    [Fact]
    public async Task List_stats_cleanup_and_migrate_run_without_a_key_and_show_no_secret_and_leave_the_secrets_readable()
    {
        var (env, seeded) = await SeededDatabaseAsync();
        var keyless = With(env, ("STORAGE_ENCRYPTION_KEY", null));
        var emptyKeyless = With(Env(This, await This.CreateEmptyDatabaseAsync()), ("STORAGE_ENCRYPTION_KEY", null));

        var table = await Cli(keyless, "list", "--all");
        var json = await Cli(keyless, "list", "--all", "--json");
        var stats = await Cli(keyless, "stats", "--json");
        var cleanup = await Cli(keyless, "cleanup");
        var left = await Cli(keyless, "list", "--all", "--json");
        var migrate = await Cli(emptyKeyless, "migrate");
        var upToDate = await Cli(keyless, "migrate");
        var withKey = await Cli(env, "show", "alice", seeded.AliceActive, "--json", "--reveal");

        foreach (var result in new[] { table, json, stats, cleanup, left, migrate, upToDate })
        {
            Succeeded(result);
            Assert.DoesNotContain("enc:", result.StandardOutput, StringComparison.Ordinal);
        }

        Assert.Contains(seeded.BobDormant, table.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(4, JsonNode.Parse(json.StandardOutput)!.AsArray().Count);
        Assert.Equal(4, (long)JsonNode.Parse(stats.StandardOutput)!["total"]!);
        Assert.Contains("Removed 2 session(s)", cleanup.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(
            new[] { seeded.AliceActive, seeded.AlicePending }.Order(),
            JsonNode.Parse(left.StandardOutput)!.AsArray().Select(s => (string)s!["sessionId"]!).Order());
        Assert.Contains("Applied 1 migration(s)", migrate.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("up to date", upToDate.StandardOutput, StringComparison.Ordinal);
        NoSecretIn(seeded, table, json, stats, cleanup, left, upToDate);

        // Nothing was rewritten without the key: the secrets still decrypt under it.
        Succeeded(withKey);
        var session = JsonNode.Parse(withKey.StandardOutput)!;
        Assert.Equal(seeded.AccessToken, (string)session["tokens"]!["access_token"]!);
        Assert.Equal(seeded.ClientSecret, (string)session["clientInformation"]!["client_secret"]!);
    }

    [Fact]
    public async Task Any_other_command_on_a_database_without_the_schema_exits_2_pointing_at_migrate_and_creates_nothing()
    {
        var connectionString = await This.CreateEmptyDatabaseAsync();

        var result = await Cli(Env(This, connectionString), "list");

        Failed(result, 2);
        Assert.Contains("mcp-sessions migrate", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(await This.TableNamesAsync(connectionString));
    }

    [Fact]
    public async Task List_shows_live_sessions_without_secrets_and_every_state_with_all()
    {
        var (env, seeded) = await SeededDatabaseAsync();

        var table = await Cli(env, "list");
        var all = await Cli(env, "list", "--all", "--json");
        var alice = await Cli(env, "list", "--identity", "alice", "--json");

        Succeeded(table);
        Assert.Contains(seeded.AliceActive, table.StandardOutput, StringComparison.Ordinal);
        Assert.Contains(seeded.AlicePending, table.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(seeded.BobDormant, table.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(seeded.BobExpired, table.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("streamable_http", table.StandardOutput, StringComparison.Ordinal);

        Succeeded(all);
        var states = JsonNode.Parse(all.StandardOutput)!.AsArray().ToDictionary(s => (string)s!["sessionId"]!, s => (string)s!["state"]!);
        Assert.Equal(
            new Dictionary<string, string>
            {
                [seeded.AliceActive] = "active",
                [seeded.AlicePending] = "pending",
                [seeded.BobDormant] = "dormant",
                [seeded.BobExpired] = "expired",
            },
            states);

        Succeeded(alice);
        Assert.All(JsonNode.Parse(alice.StandardOutput)!.AsArray(), s => Assert.Equal("alice", (string)s!["identity"]!));
        Assert.Equal(2, JsonNode.Parse(alice.StandardOutput)!.AsArray().Count);
        NoSecretIn(seeded, table, all, alice);
    }

    [Fact]
    public async Task Show_masks_secrets_unless_reveal_and_json_is_the_session_as_mcp_ts_SessionData()
    {
        var (env, seeded) = await SeededDatabaseAsync();

        var human = await Cli(env, "show", "alice", seeded.AliceActive);
        var masked = await Cli(env, "show", "alice", seeded.AliceActive, "--json");
        var revealed = await Cli(env, "show", "alice", seeded.AliceActive, "--json", "--reveal");

        Succeeded(human);
        Assert.Contains("GitHub", human.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("access_token •••", human.StandardOutput, StringComparison.Ordinal);
        Succeeded(masked);
        var json = JsonNode.Parse(masked.StandardOutput)!;
        Assert.Equal(seeded.AliceActive, (string)json["sessionId"]!);
        Assert.Equal("•••", (string)json["tokens"]!["access_token"]!);
        Assert.Equal("•••", (string)json["headers"]!["X-Tenant"]!);
        NoSecretIn(seeded, human, masked);

        Succeeded(revealed);
        var session = JsonNode.Parse(revealed.StandardOutput)!;
        Assert.Equal(seeded.AccessToken, (string)session["tokens"]!["access_token"]!);
        Assert.Equal(seeded.ClientSecret, (string)session["clientInformation"]!["client_secret"]!);
        Assert.Equal(seeded.HeaderValue, (string)session["headers"]!["X-Tenant"]!);
        Assert.Equal("streamable_http", (string)session["transportType"]!);
        Assert.True((bool)session["active"]!);
        Assert.Equal(seeded.CreatedAt.ToUnixTimeMilliseconds(), (long)session["createdAt"]!);
    }

    [Fact]
    public async Task Show_finds_a_session_in_any_state_and_an_unknown_one_exits_3_with_one_line()
    {
        var (env, seeded) = await SeededDatabaseAsync();

        var dormant = await Cli(env, "show", "bob", seeded.BobDormant);
        var unknown = await Cli(env, "show", "alice", "no-such-session");

        Succeeded(dormant);
        Assert.Contains("dormant", dormant.StandardOutput, StringComparison.Ordinal);
        Failed(unknown, 3);
        Assert.Contains("Session no-such-session not found for identity alice", unknown.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cleanup_removes_the_dormant_and_expired_sessions_and_says_how_many()
    {
        var (env, seeded) = await SeededDatabaseAsync();

        var cleanup = await Cli(env, "cleanup");
        var left = await Cli(env, "list", "--all", "--json");

        Succeeded(cleanup);
        Assert.Contains("Removed 2 session(s) that were no longer live", cleanup.StandardOutput, StringComparison.Ordinal);
        Succeeded(left);
        Assert.Equal(
            new[] { seeded.AliceActive, seeded.AlicePending }.Order(),
            JsonNode.Parse(left.StandardOutput)!.AsArray().Select(s => (string)s!["sessionId"]!).Order());
    }

    [Fact]
    public async Task Stats_counts_by_state_and_by_identity_and_reports_the_database_size()
    {
        var (env, _) = await SeededDatabaseAsync();

        var json = await Cli(env, "stats", "--json", "--top", "1");
        var human = await Cli(env, "stats");

        Succeeded(json);
        var stats = JsonNode.Parse(json.StandardOutput)!;
        Assert.Equal(4, (long)stats["total"]!);
        foreach (var state in new[] { "pending", "active", "dormant", "expired" })
        {
            Assert.Equal(1, (long)stats["byState"]![state]!);
        }

        Assert.Equal(2, (long)stats["identities"]!);
        var top = Assert.Single(stats["topIdentities"]!.AsArray());
        Assert.Equal("alice", (string)top!["identity"]!);
        Assert.Equal(2, (long)top["sessions"]!);
        Assert.True((long)stats["databaseSizeBytes"]! > 0);
        Succeeded(human);
        foreach (var expected in new[] { "dormant", "expired", "bob", "bytes" })
        {
            Assert.Contains(expected, human.StandardOutput, StringComparison.Ordinal);
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Export_writes_every_session_decrypted_to_an_owner_only_file_with_a_warning_and_a_wrong_key_exits_3_leaving_no_file()
    {
        var (env, seeded) = await SeededDatabaseAsync();
        var file = Path.Combine(Work, "export.json");
        var wrongFile = Path.Combine(Work, "wrong.json");

        var export = await Cli(env, "export", "--out", file);
        var wrongKey = await Cli(With(env, ("STORAGE_ENCRYPTION_KEY", TestKeys.C)), "export", "--out", wrongFile);

        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Contains("Exported 4 session(s)", export.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        OneLine(export.StandardError);
        Assert.Contains("0600", export.StandardError, StringComparison.Ordinal);
        var sessions = JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsArray();
        Assert.Equal(4, sessions.Count);
        var active = sessions.Single(s => (string)s!["sessionId"]! == seeded.AliceActive)!;
        Assert.Equal(seeded.AccessToken, (string)active["tokens"]!["access_token"]!);

        Failed(wrongKey, 3);
        Assert.Contains("Cannot decrypt", wrongKey.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(wrongFile));
        Assert.Equal(["export.json"], Directory.GetFiles(Work).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Export_then_import_into_an_empty_database_of_the_other_provider_then_export_again_gives_equal_json()
    {
        var (env, _) = await SeededDatabaseAsync();
        var otherEnv = Env(Other, await Other.CreateEmptyDatabaseAsync());
        var first = Path.Combine(Work, "first.json");
        var second = Path.Combine(Work, "second.json");

        Succeeded(await Cli(env, "export", "--out", first), stderr: true);
        Succeeded(await Cli(otherEnv, "migrate"));
        var import = await Cli(otherEnv, "import", first);
        Succeeded(await Cli(otherEnv, "export", "--out", second), stderr: true);

        Succeeded(import);
        Assert.Contains("Imported 4 session(s)", import.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("4 new, 0 replaced", import.StandardOutput, StringComparison.Ordinal);
        Assert.True(
            JsonNode.DeepEquals(await SortedByIdAsync(first), await SortedByIdAsync(second)),
            $"{await File.ReadAllTextAsync(first)}\n---\n{await File.ReadAllTextAsync(second)}");
    }

    [Fact]
    public async Task Import_reads_a_sessions_json_written_by_the_mcp_ts_sdk_file_backend_and_replaces_by_id_when_run_again()
    {
        var env = await MigratedDatabaseAsync();
        var file = Path.Combine(Work, "node", "sessions.json");
        var written = await McpTsSdk.WriteSessionsJsonAsync(file, """
            const now = Date.now();
            const a = await storage.generateSessionId(), b = await storage.generateSessionId(), c = await storage.generateSessionId();
            await storage.createSession({ sessionId: a, identity: 'alice', serverId: 'gh', serverName: 'GitHub', serverUrl: 'https://gh.example.com/mcp',
              callbackUrl: 'http://localhost:3000/oauth/callback', transportType: 'streamable_http', createdAt: now - 60000, active: false, codeVerifier: 'cv-a' });
            await storage.updateSession('alice', a, { active: true, codeVerifier: null, clientId: 'cid-a', headers: { 'X-Tenant': 't1' },
              clientInformation: { client_id: 'cid-a', client_secret: 'cs-a', redirect_uris: ['http://localhost:3000/oauth/callback'], software_id: 'sw-1' },
              tokens: { access_token: 'at-a', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-a', scope: 'read write' } });
            await storage.createSession({ sessionId: b, identity: 'bob', serverUrl: 'https://notion.example.com/sse', callbackUrl: 'http://localhost:3000/oauth/callback',
              transportType: 'sse', createdAt: now, codeVerifier: 'cv-b' });
            await storage.createSession({ sessionId: c, identity: 'alice', serverName: 'Linear', serverUrl: 'https://linear.example.com/mcp',
              callbackUrl: 'http://localhost:3000/oauth/callback', transportType: 'streamable_http', createdAt: now - 1000, active: true,
              tokens: { access_token: 'at-c', token_type: 'Bearer' } });
            await storage.updateSession('alice', c, { tokens: { access_token: 'at-c2', token_type: 'Bearer', expires_in: 60, id_token: 'idt' } });
            """);

        var import = await Cli(env, "import", file);
        var export = await Cli(env, "export");
        var list = await Cli(env, "list", "--all", "--json");
        var again = await Cli(env, "import", file);

        Succeeded(import);
        Assert.Contains("Imported 3 session(s)", import.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(0, export.ExitCode);
        var exported = JsonNode.Parse(export.StandardOutput)!.AsArray().ToDictionary(s => (string)s!["sessionId"]!);
        Assert.Equal(3, written.Count);
        foreach (var session in written)
        {
            // Every member the peer wrote comes back as it wrote it (null reads as absent).
            var back = exported[(string)session!["sessionId"]!]!;
            foreach (var (name, value) in session.AsObject())
            {
                Assert.True(JsonNode.DeepEquals(value, back[name]), $"{name}: {value?.ToJsonString()} != {back[name]?.ToJsonString()}");
            }
        }

        var states = JsonNode.Parse(list.StandardOutput)!.AsArray().ToDictionary(s => (string)s!["serverUrl"]!, s => (string)s!["state"]!);
        Assert.Equal("active", states["https://gh.example.com/mcp"]);
        Assert.Equal("pending", states["https://notion.example.com/sse"]);
        Assert.Equal("active", states["https://linear.example.com/mcp"]);
        Succeeded(again);
        Assert.Contains("0 new, 3 replaced", again.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_of_a_malformed_file_exits_3_naming_the_element_and_the_reason_and_writes_nothing()
    {
        var connectionString = await This.CreateEmptyDatabaseAsync();
        var (env, _) = await SeededDatabaseAsync(connectionString);
        const string Valid = """{ "sessionId": "fresh-1", "identity": "carol", "serverUrl": "https://x.example.com/mcp", "callbackUrl": "http://localhost/cb", "transportType": "sse", "createdAt": 1763700000000 }""";
        var cases = new (string Content, string Expected)[]
        {
            ("[" + Valid + ",", "is not valid JSON"),
            ("[" + Valid + """, { "sessionId": "fresh-2", "identity": "carol", "serverUrl": "ftp://x.example.com", "callbackUrl": "http://localhost/cb", "transportType": "sse", "createdAt": 1763700000000 }]""",
                "element 1: serverUrl must be an absolute http or https URI"),
            ("[" + Valid + ", " + Valid.Replace("1763700000000", "\"yesterday\"", StringComparison.Ordinal) + "]", "element 1: createdAt must be a number"),
            ("[" + Valid + ", " + Valid + "]", "element 1: sessionId repeats the id of session [0]"),
            ("""{ "sessions": [] }""", "must hold a JSON array"),
            ("[" + Valid + ", " + Valid.Replace("\"fresh-1\"", "\"fresh-3\"", StringComparison.Ordinal).Replace(", \"transportType\": \"sse\"", "", StringComparison.Ordinal) + "]",
                "element 1: transportType is required"),
        };

        foreach (var (content, expected) in cases)
        {
            var file = Path.Combine(Work, "bad.json");
            await File.WriteAllTextAsync(file, content);
            var result = await Cli(env, "import", file);

            Failed(result, 3);
            Assert.Contains(expected, result.StandardError, StringComparison.Ordinal);
            Assert.Equal(4, await This.CountRowsAsync(connectionString));
        }

        var missing = await Cli(env, "import", Path.Combine(Work, "no-such-file.json"));
        Failed(missing, 3);
    }

    [Fact]
    public async Task Reencrypt_rewrites_every_session_under_the_new_key_after_which_only_the_new_key_reads_them()
    {
        var (env, seeded) = await SeededDatabaseAsync();
        var rotated = With(env, ("STORAGE_ENCRYPTION_KEY", TestKeys.C), ("STORAGE_ENCRYPTION_OLD_KEYS", TestKeys.A));

        var reencrypt = await Cli(rotated, "reencrypt");
        var withNew = await Cli(With(env, ("STORAGE_ENCRYPTION_KEY", TestKeys.C)), "show", "alice", seeded.AliceActive, "--json", "--reveal");
        var withOld = await Cli(env, "show", "alice", seeded.AliceActive);

        Succeeded(reencrypt);
        Assert.Contains("scanned 4 session(s), rewrote 4", reencrypt.StandardOutput, StringComparison.Ordinal);
        Succeeded(withNew);
        Assert.Equal(seeded.AccessToken, (string)JsonNode.Parse(withNew.StandardOutput)!["tokens"]!["access_token"]!);
        Failed(withOld, 3);
        Assert.Contains($"Cannot decrypt column", withOld.StandardError, StringComparison.Ordinal);
        Assert.Contains(seeded.AliceActive, withOld.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_that_cannot_be_reached_exits_2_with_one_line_naming_it_without_the_password()
    {
        const string Password = "s3cret-Pw";

        var (environment, name) = This.UnreachableCliEnvironment(Password);

        var result = await Cli(With(environment, ("STORAGE_ENCRYPTION_KEY", TestKeys.A)), "list");

        Failed(result, 2);
        Assert.Contains(name, result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, result.StandardError, StringComparison.Ordinal);
    }

    public void Dispose() => _root.Delete(recursive: true);

    protected Task<ProcessRunner.Result> Cli(IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        CliProcess.RunAsync(Work, Home, environment, arguments);

    internal static Dictionary<string, string?> With(IReadOnlyDictionary<string, string?> environment, params (string Name, string? Value)[] changes)
    {
        var copy = new Dictionary<string, string?>(environment);
        foreach (var (name, value) in changes)
        {
            copy[name] = value;
        }

        return copy;
    }

    private static Dictionary<string, string?> Env(SessionStoreFixture fixture, string connectionString) =>
        With(fixture.CliEnvironment(connectionString), ("STORAGE_ENCRYPTION_KEY", TestKeys.A));

    private async Task<Dictionary<string, string?>> MigratedDatabaseAsync()
    {
        var connectionString = await This.CreateEmptyDatabaseAsync();
        await using var services = This.BuildServices(connectionString, o => o.AutoMigrate = true, TimeProvider.System);
        await services.GetRequiredService<ISessionStore>().ListIdsAsync("nobody");
        return Env(This, connectionString);
    }

    /// <summary>
    /// A migrated database with one session in each state, written through the library with key A: alice's active
    /// session (every secret) and pending one, bob's dormant and expired ones.
    /// </summary>
    private async Task<(Dictionary<string, string?> Env, Seeded Seeded)> SeededDatabaseAsync() =>
        await SeededDatabaseAsync(await This.CreateEmptyDatabaseAsync());

    private async Task<(Dictionary<string, string?> Env, Seeded Seeded)> SeededDatabaseAsync(string connectionString)
    {
        var now = TimeProvider.System.GetUtcNow();
        var clock = new ManualTimeProvider(now - TimeSpan.FromDays(40));
        await using var services = This.BuildServices(connectionString, o => o.AutoMigrate = true, clock);
        var store = services.GetRequiredService<ISessionStore>();
        var seeded = new Seeded(Secret("at"), Secret("cs"), Secret("hv"), Secret("cv"));

        var bobDormant = await CreateAsync("bob", "github", active: true, s => s.Tokens = new OAuthTokens { AccessToken = Secret("at"), TokenType = "Bearer" });
        clock.Advance(now - TimeSpan.FromHours(1) - clock.GetUtcNow());
        var bobExpired = await CreateAsync("bob", "notion", active: false, s => s.CodeVerifier = Secret("cv"));
        clock.Advance(now - clock.GetUtcNow());
        var aliceActive = await CreateAsync("alice", "github", active: true, s =>
        {
            s.ServerName = "GitHub";
            s.Headers = new() { ["X-Tenant"] = seeded.HeaderValue };
            s.ClientInformation = new OAuthClientInformation { ClientId = "cid", ClientSecret = seeded.ClientSecret, RedirectUris = ["http://localhost/cb"] };
            s.Tokens = new OAuthTokens { AccessToken = seeded.AccessToken, RefreshToken = Secret("rt"), TokenType = "Bearer", ExpiresIn = 3600 };
            s.ClientId = "cid";
        });
        var alicePending = await CreateAsync("alice", "linear", active: false, s => s.CodeVerifier = seeded.CodeVerifier);

        return (Env(This, connectionString), seeded with
        {
            AliceActive = aliceActive.SessionId,
            AlicePending = alicePending.SessionId,
            BobDormant = bobDormant.SessionId,
            BobExpired = bobExpired.SessionId,
            CreatedAt = aliceActive.CreatedAt,
        });

        async Task<McpSession> CreateAsync(string identity, string server, bool active, Action<McpSession> configure)
        {
            var session = new McpSession
            {
                SessionId = store.GenerateSessionId(),
                Identity = identity,
                ServerId = server,
                ServerUrl = $"https://{server}.example.com/mcp",
                CallbackUrl = "http://localhost/cb",
                TransportType = McpTransportType.StreamableHttp,
                Active = active,
            };
            configure(session);
            return await store.CreateAsync(session);
        }
    }

    private static string Secret(string kind) => $"{kind}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))}";

    private static void NoSecretIn(Seeded seeded, params ProcessRunner.Result[] results)
    {
        foreach (var result in results)
        {
            foreach (var secret in new[] { seeded.AccessToken, seeded.ClientSecret, seeded.HeaderValue, seeded.CodeVerifier })
            {
                Assert.DoesNotContain(secret, result.StandardOutput + result.StandardError, StringComparison.Ordinal);
            }
        }
    }

    private static async Task<JsonArray> SortedByIdAsync(string file) =>
        new([.. JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsArray().OrderBy(s => (string)s!["sessionId"]!, StringComparer.Ordinal).Select(s => s!.DeepClone())]);

    /// <summary>The seeded sessions and the secret values that must never be printed unless revealed.</summary>
    protected sealed record Seeded(string AccessToken, string ClientSecret, string HeaderValue, string CodeVerifier)
    {
        public string AliceActive { get; init; } = "";

        public string AlicePending { get; init; } = "";

        public string BobDormant { get; init; } = "";

        public string BobExpired { get; init; } = "";

        public DateTimeOffset CreatedAt { get; init; }
    }
}
