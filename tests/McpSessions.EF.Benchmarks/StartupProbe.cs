using System.Diagnostics;
using System.Globalization;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Encryption;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace McpSessions.EF.Benchmarks;

/// <summary>
/// <c>--startup-probe &lt;sqlite-file&gt;</c>: what a new process pays before its first store call is answered.
/// AddMcpSessions on an already migrated SQLite file (AutoMigrate off, so the first call checks the migrations as an
/// application's does), then one CreateAsync and one GetAsync with encrypted secrets. Prints the milliseconds of the
/// first call, measured inside the process; scripts/bench.sh --startup runs it under hyperfine for the process wall.
/// <c>--phases</c> breaks the first call down. <c>--startup-floor</c> returns at once: what any .NET process costs here.
/// </summary>
internal static class StartupProbe
{
    public const string Command = "--startup-probe";

    public const string Floor = "--startup-floor";

    public static async Task<int> RunAsync(string[] args)
    {
        var phases = args is [_, "--phases"];
        if (args is not [var path, ..] || args.Length > (phases ? 2 : 1))
        {
            await Console.Error.WriteLineAsync($"usage: {Command} <migrated-sqlite-file> [--phases]");
            return 1;
        }

        var sinceStart = DateTime.Now - Process.GetCurrentProcess().StartTime;
        if (phases)
        {
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"phase runtime to Main: wall {sinceStart.TotalMilliseconds:F1} ms, cpu {Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds:F0} ms, jit {System.Runtime.JitInfo.GetCompiledMethodCount()} methods {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:F0} ms"));
        }

        var clock = new PhaseClock();
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
            // Where the first call's time goes, each step on a fresh context, before the store's own first call does
            // what is left: wall and CPU time and the methods the JIT compiled (EF Core's assemblies are IL only).
            clock.Phase("AddMcpSessions, service provider, store resolved");
            await TimePhasesAsync(provider, clock);
        }

        var sessionId = Guid.NewGuid().ToString("N");
        // CPU time beside the wall (every thread of the process: the JIT's background tier-up included), which a busy
        // machine moves less than the wall.
        var firstCpu = Process.GetCurrentProcess().TotalProcessorTime;
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
        var firstCpuMs = (Process.GetCurrentProcess().TotalProcessorTime - firstCpu).TotalMilliseconds;
        if (phases)
        {
            clock.Phase("first store call (CreateAsync) after the phases above");
        }

        var second = Stopwatch.StartNew();
        var read = await store.GetAsync("startup-probe", sessionId) ?? throw new InvalidOperationException("the session just created was not found");
        var secondMs = second.Elapsed.TotalMilliseconds;
        if (phases)
        {
            clock.Phase("second store call (GetAsync)");
        }

        if (read.CodeVerifier != "verifier")
        {
            throw new InvalidOperationException("the session did not read back as written");
        }

        await store.DeleteAsync("startup-probe", sessionId);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"first-call-ms={firstMs:F1} first-call-cpu-ms={firstCpuMs:F0} second-call-ms={secondMs:F1} setup-ms={setupMs:F1} runtime-to-main-ms={sinceStart.TotalMilliseconds:F1}"));
        return 0;
    }

    private static async Task TimePhasesAsync(IServiceProvider provider, PhaseClock clock)
    {
        var factory = provider.GetRequiredService<IDbContextFactory<SessionsDbContext>>();
        await using var context = await factory.CreateDbContextAsync();
        clock.Phase("context created (pooled factory, EF's service provider)");
        _ = context.Model;
        clock.Phase("model built");
        _ = SessionStatements.For(context);
        clock.Phase("statements built from the model");
        await provider.GetRequiredService<SessionSchemaGate>().CheckAsync(context, migrate: false, CancellationToken.None);
        clock.Phase("schema checked (every migration applied)");
        _ = SecretValues.WriteText(provider.GetRequiredService<SessionKeyRing>(), SecretColumn.CodeVerifier, "x");
        clock.Phase("one secret encrypted");
    }

    private sealed class PhaseClock
    {
        private readonly Stopwatch _wall = Stopwatch.StartNew();
        private TimeSpan _cpu = Process.GetCurrentProcess().TotalProcessorTime;
        private long _jitted = System.Runtime.JitInfo.GetCompiledMethodCount();
        private TimeSpan _jitTime = System.Runtime.JitInfo.GetCompilationTime();

        public void Phase(string name)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var jitted = System.Runtime.JitInfo.GetCompiledMethodCount();
            var jitTime = System.Runtime.JitInfo.GetCompilationTime();
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"phase {name}: wall {_wall.Elapsed.TotalMilliseconds:F1} ms, cpu {(cpu - _cpu).TotalMilliseconds:F0} ms, jit {jitted - _jitted} methods {(jitTime - _jitTime).TotalMilliseconds:F0} ms"));
            _wall.Restart();
            _cpu = cpu;
            _jitted = jitted;
            _jitTime = jitTime;
        }
    }
}
