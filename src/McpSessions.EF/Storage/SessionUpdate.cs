using System.Numerics;

namespace McpSessions.EF.Storage;

/// <summary>
/// A partial update for <see cref="ISessionStore.UpdateAsync"/>: only the members you set change, and a member set to
/// <see langword="null"/> is cleared. <c>new SessionUpdate { Tokens = tokens, Active = true }</c>.
/// </summary>
public sealed class SessionUpdate
{
    /// <summary>Every member an update can set, in the order their columns are set: <see cref="SessionFields"/> is the one list.</summary>
    internal static readonly SessionFields[] All = [.. Enum.GetValues<SessionFields>().Where(f => f != SessionFields.None)];

    private readonly object?[] _values = new object?[All.Length];
    private SessionFields _set;

    /// <summary>The members that were set.</summary>
    public SessionFields Fields => _set;

    /// <summary>Whether <paramref name="field"/> was set.</summary>
    public bool IsSet(SessionFields field) => (_set & field) == field;

    /// <inheritdoc cref="McpSession.UserId"/>
    public string? UserId { get => Get<string>(SessionFields.UserId); set => Set(SessionFields.UserId, value); }

    /// <inheritdoc cref="McpSession.ServerId"/>
    public string? ServerId { get => Get<string>(SessionFields.ServerId); set => Set(SessionFields.ServerId, value); }

    /// <inheritdoc cref="McpSession.ServerName"/>
    public string? ServerName { get => Get<string>(SessionFields.ServerName); set => Set(SessionFields.ServerName, value); }

    /// <inheritdoc cref="McpSession.ServerUrl"/>
    public string? ServerUrl { get => Get<string>(SessionFields.ServerUrl); set => Set(SessionFields.ServerUrl, value); }

    /// <inheritdoc cref="McpSession.CallbackUrl"/>
    public string? CallbackUrl { get => Get<string>(SessionFields.CallbackUrl); set => Set(SessionFields.CallbackUrl, value); }

    /// <inheritdoc cref="McpSession.TransportType"/>
    public McpTransportType TransportType { get => Get<McpTransportType>(SessionFields.TransportType); set => Set(SessionFields.TransportType, value); }

    /// <summary>
    /// Activates (<see langword="true"/>) or returns the session to pending (<see langword="false"/>). Either moves
    /// <see cref="McpSession.ExpiresAt"/> to now plus the TTL of the new state.
    /// </summary>
    public bool Active { get => Get<bool>(SessionFields.Active); set => Set(SessionFields.Active, value); }

    /// <inheritdoc cref="McpSession.Headers"/>
    public Dictionary<string, string>? Headers { get => Get<Dictionary<string, string>>(SessionFields.Headers); set => Set(SessionFields.Headers, value); }

    /// <inheritdoc cref="McpSession.ClientInformation"/>
    public OAuthClientInformation? ClientInformation { get => Get<OAuthClientInformation>(SessionFields.ClientInformation); set => Set(SessionFields.ClientInformation, value); }

    /// <inheritdoc cref="McpSession.Tokens"/>
    public OAuthTokens? Tokens { get => Get<OAuthTokens>(SessionFields.Tokens); set => Set(SessionFields.Tokens, value); }

    /// <inheritdoc cref="McpSession.CodeVerifier"/>
    public string? CodeVerifier { get => Get<string>(SessionFields.CodeVerifier); set => Set(SessionFields.CodeVerifier, value); }

    /// <inheritdoc cref="McpSession.ClientId"/>
    public string? ClientId { get => Get<string>(SessionFields.ClientId); set => Set(SessionFields.ClientId, value); }

    /// <summary>The value set for <paramref name="field"/> (one member), as the session property of the same name takes it.</summary>
    internal object? Get(SessionFields field) => _values[BitOperations.Log2((uint)field)];

    /// <inheritdoc />
    public override string ToString() => $"SessionUpdate {{ {_set} }}";

    private T? Get<T>(SessionFields field) => Get(field) is T value ? value : default;

    private void Set(SessionFields field, object? value)
    {
        _values[BitOperations.Log2((uint)field)] = value;
        _set |= field;
    }
}
