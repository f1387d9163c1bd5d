using McpSessions.EF.DependencyInjection;
using McpSessions.EF.Model;
using McpSessions.EF.ModelContextProtocol;
using McpSessions.EF.Storage;
using McpSessions.EF.Tests.Infrastructure;
using McpSessions.EF.Tests.ModelContextProtocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Authentication;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpSessions.EF.Tests.Specification;

/// <summary>
/// The bridge to the official MCP C# SDK, end to end: the real SDK client against a real OAuth-protected MCP server
/// (<see cref="OAuthProtectedMcpServer"/>) on 127.0.0.1, sessions in a real database. Each provider runs it with its
/// fixture and its session lock. An "instance" is a service provider of its own, as another process would have.
/// </summary>
public abstract partial class McpSdkBridgeSpecification<TFixture>(TFixture fixture) : IClassFixture<TFixture>, IAsyncLifetime
    where TFixture : SessionStoreFixture
{
    protected static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromMinutes(1);

    private readonly List<IAsyncDisposable> _disposables = [];

    protected TFixture Fixture { get; } = fixture;

    protected ManualTimeProvider Clock => Fixture.Clock;

    protected ISessionStore Store => Fixture.Store;

    protected ListLoggerProvider Logs { get; } = new();

    protected OAuthProtectedMcpServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Store.ListIdsAsync("schema-warm-up");
        Server = await OAuthProtectedMcpServer.StartAsync(Clock, AccessTokenLifetime);
    }

    public async Task DisposeAsync()
    {
        for (var i = _disposables.Count - 1; i >= 0; i--)
        {
            await _disposables[i].DisposeAsync();
        }

        await Server.DisposeAsync();
    }


    /// <summary>What every instance registers: the fixture's database and clock, this provider's lock, the bridge.</summary>
    protected void ConfigureInstance(IServiceCollection services, Action<McpSessionsClientOptions>? configure = null)
    {
        services.AddSingleton<TimeProvider>(Clock);
        services.AddLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        services.AddMcpSessions(o =>
        {
            o.Provider = Fixture.Provider;
            o.ConnectionString = Fixture.ConnectionString;
            o.Encryption.Key = TestKeys.A;
            o.CleanupEnabled = false;
            Fixture.ConfigureProvider(o);
        }).AddModelContextProtocol(configure);
    }

    /// <summary>A new instance of the application on the same database.</summary>
    protected ServiceProvider NewInstance(Action<McpSessionsClientOptions>? configure = null)
    {
        var services = new ServiceCollection();
        ConfigureInstance(services, configure);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _disposables.Add(provider);
        return provider;
    }

    protected T Track<T>(T disposable) where T : IAsyncDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }

    /// <summary>A new pending session of a new user for the test server, with a loopback redirect URI (a desktop-style client).</summary>
    protected async Task<McpSession> CreateSessionAsync(IServiceProvider instance, McpTransportType transport = McpTransportType.StreamableHttp)
    {
        var sessions = instance.GetRequiredService<ISessionStore>();
        return await sessions.CreateAsync(new McpSession
        {
            SessionId = sessions.GenerateSessionId(),
            Identity = $"user-{Guid.NewGuid():N}",
            ServerUrl = Server.McpUrl.ToString(),
            CallbackUrl = "http://127.0.0.1:7777/oauth/callback",
            TransportType = transport,
        });
    }

    /// <summary>
    /// The SDK client on <paramref name="instance"/>, configured through the factory. With a <paramref name="browser"/>
    /// it may authorize interactively; without one, an authorization request fails the test.
    /// </summary>
    protected async Task<McpClient> ConnectAsync(IServiceProvider instance, McpSession session, Browser? browser = null)
    {
        var options = await instance.GetRequiredService<IMcpSessionClientFactory>().CreateClientTransportOptionsAsync(
            session.Identity,
            session.SessionId,
            oauth => oauth.AuthorizationCallbackHandler = browser is null ? AuthorizationNotExpected : browser.AuthorizeAsync);
        var loggers = instance.GetRequiredService<ILoggerFactory>();
        var transport = Track(new HttpClientTransport(options, loggers));
        return Track(await McpClient.CreateAsync(transport, loggerFactory: loggers));
    }

    /// <summary>A first connection: the SDK registers, authorizes and stores the tokens.</summary>
    protected async Task<(IServiceProvider Instance, McpSession Session, McpClient Client)> ConnectFirstTimeAsync()
    {
        var instance = NewInstance();
        var session = await CreateSessionAsync(instance);
        using var browser = new Browser();
        var client = await ConnectAsync(instance, session, browser);
        Assert.Equal("echo: first", await EchoAsync(client, "first"));
        return (instance, session, client);
    }

    protected static async Task<string> EchoAsync(McpClient client, string text)
    {
        var result = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = text });
        return Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;
    }

    protected async Task<McpSession> StoredAsync(McpSession session) =>
        await Store.GetAsync(session.Identity, session.SessionId) ?? throw new Xunit.Sdk.XunitException($"session {session.SessionId} is gone");

    private static Task<AuthorizationResult?> AuthorizationNotExpected(AuthorizationCallbackContext context, CancellationToken cancellationToken) =>
        throw new Xunit.Sdk.XunitException("The SDK asked for an interactive authorization.");
}
