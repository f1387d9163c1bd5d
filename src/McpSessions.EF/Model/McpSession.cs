using System.Text;

namespace McpSessions.EF.Model;

/// <summary>
/// One MCP session: a user (<see cref="Identity"/>) connected to one remote MCP server, with the OAuth
/// material needed to reconnect. Mapped to the table <c>mcp_sessions</c> (SPEC §2), whose columns are
/// shared with @mcp-ts/sdk.
/// </summary>
/// <remarks>
/// <see cref="Headers"/>, <see cref="ClientInformation"/>, <see cref="Tokens"/> and <see cref="CodeVerifier"/>
/// are secrets: <see cref="ToString"/> never prints them. In a session the store returns they are decrypted (a wrong
/// key or a tampered value fails the read) and parsed when first read; a stored clear-text value that is not valid JSON
/// for its member throws <see cref="SecretDecryptionException"/>, naming the session and the column, on that read.
/// </remarks>
public sealed partial class McpSession
{
    /// <summary>The surrogate key. Assigned by the store on create.</summary>
    public Guid Id { get; set; }

    /// <summary>The public session id: 1–128 characters of <c>[A-Za-z0-9_-]</c>, unique across all identities.</summary>
    public string SessionId { get; set; } = "";

    /// <summary>The owning user: 1–256 characters, no control characters.</summary>
    public string Identity { get; set; } = "";

    /// <summary>The user id used by row-level security. Defaults to <see cref="Identity"/> on create.</summary>
    public string UserId { get; set; } = "";

    /// <summary>The host's id for the server (at most 256 characters).</summary>
    public string? ServerId { get; set; }

    /// <summary>A human-readable server name (at most 256 characters).</summary>
    public string? ServerName { get; set; }

    /// <summary>The absolute <c>http</c> or <c>https</c> URL of the MCP server.</summary>
    public string ServerUrl { get; set; } = "";

    /// <summary>The absolute URL the OAuth authorization server redirects back to.</summary>
    public string CallbackUrl { get; set; } = "";

    /// <summary>
    /// The transport used to reach the server. Default <see cref="McpTransportType.StreamableHttp"/>, MCP's current
    /// transport; set <see cref="McpTransportType.Sse"/> only for a server that still speaks the legacy one.
    /// </summary>
    public McpTransportType TransportType { get; set; } = McpTransportType.StreamableHttp;

    /// <summary>When the session was created (UTC). Defaults to the store's clock on create.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the session was last written or touched (UTC). Maintained by the store.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>
    /// When a pending session stops being live (UTC). Maintained by the store: <c>now + PendingTtl</c> while
    /// pending, <c>now + ActiveTtl</c> once active (an active session ends by dormancy instead, SPEC §4).
    /// </summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary><see langword="false"/>: pending (OAuth in progress); <see langword="true"/>: connected.</summary>
    public bool Active { get; set; }

    /// <summary>Extra HTTP headers sent to the server. Secret.</summary>
    public Dictionary<string, string>? Headers
    {
        get => Secret<Dictionary<string, string>>(ref _headersSecret, SecretColumn.Headers);
        set => Volatile.Write(ref _headersSecret, value);
    }

    /// <summary>The OAuth client registration. Secret (may hold <c>client_secret</c>).</summary>
    public OAuthClientInformation? ClientInformation
    {
        get => Secret<OAuthClientInformation>(ref _clientInformationSecret, SecretColumn.ClientInformation);
        set => Volatile.Write(ref _clientInformationSecret, value);
    }

    /// <summary>The OAuth tokens. Secret.</summary>
    public OAuthTokens? Tokens
    {
        get => Secret<OAuthTokens>(ref _tokensSecret, SecretColumn.Tokens);
        set => Volatile.Write(ref _tokensSecret, value);
    }

    /// <summary>The PKCE code verifier of an authorization in progress. Secret.</summary>
    public string? CodeVerifier
    {
        get => Secret<string>(ref _codeVerifierSecret, SecretColumn.CodeVerifier);
        set => Volatile.Write(ref _codeVerifierSecret, value);
    }

    /// <summary>The OAuth client id.</summary>
    public string? ClientId { get; set; }

    /// <summary>
    /// The optimistic concurrency token: PostgreSQL's <c>xmin</c>, or a <c>version</c> column on SQLite.
    /// Maintained by the database and the store.
    /// </summary>
    public uint Version { get; set; }

    /// <summary>A description of the session with every secret redacted.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(256)
            .Append("McpSession { SessionId = ").Append(SessionId)
            .Append(", Identity = ").Append(Identity)
            .Append(", ServerUrl = ").Append(ServerUrl)
            .Append(", TransportType = ").Append(TransportType)
            .Append(", Active = ").Append(Active)
            .Append(", ExpiresAt = ").Append(ExpiresAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture))
            .Append(", Headers = ").Append(Redact(_headersSecret))
            .Append(", ClientInformation = ").Append(Redact(_clientInformationSecret))
            .Append(", Tokens = ").Append(Redact(_tokensSecret))
            .Append(", CodeVerifier = ").Append(Redact(_codeVerifierSecret))
            .Append(" }");
        return text.ToString();
    }

    // The slots, not the properties: printing a session must not parse (or fail on) a secret nobody has read yet.
    private static string Redact(object? secret) => secret is null ? "null" : "[redacted]";
}
