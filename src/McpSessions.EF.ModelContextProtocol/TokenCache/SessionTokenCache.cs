using McpSessions.EF.Caching;
using McpSessions.EF.Locking;
using McpSessions.EF.Model;
using McpSessions.EF.Storage;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Authentication;

namespace McpSessions.EF.ModelContextProtocol.TokenCache;

/// <summary>
/// The SDK's <see cref="ITokenCache"/> on one stored session: every read and write goes to the session's encrypted
/// columns, so the tokens survive a restart and are shared by every instance of the application. Safe for concurrent
/// use. Refreshes are single-flight across instances (<c>SessionTokenCache.SingleFlight.cs</c>), and tokens are bound to
/// the authorization server that issued them.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The SDK never disposes a token cache; the SemaphoreSlim's wait handle is never created, so nothing leaks.")]
internal sealed partial class SessionTokenCache : ITokenCache
{
    private readonly ISessionStore _store;
    private readonly McpSessionsClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // The issuer the SDK selected for its current authorization (set through ClientOAuthOptions.AuthServerSelector),
    // and the one the stored registration is bound to (as last read). Both are plain strings, written atomically.
    private volatile string? _selectedIssuer;
    private volatile string? _boundIssuer;

    public SessionTokenCache(string identity, string sessionId, ISessionStore store, ISessionLock sessionLock, McpSessionsClientOptions options, TimeProvider time, ILogger logger)
    {
        Identity = identity;
        SessionId = sessionId;
        _store = store;
        _lock = sessionLock;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public string Identity { get; }

    public string SessionId { get; }

    /// <summary>
    /// The stored tokens, or <see langword="null"/> when the session has none, or has tokens of another authorization
    /// server than the one the SDK selected (which makes the SDK authorize again against the new one).
    /// </summary>
    public async ValueTask<TokenContainer?> GetTokensAsync(CancellationToken cancellationToken)
    {
        var stored = await ReadAsync(cancellationToken).ConfigureAwait(false);
        if (stored is not null && IsExpired(stored))
        {
            stored = await WaitForRefreshOrTakeItAsync(stored, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // Fresh tokens (or none): nothing for this instance to refresh.
            await ReleaseRefreshLockAsync().ConfigureAwait(false);
        }

        return stored is null ? null : ToContainer(stored);
    }

    /// <summary>
    /// Writes the tokens and the client registration they belong to, and marks the session active. Releases the refresh
    /// lock when this instance held it: the refreshed tokens are in the database before any other instance may look.
    /// </summary>
    public async ValueTask StoreTokensAsync(TokenContainer tokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        try
        {
            var current = await _store.GetFromDatabaseAsync(Identity, SessionId, cancellationToken).ConfigureAwait(false)
                ?? throw new SessionNotFoundException(Identity, SessionId);
            var stored = StoredTokens.FromContainer(tokens, ToLibraryTime(tokens.ObtainedAt));
            var client = StoredTokens.ClientFromContainer(tokens, current.ClientInformation);
            await _store.UpdateAsync(
                Identity,
                SessionId,
                new SessionUpdate { Tokens = stored, ClientInformation = client, ClientId = tokens.ClientId ?? current.ClientId, Active = true },
                cancellationToken).ConfigureAwait(false);
            _boundIssuer = tokens.AuthorizationServer;
            Log.Stored(_logger, SessionId, stored.RefreshToken is { Length: > 0 });
        }
        finally
        {
            await ReleaseRefreshLockAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The SDK's choice of authorization server, wrapped: the caller's selector if any, else the server the stored
    /// registration is bound to when the resource still lists it, else the first. Remembers the choice for issuer binding.
    /// </summary>
    public Uri? SelectAuthorizationServer(IReadOnlyList<Uri> available, Func<IReadOnlyList<Uri>, Uri?>? selector)
    {
        var bound = _boundIssuer;
        var chosen = selector is not null
            ? selector(available)
            : available.FirstOrDefault(server => string.Equals(server.OriginalString, bound, StringComparison.Ordinal)) ?? (available.Count > 0 ? available[0] : null);
        _selectedIssuer = chosen?.OriginalString;
        return chosen;
    }

    /// <summary>Persists the SDK's dynamic client registration response, bound to the authorization server it was made with.</summary>
    public async Task PersistRegistrationAsync(DynamicClientRegistrationResponse registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        var issuer = _selectedIssuer;
        await _store.UpdateAsync(
            Identity,
            SessionId,
            new SessionUpdate { ClientInformation = StoredTokens.ClientFromRegistration(registration, issuer), ClientId = registration.ClientId },
            cancellationToken).ConfigureAwait(false);
        _boundIssuer = issuer;
        Log.RegistrationStored(_logger, SessionId, issuer);
    }

    /// <summary>
    /// The session's tokens as stored, or null when there are none or they are bound to another issuer. Under the
    /// refresh lock <paramref name="fromDatabase"/>: a cache entry may predate a rotation (SPEC §6).
    /// </summary>
    private async Task<StoredSession?> ReadAsync(CancellationToken cancellationToken, bool fromDatabase = false)
    {
        var session = fromDatabase
            ? await _store.GetFromDatabaseAsync(Identity, SessionId, cancellationToken).ConfigureAwait(false)
            : await _store.GetAsync(Identity, SessionId, cancellationToken).ConfigureAwait(false);
        if (session?.Tokens is not { AccessToken.Length: > 0 } tokens)
        {
            return null;
        }

        var bound = StoredTokens.AuthorizationServer(session.ClientInformation);
        _boundIssuer = bound;
        if (_selectedIssuer is { } selected && bound is not null && !string.Equals(selected, bound, StringComparison.Ordinal))
        {
            // Issuer binding: the refresh token and client secret of one authorization server are never handed to a
            // flow that talks to another. Returning no tokens makes the SDK authorize against the new one, whose tokens
            // then replace these.
            Log.IssuerMismatch(_logger, SessionId, bound, selected);
            return null;
        }

        return new StoredSession(tokens, session.ClientInformation, bound, StoredTokens.ExpiresAt(tokens, _options.MaxExpirySkew));
    }

    private bool IsExpired(StoredSession stored) => stored.ExpiresAt is { } expiresAt && _time.GetUtcNow() >= expiresAt;

    /// <summary>
    /// The SDK's view of the stored tokens. The SDK judges expiry as <c>DateTimeOffset.UtcNow &gt;= ObtainedAt + ExpiresIn</c>
    /// on the wall clock, while the library keeps time with its injected <see cref="TimeProvider"/> (tests move it):
    /// <c>ObtainedAt</c> is shifted so that the SDK's judgment falls exactly when the library's does, skew included.
    /// </summary>
    private TokenContainer ToContainer(StoredSession stored)
    {
        var tokens = stored.Tokens;
        int? expiresIn = null;
        var obtainedAt = TimeProvider.System.GetUtcNow();
        if (stored.ExpiresAt is { } expiresAt && tokens.ExpiresIn is { } seconds)
        {
            expiresIn = (int)Math.Clamp(seconds, 0, int.MaxValue);
            obtainedAt = obtainedAt + (expiresAt - _time.GetUtcNow()) - TimeSpan.FromSeconds(expiresIn.Value);
        }

        return new TokenContainer
        {
            TokenType = tokens.TokenType ?? "Bearer",
            AccessToken = tokens.AccessToken!,
            RefreshToken = tokens.RefreshToken,
            ExpiresIn = expiresIn,
            Scope = tokens.Scope,
            ObtainedAt = obtainedAt,
            ClientId = stored.Client?.ClientId,
            ClientSecret = stored.Client?.ClientSecret,
            TokenEndpointAuthMethod = stored.Client?.TokenEndpointAuthMethod,
            AuthorizationServer = stored.Issuer,
        };
    }

    /// <summary>An instant of the SDK's wall clock on the library's clock (identical in production).</summary>
    private DateTimeOffset ToLibraryTime(DateTimeOffset sdkTime) => sdkTime + (_time.GetUtcNow() - TimeProvider.System.GetUtcNow());

    private sealed record StoredSession(OAuthTokens Tokens, OAuthClientInformation? Client, string? Issuer, DateTimeOffset? ExpiresAt);
}
