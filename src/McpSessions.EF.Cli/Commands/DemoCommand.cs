using System.Buffers.Text;
using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using McpSessions.EF.Cli.Demo;
using McpSessions.EF.Cli.Rendering;
using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace McpSessions.EF.Cli.Commands;

/// <summary>
/// <c>mcp-sessions demo</c>: takes a few sessions of two users through their life (pending, active, expired, cleaned
/// up) in a SQLite file in the current directory, with the library's defaults and nothing configured.
/// </summary>
internal sealed class DemoCommand : Command
{
    private static readonly string[] Users = ["alice", "bob"];
    private const string CallbackUrl = "http://localhost:5173/oauth/callback";
    private const string EncryptionKeySetting = "McpSessions:Encryption:Key";

    // identity, server id, server name, URL, transport. The last one never finishes OAuth and is left to expire.
    private static readonly (string Identity, string ServerId, string ServerName, string Url, McpTransportType Transport)[] Connections =
    [
        ("alice", "github", "GitHub", "https://github.mcp.example.com/mcp", McpTransportType.StreamableHttp),
        ("alice", "linear", "Linear", "https://linear.mcp.example.com/sse", McpTransportType.Sse),
        ("bob", "github", "GitHub", "https://github.mcp.example.com/mcp", McpTransportType.StreamableHttp),
        ("bob", "notion", "Notion", "https://notion.mcp.example.com/mcp", McpTransportType.StreamableHttp),
    ];

    private readonly IAnsiConsole _console;

    public DemoCommand(IAnsiConsole console)
        : base("demo", "Walk a few sessions of two users through their life in a SQLite file in the current directory (library defaults, no configuration).")
    {
        this.WithExamples("mcp-sessions demo");
        _console = console;
        SetAction((_, cancellationToken) => RunAsync(cancellationToken));
    }

    private async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var clock = new DemoClock(TimeProvider.System.GetUtcNow());
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);

        // The library defaults, a SQLite file mcp-sessions.db in the current directory migrated on first use, plus the
        // one setting they lack: the library encrypts secrets at rest and needs a key (an app sets STORAGE_ENCRYPTION_KEY).
        // The demo makes one once and keeps it in a per-user file (mode 0600), passed as in-memory configuration so
        // that nothing else of the user's environment (DATABASE_URL, MCP_TS_*) is read. No logging provider is added, so the output is the tables and
        // failures surface as exceptions. The cleanup background service is registered but never started (no host):
        // the demo calls cleanup itself.
        var keyFile = DemoKeyFile.DefaultPath;
        var key = DemoKeyFile.LoadOrCreate(keyFile, out var keyCreated);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [EncryptionKeySetting] = key })
            .Build();
        services.AddMcpSessions(configuration);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var options = provider.GetRequiredService<IOptions<McpSessionsOptions>>().Value;
        var store = provider.GetRequiredService<ISessionStore>();
        var databaseFile = Path.GetFullPath(options.SqlitePath);
        try
        {
            Step("0. Start from a clean slate");
            Say(keyCreated
                ? $"Made an encryption key for the demo and saved it in [blue]{Markup.Escape(keyFile)}[/] (readable only by you, mode 0600)."
                : $"Using the demo's encryption key from [blue]{Markup.Escape(keyFile)}[/] (mode 0600).");
            await RunScenarioAsync(store, clock, options, databaseFile, cancellationToken);
            return 0;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // SQLite's messages do not name the file, which is what the user needs to act on.
            throw new CliException($"demo failed on {databaseFile}: {CliErrors.Describe(e)}", e);
        }
    }

    private async Task RunScenarioAsync(ISessionStore store, DemoClock clock, McpSessionsOptions options, string databaseFile, CancellationToken cancellationToken)
    {
        var removed = 0;
        foreach (var user in Users)
        {
            foreach (var sessionId in await store.ListIdsAsync(user, cancellationToken))
            {
                removed += await store.DeleteAsync(user, sessionId, cancellationToken) ? 1 : 0;
            }
        }

        Say($"Database: [blue]{Markup.Escape(databaseFile)}[/] (SQLite; schema created by migrations on first use).");
        Say("Secrets (tokens, client secret, code verifier) are encrypted at rest with it; an app keeps its key in STORAGE_ENCRYPTION_KEY.");
        Say($"Deleted {removed} session(s) of {string.Join(" and ", Users)} left by an earlier demo run (DeleteAsync); other sessions in the file are left alone.");

        Step("1. Users start connecting: pending sessions (CreateAsync)");
        var created = new List<McpSession>(Connections.Length);
        foreach (var (identity, serverId, serverName, url, transport) in Connections)
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            created.Add(await store.CreateAsync(
                new McpSession
                {
                    SessionId = store.GenerateSessionId(),
                    Identity = identity,
                    ServerId = serverId,
                    ServerName = serverName,
                    ServerUrl = url,
                    CallbackUrl = CallbackUrl,
                    TransportType = transport,
                    CodeVerifier = RandomSecret(),
                },
                cancellationToken));
        }

        Say($"Each holds the PKCE code verifier of its OAuth flow; pending sessions live {Minutes(options.PendingTtl)}.");
        await ShowAsync(store, clock, "Live sessions (ListAsync per user)", cancellationToken);

        Step("2. OAuth completes: client registration and tokens stored, sessions active (UpdateAsync)");
        var expiring = created[^1];
        clock.Advance(TimeSpan.FromSeconds(40));
        foreach (var session in created.Where(s => s != expiring))
        {
            var clientId = $"{session.ServerId}-client-{RandomSecret()[..8]}";
            await store.UpdateAsync(
                session.Identity,
                session.SessionId,
                new SessionUpdate
                {
                    ClientInformation = new OAuthClientInformation
                    {
                        ClientId = clientId,
                        ClientSecret = RandomSecret(),
                        ClientName = "mcp-sessions demo",
                        RedirectUris = [CallbackUrl],
                        GrantTypes = ["authorization_code", "refresh_token"],
                        ResponseTypes = ["code"],
                        TokenEndpointAuthMethod = "client_secret_post",
                    },
                    Tokens = new OAuthTokens
                    {
                        AccessToken = RandomSecret(),
                        RefreshToken = RandomSecret(),
                        TokenType = "Bearer",
                        ExpiresIn = 3600,
                        Scope = "read",
                    },
                    ClientId = clientId,
                    CodeVerifier = null,
                    Active = true,
                },
                cancellationToken);
        }

        Say($"{created.Count - 1} sessions are active (the code verifier is cleared once used); {Markup.Escape(expiring.Identity)}'s {Markup.Escape(expiring.ServerName ?? expiring.ServerUrl)} sign-in is never finished.");
        await ShowAsync(store, clock, "Live sessions (ListAsync per user)", cancellationToken);

        Step("3. Time passes: the unfinished sign-in expires");
        var advance = options.PendingTtl + TimeSpan.FromMinutes(1);
        clock.Advance(advance);
        var gone = await store.GetAsync(expiring.Identity, expiring.SessionId, cancellationToken);
        Say($"The demo clock moved {Minutes(advance)} forward (no waiting). GetAsync({Markup.Escape(expiring.Identity)}, {Markup.Escape(expiring.SessionId)}) → {(gone is null ? "null: expired, no longer live" : "[red]still live[/]")}; its row stays until cleanup.");
        await ShowAsync(store, clock, "Live sessions (ListAsync per user)", cancellationToken);

        Step("4. Cleanup removes what is no longer live (CleanupExpiredAsync)");
        var cleaned = await store.CleanupExpiredAsync(cancellationToken);
        Say($"CleanupExpiredAsync removed {cleaned} row(s). In an app the hosted cleanup service does this every {Minutes(options.CleanupInterval)}.");
        await ShowAsync(store, clock, "What is left (ListAsync per user)", cancellationToken);

        _console.WriteLine();
        Say($"Done. The sessions are in the SQLite file [blue]{Markup.Escape(databaseFile)}[/]; run the demo again to start over.");
    }

    private async Task ShowAsync(ISessionStore store, TimeProvider clock, string title, CancellationToken cancellationToken)
    {
        var sessions = new List<McpSession>();
        foreach (var user in Users)
        {
            sessions.AddRange(await store.ListAsync(user, cancellationToken));
        }

        _console.Write(SessionTable.Create(title, sessions, clock.GetUtcNow()));
    }

    private void Step(string title)
    {
        _console.WriteLine();
        _console.Write(new Rule($"[bold]{Markup.Escape(title)}[/]").LeftJustified());
    }

    private void Say(string markup) => _console.MarkupLine(markup);

    private static string Minutes(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0} min");

    // Stand-ins for what an authorization server would issue: random, so nothing printed could be mistaken for them.
    private static string RandomSecret() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
