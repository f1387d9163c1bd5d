namespace McpSessions.EF.ModelContextProtocol;

/// <summary>
/// Options of the bridge to the official MCP C# SDK, set through
/// <c>AddMcpSessions(...).AddModelContextProtocol(o =&gt; ...)</c>.
/// </summary>
public sealed class McpSessionsClientOptions
{
    /// <summary>The name of the <see cref="System.Net.Http.HttpClient"/> the redirect flow uses for OAuth requests; configure it with <c>AddHttpClient(name)</c>.</summary>
    public const string HttpClientName = "McpSessions.EF.ModelContextProtocol";

    /// <summary>
    /// How long a token cache waits for another instance that is refreshing the same session's tokens before it gives
    /// up with a <see cref="McpSessions.EF.Locking.SessionLockTimeoutException"/>. Default 30 seconds.
    /// </summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest one instance keeps the refresh lock of a session after it let the SDK refresh. The SDK releases it
    /// by storing the new tokens; this bounds a refresh that never stores (a failed request, an abandoned interactive
    /// authorization). Default 20 seconds; keep it below <see cref="LockTimeout"/>.
    /// </summary>
    public TimeSpan RefreshHoldTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Tokens are treated as expired this much before they really expire, but never earlier than at 90 % of their
    /// lifetime, so the refresh happens before the server starts refusing them. Default 30 seconds.
    /// </summary>
    public TimeSpan MaxExpirySkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The <c>client_name</c> sent in dynamic client registration. Default <c>McpSessions.EF</c>.</summary>
    public string? ClientName { get; set; } = "McpSessions.EF";

    /// <summary>
    /// Scopes to request when neither the server's challenge nor its protected-resource metadata names any (the SDK's
    /// <c>ClientOAuthOptions.Scopes</c>).
    /// </summary>
    public IList<string>? Scopes { get; set; }
}
