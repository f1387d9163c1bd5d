using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using McpSessions.EF.Model;

namespace McpSessions.EF.ModelContextProtocol.OAuth;

/// <summary>The protected resource's metadata (RFC 9728) as the flow uses it.</summary>
internal sealed record ProtectedResource(string? Resource, IReadOnlyList<string> AuthorizationServers, IReadOnlyList<string> ScopesSupported);

/// <summary>An authorization server's metadata (RFC 8414) as the flow uses it, validated.</summary>
internal sealed record AuthorizationServer(
    string Issuer,
    Uri AuthorizationEndpoint,
    Uri TokenEndpoint,
    Uri? RegistrationEndpoint,
    IReadOnlyList<string> ScopesSupported,
    IReadOnlyList<string> TokenEndpointAuthMethodsSupported,
    bool IssParameterSupported);

/// <summary>
/// The standards-based HTTP half of the redirect flow: the SDK keeps its own implementation internal, so discovery,
/// dynamic client registration and the token request are done here, the way the MCP authorization specification and
/// the SDK do them, so that the SDK accepts and refreshes the result.
/// </summary>
internal sealed class OAuthClient(HttpClient http)
{
    private const string ProtectedResourceWellKnown = "/.well-known/oauth-protected-resource";

    /// <summary>
    /// The server's protected-resource metadata: where its own 401 challenge points (WWW-Authenticate
    /// <c>resource_metadata</c>), else the well-known URIs with and without the endpoint's path. A server that has
    /// none is taken to be its own authorization server (the MCP 2025-03-26 fallback).
    /// </summary>
    public async Task<ProtectedResource> DiscoverResourceAsync(Uri serverUrl, CancellationToken cancellationToken)
    {
        var origin = new Uri(serverUrl.GetLeftPart(UriPartial.Authority));
        var candidates = new List<Uri>();
        if (await ChallengedMetadataUrlAsync(serverUrl, cancellationToken).ConfigureAwait(false) is { } challenged)
        {
            candidates.Add(challenged);
        }

        var path = serverUrl.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            candidates.Add(new Uri(origin, ProtectedResourceWellKnown + "/" + path));
        }

        candidates.Add(new Uri(origin, ProtectedResourceWellKnown));
        foreach (var candidate in candidates)
        {
            var document = await GetJsonAsync(candidate, OAuthJsonContext.Default.ProtectedResourceDocument, cancellationToken).ConfigureAwait(false);
            if (document is null)
            {
                continue;
            }

            if (document.Resource is { } resource && !SameResource(resource, serverUrl) && !SameResource(resource, origin))
            {
                throw new McpAuthorizationException(
                    McpAuthorizationError.DiscoveryFailed,
                    $"The protected-resource metadata at {candidate} is for {resource}, not for {serverUrl} (RFC 9728 §3.3).");
            }

            if (document.AuthorizationServers is not { Count: > 0 } servers)
            {
                throw new McpAuthorizationException(McpAuthorizationError.DiscoveryFailed, $"The protected-resource metadata at {candidate} names no authorization server.");
            }

            return new ProtectedResource(document.Resource, servers, document.ScopesSupported ?? []);
        }

        return new ProtectedResource(null, [origin.GetLeftPart(UriPartial.Authority)], []);
    }

    /// <summary>The metadata of authorization server <paramref name="issuer"/>, checked as the SDK checks it.</summary>
    public async Task<AuthorizationServer> GetAuthorizationServerAsync(string issuer, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(issuer, UriKind.Absolute, out var issuerUri) || issuerUri.Scheme is not ("http" or "https"))
        {
            throw new McpAuthorizationException(McpAuthorizationError.DiscoveryFailed, $"The authorization server '{issuer}' is not an absolute http or https URI.");
        }

        var origin = issuerUri.GetLeftPart(UriPartial.Authority);
        var path = issuerUri.AbsolutePath.Trim('/');
        string[] candidates = path.Length == 0
            ? [$"{origin}/.well-known/oauth-authorization-server", $"{origin}/.well-known/openid-configuration"]
            : [$"{origin}/.well-known/oauth-authorization-server/{path}", $"{origin}/.well-known/openid-configuration/{path}", $"{origin}/{path}/.well-known/openid-configuration"];
        foreach (var candidate in candidates)
        {
            var document = await GetJsonAsync(new Uri(candidate), OAuthJsonContext.Default.AuthorizationServerDocument, cancellationToken).ConfigureAwait(false);
            if (document is null)
            {
                continue;
            }

            if (!string.Equals(document.Issuer, issuer, StringComparison.Ordinal))
            {
                throw new McpAuthorizationException(
                    McpAuthorizationError.DiscoveryFailed,
                    $"The metadata at {candidate} names issuer '{document.Issuer}', not '{issuer}' (RFC 8414 §3.3).");
            }

            if (document.CodeChallengeMethodsSupported?.Contains("S256") != true)
            {
                throw new McpAuthorizationException(McpAuthorizationError.DiscoveryFailed, $"Authorization server {issuer} does not advertise PKCE with S256.");
            }

            return new AuthorizationServer(
                issuer,
                Endpoint(document.AuthorizationEndpoint, "authorization_endpoint", issuer) ?? throw MissingEndpoint("authorization_endpoint", issuer),
                Endpoint(document.TokenEndpoint, "token_endpoint", issuer) ?? throw MissingEndpoint("token_endpoint", issuer),
                Endpoint(document.RegistrationEndpoint, "registration_endpoint", issuer),
                document.ScopesSupported ?? [],
                document.TokenEndpointAuthMethodsSupported ?? [],
                document.AuthorizationResponseIssParameterSupported);
        }

        throw new McpAuthorizationException(McpAuthorizationError.DiscoveryFailed, $"No authorization server metadata found for {issuer}.");
    }

    /// <summary>Dynamic client registration (RFC 7591). The whole response is kept, unknown members included.</summary>
    public async Task<OAuthClientInformation> RegisterAsync(Uri registrationEndpoint, ClientRegistrationRequest registration, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(registrationEndpoint, registration, OAuthJsonContext.Default.ClientRegistrationRequest, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
            throw new McpAuthorizationException(
                McpAuthorizationError.RegistrationFailed,
                $"Dynamic client registration at {registrationEndpoint} failed with HTTP {(int)response.StatusCode}{(error is null ? "" : $" ({error})")}.",
                error);
        }

        var client = await ReadJsonAsync(response, OAuthJsonContext.Default.OAuthClientInformation, cancellationToken).ConfigureAwait(false);
        if (client?.ClientId is not { Length: > 0 })
        {
            throw new McpAuthorizationException(McpAuthorizationError.RegistrationFailed, $"Dynamic client registration at {registrationEndpoint} returned no client_id.");
        }

        return client;
    }

    /// <summary>A token request (RFC 6749 §4.1.3), authenticated the way the client registered (§2.3.1).</summary>
    public async Task<OAuthTokens> RequestTokensAsync(Uri tokenEndpoint, OAuthClientInformation client, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenEndpoint);
        var clientId = client.ClientId ?? "";
        switch (client.TokenEndpointAuthMethod)
        {
            case "client_secret_basic":
                var credentials = Uri.EscapeDataString(clientId) + ":" + Uri.EscapeDataString(client.ClientSecret ?? "");
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
                break;
            case "none":
                form["client_id"] = clientId;
                break;
            default:
                form["client_id"] = clientId;
                if (client.ClientSecret is { } secret)
                {
                    form["client_secret"] = secret;
                }

                break;
        }

        request.Content = new FormUrlEncodedContent(form);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
            throw new McpAuthorizationException(
                McpAuthorizationError.TokenRequestFailed,
                $"The token endpoint {tokenEndpoint} refused the request with HTTP {(int)response.StatusCode}{(error is null ? "" : $" ({error})")}.",
                error);
        }

        var tokens = await ReadJsonAsync(response, OAuthJsonContext.Default.OAuthTokens, cancellationToken).ConfigureAwait(false);
        if (tokens?.AccessToken is not { Length: > 0 })
        {
            throw new McpAuthorizationException(McpAuthorizationError.TokenRequestFailed, $"The token endpoint {tokenEndpoint} returned no access_token.");
        }

        if (!string.Equals(tokens.TokenType, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            throw new McpAuthorizationException(McpAuthorizationError.TokenRequestFailed, $"The token endpoint {tokenEndpoint} returned token_type '{tokens.TokenType}'; only Bearer is supported.");
        }

        return tokens;
    }

    /// <summary>The <c>resource_metadata</c> of the 401 challenge an unauthenticated request to the server gets, if any.</summary>
    private async Task<Uri?> ChallengedMetadataUrlAsync(Uri serverUrl, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, serverUrl);
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        try
        {
            // Headers only: an unprotected SSE endpoint would otherwise stream forever.
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.Unauthorized)
            {
                return null;
            }

            foreach (var challenge in response.Headers.WwwAuthenticate)
            {
                if (string.Equals(challenge.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
                    && ChallengeParameter(challenge.Parameter, "resource_metadata") is { } url
                    && Uri.TryCreate(url, UriKind.Absolute, out var metadata))
                {
                    return metadata;
                }
            }

            return null;
        }
        catch (HttpRequestException e)
        {
            throw new McpAuthorizationException(McpAuthorizationError.DiscoveryFailed, $"The MCP server {serverUrl} could not be reached.", innerException: e);
        }
    }

    private static string? ChallengeParameter(string? parameters, string name)
    {
        foreach (var part in (parameters ?? "").Split(','))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && part[..equals].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return part[(equals + 1)..].Trim().Trim('"');
            }
        }

        return null;
    }

    private async Task<T?> GetJsonAsync<T>(Uri uri, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            using var response = await http.GetAsync(uri, cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? await ReadJsonAsync(response, typeInfo, cancellationToken).ConfigureAwait(false) : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<T?> ReadJsonAsync<T>(HttpResponseMessage response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return await JsonSerializer.DeserializeAsync(body, typeInfo, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The OAuth <c>error</c> code of a failed response: the code only, never the rest of the body.</summary>
    private static async Task<string?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return (await ReadJsonAsync(response, OAuthJsonContext.Default.OAuthErrorDocument, cancellationToken).ConfigureAwait(false))?.Error;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Uri? Endpoint(string? value, string member, string issuer) =>
        value is null ? null
        : Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri
        : throw new McpAuthorizationException(McpAuthorizationError.DiscoveryFailed, $"The {member} of {issuer} is not an absolute http or https URI.");

    private static McpAuthorizationException MissingEndpoint(string member, string issuer) =>
        new(McpAuthorizationError.DiscoveryFailed, $"Authorization server {issuer} has no {member}.");

    /// <summary>RFC 9728 §3.3 compares the resource with the server's URL: scheme, host, port and path, trailing slash ignored.</summary>
    private static bool SameResource(string resource, Uri url) =>
        Uri.TryCreate(resource, UriKind.Absolute, out var uri) && string.Equals(Normalize(uri), Normalize(url), StringComparison.OrdinalIgnoreCase);

    private static string Normalize(Uri uri) => uri.GetLeftPart(UriPartial.Authority) + uri.AbsolutePath.TrimEnd('/');
}
