using McpSessions.EF.Model;

namespace McpSessions.EF.Storage;

/// <summary>
/// A partial update for <see cref="ISessionStore.UpdateAsync"/>: only the members you set change, and a member set to
/// <see langword="null"/> is cleared. <c>new SessionUpdate { Tokens = tokens, Active = true }</c>.
/// </summary>
public sealed class SessionUpdate
{
    private SessionFields _set;
    private string? _userId, _serverId, _serverName, _serverUrl, _callbackUrl, _codeVerifier, _clientId;
    private McpTransportType _transportType;
    private bool _active;
    private Dictionary<string, string>? _headers;
    private OAuthClientInformation? _clientInformation;
    private OAuthTokens? _tokens;

    /// <summary>The members that were set.</summary>
    public SessionFields Fields => _set;

    /// <summary>Whether <paramref name="field"/> was set.</summary>
    public bool IsSet(SessionFields field) => (_set & field) == field;

    /// <inheritdoc cref="McpSession.UserId"/>
    public string? UserId { get => _userId; set => Set(ref _userId, value, SessionFields.UserId); }

    /// <inheritdoc cref="McpSession.ServerId"/>
    public string? ServerId { get => _serverId; set => Set(ref _serverId, value, SessionFields.ServerId); }

    /// <inheritdoc cref="McpSession.ServerName"/>
    public string? ServerName { get => _serverName; set => Set(ref _serverName, value, SessionFields.ServerName); }

    /// <inheritdoc cref="McpSession.ServerUrl"/>
    public string? ServerUrl { get => _serverUrl; set => Set(ref _serverUrl, value, SessionFields.ServerUrl); }

    /// <inheritdoc cref="McpSession.CallbackUrl"/>
    public string? CallbackUrl { get => _callbackUrl; set => Set(ref _callbackUrl, value, SessionFields.CallbackUrl); }

    /// <inheritdoc cref="McpSession.TransportType"/>
    public McpTransportType TransportType { get => _transportType; set => Set(ref _transportType, value, SessionFields.TransportType); }

    /// <summary>
    /// Activates (<see langword="true"/>) or returns the session to pending (<see langword="false"/>). Either moves
    /// <see cref="McpSession.ExpiresAt"/> to now plus the TTL of the new state.
    /// </summary>
    public bool Active { get => _active; set => Set(ref _active, value, SessionFields.Active); }

    /// <inheritdoc cref="McpSession.Headers"/>
    public Dictionary<string, string>? Headers { get => _headers; set => Set(ref _headers, value, SessionFields.Headers); }

    /// <inheritdoc cref="McpSession.ClientInformation"/>
    public OAuthClientInformation? ClientInformation { get => _clientInformation; set => Set(ref _clientInformation, value, SessionFields.ClientInformation); }

    /// <inheritdoc cref="McpSession.Tokens"/>
    public OAuthTokens? Tokens { get => _tokens; set => Set(ref _tokens, value, SessionFields.Tokens); }

    /// <inheritdoc cref="McpSession.CodeVerifier"/>
    public string? CodeVerifier { get => _codeVerifier; set => Set(ref _codeVerifier, value, SessionFields.CodeVerifier); }

    /// <inheritdoc cref="McpSession.ClientId"/>
    public string? ClientId { get => _clientId; set => Set(ref _clientId, value, SessionFields.ClientId); }

    /// <inheritdoc />
    public override string ToString() => $"SessionUpdate {{ {_set} }}";

    private void Set<T>(ref T field, T value, SessionFields flag)
    {
        field = value;
        _set |= flag;
    }
}
