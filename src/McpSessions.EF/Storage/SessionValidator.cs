using System.Buffers;

namespace McpSessions.EF.Storage;

/// <summary>The input rules of SPEC §2 and §8. Every public entry point checks before it writes anything.</summary>
/// <remarks>
/// Every string the store writes is <em>text</em>: no NUL (PostgreSQL's <c>text</c> and <c>jsonb</c> cannot hold U+0000,
/// so it failed there with a database error) and no unpaired surrogate (neither SQLite's UTF-8 nor JSON can encode
/// one, so it came back as U+FFFD). Refusing both on every provider keeps a round trip exact.
/// </remarks>
internal static class SessionValidator
{
    private const string NotText = "must not contain NUL or unpaired surrogate characters.";

    private static readonly SearchValues<char> SessionIdChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");

    public static void ValidateSessionId(string? sessionId, string field = nameof(McpSession.SessionId))
    {
        if (string.IsNullOrEmpty(sessionId) || sessionId.Length > McpSessionConfiguration.MaxSessionIdLength
            || sessionId.AsSpan().ContainsAnyExcept(SessionIdChars))
        {
            throw new SessionValidationException(field, "must be 1–128 characters of [A-Za-z0-9_-].");
        }
    }

    public static void ValidateIdentity(string? identity, string field = nameof(McpSession.Identity))
    {
        if (string.IsNullOrEmpty(identity) || identity.Length > McpSessionConfiguration.MaxIdentityLength
            || ContainsControl(identity) || !IsText(identity))
        {
            throw new SessionValidationException(field, "must be 1–256 characters with no control characters or unpaired surrogates.");
        }
    }

    /// <summary>Whether <paramref name="value"/> has no NUL and no unpaired surrogate: what every provider stores exactly.</summary>
    public static bool IsText(string value)
    {
        var span = value.AsSpan();
        if (span.Contains('\0'))
        {
            return false;
        }

        for (var i = span.IndexOfAnyInRange('\uD800', '\uDFFF'); i >= 0; i = NextSurrogate(span, i))
        {
            if (!char.IsHighSurrogate(span[i]) || i + 1 == span.Length || !char.IsLowSurrogate(span[i + 1]))
            {
                return false;
            }

            i += 2;
        }

        return true;

        static int NextSurrogate(ReadOnlySpan<char> span, int from)
        {
            var next = from < span.Length ? span[from..].IndexOfAnyInRange('\uD800', '\uDFFF') : -1;
            return next < 0 ? -1 : from + next;
        }
    }

    private static void ValidateText(string? value, string field)
    {
        if (value is not null && !IsText(value))
        {
            throw new SessionValidationException(field, NotText);
        }
    }

    /// <summary>Whether <paramref name="value"/> has a control character (<see cref="char.IsControl(char)"/>: C0, DEL and C1).</summary>
    private static bool ContainsControl(string value) =>
        value.AsSpan().ContainsAnyInRange('\u0000', '\u001F') || value.AsSpan().ContainsAnyInRange('\u007F', '\u009F');

    public static void ValidateKey(string identity, string sessionId)
    {
        ValidateIdentity(identity, "identity");
        ValidateSessionId(sessionId, "sessionId");
    }

    public static void ValidateNew(McpSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        ValidateSessionId(session.SessionId);
        ValidateIdentity(session.Identity);
        if (session.UserId.Length != 0)
        {
            ValidateIdentity(session.UserId, nameof(McpSession.UserId));
        }

        ValidateOptionalName(session.ServerId, nameof(McpSession.ServerId));
        ValidateOptionalName(session.ServerName, nameof(McpSession.ServerName));
        ValidateServerUrl(session.ServerUrl);
        ValidateCallbackUrl(session.CallbackUrl);
        ValidateTransport(session.TransportType);
        ValidateHeaders(session.Headers);
        ValidateText(session.CodeVerifier, nameof(McpSession.CodeVerifier));
        ValidateText(session.ClientId, nameof(McpSession.ClientId));
        ValidateTokens(session.Tokens);
        ValidateClientInformation(session.ClientInformation);
        ValidateUtc(session.CreatedAt, nameof(McpSession.CreatedAt));
    }

    public static void ValidateUpdate(SessionUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (update.Fields == SessionFields.None)
        {
            throw new SessionValidationException("update", "must set at least one member.");
        }

        if (update.IsSet(SessionFields.UserId))
        {
            ValidateIdentity(update.UserId, nameof(SessionUpdate.UserId));
        }

        if (update.IsSet(SessionFields.ServerId))
        {
            ValidateOptionalName(update.ServerId, nameof(SessionUpdate.ServerId));
        }

        if (update.IsSet(SessionFields.ServerName))
        {
            ValidateOptionalName(update.ServerName, nameof(SessionUpdate.ServerName));
        }

        if (update.IsSet(SessionFields.ServerUrl))
        {
            ValidateServerUrl(update.ServerUrl);
        }

        if (update.IsSet(SessionFields.CallbackUrl))
        {
            ValidateCallbackUrl(update.CallbackUrl);
        }

        if (update.IsSet(SessionFields.TransportType))
        {
            ValidateTransport(update.TransportType);
        }

        if (update.IsSet(SessionFields.Headers))
        {
            ValidateHeaders(update.Headers);
        }

        ValidateText(update.CodeVerifier, nameof(SessionUpdate.CodeVerifier));
        ValidateText(update.ClientId, nameof(SessionUpdate.ClientId));
        ValidateTokens(update.Tokens);
        ValidateClientInformation(update.ClientInformation);
    }

    private static void ValidateTokens(OAuthTokens? tokens)
    {
        if (tokens is not null && !(Text(tokens.AccessToken) && Text(tokens.TokenType) && Text(tokens.RefreshToken) && Text(tokens.Scope) && Text(tokens.IdToken)))
        {
            throw new SessionValidationException(nameof(McpSession.Tokens), "must have string members that " + NotText);
        }
    }

    private static void ValidateClientInformation(OAuthClientInformation? client)
    {
        if (client is not null && !(Text(client.ClientId) && Text(client.ClientSecret) && Text(client.TokenEndpointAuthMethod) && Text(client.ClientName)
            && Text(client.Scope) && All(client.RedirectUris) && All(client.GrantTypes) && All(client.ResponseTypes)))
        {
            throw new SessionValidationException(nameof(McpSession.ClientInformation), "must have string members that " + NotText);
        }

        static bool All(IList<string>? values) => values is null || values.All(v => Text(v));
    }

    private static bool Text(string? value) => value is null || IsText(value);

    /// <summary>An unset time (<see langword="default"/>) is allowed: the store fills it in.</summary>
    public static void ValidateUtc(DateTimeOffset value, string field)
    {
        if (value != default && value.Offset != TimeSpan.Zero)
        {
            throw new SessionValidationException(field, "must be in UTC (offset zero).");
        }
    }

    private static void ValidateOptionalName(string? value, string field)
    {
        if (value is { Length: > McpSessionConfiguration.MaxServerFieldLength })
        {
            throw new SessionValidationException(field, "must be at most 256 characters.");
        }

        ValidateText(value, field);
    }

    private static void ValidateServerUrl(string? url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new SessionValidationException(nameof(McpSession.ServerUrl), "must be an absolute http or https URI.");
        }

        ValidateText(url, nameof(McpSession.ServerUrl));
    }

    private static void ValidateCallbackUrl(string? url)
    {
        // On Unix "/path" parses as an absolute file: URI; a callback must name its scheme.
        if (!Uri.TryCreate(url, UriKind.Absolute, out _) || url[0] == '/')
        {
            throw new SessionValidationException(nameof(McpSession.CallbackUrl), "must be an absolute URI.");
        }

        ValidateText(url, nameof(McpSession.CallbackUrl));
    }

    private static void ValidateTransport(McpTransportType transport)
    {
        if (!Enum.IsDefined(transport))
        {
            throw new SessionValidationException(nameof(McpSession.TransportType), "must be sse or streamable_http.");
        }
    }

    private static void ValidateHeaders(Dictionary<string, string>? headers)
    {
        if (headers is null)
        {
            return;
        }

        foreach (var (name, value) in headers)
        {
            if (string.IsNullOrEmpty(name) || name.AsSpan().ContainsAnyInRange('\0', ' ') || name.AsSpan().ContainsAnyInRange('\u007F', '\uFFFF') || name.Contains(':', StringComparison.Ordinal))
            {
                throw new SessionValidationException(nameof(McpSession.Headers), "must have non-empty HTTP token names (no spaces, colons or control characters).");
            }

            if (value is null || value.AsSpan().ContainsAny('\r', '\n', '\0') || !IsText(value))
            {
                throw new SessionValidationException(nameof(McpSession.Headers), $"must have non-null values with no CR, LF, NUL or unpaired surrogate (header '{name}').");
            }
        }
    }
}
