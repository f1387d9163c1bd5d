using System.Collections.Concurrent;
using McpSessions.EF.Caching;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Encryption;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Soak;

/// <summary>
/// One soak process: <c>--tasks</c> tasks, each owning one identity and a handful of sessions, doing mixed work on a
/// store with the Redis cache tier, as an app instance would, and checking as they go: every read of an owned session
/// from the database returns the last value the task wrote and got an answer for (no acknowledged write lost), every
/// read through the cache returns it too or a value older by at most CacheTtl (SPEC §6), as do reads of the other
/// process's sessions, judged against the ledger that process publishes; and no call fails to decrypt.
/// </summary>
internal static class SoakWorker
{
    /// <summary>Live sessions a task keeps: it creates below, deletes above.</summary>
    private const int MinLive = 4, MaxLive = 12;

    /// <summary>How long a deleted session stays in the ledger (and in its task's list check).</summary>
    private const long KeepDeletedMs = 5_000;

    /// <summary>The operation mix, in percent (creates and deletes also keep each task between MinLive and MaxLive).</summary>
    private static readonly (string Operation, int Percent)[] Mix =
    [
        ("get", 36), ("get-other", 16), ("get-database", 5), ("update", 18), ("touch", 12), ("list", 8), ("create", 3), ("delete", 2),
    ];

    public static async Task<int> MigrateAsync(SoakOptions options)
    {
        var services = new ServiceCollection();
        services.AddMcpSessions(o =>
        {
            o.Provider = SessionStorageProvider.Postgres;
            o.ConnectionString = options.Connection;
            o.Encryption.Key = options.Key;
            o.AutoMigrate = true;
            o.CleanupEnabled = false;
        });
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<ISessionStore>().ListIdsAsync("soak-migrate");
        return 0;
    }

    public static async Task<int> RunAsync(SoakOptions options)
    {
        var clock = TimeProvider.System;
        var result = new SoakRecorder(options.Id, clock, options.CacheTtlSeconds * 1000L + 1000);
        using var cacheCounters = result.ListenToTheCacheTier();
        var services = new ServiceCollection();
        services.AddSingleton<IDistributedCache>(new RedisCache(Microsoft.Extensions.Options.Options.Create(new RedisCacheOptions
        {
            ConfigurationOptions = TestRedis.Options(options.Redis),
        })));
        services.AddMcpSessions(o =>
        {
            o.Provider = SessionStorageProvider.Postgres;
            o.ConnectionString = options.Connection;
            o.Encryption.Key = options.Key;
            o.AutoMigrate = false;
            o.CleanupEnabled = false;
        }).AddDistributedCache(c =>
        {
            c.Prefix = "soak:";
            c.CacheTtl = TimeSpan.FromSeconds(options.CacheTtlSeconds);
            c.BypassPeriod = TimeSpan.FromSeconds(5); // try the cache again soon after each restart
        });
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<ISessionStore>();

        var all = new ConcurrentDictionary<string, OwnedSession>();
        var ledger = new Ledger(options.Directory, options.Id, all, clock);
        var deadline = clock.GetUtcNow().AddSeconds(options.Seconds);
        using var stop = new CancellationTokenSource();
        var publishing = ledger.RunAsync(stop.Token);
        var sampling = result.SampleAsync(stop.Token);
        var tasks = Enumerable.Range(0, options.Tasks)
            .Select(t => Task.Run(() => new TaskLoop(options, t, store, all, ledger, result, clock).RunAsync(deadline)))
            .ToList();
        await Task.WhenAll(tasks);
        await stop.CancelAsync();
        await publishing;
        await sampling;

        result.Finish(Path.Combine(options.Directory, "events.log"));
        result.Write(Path.Combine(options.Directory, $"result-{options.Id}.json"));
        Console.WriteLine(result.OneLine());
        return 0;
    }

    /// <summary>One task: its identity, its sessions, its loop.</summary>
    private sealed class TaskLoop(SoakOptions options, int task, ISessionStore store, ConcurrentDictionary<string, OwnedSession> all, Ledger ledger, SoakRecorder result, TimeProvider clock)
    {
        private readonly string _identity = $"soak-p{options.Id}-t{task}";
        private readonly List<OwnedSession> _mine = [];
        private int _created;

        private long Now => clock.GetUtcNow().ToUnixTimeMilliseconds();

        public async Task RunAsync(DateTimeOffset deadline)
        {
            while (clock.GetUtcNow() < deadline)
            {
                await StepAsync();
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(options.ThinkMs / 2, options.ThinkMs * 3 / 2 + 1)), clock);
            }

            // The last word: every owned session, from the database, and the identity's listing.
            foreach (var session in _mine.ToList())
            {
                await CheckFromDatabaseAsync(session, "final");
            }

            await ListAsync("final-list");
        }

        private async Task StepAsync()
        {
            var now = Now;
            _mine.RemoveAll(s =>
            {
                var gone = s.NeverCreated || (s.DeletedAtMs > 0 && now - s.DeletedAtMs > KeepDeletedMs);
                if (gone)
                {
                    all.TryRemove(s.SessionId, out _);
                }

                return gone;
            });

            if (_mine.FirstOrDefault(s => s.Unsettled) is { } unsettled)
            {
                await CheckFromDatabaseAsync(unsettled, "settle");
                return;
            }

            var live = _mine.Where(s => s.Exists).ToList();
            var operation = live.Count < MinLive ? "create" : live.Count > MaxLive ? "delete" : Pick();
            var session = live.Count == 0 ? null : live[Random.Shared.Next(live.Count)];
            switch (operation)
            {
                case "create":
                    await CreateAsync();
                    break;
                case "update":
                    await WriteAsync(session!, delete: false);
                    break;
                case "delete":
                    await WriteAsync(session!, delete: true);
                    break;
                case "touch":
                    await result.RunAsync("touch", () => store.TouchAsync(_identity, session!.SessionId));
                    break;
                case "get":
                    await GetThroughCacheAsync(session!);
                    break;
                case "get-database":
                    await CheckFromDatabaseAsync(session!, "get-database");
                    break;
                case "list":
                    await ListAsync("list");
                    break;
                default:
                    await GetOthersAsync();
                    break;
            }
        }

        private static string Pick()
        {
            var roll = Random.Shared.Next(100);
            foreach (var (operation, percent) in Mix)
            {
                if ((roll -= percent) < 0)
                {
                    return operation;
                }
            }

            return "get";
        }

        private async Task CreateAsync()
        {
            var session = new OwnedSession(_identity, $"p{options.Id}t{task}n{_created++}");
            _mine.Add(session);
            all[session.SessionId] = session;
            var number = session.Next();
            var value = new McpSession
            {
                SessionId = session.SessionId,
                Identity = _identity,
                ServerUrl = "https://mcp.example.com/mcp",
                CallbackUrl = "https://app.example.com/oauth/callback",
                TransportType = McpTransportType.StreamableHttp,
                Active = true, // active sessions do not expire by time within a soak
            };
            Values.Set(value, number);
            if (await result.RunAsync("create", () => store.CreateAsync(value)))
            {
                session.Wrote(number, delete: false, Now);
            }
            else
            {
                session.Failed(number, delete: false);
            }
        }

        private async Task WriteAsync(OwnedSession session, bool delete)
        {
            var number = session.Next();
            var ok = delete
                ? await result.RunAsync("delete", async () =>
                {
                    if (!await store.DeleteAsync(_identity, session.SessionId))
                    {
                        result.Violation("lost write", $"delete of {session.SessionId} (at {session.Current}) found no row");
                    }
                })
                : await result.RunAsync("update", () => store.UpdateAsync(_identity, session.SessionId, Values.Update(number)));
            if (ok)
            {
                session.Wrote(number, delete, Now);
            }
            else
            {
                session.Failed(number, delete);
            }
        }

        /// <summary>A database read must see exactly a state the session may be in; it settles the session.</summary>
        private async Task CheckFromDatabaseAsync(OwnedSession session, string operation)
        {
            McpSession? read = null;
            if (!await result.RunAsync(operation, async () => read = await store.GetFromDatabaseAsync(_identity, session.SessionId)))
            {
                return;
            }

            var seen = Values.Number(read, session.SessionId, result);
            if (!session.Possible(seen))
            {
                result.Violation("lost write", $"the database holds {Describe(seen)} for {session.SessionId}; last acknowledged {Describe(session.Current)}, unsettled {session.Unsettled}");
                return;
            }

            session.Settle(seen, Now);
        }

        private async Task GetThroughCacheAsync(OwnedSession session)
        {
            var start = Now;
            McpSession? read = null;
            if (!await result.RunAsync("get", async () => read = await store.GetAsync(_identity, session.SessionId)))
            {
                return;
            }

            var seen = Values.Number(read, session.SessionId, result);
            if (seen == session.Current || session.Unsettled)
            {
                return;
            }

            if (seen == OwnedSession.Absent || seen > session.Current)
            {
                result.Violation("lost write", $"a read through the cache saw {Describe(seen)} for {session.SessionId}; last acknowledged {Describe(session.Current)}");
                return;
            }

            result.Stale("own", options.Id, start, Replaced(session.History(), seen));
        }

        private async Task ListAsync(string operation)
        {
            IReadOnlyList<McpSession> listed = [];
            if (!await result.RunAsync(operation, async () => listed = await store.ListAsync(_identity)))
            {
                return;
            }

            var byId = listed.ToDictionary(s => s.SessionId, StringComparer.Ordinal);
            foreach (var session in _mine.Where(s => !s.Unsettled))
            {
                var seen = byId.Remove(session.SessionId, out var read) ? Values.Number(read, session.SessionId, result) : OwnedSession.Absent;
                if (seen != session.Current)
                {
                    result.Violation("lost write", $"the listing holds {Describe(seen)} for {session.SessionId}; last acknowledged {Describe(session.Current)}");
                }
            }

            foreach (var id in byId.Keys.Where(id => !_mine.Any(s => s.SessionId == id)))
            {
                result.Violation("unknown session", $"the listing of {_identity} holds {id}, which this task never wrote or deleted long ago");
            }
        }

        /// <summary>A session of the other process, through the cache: its value may be older than that process's last acknowledged one by at most CacheTtl.</summary>
        private async Task GetOthersAsync()
        {
            if (ledger.Other() is not { Length: > 0 } others)
            {
                result.Count("get-other-skipped");
                return;
            }

            var entry = others[Random.Shared.Next(others.Length)];
            var start = Now;
            McpSession? read = null;
            if (!await result.RunAsync("get-other", async () => read = await store.GetAsync(entry.Identity, entry.SessionId)))
            {
                return;
            }

            var seen = Values.Number(read, entry.SessionId, result);
            if (seen == OwnedSession.Absent)
            {
                result.Count("get-other-absent"); // not created yet, deleted, or a create that failed: the ledger cannot tell
                return;
            }

            result.Stale("other", entry.Writer, start, Replaced(entry.Acks(), seen));
        }

        private static string Describe(long state) => state == OwnedSession.Absent ? "no row" : $"value #{state}";
    }

    /// <summary>
    /// When the write that replaced value <paramref name="seen"/> returned (Unix ms), or 0 when none did (a fresh
    /// read). With the history cut short, the oldest write kept stands in for it, which is later than the real one:
    /// the staleness can only come out lower, never wrongly higher.
    /// </summary>
    private static long Replaced(IEnumerable<OwnedSession.Ack> history, long seen) =>
        history.FirstOrDefault(a => a.Number > seen).AtMs;
}

/// <summary>What a written value holds: its number in the tokens, the headers and the verifier, so a read shows which write it is and that it is whole.</summary>
internal static class Values
{
    public static void Set(McpSession session, long number)
    {
        session.Tokens = Tokens(number);
        session.Headers = Headers(number);
        session.CodeVerifier = Verifier(number);
    }

    public static SessionUpdate Update(long number) => new()
    {
        Tokens = Tokens(number),
        Headers = Headers(number),
        CodeVerifier = Verifier(number),
    };

    private static OAuthTokens Tokens(long number) => new()
    {
        AccessToken = $"#{number}#access-{Guid.NewGuid():N}",
        RefreshToken = $"refresh-{number}",
        TokenType = "Bearer",
        ExpiresIn = 3600,
    };

    private static Dictionary<string, string> Headers(long number) => new() { ["X-Soak-Value"] = number.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private static string Verifier(long number) => $"verifier-{number}";

    /// <summary>The number of <paramref name="read"/> (<see cref="OwnedSession.Absent"/> for null), after checking it is whole and is <paramref name="sessionId"/>.</summary>
    public static long Number(McpSession? read, string sessionId, SoakRecorder result)
    {
        if (read is null)
        {
            return OwnedSession.Absent;
        }

        var access = read.Tokens?.AccessToken ?? "";
        var parts = access.Split('#');
        if (read.SessionId != sessionId || parts.Length != 3 || !long.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var number)
            || read.Tokens!.RefreshToken != $"refresh-{number}" || read.CodeVerifier != Verifier(number)
            || read.Headers?.GetValueOrDefault("X-Soak-Value") != number.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            result.Violation("torn value", $"{sessionId} read back as session {read.SessionId} with members of different writes");
            return OwnedSession.Absent - 1;
        }

        return number;
    }
}
