using System.Diagnostics;
using System.Globalization;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Benchmarks;

/// <summary>
/// <c>--startup-probe &lt;sqlite-file&gt;</c>: what a new process pays before its first store call is answered.
/// AddMcpSessions on an already migrated SQLite file (AutoMigrate off, so the first call checks the migrations as an
/// application's does), then one CreateAsync and one GetAsync with encrypted secrets. Prints the milliseconds of the
/// first call, measured inside the process; scripts/bench.sh --startup runs it under hyperfine for the process wall.
/// </summary>
internal static class StartupProbe
{
    public const string Command = "--startup-probe";

    public static async Task<int> RunAsync(string[] args)
    {
        var phases = args is [_, "--phases"];
        if (args is not [var path, ..] || args.Length > (phases ? 2 : 1))
        {
            await Console.Error.WriteLineAsync($"usage: {Command} <migrated-sqlite-file> [--phases]");
            return 1;
        }

        var sinceStart = DateTime.Now - Process.GetCurrentProcess().StartTime;
        var setup = Stopwatch.StartNew();
        var services = new ServiceCollection();
        services.AddMcpSessions(o =>
        {
            o.Provider = SessionStorageProvider.Sqlite;
            o.SqlitePath = path;
            o.AutoMigrate = false;
            o.CleanupEnabled = false;
            o.Encryption.Key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        });
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<ISessionStore>();
        var setupMs = setup.Elapsed.TotalMilliseconds;

        if (phases)
        {
            // Where the first call's time goes, each step on a fresh context, before the store's own first call.
            await TimePhasesAsync(provider);
        }

        var sessionId = Guid.NewGuid().ToString("N");
        var first = Stopwatch.StartNew();
        await store.CreateAsync(new McpSession
        {
            SessionId = sessionId,
            Identity = "startup-probe",
            ServerUrl = "https://mcp.example.com/mcp",
            CallbackUrl = "https://app.example.com/oauth/callback",
            TransportType = McpTransportType.StreamableHttp,
            Headers = new Dictionary<string, string> { ["X-Api-Key"] = "probe" },
            CodeVerifier = "verifier",
        });
        var firstMs = first.Elapsed.TotalMilliseconds;

        var second = Stopwatch.StartNew();
        var read = await store.GetAsync("startup-probe", sessionId) ?? throw new InvalidOperationException("the session just created was not found");
        var secondMs = second.Elapsed.TotalMilliseconds;
        if (read.CodeVerifier != "verifier")
        {
            throw new InvalidOperationException("the session did not read back as written");
        }

        await store.DeleteAsync("startup-probe", sessionId);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"first-call-ms={firstMs:F1} second-call-ms={secondMs:F1} setup-ms={setupMs:F1} runtime-to-main-ms={sinceStart.TotalMilliseconds:F1}"));
        return 0;
    }

    private static async Task TimePhasesAsync(IServiceProvider provider)
    {
        var factory = provider.GetRequiredService<IDbContextFactory<SessionsDbContext>>();
        var clock = Stopwatch.StartNew();
        await using var context = await factory.CreateDbContextAsync();
        Phase("context created", clock);
        _ = context.Model;
        Phase("model built", clock);
        await context.Database.OpenConnectionAsync();
        Phase("connection opened", clock);
        _ = context.GetService<IMigrationsAssembly>().Migrations;
        Phase("migrations assembly read", clock);
        var pending = await context.Database.GetPendingMigrationsAsync();
        Phase($"pending migrations read ({pending.Count()})", clock);
        await context.McpSessions.Where(s => s.Identity == "none").ToListAsync();
        Phase("first LINQ query", clock);
    }

    private static void Phase(string name, Stopwatch clock)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"phase {name}: {clock.Elapsed.TotalMilliseconds:F1} ms"));
        clock.Restart();
    }
}
