using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpSessions.EF.Tests.ModelContextProtocol;

/// <summary>
/// A local OAuth-protected MCP server on 127.0.0.1, authorization server and resource server in one: protected-resource
/// metadata (RFC 9728), authorization-server metadata (RFC 8414), dynamic client registration (RFC 7591), an authorize
/// endpoint that approves at once, a token endpoint (authorization code with PKCE S256; refresh tokens that rotate and
/// work once; every grant bound to the <c>resource</c> it was made for, RFC 8707), and the SDK's own Streamable HTTP
/// server (<c>ModelContextProtocol.AspNetCore</c>'s <c>MapMcp</c>, stateless) with one tool, <c>echo</c>, behind a
/// bearer token check. Access tokens live <see cref="AccessTokenLifetime"/> on <see cref="Clock"/>, which the tests
/// move. Every grant is counted.
/// </summary>
public sealed class OAuthProtectedMcpServer : IAsyncDisposable
{
    private WebApplication _app = null!;
    private readonly ConcurrentDictionary<string, Client> _clients = new();
    private readonly ConcurrentDictionary<string, PendingCode> _codes = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _accessTokens = new();
    private readonly ConcurrentDictionary<string, Grant> _refreshTokens = new();
    private readonly ConcurrentBag<string> _secrets = [];
    private int _registrations, _authorizations, _codeGrants, _refreshGrants, _refusedRefreshGrants, _toolCalls;

    private OAuthProtectedMcpServer(TimeProvider clock, TimeSpan accessTokenLifetime)
    {
        Clock = clock;
        AccessTokenLifetime = accessTokenLifetime;
    }

    public TimeProvider Clock { get; }

    public TimeSpan AccessTokenLifetime { get; }

    /// <summary>The issuer, exactly as the metadata names it: <c>http://127.0.0.1:port</c>.</summary>
    public string Issuer { get; private set; } = "";

    public Uri McpUrl { get; private set; } = null!;

    /// <summary>
    /// The resource identifier the protected-resource metadata names, <see cref="McpUrl"/> unless a test sets another
    /// (RFC 9728 lets it differ from the endpoint, a trailing slash included); grants are bound to it exactly.
    /// </summary>
    public string Resource { get; set; } = "";

    /// <summary>Whether a refresh issues a new refresh token (the default) or leaves it out and keeps the old one usable.</summary>
    public bool RotatesRefreshTokens { get; set; } = true;

    public int Registrations => Volatile.Read(ref _registrations);

    public int Authorizations => Volatile.Read(ref _authorizations);

    public int AuthorizationCodeGrants => Volatile.Read(ref _codeGrants);

    public int RefreshTokenGrants => Volatile.Read(ref _refreshGrants);

    public int RefusedRefreshTokenGrants => Volatile.Read(ref _refusedRefreshGrants);

    public int ToolCalls => Volatile.Read(ref _toolCalls);

    /// <summary>Every secret the server ever issued: access and refresh tokens, client secrets, codes.</summary>
    public IReadOnlyCollection<string> IssuedSecrets => [.. _secrets];

    /// <summary>The refresh tokens that are still usable.</summary>
    public IReadOnlyCollection<string> LiveRefreshTokens => [.. _refreshTokens.Keys];

    public static async Task<OAuthProtectedMcpServer> StartAsync(TimeProvider clock, TimeSpan accessTokenLifetime)
    {
        var server = new OAuthProtectedMcpServer(clock, accessTokenLifetime);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services
            .AddMcpServer(o => o.ServerInfo = new Implementation { Name = "oauth-test-server", Version = "1.0.0" })
            .WithHttpTransport(o => o.Stateless = true)
            .WithTools(
            [
                McpServerTool.Create(
                    (string text) =>
                    {
                        Interlocked.Increment(ref server._toolCalls);
                        return "echo: " + text;
                    },
                    new McpServerToolCreateOptions { Name = "echo", Description = "Echoes the text back." }),
            ]);
        server._app = builder.Build();
        server.Map(server._app);
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.Issuer = new Uri(address).GetLeftPart(UriPartial.Authority);
        server.McpUrl = new Uri(server.Issuer + "/mcp");
        server.Resource = server.McpUrl.ToString();
        return server;
    }

    /// <summary>A refresh grant sent straight to the token endpoint, as a client that kept an old refresh token would.</summary>
    public async Task<HttpResponseMessage> RefreshAsync(string clientId, string clientSecret, string refreshToken)
    {
        using var http = new HttpClient();
        return await http.PostAsync(Issuer + "/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
            ["resource"] = Resource,
        }));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Map(WebApplication app)
    {
        app.MapGet("/.well-known/oauth-protected-resource", () => Results.Json(new JsonObject
        {
            ["resource"] = Resource,
            ["authorization_servers"] = new JsonArray(Issuer),
            ["scopes_supported"] = new JsonArray("mcp:tools"),
            ["bearer_methods_supported"] = new JsonArray("header"),
        }));

        app.MapGet("/.well-known/oauth-authorization-server", () => Results.Json(new JsonObject
        {
            ["issuer"] = Issuer,
            ["authorization_endpoint"] = Issuer + "/authorize",
            ["token_endpoint"] = Issuer + "/token",
            ["registration_endpoint"] = Issuer + "/register",
            ["response_types_supported"] = new JsonArray("code"),
            ["grant_types_supported"] = new JsonArray("authorization_code", "refresh_token"),
            ["code_challenge_methods_supported"] = new JsonArray("S256"),
            ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_post"),
            ["scopes_supported"] = new JsonArray("mcp:tools", "offline_access"),
            ["authorization_response_iss_parameter_supported"] = true,
        }));

        app.MapPost("/register", (Delegate)Register);
        app.MapGet("/authorize", (Delegate)Authorize);
        app.MapPost("/token", (Delegate)Token);

        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/mcp") && !Authorized(context))
            {
                return;
            }

            await next(context);
        });
        app.MapMcp("/mcp");
    }

    private bool Authorized(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : null;
        if (presented is not null && _accessTokens.TryGetValue(presented, out var expiresAt) && Clock.GetUtcNow() < expiresAt)
        {
            return true;
        }

        // RFC 9728 §5.1: the challenge names the metadata, which is what starts the SDK's OAuth.
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate =
            $"Bearer resource_metadata=\"{Issuer}/.well-known/oauth-protected-resource\"" + (presented is null ? "" : ", error=\"invalid_token\"");
        return false;
    }

    private async Task<IResult> Register(HttpContext context)
    {
        var request = await JsonNode.ParseAsync(context.Request.Body);
        var redirectUris = request?["redirect_uris"]?.AsArray().Select(u => u!.GetValue<string>()).ToList() ?? [];
        if (redirectUris.Count == 0)
        {
            return Results.Json(new JsonObject { ["error"] = "invalid_redirect_uri" }, statusCode: 400);
        }

        var client = new Client("client-" + Random(), Issue(), redirectUris);
        _clients[client.Id] = client;
        Interlocked.Increment(ref _registrations);
        return Results.Json(
            new JsonObject
            {
                ["client_id"] = client.Id,
                ["client_secret"] = client.Secret,
                ["client_id_issued_at"] = Clock.GetUtcNow().ToUnixTimeSeconds(),
                ["client_secret_expires_at"] = 0,
                ["redirect_uris"] = new JsonArray([.. redirectUris.Select(u => JsonValue.Create(u))]),
                ["token_endpoint_auth_method"] = "client_secret_post",
                ["grant_types"] = new JsonArray("authorization_code", "refresh_token"),
                ["response_types"] = new JsonArray("code"),
                ["registration_note"] = "an unknown member that must round-trip",
            },
            statusCode: 201);
    }

    private IResult Authorize(HttpContext context)
    {
        var q = context.Request.Query;
        if (!_clients.TryGetValue(q["client_id"].ToString(), out var client) || !client.RedirectUris.Contains(q["redirect_uri"].ToString())
            || q["response_type"] != "code" || q["code_challenge_method"] != "S256" || string.IsNullOrEmpty(q["code_challenge"]) || string.IsNullOrEmpty(q["state"]))
        {
            return Results.BadRequest("invalid authorization request");
        }

        Interlocked.Increment(ref _authorizations);
        var code = Issue();
        _codes[code] = new PendingCode(client.Id, q["redirect_uri"].ToString(), q["code_challenge"].ToString(), q["resource"].ToString());
        var separator = q["redirect_uri"].ToString().Contains('?', StringComparison.Ordinal) ? "&" : "?";
        return Results.Redirect(
            $"{q["redirect_uri"]}{separator}code={Uri.EscapeDataString(code)}&state={Uri.EscapeDataString(q["state"].ToString())}&iss={Uri.EscapeDataString(Issuer)}");
    }

    private async Task<IResult> Token(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        if (!_clients.TryGetValue(form["client_id"].ToString(), out var client) || form["client_secret"] != client.Secret)
        {
            return Results.Json(new JsonObject { ["error"] = "invalid_client" }, statusCode: 401);
        }

        switch (form["grant_type"].ToString())
        {
            case "authorization_code":
                if (!_codes.TryRemove(form["code"].ToString(), out var pending) || pending.ClientId != client.Id
                    || pending.RedirectUri != form["redirect_uri"] || Challenge(form["code_verifier"].ToString()) != pending.Challenge)
                {
                    return Results.Json(new JsonObject { ["error"] = "invalid_grant" }, statusCode: 400);
                }

                // RFC 8707 §2.2: the token request names the resource the authorization request did, exactly.
                if (form["resource"] != pending.Resource || pending.Resource != Resource)
                {
                    return Results.Json(new JsonObject { ["error"] = "invalid_target" }, statusCode: 400);
                }

                Interlocked.Increment(ref _codeGrants);
                return IssueTokens(new Grant(client.Id, pending.Resource), previousRefreshToken: null);

            case "refresh_token":
                var refreshToken = form["refresh_token"].ToString();
                if (!_refreshTokens.TryGetValue(refreshToken, out var grant) || grant.ClientId != client.Id)
                {
                    Interlocked.Increment(ref _refusedRefreshGrants);
                    return Results.Json(new JsonObject { ["error"] = "invalid_grant" }, statusCode: 400);
                }

                // A refresh stays within the resource of its grant (RFC 8707 §2.2), named exactly as it was granted.
                if (form["resource"] != grant.Resource)
                {
                    Interlocked.Increment(ref _refusedRefreshGrants);
                    return Results.Json(new JsonObject { ["error"] = "invalid_target" }, statusCode: 400);
                }

                // One use only when rotating: TryRemove is atomic, so of two requests with one refresh token one wins.
                if (RotatesRefreshTokens && !_refreshTokens.TryRemove(refreshToken, out _))
                {
                    Interlocked.Increment(ref _refusedRefreshGrants);
                    return Results.Json(new JsonObject { ["error"] = "invalid_grant" }, statusCode: 400);
                }

                Interlocked.Increment(ref _refreshGrants);
                return IssueTokens(grant, RotatesRefreshTokens ? null : refreshToken);

            default:
                return Results.Json(new JsonObject { ["error"] = "unsupported_grant_type" }, statusCode: 400);
        }
    }

    /// <summary>New tokens for <paramref name="grant"/>; a new refresh token unless <paramref name="previousRefreshToken"/> stays valid.</summary>
    private IResult IssueTokens(Grant grant, string? previousRefreshToken)
    {
        var access = Issue();
        _accessTokens[access] = Clock.GetUtcNow() + AccessTokenLifetime;
        var response = new JsonObject
        {
            ["access_token"] = access,
            ["token_type"] = "Bearer",
            ["expires_in"] = (int)AccessTokenLifetime.TotalSeconds,
            ["scope"] = "mcp:tools offline_access",
        };
        if (previousRefreshToken is null)
        {
            var refresh = Issue();
            _refreshTokens[refresh] = grant;
            response["refresh_token"] = refresh;
        }

        return Results.Json(response);
    }

    private string Issue()
    {
        var value = Random();
        _secrets.Add(value);
        return value;
    }

    private static string Random()
    {
        Span<byte> bytes = stackalloc byte[24];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }

    private static string Challenge(string verifier) => Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    private sealed record Client(string Id, string Secret, List<string> RedirectUris);

    private sealed record PendingCode(string ClientId, string RedirectUri, string Challenge, string Resource);

    private sealed record Grant(string ClientId, string Resource);
}
