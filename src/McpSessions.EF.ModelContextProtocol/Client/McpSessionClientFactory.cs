using McpSessions.EF.Locking;
using McpSessions.EF.Model;
using McpSessions.EF.ModelContextProtocol.TokenCache;
using McpSessions.EF.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Authentication;
using ModelContextProtocol.Client;

namespace McpSessions.EF.ModelContextProtocol.Client;

/// <inheritdoc cref="IMcpSessionClientFactory"/>
internal sealed class McpSessionClientFactory(
    ISessionStore store,
    ISessionLock sessionLock,
    IOptions<McpSessionsClientOptions> options,
    TimeProvider time,
    ILoggerFactory loggerFactory) : IMcpSessionClientFactory
{
    // Read now, so invalid options fail when the factory is resolved, not on first use.
    private readonly McpSessionsClientOptions _options = options.Value;
    private readonly ILogger _cacheLogger = loggerFactory.CreateLogger<SessionTokenCache>();

    public async Task<HttpClientTransportOptions> CreateClientTransportOptionsAsync(
        string identity, string sessionId, Action<ClientOAuthOptions>? configureOAuth = null, CancellationToken cancellationToken = default)
    {
        var session = await store.GetAsync(identity, sessionId, cancellationToken).ConfigureAwait(false)
            ?? throw new SessionNotFoundException(identity, sessionId);
        var cache = NewCache(identity, sessionId);

        var oauth = new ClientOAuthOptions
        {
            RedirectUri = new Uri(session.CallbackUrl),
            Scopes = _options.Scopes,
            DynamicClientRegistration = new DynamicClientRegistrationOptions { ClientName = _options.ClientName },
        };
        configureOAuth?.Invoke(oauth);

        // Wired after the caller's configuration, around whatever it set. ClientId stays as the caller left it (null
        // by default) so that the SDK restores the registration persisted with the tokens after a restart.
        oauth.TokenCache = cache;
        var selector = oauth.AuthServerSelector;
        oauth.AuthServerSelector = servers => cache.SelectAuthorizationServer(servers, selector);
        var registration = oauth.DynamicClientRegistration ??= new DynamicClientRegistrationOptions();
        var registered = registration.ResponseDelegate;
        registration.ResponseDelegate = async (response, token) =>
        {
            await cache.PersistRegistrationAsync(response, token).ConfigureAwait(false);
            if (registered is not null)
            {
                await registered(response, token).ConfigureAwait(false);
            }
        };

        return new HttpClientTransportOptions
        {
            Endpoint = new Uri(session.ServerUrl),
            TransportMode = session.TransportType == McpTransportType.Sse ? HttpTransportMode.Sse : HttpTransportMode.StreamableHttp,
            Name = session.ServerName,
            AdditionalHeaders = session.Headers is null ? null : new Dictionary<string, string>(session.Headers),
            OAuth = oauth,
        };
    }

    public ITokenCache CreateTokenCache(string identity, string sessionId) => NewCache(identity, sessionId);

    private SessionTokenCache NewCache(string identity, string sessionId)
    {
        ArgumentException.ThrowIfNullOrEmpty(identity);
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        return new SessionTokenCache(identity, sessionId, store, sessionLock, _options, time, _cacheLogger);
    }
}
