using System.Globalization;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using Microsoft.Extensions.DependencyInjection;

// A process of its own for the crash and race tests (tests/McpSessions.EF.Tests/Faults). Every line it prints is
// flushed at once (Console.Out autoflushes), so a line the test read is a call that returned.
//   burst PROVIDER CONNECTION KEY TASKS SESSIONS GENERATION MILLISECONDS
//       TASKS tasks, each updating its own SESSIONS sessions (burst-T-S of identity "crash") in turn, round after round
//       for MILLISECONDS: every update sets ServerName, ClientId and Tokens to values carrying one counter
//       (GENERATION * 1,000,000 + round), and prints "u SESSION COUNTER" after UpdateAsync returned; "done" at the
//       end. The test kills it.
//   create PROVIDER CONNECTION KEY NAME TASKS
//       on each stdin line "go ROUND IDS": TASKS tasks create race-ROUND-0 .. race-ROUND-(IDS-1) (identity "race",
//       ServerName NAME), and print "won ID", "lost ID" (SessionAlreadyExistsException) or "error ID TYPE", then
//       "round ROUND". Another process does the same at the same time.
//   update PROVIDER CONNECTION KEY SIDE SESSIONS
//       on each stdin line "go ROUND": updates upd-0 .. upd-(SESSIONS-1) (identity "race"), one task per session;
//       SIDE "tokens" sets Tokens and Headers, SIDE "names" sets ServerName, ClientId and CodeVerifier, to values
//       carrying ROUND; then prints "round ROUND".
// Every mode prints "ready" once its store has answered a first call. PROVIDER is postgres or sqlite.
if (args.Length < 4)
{
    Console.Error.WriteLine("usage: burst|create|update postgres|sqlite CONNECTION KEY ...");
    return 1;
}

var (mode, connection, key) = (args[0], args[2], args[3]);
await using var services = new ServiceCollection().AddMcpSessions(o =>
{
    o.Provider = args[1] == "postgres" ? SessionStorageProvider.Postgres : SessionStorageProvider.Sqlite;
    o.ConnectionString = connection;
    o.Encryption.Key = key;
    o.CleanupEnabled = false;
    o.AutoMigrate = false;
}).Services.BuildServiceProvider();
var store = services.GetRequiredService<ISessionStore>();
await store.ListIdsAsync("crash");
Console.WriteLine("ready");

switch (mode)
{
    case "burst":
        await BurstAsync(Int(4), Int(5), Int(6), Int(7));
        Console.WriteLine("done");
        return 0;
    case "create":
        await RoundsAsync(async words => await CreateAsync(args[4], Int(5), words[1], int.Parse(words[2], CultureInfo.InvariantCulture)));
        return 0;
    case "update":
        await RoundsAsync(async words => await UpdateAsync(args[4], Int(5), words[1]));
        return 0;
    default:
        Console.Error.WriteLine($"unknown mode {mode}");
        return 1;
}

int Int(int index) => int.Parse(args[index], CultureInfo.InvariantCulture);

async Task BurstAsync(int tasks, int sessions, int generation, int milliseconds)
{
    var clock = System.Diagnostics.Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, tasks).Select(task => Task.Run(async () =>
    {
        for (var round = 0; clock.ElapsedMilliseconds < milliseconds; round++)
        {
            for (var s = 0; s < sessions; s++)
            {
                var sessionId = $"burst-{task}-{s}";
                var counter = ((long)generation * 1_000_000) + round;
                await store.UpdateAsync("crash", sessionId, new SessionUpdate
                {
                    ServerName = $"name-{counter}",
                    ClientId = $"client-{counter}",
                    Tokens = new OAuthTokens { AccessToken = $"access-{counter}", RefreshToken = $"refresh-{counter}", TokenType = "Bearer" },
                });
                Console.Out.WriteLine($"u {sessionId} {counter}");
            }
        }
    })));
}

async Task RoundsAsync(Func<string[], Task> round)
{
    while (Console.In.ReadLine() is { } line)
    {
        var words = line.Split(' ');
        if (words[0] != "go")
        {
            break;
        }

        await round(words);
        Console.WriteLine($"round {words[1]}");
    }
}

async Task CreateAsync(string name, int tasks, string round, int ids)
{
    // Both processes walk the ids in the same order, so each create meets the other process's create of that id.
    await Task.WhenAll(Enumerable.Range(0, tasks).Select(task => Task.Run(async () =>
    {
        for (var i = task; i < ids; i += tasks)
        {
            var sessionId = $"race-{round}-{i}";
            try
            {
                await store.CreateAsync(new McpSession
                {
                    SessionId = sessionId,
                    Identity = "race",
                    ServerName = name,
                    ServerUrl = "https://mcp.example.com/mcp",
                    CallbackUrl = "https://app.example.com/oauth/callback",
                    TransportType = McpTransportType.StreamableHttp,
                    Tokens = new OAuthTokens { AccessToken = $"access-{name}", TokenType = "Bearer" },
                });
                Console.Out.WriteLine($"won {sessionId}");
            }
            catch (SessionAlreadyExistsException)
            {
                Console.Out.WriteLine($"lost {sessionId}");
            }
            catch (Exception e)
            {
                Console.Out.WriteLine($"error {sessionId} {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            }
        }
    })));
}

async Task UpdateAsync(string side, int sessions, string round)
{
    await Task.WhenAll(Enumerable.Range(0, sessions).Select(s => Task.Run(async () =>
    {
        var update = side == "tokens"
            ? new SessionUpdate
            {
                Tokens = new OAuthTokens { AccessToken = $"access-{round}", RefreshToken = $"refresh-{round}", TokenType = "Bearer" },
                Headers = new() { ["X-Round"] = round },
            }
            : new SessionUpdate { ServerName = $"name-{round}", ClientId = $"client-{round}", CodeVerifier = $"verifier-{round}" };
        await store.UpdateAsync("race", $"upd-{s}", update);
    })));
}
